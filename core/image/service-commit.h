/* `docker commit` on the image side: config rules and registration of the
 * container's layer diff.  Two steps so that bad input (changes, Config) is
 * refused before the caller starts producing the diff. */
#ifndef BERTH_IMAGE_SERVICE_COMMIT_H
#define BERTH_IMAGE_SERVICE_COMMIT_H

#include <json-c/json.h>

#include "core/image/service.h"

struct image_commit_opts
{
  const char *parent_image;      /* the container's image id */
  json_object *config;           /* the request's Config, or NULL: the container's */
  json_object *container_config; /* the container's Config: fills what config leaves empty */
  char *const *changes;          /* Dockerfile instructions (image-change.h), may be NULL */
  const char *author, *comment;  /* may be NULL */
  const char *created_by;        /* the history's created_by (moby: the container's Cmd) */
  const struct image_ref *ref;   /* tagged when not NULL */
};

struct image_commit;

/* Check everything and build the new config (EINVAL naming the bad part). */
int image_commit_new (struct image_service *svc, const struct image_commit_opts *o, struct image_commit **ret,
                      berth_error_t *err);
/* Read the layer tar (with whiteouts) from tar_fd to its end, register the
   layer (none for an empty diff, as moby), the image with its Parent, and
   the tag; ret_id gets the image id. */
int image_commit_finish (struct image_service *svc, struct image_commit *c, int tar_fd, char ret_id[DIGEST_BUF_SIZE],
                         berth_error_t *err);
void image_commit_free (struct image_commit *c);

#endif
