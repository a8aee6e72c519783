/* A build step as an image: the step's config (and, for steps that change
 * files, the layer diff of the step's container) registered on top of the
 * previous step's image, with one history entry, and Parent set to that
 * image as Docker's legacy builder does.  Steps that change no file get
 * an empty_layer history entry and no layer. */
#ifndef BERTH_BUILD_COMMIT_H
#define BERTH_BUILD_COMMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/image/service.h"

/* parent: the previous step's image id, "" for a stage FROM scratch
   before any step.  cfg: the new image's config (history and diff ids are
   appended to it; created set).  tar_fd: the layer diff, or -1 for a
   config-only step. */
int build_commit (struct image_service *svc, const char *parent, struct image_config *cfg, const char *created_by,
                  int tar_fd, char ret_id[DIGEST_BUF_SIZE], berth_error_t *err);

/* The same with the tar's sha256 ("sha256:<hex>") and size known (taken
   while it was written): it is not read again to hash it.  tar_fd must be
   at its start. */
int build_commit_hashed (struct image_service *svc, const char *parent, struct image_config *cfg,
                         const char *created_by, int tar_fd, const char *tar_digest, uint64_t tar_size,
                         char ret_id[DIGEST_BUF_SIZE], berth_error_t *err);

/* A config for FROM scratch: this machine's architecture, linux, no layers. */
struct image_config *build_scratch_config (void);

#endif
