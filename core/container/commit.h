/* `docker commit` and `docker export` of a container (see changes.h for how
   its files are read). */
#ifndef BERTH_CONTAINER_COMMIT_H
#define BERTH_CONTAINER_COMMIT_H

#include <stdbool.h>

#include "core/container/changes.h"
#include "core/image/service-commit.h"

struct container_commit_opts
{
  json_object *config;  /* the request's Config (NULL: the container's) */
  char *const *changes; /* Dockerfile instructions, may be NULL */
  const char *author, *comment;
  const struct image_ref *ref; /* may be NULL */
  bool pause;                  /* freeze a running container while its diff is taken */
};

/* The container's writable layer as a new image on top of its image;
   ret_id gets the image id.  Emits the "commit" event. */
int container_commit (struct container_manager *m, struct image_service *images, struct container *c,
                      const struct container_commit_opts *o, char ret_id[DIGEST_BUF_SIZE], berth_error_t *err);

/* The container's whole filesystem as a tar to out_fd.  Emits "export". */
int container_export (struct container_manager *m, struct image_service *images, struct container *c, int out_fd,
                      berth_error_t *err);

#endif
