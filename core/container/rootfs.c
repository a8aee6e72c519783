#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "core/container/rootfs.h"
#include "core/lib/mem.h"

int
container_rootfs_create (struct berth_driver *storage, const struct container *c, berth_error_t *err)
{
  struct berth_layer_opts o = { .struct_size = sizeof (o), .flags = BERTH_LAYER_RW };
  const char *parent = c->image_storage && c->image_storage[0] ? c->image_storage : NULL;

  if (storage->ops.storage.create (storage->drv, c->rw_layer, parent, &o, err) < 0)
    return berth_error_wrap (err, "create the container's writable layer");
  return 0;
}

int
container_rootfs_mount (struct berth_driver *storage, struct container *c, berth_error_t *err)
{
  struct berth_mount_opts o = { .struct_size = sizeof (o) };
  char path[PATH_MAX];

  if (storage->ops.storage.mount (storage->drv, c->rw_layer, &o, path, sizeof (path), err) < 0)
    return berth_error_wrap (err, "mount the container's rootfs");
  free (c->rootfs);
  c->rootfs = xstrdup (path);
  return 0;
}

int
container_rootfs_unmount (struct berth_driver *storage, const struct container *c, berth_error_t *err)
{
  if (storage->ops.storage.unmount (storage->drv, c->rw_layer, err) < 0)
    return berth_error_wrap (err, "unmount the container's rootfs");
  return 0;
}

int
container_rootfs_remove (struct berth_driver *storage, const struct container *c, berth_error_t *err)
{
  int r = storage->ops.storage.exists (storage->drv, c->rw_layer);

  if (r == 0)
    return 0;
  if (storage->ops.storage.remove (storage->drv, c->rw_layer, err) < 0)
    return berth_error_wrap (err, "remove the container's writable layer");
  return 0;
}
