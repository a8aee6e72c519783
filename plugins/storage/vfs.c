/* Storage driver `vfs`: every layer is a plain directory holding a full copy
 * of its parent.  Slow and space-hungry, but it works on any filesystem and
 * needs no mount privileges, so it is the fallback when overlay cannot run.
 *
 * Layout: <state_dir>/<id>/ is the layer's tree.  A layer is built in
 * <state_dir>/.tmp-<id> and renamed into place, and removed by renaming it to
 * .rm-<id> first, so a crash never leaves a half-made layer under its id;
 * leftovers are swept at init.  <state_dir>/.parent-<id> names the layer a
 * layer was copied from (see layer-book.h). */
#include "config.h"

#include <berth/storage.h>

#include "driver-root.h"
#include "layer-book.h"
#include "vfs-tree.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct vfs
{
  struct driver_root root;
  struct layer_book *book;
};

static int
vfs_validate (const struct berth_host_api *h, const struct berth_cfg *opts, struct berth_error **err)
{
  return driver_root_no_options (h, opts, "vfs", err);
}

/* Remove build and removal leftovers of an earlier crash. */
static int
sweep_one (void *ud, const char *name, struct berth_error **err)
{
  struct vfs *v = ud;

  return driver_root_is_leftover (name) ? driver_root_remove (&v->root, name, err) : 0;
}

static void vfs_shutdown (void *drv);

static int
vfs_init (const struct berth_host_api *h, struct berth_host_ctx *ctx, const struct berth_cfg *opts, void **ret_drv,
          struct berth_error **err)
{
  struct vfs *v = calloc (1, sizeof (*v));
  int r;

  if (v == NULL)
    return h->error_set (err, ENOMEM, "vfs: out of memory");
  r = driver_root_open (&v->root, h, ctx, "vfs", err);
  if (r < 0)
    {
      free (v);
      return r;
    }
  v->book = layer_book_new (&v->root);
  if (v->book == NULL)
    {
      vfs_shutdown (v);
      return h->error_set (err, ENOMEM, "vfs: out of memory");
    }
  if (driver_root_each (&v->root, sweep_one, v, err) < 0 || layer_book_sweep (v->book, err) < 0)
    {
      vfs_shutdown (v);
      return -EIO;
    }
  *ret_drv = v;
  return 0;
}

static void
vfs_shutdown (void *drv)
{
  struct vfs *v = drv;

  if (v == NULL)
    return;
  layer_book_free (v->book);
  driver_root_close (&v->root);
  free (v);
}

static int
vfs_create (void *drv, const char *id, const char *parent, const struct berth_layer_opts *o, struct berth_error **err)
{
  struct vfs *v = drv;
  const struct berth_host_api *h = v->root.h;
  int root_fd = v->root.fd;
  char tmp[160];
  int src = -1, dst = -1, r;

  r = driver_root_check_create (&v->root, id, parent, o, err);
  if (r == 0)
    r = driver_root_require_absent (&v->root, id, err);
  if (r < 0)
    return r;
  if (parent != NULL)
    {
      /* The parent's record of its child is written before the lock is
         released, so a concurrent remove of the parent sees the child. */
      layer_book_lock (v->book);
      src = openat (root_fd, parent, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (src < 0)
        r = errno == ENOENT ? h->error_set (err, ENOENT, "vfs: parent layer `%s` does not exist", parent)
                            : h->error_set (err, errno, "vfs: open parent layer `%s`: %s", parent, strerror (errno));
      else
        r = layer_book_set_parent (v->book, id, parent, err);
      layer_book_unlock (v->book);
      if (r < 0)
        {
          if (src >= 0)
            close (src);
          return r;
        }
    }
  snprintf (tmp, sizeof (tmp), ".tmp-%s", id);
  r = driver_root_remove (&v->root, tmp, err);
  if (r == 0 && mkdirat (root_fd, tmp, 0755) < 0)
    r = h->error_set (err, errno, "vfs: create layer `%s`: %s", id, strerror (errno));
  if (r == 0 && (dst = openat (root_fd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
    r = h->error_set (err, errno, "vfs: open new layer `%s`: %s", id, strerror (errno));
  /* umask may have narrowed mkdir's mode; a base layer's root is 0755. */
  if (r == 0 && src < 0 && fchmod (dst, 0755) < 0)
    r = h->error_set (err, errno, "vfs: chmod new layer `%s`: %s", id, strerror (errno));
  if (r == 0 && src >= 0 && vfs_copy_tree (h, src, dst, err) < 0)
    r = h->error_wrap (err, "vfs: copy layer `%s` into `%s`", parent, id);
  if (r == 0 && fsync (dst) < 0)
    r = h->error_set (err, errno, "vfs: sync layer `%s`: %s", id, strerror (errno));
  if (r == 0 && renameat2 (root_fd, tmp, root_fd, id, RENAME_NOREPLACE) < 0)
    r = h->error_set (err, errno, "vfs: commit layer `%s`: %s", id, strerror (errno));
  if (src >= 0)
    close (src);
  if (dst >= 0)
    close (dst);
  /* *err is set, so a failing cleanup keeps the first error; init retries it. */
  if (r < 0)
    {
      driver_root_remove (&v->root, tmp, err);
      layer_book_forget (v->book, id);
    }
  return r;
}

static int
vfs_remove (void *drv, const char *id, struct berth_error **err)
{
  struct vfs *v = drv;
  char gone[160];
  int r;

  if (driver_root_check_id (&v->root, id, err) < 0)
    return -EINVAL;
  snprintf (gone, sizeof (gone), ".rm-%s", id);
  layer_book_lock (v->book);
  r = driver_root_require_layer (&v->root, id, err);
  if (r == 0)
    r = layer_book_check_removable (v->book, id, err);
  if (r == 0 && renameat (v->root.fd, id, v->root.fd, gone) < 0)
    r = errno == ENOENT ? v->root.h->error_set (err, ENOENT, "vfs: layer `%s` does not exist", id)
                        : v->root.h->error_set (err, errno, "vfs: remove layer `%s`: %s", id, strerror (errno));
  layer_book_unlock (v->book);
  if (r < 0)
    return r;
  layer_book_forget (v->book, id);
  r = driver_root_remove (&v->root, gone, err);
  if (r < 0)
    return v->root.h->error_wrap (err, "vfs: remove layer `%s`", id);
  return 0;
}

static int
vfs_exists (void *drv, const char *id)
{
  struct vfs *v = drv;

  if (!driver_valid_id (id))
    return -EINVAL;
  return driver_root_layer_exists (&v->root, id);
}

static int
vfs_mount (void *drv, const char *id, const struct berth_mount_opts *o, char *ret_path, size_t ret_len,
           struct berth_error **err)
{
  struct vfs *v = drv;
  int r = driver_root_require_layer (&v->root, id, err);

  if (r < 0)
    return r;
  if ((size_t)snprintf (ret_path, ret_len, "%s/%s", v->root.path, id) >= ret_len)
    return v->root.h->error_set (err, ENAMETOOLONG, "vfs: the path of layer `%s` does not fit the buffer", id);
  return layer_book_set_mounted (v->book, id, true, err);
}

static int
vfs_unmount (void *drv, const char *id, struct berth_error **err)
{
  struct vfs *v = drv;
  int r = driver_root_require_layer (&v->root, id, err);

  if (r < 0)
    return r;
  /* nothing was mounted (the layer is a plain directory): only the mark */
  return layer_book_set_mounted (v->book, id, false, err);
}

static int
vfs_list (void *drv, berth_str_fn emit, void *ud, struct berth_error **err)
{
  struct vfs *v = drv;

  return driver_root_list (&v->root, emit, ud, err);
}

static int
vfs_metadata (void *drv, const char *id, berth_kv_fn emit, void *ud, struct berth_error **err)
{
  struct vfs *v = drv;
  char path[4096];
  int r = driver_root_require_layer (&v->root, id, err);

  if (r == 0)
    r = driver_root_layer_path (&v->root, path, sizeof (path), id, NULL, err);
  return r < 0 ? r : emit (ud, "Dir", path);
}

static int
vfs_disk_usage (void *drv, const char *id, int64_t *ret_bytes, struct berth_error **err)
{
  struct vfs *v = drv;
  int fd, r;

  if (driver_root_check_id (&v->root, id, err) < 0)
    return -EINVAL;
  fd = openat (v->root.fd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? v->root.h->error_set (err, ENOENT, "vfs: layer `%s` does not exist", id)
                           : v->root.h->error_set (err, errno, "vfs: open layer `%s`: %s", id, strerror (errno));
  r = vfs_tree_usage (v->root.h, fd, ret_bytes, err);
  close (fd);
  return r;
}

static int
vfs_status (void *drv, berth_kv_fn emit, void *ud)
{
  struct vfs *v = drv;
  return emit (ud, "Root Dir", v->root.path);
}

static const struct berth_storage_ops vfs_ops = {
  .life = {
    .caps = 0,
    .validate = vfs_validate,
    .init = vfs_init,
    .shutdown = vfs_shutdown,
    .status = vfs_status,
  },
  .create = vfs_create,
  .remove = vfs_remove,
  .exists = vfs_exists,
  .mount = vfs_mount,
  .unmount = vfs_unmount,
  .list = vfs_list,
  .metadata = vfs_metadata,
  .disk_usage = vfs_disk_usage,
};

static const struct berth_plugin_descriptor vfs_descriptor = BERTH_PLUGIN_DESCRIPTOR_INIT (
    BERTH_KIND_STORAGE, "vfs", PACKAGE_VERSION, "layers as full directory copies; works on any filesystem", &vfs_ops);

BERTH_PLUGIN_DEFINE (vfs_descriptor)
