/* `docker save`: images out of the image service as one tar that is both a
 * docker-archive and an OCI image layout, as docker >= 25 writes it:
 *
 *   blobs/sha256/<hex>   configs, layers (uncompressed, named by diff id)
 *                        and one OCI manifest per image
 *   index.json           OCI index, one entry per tag (annotated with
 *                        io.containerd.image.name and
 *                        org.opencontainers.image.ref.name), untagged
 *                        images without annotations
 *   manifest.json        [{"Config","RepoTags","Layers"}]
 *   oci-layout           {"imageLayoutVersion":"1.0.0"}
 *   repositories         {"name":{"tag":"<top layer diff id hex>"}}
 *
 * Layers are the tars as they were loaded (see service.h), so every diff id
 * still matches and the archive loads back to the same image ids.  Entry
 * times are the epoch, so saving twice gives the same bytes. */
#ifndef BERTH_IMAGE_ARCHIVE_SAVE_H
#define BERTH_IMAGE_ARCHIVE_SAVE_H

#include "core/image/service.h"

struct image_save_plan;

/* Resolve names as moby does: a repository name alone takes every tag of
   that repository, a tag or digest that one reference, an id or id prefix
   the image without a tag.  ENOENT "No such image: X" for an unknown one. */
int image_save_plan_new (struct image_service *svc, char *const *names, struct image_save_plan **ret,
                         berth_error_t *err);
void image_save_plan_free (struct image_save_plan *plan);

/* Write the archive to out_fd (pins the service while it runs). */
int image_save_write (struct image_service *svc, const struct image_save_plan *plan, int out_fd, berth_error_t *err);

#endif
