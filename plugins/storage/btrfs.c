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
#include "fs-name.h"
#include "layer-book.h"

#include <dirent.h>
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
  const struct berth_host_api *h;
  struct berth_host_ctx *ctx;
  char *root;
  int root_fd;
  struct layer_book *book;
};

static bool
valid_id (const char *id)
{
  size_t n = id ? strlen (id) : 0;

  if (n == 0 || n > 128 || id[0] == '.' || id[0] == '-')
    return false;
  for (const char *p = id; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '.'
          || *p == '-'))
      return false;
  return true;
}

static int
check_id (struct btr *b, const char *id, struct berth_error **err)
{
  if (!valid_id (id))
    return b->h->error_set (err, EINVAL, "btrfs: invalid layer id `%s`", id ? id : "(null)");
  return 0;
}

static int
layer_exists (struct btr *b, const char *id)
{
  struct stat st;

  if (fstatat (b->root_fd, id, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : -errno;
  return S_ISDIR (st.st_mode) ? 1 : 0;
}

static int
require_layer (struct btr *b, const char *id, struct berth_error **err)
{
  int r;

  if (check_id (b, id, err) < 0)
    return -EINVAL;
  r = layer_exists (b, id);
  if (r <= 0)
    return b->h->error_set (err, r == 0 ? ENOENT : -r, "btrfs: layer `%s` does not exist", id);
  return 0;
}

static int
note_first_key (void *ud, const char *key, const char *value)
{
  (void)value;
  *(const char **)ud = key;
  return 1;
}

static int
btr_validate (const struct berth_host_api *h, const struct berth_cfg *opts, struct berth_error **err)
{
  const char *key = NULL;

  if (h->cfg_each (opts, note_first_key, &key) != 0 && key != NULL)
    return h->cfg_error (err, opts, key, "btrfs: unknown storage option `%s` (btrfs takes none)", key);
  return 0;
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
sweep_leftovers (struct btr *b, struct berth_error **err)
{
  int fd = openat (b->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *de;
  int r = 0;

  if (d == NULL)
    {
      int e = errno;
      if (fd >= 0)
        close (fd);
      return b->h->error_set (err, e, "btrfs: read %s: %s", b->root, strerror (e));
    }
  while (r == 0 && (de = readdir (d)) != NULL)
    if (strncmp (de->d_name, ".tmp-", 5) == 0 || strncmp (de->d_name, ".rm-", 4) == 0)
      r = btrfs_subvol_destroy (b->h, b->root_fd, b->root, de->d_name, err);
  closedir (d);
  return r;
}

static void btr_shutdown (void *drv);

static int
btr_init (const struct berth_host_api *h, struct berth_host_ctx *ctx, const struct berth_cfg *opts, void **ret_drv,
          struct berth_error **err)
{
  const char *dir = h->state_dir (ctx);
  struct btr *b;

  (void)opts;
  if (dir == NULL)
    return h->error_set (err, EIO, "btrfs: no state directory");
  b = calloc (1, sizeof (*b));
  if (b == NULL || (b->root = strdup (dir)) == NULL)
    {
      free (b);
      return h->error_set (err, ENOMEM, "btrfs: out of memory");
    }
  b->h = h;
  b->ctx = ctx;
  b->root_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (b->root_fd < 0)
    {
      int e = errno;
      btr_shutdown (b);
      return h->error_set (err, e, "btrfs: open %s: %s", dir, strerror (e));
    }
  b->book = layer_book_new (h, "btrfs", b->root, b->root_fd);
  if (b->book == NULL)
    {
      btr_shutdown (b);
      return h->error_set (err, ENOMEM, "btrfs: out of memory");
    }
  if (sweep_leftovers (b, err) < 0 || layer_book_sweep (b->book, err) < 0)
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
  if (b->root_fd >= 0)
    close (b->root_fd);
  free (b->root);
  free (b);
}

static int
create_locked (struct btr *b, const char *id, const char *parent, struct berth_error **err)
{
  char tmp[160];
  int src = -1, r;

  r = layer_exists (b, id);
  if (r != 0)
    return r > 0 ? b->h->error_set (err, EEXIST, "btrfs: layer `%s` already exists", id)
                 : b->h->error_set (err, -r, "btrfs: stat layer `%s`: %s", id, strerror (-r));
  if (parent != NULL)
    {
      src = openat (b->root_fd, parent, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (src < 0)
        return errno == ENOENT
                   ? b->h->error_set (err, ENOENT, "btrfs: parent layer `%s` does not exist", parent)
                   : b->h->error_set (err, errno, "btrfs: open parent layer `%s`: %s", parent, strerror (errno));
    }
  snprintf (tmp, sizeof (tmp), ".tmp-%s", id);
  r = btrfs_subvol_destroy (b->h, b->root_fd, b->root, tmp, err);
  if (r == 0 && parent != NULL)
    r = layer_book_set_parent (b->book, id, parent, err);
  if (r == 0)
    r = src >= 0 ? btrfs_subvol_snapshot (b->h, src, b->root_fd, tmp, err)
                 : btrfs_subvol_create (b->h, b->root_fd, tmp, err);
  /* umask may have narrowed the new subvolume's mode; a base layer's root is 0755. */
  if (r == 0 && src < 0 && fchmodat (b->root_fd, tmp, 0755, 0) < 0)
    r = b->h->error_set (err, errno, "btrfs: chmod new layer `%s`: %s", id, strerror (errno));
  if (r == 0 && renameat2 (b->root_fd, tmp, b->root_fd, id, RENAME_NOREPLACE) < 0)
    r = b->h->error_set (err, errno, "btrfs: commit layer `%s`: %s", id, strerror (errno));
  if (src >= 0)
    close (src);
  if (r < 0)
    {
      /* *err is set, so a failing cleanup keeps the first error; init retries it. */
      btrfs_subvol_destroy (b->h, b->root_fd, b->root, tmp, err);
      layer_book_forget (b->book, id);
    }
  return r;
}

static int
btr_create (void *drv, const char *id, const char *parent, const struct berth_layer_opts *o, struct berth_error **err)
{
  struct btr *b = drv;
  int r;

  if (check_id (b, id, err) < 0 || (parent != NULL && check_id (b, parent, err) < 0))
    return -EINVAL;
  if (o != NULL && o->quota_bytes > 0)
    return b->h->error_set (err, ENOTSUP, "btrfs: layer size quotas are not supported");
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

  if (check_id (b, id, err) < 0)
    return -EINVAL;
  snprintf (gone, sizeof (gone), ".rm-%s", id);
  layer_book_lock (b->book);
  r = require_layer (b, id, err);
  if (r == 0)
    r = layer_book_check_removable (b->book, id, err);
  if (r == 0 && renameat (b->root_fd, id, b->root_fd, gone) < 0)
    r = b->h->error_set (err, errno, "btrfs: remove layer `%s`: %s", id, strerror (errno));
  layer_book_unlock (b->book);
  if (r < 0)
    return r;
  layer_book_forget (b->book, id);
  r = btrfs_subvol_destroy (b->h, b->root_fd, b->root, gone, err);
  if (r < 0)
    return b->h->error_wrap (err, "btrfs: remove layer `%s`", id);
  return 0;
}

static int
btr_exists (void *drv, const char *id)
{
  struct btr *b = drv;

  if (!valid_id (id))
    return -EINVAL;
  return layer_exists (b, id);
}

static int
btr_mount (void *drv, const char *id, const struct berth_mount_opts *o, char *ret_path, size_t ret_len,
           struct berth_error **err)
{
  struct btr *b = drv;
  int r = require_layer (b, id, err);

  if (r < 0)
    return r;
  if (o != NULL && o->mount_label != NULL && o->mount_label[0] != '\0')
    return b->h->error_set (err, ENOTSUP, "btrfs: mount labels (SELinux) are not supported");
  if ((size_t)snprintf (ret_path, ret_len, "%s/%s", b->root, id) >= ret_len)
    return b->h->error_set (err, ENAMETOOLONG, "btrfs: the path of layer `%s` does not fit the buffer", id);
  return layer_book_set_mounted (b->book, id, true, err);
}

static int
btr_unmount (void *drv, const char *id, struct berth_error **err)
{
  struct btr *b = drv;
  int r = require_layer (b, id, err);

  if (r < 0)
    return r;
  return layer_book_set_mounted (b->book, id, false, err);
}

static int
btr_list (void *drv, berth_str_fn emit, void *ud, struct berth_error **err)
{
  struct btr *b = drv;
  int fd = openat (b->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *de;
  int r = 0;

  if (d == NULL)
    {
      int e = errno;
      if (fd >= 0)
        close (fd);
      return b->h->error_set (err, e, "btrfs: read %s: %s", b->root, strerror (e));
    }
  while (r == 0 && (de = readdir (d)) != NULL)
    if (valid_id (de->d_name) && layer_exists (b, de->d_name) > 0)
      r = emit (ud, de->d_name);
  closedir (d);
  return r;
}

static int
btr_metadata (void *drv, const char *id, berth_kv_fn emit, void *ud, struct berth_error **err)
{
  struct btr *b = drv;
  char path[4096];
  int r = require_layer (b, id, err);

  if (r < 0)
    return r;
  if ((size_t)snprintf (path, sizeof (path), "%s/%s", b->root, id) >= sizeof (path))
    return b->h->error_set (err, ENAMETOOLONG, "btrfs: the path of layer `%s` is too long", id);
  return emit (ud, "Dir", path);
}

static int
btr_status (void *drv, berth_kv_fn emit, void *ud)
{
  struct btr *b = drv;
  int r = emit (ud, "Root Dir", b->root);

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
