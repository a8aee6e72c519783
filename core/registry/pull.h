/* Pull an image from a registry into the image service.
 *
 * The manifest is fetched by tag or digest (OCI index/manifest and Docker
 * list/schema2 accepted), verified against its digest, an index resolved
 * to the requested platform; the config blob is fetched and verified; the
 * layers the store lacks are downloaded in parallel, each streamed through
 * the service's spool (decompressed, the compressed digest and the diff id
 * verified as the bytes pass), and added in order as soon as the layers
 * below are in.  A mismatch or a failed download aborts the pull naming
 * the layer; nothing partial stays behind.  Finally the image is
 * registered, the tag recorded and the digest reference (RepoDigests)
 * added. */
#ifndef BERTH_REGISTRY_PULL_H
#define BERTH_REGISTRY_PULL_H

#include <stdbool.h>

#include "core/image/digest.h"
#include "core/image/reference.h"
#include "core/image/service.h"
#include "core/lib/error.h"
#include "core/registry/credentials.h"
#include "core/registry/progress.h"

struct registry_client;

#define REGISTRY_DEFAULT_DOWNLOADS 3

struct registry_pull_opts
{
  const char *platform;      /* "os/arch[/variant]"; NULL = linux/<host arch> */
  int max_downloads;         /* 0 = REGISTRY_DEFAULT_DOWNLOADS */
  const char *authorization; /* Authorization header value, or NULL */
  const struct registry_credentials *credentials; /* answer 401s with these; NULL: anonymous */
  /* docker.io only: endpoints ("http[s]://host[:port]") tried first, in
     order, falling back to the next and finally to docker.io itself */
  const char *const *mirrors;
  /* where docker.io is reached; NULL = https://registry-1.docker.io */
  const char *docker_io_endpoint;
  const char *blob_sources; /* core/registry/blob-sources.h file, or NULL */
  registry_progress_fn progress;
  void *progress_ud;
};

struct registry_pull_result
{
  char image_id[DIGEST_BUF_SIZE];
  char manifest_digest[DIGEST_BUF_SIZE];
  bool up_to_date; /* the reference already named this image */
};

/* ref: normalised, with a tag or a digest.  Errors: ENOENT when the
   registry does not know the manifest, EACCES when it wants credentials,
   EHOSTUNREACH when it cannot be reached, EINVAL for bad content. */
int registry_pull (struct image_service *svc, const struct image_ref *ref, const struct registry_pull_opts *opts,
                   struct registry_pull_result *ret, berth_error_t *err);

/* The tags of ref's repository (GET /v2/<repo>/tags/list, following
   Link pages), sorted; a NULL-terminated vector. */
int registry_list_tags (const struct image_ref *ref, const struct registry_pull_opts *opts, char ***ret,
                        berth_error_t *err);

/* The client for ref: docker.io at opts' endpoint, else its own host. */
int registry_pull_client (const struct image_ref *ref, const char *docker_io_endpoint, struct registry_client **ret,
                          berth_error_t *err);

/* Parse "os/arch[/variant]" (os alone is refused); allocated parts. */
int registry_platform_parse (const char *s, char **ret_os, char **ret_arch, char **ret_variant, berth_error_t *err);

#endif
