/* A container's filesystem borrowed for reading, and what can be read from
 * it: the changes against its image (`docker diff`), its layer diff as a tar
 * with whiteouts (`docker commit`), its whole tree as a tar (`docker export`).
 *
 * Drivers with a diff_dir op (overlay) keep the container's own changes in
 * one directory in overlayfs format: changes walk it, looking paths up in
 * the image layers' diff dirs; the others (vfs, btrfs) hold full trees:
 * changes compare the container's tree with the image's.  A driver's own
 * changes/diff ops, when it has them, are used instead. */
#ifndef BERTH_CONTAINER_CHANGES_H
#define BERTH_CONTAINER_CHANGES_H

#include "core/container/manager.h"
#include "core/image/service.h"

/* Docker's Kind values in GET /containers/{id}/changes */
enum container_change_kind
{
  CONTAINER_CHANGE_MODIFY = 0,
  CONTAINER_CHANGE_ADD = 1,
  CONTAINER_CHANGE_DELETE = 2,
};

/* path: absolute ("/etc/passwd") */
typedef int (*container_change_fn) (void *ud, const char *path, enum container_change_kind kind);

struct container_fs
{
  struct container_manager *m;
  struct container *c; /* referenced while open */
  struct berth_driver *storage;
  char *merged;  /* the whole tree */
  char *upper;   /* the container's own changes (overlay format), or NULL */
  char **lowers; /* with upper: the image layers' diff dirs, top first */
  char *parent;  /* without upper: the image's whole tree, NULL when it has no layers */
  bool parent_mounted;
};

/* Borrow c's filesystem (running or not; see container_rootfs_hold).  A
   removed container is ENOENT.  Takes its own reference on c. */
int container_fs_open (struct container_manager *m, struct image_service *images, struct container *c,
                       struct container_fs *fs, berth_error_t *err);
void container_fs_close (struct container_fs *fs);

/* Changes in path order, a directory before what changed inside it;
   directories holding changes are reported modified, as Docker does. */
int container_fs_changes (const struct container_fs *fs, container_change_fn fn, void *ud, berth_error_t *err);
/* The layer diff as an uncompressed tar with .wh. whiteouts. */
int container_fs_diff_tar (const struct container_fs *fs, int out_fd, berth_error_t *err);
/* Every file of the container as an uncompressed tar (no root entry). */
int container_fs_export_tar (const struct container_fs *fs, int out_fd, berth_error_t *err);

#endif
