/* Push an image from the image service to a registry: every layer (bottom
 * up) gzip-compressed from the kept uncompressed tar into a scratch file
 * (its digest computed on the way), HEAD to skip blobs the registry has,
 * else an upload session (POST) finished by one monolithic PUT; then the
 * config blob, then a Docker schema2 manifest PUT under the tag.  The
 * pushed digest is recorded as the image's RepoDigest. */
#ifndef BERTH_REGISTRY_PUSH_H
#define BERTH_REGISTRY_PUSH_H

#include <stdint.h>

#include "core/image/digest.h"
#include "core/image/reference.h"
#include "core/image/service.h"
#include "core/lib/error.h"
#include "core/registry/credentials.h"
#include "core/registry/progress.h"

#define REGISTRY_DEFAULT_UPLOADS 5

struct registry_push_opts
{
  const char *authorization; /* Authorization header value, or NULL */
  const struct registry_credentials *credentials; /* answer 401s with these; NULL: anonymous */
  int max_uploads;                /* layers at once; 0 = REGISTRY_DEFAULT_UPLOADS */
  const char *docker_io_endpoint; /* where docker.io is reached; NULL = https://registry-1.docker.io */
  const char *blob_sources;       /* core/registry/blob-sources.h file, or NULL */
  registry_progress_fn progress;
  void *progress_ud;
};

struct registry_push_result
{
  char manifest_digest[DIGEST_BUF_SIZE];
  int64_t manifest_size;
};

/* ref: normalised, with a tag, naming a local image. */
int registry_push (struct image_service *svc, const struct image_ref *ref, const struct registry_push_opts *opts,
                   struct registry_push_result *ret, berth_error_t *err);

#endif
