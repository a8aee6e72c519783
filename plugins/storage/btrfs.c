/* Storage driver `btrfs`: every layer is a btrfs subvolume, and a child layer
 * is a writable snapshot of its parent, so creating one costs a few metadata
 * blocks however big the parent is.  The state directory must be on btrfs.
 *
 * Layout: <state_dir>/<id> is the layer's subvolume, <state_dir>/.parent-<id>
 * names its parent (layer-book.h).  A layer is made as .tmp-<id> and renamed
 * into place, and removed by renaming it to .rm-<id> first; leftovers are
 * destroyed at init.  mount returns the subvolume's path (nothing is mounted). */
#include "config.h"

#include <berth/storage.h>

#include "btrfs-subvol.h"
#include "driver-root.h"
#include "fs-name.h"
#include "layer-book.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

struct btr
{
  struct driver_root root;
  struct layer_book *book;
};

static int
btr_validate (const struct berth_host_api *h, const struct berth_cfg *opts, struct berth_error **err)
{
  return driver_root_no_options (h, opts, "btrfs", err);
}

static int
btr_probe (const struct berth_host_api *h, struct berth_host_ctx *ctx, struct berth_error **err)
{
  const char *dir = h->state_dir (ctx);
  struct statfs sfs;

  if (dir == NULL)
    return h->error_set (err, EIO, "btrfs: no state directory");
  if (statfs (dir, &sfs) < 0)
    return h->error_set (err, errno, "btrfs: statfs %s: %s", dir, strerror (errno));
  if (sfs.f_type != BTRFS_SUPER_MAGIC)
    return h->error_set (err, ENOTSUP, "btrfs: %s is on %s, not btrfs", dir, storage_fs_name ((long)sfs.f_type));
  return 0;
}

/* Destroy build and removal leftovers of an earlier crash. */
static int
sweep_one (void *ud, const char *name, struct berth_error **err)
{
  struct btr *b = ud;

  if (!driver_root_is_leftover (name))
    return 0;
  return btrfs_subvol_destroy (b->root.h, b->root.fd, b->root.path, name, err);
}

static void btr_shutdown (void *drv);

static int
btr_init (const struct berth_host_api *h, struct berth_host_ctx *ctx, const struct berth_cfg *opts, void **ret_drv,
          struct berth_error **err)
{
  struct btr *b = calloc (1, sizeof (*b));
  int r;

  (void)opts;
  if (b == NULL)
    return h->error_set (err, ENOMEM, "btrfs: out of memory");
  r = driver_root_open (&b->root, h, ctx, "btrfs", err);
  if (r < 0)
    {
      free (b);
      return r;
    }
  b->book = layer_book_new (&b->root);
  if (b->book == NULL)
    {
      btr_shutdown (b);
      return h->error_set (err, ENOMEM, "btrfs: out of memory");
    }
  if (driver_root_each (&b->root, sweep_one, b, err) < 0 || layer_book_sweep (b->book, err) < 0)
    {
      btr_shutdown (b);
      return -EIO;
    }
  *ret_drv = b;
  return 0;
}

static void
btr_shutdown (void *drv)
{
  struct btr *b = drv;

  if (b == NULL)
    return;
  layer_book_free (b->book);
  driver_root_close (&b->root);
  free (b);
}

static int
create_locked (struct btr *b, const char *id, const char *parent, struct berth_error **err)
{
  const struct berth_host_api *h = b->root.h;
  int root_fd = b->root.fd;
  char tmp[160];
  int src = -1, r;

  r = driver_root_require_absent (&b->root, id, err);
  if (r < 0)
    return r;
  if (parent != NULL)
    {
      src = openat (root_fd, parent, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (src < 0)
        return errno == ENOENT
                   ? h->error_set (err, ENOENT, "btrfs: parent layer `%s` does not exist", parent)
                   : h->error_set (err, errno, "btrfs: open parent layer `%s`: %s", parent, strerror (errno));
    }
  snprintf (tmp, sizeof (tmp), ".tmp-%s", id);
  r = btrfs_subvol_destroy (h, root_fd, b->root.path, tmp, err);
  if (r == 0 && parent != NULL)
    r = layer_book_set_parent (b->book, id, parent, err);
  if (r == 0)
    r = src >= 0 ? btrfs_subvol_snapshot (h, src, root_fd, tmp, err) : btrfs_subvol_create (h, root_fd, tmp, err);
  /* umask may have narrowed the new subvolume's mode; a base layer's root is 0755. */
  if (r == 0 && src < 0 && fchmodat (root_fd, tmp, 0755, 0) < 0)
    r = h->error_set (err, errno, "btrfs: chmod new layer `%s`: %s", id, strerror (errno));
  if (r == 0 && renameat2 (root_fd, tmp, root_fd, id, RENAME_NOREPLACE) < 0)
    r = h->error_set (err, errno, "btrfs: commit layer `%s`: %s", id, strerror (errno));
  if (src >= 0)
    close (src);
  if (r < 0)
    {
      /* *err is set, so a failing cleanup keeps the first error; init retries it. */
      btrfs_subvol_destroy (h, root_fd, b->root.path, tmp, err);
      layer_book_forget (b->book, id);
    }
  return r;
}

static int
btr_create (void *drv, const char *id, const char *parent, const struct berth_layer_opts *o, struct berth_error **err)
{
  struct btr *b = drv;
  int r = driver_root_check_create (&b->root, id, parent, o, err);

  if (r < 0)
    return r;
  /* A snapshot takes milliseconds: simply hold the lock across it. */
  layer_book_lock (b->book);
  r = create_locked (b, id, parent, err);
  layer_book_unlock (b->book);
  return r;
}

static int
btr_remove (void *drv, const char *id, struct berth_error **err)
{
  struct btr *b = drv;
  char gone[160];
  int r;

  if (driver_root_check_id (&b->root, id, err) < 0)
    return -EINVAL;
  snprintf (gone, sizeof (gone), ".rm-%s", id);
  layer_book_lock (b->book);
  r = driver_root_require_layer (&b->root, id, err);
  if (r == 0)
    r = layer_book_check_removable (b->book, id, err);
  if (r == 0 && renameat (b->root.fd, id, b->root.fd, gone) < 0)
    r = b->root.h->error_set (err, errno, "btrfs: remove layer `%s`: %s", id, strerror (errno));
  layer_book_unlock (b->book);
  if (r < 0)
    return r;
  layer_book_forget (b->book, id);
  r = btrfs_subvol_destroy (b->root.h, b->root.fd, b->root.path, gone, err);
  if (r < 0)
    return b->root.h->error_wrap (err, "btrfs: remove layer `%s`", id);
  return 0;
}

static int
btr_exists (void *drv, const char *id)
{
  struct btr *b = drv;

  if (!driver_valid_id (id))
    return -EINVAL;
  return driver_root_layer_exists (&b->root, id);
}

static int
btr_mount (void *drv, const char *id, const struct berth_mount_opts *o, char *ret_path, size_t ret_len,
           struct berth_error **err)
{
  struct btr *b = drv;
  int r = driver_root_require_layer (&b->root, id, err);

  if (r < 0)
    return r;
  if (o != NULL && o->mount_label != NULL && o->mount_label[0] != '\0')
    return b->root.h->error_set (err, ENOTSUP, "btrfs: mount labels (SELinux) are not supported");
  if ((size_t)snprintf (ret_path, ret_len, "%s/%s", b->root.path, id) >= ret_len)
    return b->root.h->error_set (err, ENAMETOOLONG, "btrfs: the path of layer `%s` does not fit the buffer", id);
  return layer_book_set_mounted (b->book, id, true, err);
}

static int
btr_unmount (void *drv, const char *id, struct berth_error **err)
{
  struct btr *b = drv;
  int r = driver_root_require_layer (&b->root, id, err);

  if (r < 0)
    return r;
  return layer_book_set_mounted (b->book, id, false, err);
}

static int
btr_list (void *drv, berth_str_fn emit, void *ud, struct berth_error **err)
{
  struct btr *b = drv;

  return driver_root_list (&b->root, emit, ud, err);
}

static int
btr_metadata (void *drv, const char *id, berth_kv_fn emit, void *ud, struct berth_error **err)
{
  struct btr *b = drv;
  char path[4096];
  int r = driver_root_require_layer (&b->root, id, err);

  if (r == 0)
    r = driver_root_layer_path (&b->root, path, sizeof (path), id, NULL, err);
  return r < 0 ? r : emit (ud, "Dir", path);
}

static int
btr_status (void *drv, berth_kv_fn emit, void *ud)
{
  struct btr *b = drv;
  int r = emit (ud, "Root Dir", b->root.path);

  if (r == 0)
    r = emit (ud, "Backing Filesystem", "btrfs");
  return r;
}

static const struct berth_storage_ops btr_ops = {
  .life = {
    .caps = 0,
    .validate = btr_validate,
    .probe = btr_probe,
    .init = btr_init,
    .shutdown = btr_shutdown,
    .status = btr_status,
  },
  .create = btr_create,
  .remove = btr_remove,
  .exists = btr_exists,
  .mount = btr_mount,
  .unmount = btr_unmount,
  .list = btr_list,
  .metadata = btr_metadata,
};

static const struct berth_plugin_descriptor btr_descriptor = BERTH_PLUGIN_DESCRIPTOR_INIT (
    BERTH_KIND_STORAGE, "btrfs", PACKAGE_VERSION, "layers as btrfs subvolumes and snapshots", &btr_ops);

BERTH_PLUGIN_DEFINE (btr_descriptor)
