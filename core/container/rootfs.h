/* A container's writable layer in the storage driver: a read-write child
   of the image's top layer, named by the container id, mounted while the
   container runs. */
#ifndef BERTH_CONTAINER_ROOTFS_H
#define BERTH_CONTAINER_ROOTFS_H

#include "core/container/container.h"
#include "core/plugin/registry.h"

int container_rootfs_create (struct berth_driver *storage, const struct container *c, berth_error_t *err);
/* sets c->rootfs */
int container_rootfs_mount (struct berth_driver *storage, struct container *c, berth_error_t *err);
int container_rootfs_unmount (struct berth_driver *storage, const struct container *c, berth_error_t *err);
/* a missing layer is fine */
int container_rootfs_remove (struct berth_driver *storage, const struct container *c, berth_error_t *err);

/* Borrow the container's whole filesystem for reading (diff, export, commit,
   cp), running or not: a stopped container's layer is mounted until the last
   borrower releases it.  Meanwhile unmount (at exit) and remove are left to
   that release, so a removal never pulls the files from under a reader.
   Call with the manager's lock held (c->rootfs must be stable). */
int container_rootfs_hold (struct berth_driver *storage, const struct container *c, char **ret_path,
                           berth_error_t *err);
void container_rootfs_release (struct berth_driver *storage, const struct container *c);

#endif
