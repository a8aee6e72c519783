/* Docker image references, parsed and normalised as Docker's
   distribution/reference ParseNormalizedNamed does:
     busybox            -> docker.io/library/busybox:latest (with IMAGE_REF_DEFAULT_TAG)
     user/x             -> docker.io/user/x
     host:5000/x/y:tag  -> host:5000/x/y:tag
     x@sha256:<hex>     -> docker.io/library/x@sha256:<hex> (no tag added)
   Errors read "invalid reference format: ..." as Docker's do. */
#ifndef BERTH_IMAGE_REFERENCE_H
#define BERTH_IMAGE_REFERENCE_H

#include <stdbool.h>

#include "core/lib/error.h"

#define IMAGE_REF_DEFAULT_DOMAIN "docker.io"
#define IMAGE_REF_LEGACY_DOMAIN "index.docker.io"
#define IMAGE_REF_DOCKER_HUB_HOST "registry-1.docker.io"
#define IMAGE_REF_OFFICIAL_PREFIX "library/"
#define IMAGE_REF_DEFAULT_TAG_NAME "latest"
#define IMAGE_REF_NAME_MAX 255
#define IMAGE_REF_TAG_MAX 128

struct image_ref
{
  char *domain; /* "docker.io", "localhost:5000", "[::1]:5000" */
  char *path;   /* "library/busybox" */
  char *tag;    /* NULL when none */
  char *digest; /* "sha256:<hex>" or NULL */
};

/* add ":latest" when the reference has neither tag nor digest */
#define IMAGE_REF_DEFAULT_TAG (1u << 0)

int image_ref_parse (const char *s, unsigned flags, struct image_ref **ret, berth_error_t *err);
void image_ref_free (struct image_ref *ref);
void cleanup_image_refp (struct image_ref **ref);
#define cleanup_image_ref __attribute__ ((cleanup (cleanup_image_refp)))
struct image_ref *image_ref_dup (const struct image_ref *ref);

/* true for a valid tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} */
bool image_ref_tag_valid (const char *tag);
/* true for a valid (lowercase) repository path: components joined by '/' */
bool image_ref_path_valid (const char *path);

/* All returned strings are allocated. */
/* "docker.io/library/busybox" */
char *image_ref_name (const struct image_ref *ref);
/* "docker.io/library/busybox:latest", "...@sha256:...", "...:tag@sha256:..." */
char *image_ref_string (const struct image_ref *ref);
/* "busybox", "user/x", "host:5000/x/y" */
char *image_ref_familiar_name (const struct image_ref *ref);
/* "busybox:latest", "busybox@sha256:..." */
char *image_ref_familiar_string (const struct image_ref *ref);
/* host for registry API calls: docker.io -> registry-1.docker.io */
const char *image_ref_registry_host (const struct image_ref *ref);

#endif
