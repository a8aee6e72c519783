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

#include "layer-book.h"
#include "vfs-tree.h"

#include <dirent.h>
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
check_id (struct vfs *v, const char *id, struct berth_error **err)
{
  if (!valid_id (id))
    return v->h->error_set (err, EINVAL, "vfs: invalid layer id `%s`", id ? id : "(null)");
  return 0;
}

static int
layer_exists (struct vfs *v, const char *id)
{
  struct stat st;

  if (fstatat (v->root_fd, id, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : -errno;
  return S_ISDIR (st.st_mode) ? 1 : 0;
}

static int
remove_path (struct vfs *v, const char *name, struct berth_error **err)
{
  char *path;
  int r;

  if (asprintf (&path, "%s/%s", v->root, name) < 0)
    return v->h->error_set (err, ENOMEM, "vfs: out of memory");
  r = v->h->rm_rf (path, err);
  free (path);
  return r;
}

static int
note_first_key (void *ud, const char *key, const char *value)
{
  *(const char **)ud = key;
  return 1;
}

/* vfs has no options. */
static int
vfs_validate (const struct berth_host_api *h, const struct berth_cfg *opts, struct berth_error **err)
{
  const char *key = NULL;

  if (h->cfg_each (opts, note_first_key, &key) != 0 && key != NULL)
    return h->cfg_error (err, opts, key, "vfs: unknown storage option `%s` (vfs takes none)", key);
  return 0;
}

/* Remove build and removal leftovers of an earlier crash. */
static int
sweep_leftovers (struct vfs *v, struct berth_error **err)
{
  int fd = openat (v->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *de;
  int r = 0;

  if (d == NULL)
    {
      if (fd >= 0)
        close (fd);
      return v->h->error_set (err, errno, "vfs: read %s: %s", v->root, strerror (errno));
    }
  while (r == 0 && (de = readdir (d)) != NULL)
    if (strncmp (de->d_name, ".tmp-", 5) == 0 || strncmp (de->d_name, ".rm-", 4) == 0)
      r = remove_path (v, de->d_name, err);
  closedir (d);
  return r;
}

static void vfs_shutdown (void *drv);

static int
vfs_init (const struct berth_host_api *h, struct berth_host_ctx *ctx, const struct berth_cfg *opts, void **ret_drv,
          struct berth_error **err)
{
  const char *dir = h->state_dir (ctx);
  struct vfs *v;

  if (dir == NULL)
    return h->error_set (err, EIO, "vfs: no state directory");
  v = calloc (1, sizeof (*v));
  if (v == NULL || (v->root = strdup (dir)) == NULL)
    {
      free (v);
      return h->error_set (err, ENOMEM, "vfs: out of memory");
    }
  v->h = h;
  v->ctx = ctx;
  v->root_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (v->root_fd < 0)
    {
      int e = errno;
      vfs_shutdown (v);
      return h->error_set (err, e, "vfs: open %s: %s", dir, strerror (e));
    }
  v->book = layer_book_new (h, "vfs", v->root, v->root_fd);
  if (v->book == NULL)
    {
      vfs_shutdown (v);
      return h->error_set (err, ENOMEM, "vfs: out of memory");
    }
  if (sweep_leftovers (v, err) < 0 || layer_book_sweep (v->book, err) < 0)
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
  if (v->root_fd >= 0)
    close (v->root_fd);
  free (v->root);
  free (v);
}

static int
vfs_create (void *drv, const char *id, const char *parent, const struct berth_layer_opts *o, struct berth_error **err)
{
  struct vfs *v = drv;
  char tmp[160];
  int src = -1, dst = -1, r;

  if (check_id (v, id, err) < 0 || (parent != NULL && check_id (v, parent, err) < 0))
    return -EINVAL;
  if (o != NULL && o->quota_bytes > 0)
    return v->h->error_set (err, ENOTSUP, "vfs: layer size quotas are not supported");
  r = layer_exists (v, id);
  if (r != 0)
    return r > 0 ? v->h->error_set (err, EEXIST, "vfs: layer `%s` already exists", id)
                 : v->h->error_set (err, -r, "vfs: stat layer `%s`: %s", id, strerror (-r));
  if (parent != NULL)
    {
      /* The parent's record of its child is written before the lock is
         released, so a concurrent remove of the parent sees the child. */
      layer_book_lock (v->book);
      src = openat (v->root_fd, parent, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (src < 0)
        r = errno == ENOENT ? v->h->error_set (err, ENOENT, "vfs: parent layer `%s` does not exist", parent)
                            : v->h->error_set (err, errno, "vfs: open parent layer `%s`: %s", parent, strerror (errno));
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
  r = remove_path (v, tmp, err);
  if (r == 0 && mkdirat (v->root_fd, tmp, 0755) < 0)
    r = v->h->error_set (err, errno, "vfs: create layer `%s`: %s", id, strerror (errno));
  if (r == 0 && (dst = openat (v->root_fd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
    r = v->h->error_set (err, errno, "vfs: open new layer `%s`: %s", id, strerror (errno));
  /* umask may have narrowed mkdir's mode; a base layer's root is 0755. */
  if (r == 0 && src < 0 && fchmod (dst, 0755) < 0)
    r = v->h->error_set (err, errno, "vfs: chmod new layer `%s`: %s", id, strerror (errno));
  if (r == 0 && src >= 0 && vfs_copy_tree (v->h, src, dst, err) < 0)
    r = v->h->error_wrap (err, "vfs: copy layer `%s` into `%s`", parent, id);
  if (r == 0 && fsync (dst) < 0)
    r = v->h->error_set (err, errno, "vfs: sync layer `%s`: %s", id, strerror (errno));
  if (r == 0 && renameat2 (v->root_fd, tmp, v->root_fd, id, RENAME_NOREPLACE) < 0)
    r = v->h->error_set (err, errno, "vfs: commit layer `%s`: %s", id, strerror (errno));
  if (src >= 0)
    close (src);
  if (dst >= 0)
    close (dst);
  /* *err is set, so a failing cleanup keeps the first error; init retries it. */
  if (r < 0)
    {
      remove_path (v, tmp, err);
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

  if (check_id (v, id, err) < 0)
    return -EINVAL;
  snprintf (gone, sizeof (gone), ".rm-%s", id);
  layer_book_lock (v->book);
  r = layer_exists (v, id);
  if (r == 0)
    r = v->h->error_set (err, ENOENT, "vfs: layer `%s` does not exist", id);
  else if (r < 0)
    r = v->h->error_set (err, -r, "vfs: stat layer `%s`: %s", id, strerror (-r));
  else
    r = layer_book_check_removable (v->book, id, err);
  if (r == 0 && renameat (v->root_fd, id, v->root_fd, gone) < 0)
    r = errno == ENOENT ? v->h->error_set (err, ENOENT, "vfs: layer `%s` does not exist", id)
                        : v->h->error_set (err, errno, "vfs: remove layer `%s`: %s", id, strerror (errno));
  layer_book_unlock (v->book);
  if (r < 0)
    return r;
  layer_book_forget (v->book, id);
  r = remove_path (v, gone, err);
  if (r < 0)
    return v->h->error_wrap (err, "vfs: remove layer `%s`", id);
  return 0;
}

static int
vfs_exists (void *drv, const char *id)
{
  struct vfs *v = drv;

  if (!valid_id (id))
    return -EINVAL;
  return layer_exists (v, id);
}

static int
vfs_mount (void *drv, const char *id, const struct berth_mount_opts *o, char *ret_path, size_t ret_len,
           struct berth_error **err)
{
  struct vfs *v = drv;
  int r;

  if (check_id (v, id, err) < 0)
    return -EINVAL;
  r = layer_exists (v, id);
  if (r <= 0)
    return v->h->error_set (err, r == 0 ? ENOENT : -r, "vfs: layer `%s` does not exist", id);
  if ((size_t)snprintf (ret_path, ret_len, "%s/%s", v->root, id) >= ret_len)
    return v->h->error_set (err, ENAMETOOLONG, "vfs: the path of layer `%s` does not fit the buffer", id);
  return layer_book_set_mounted (v->book, id, true, err);
}

static int
vfs_unmount (void *drv, const char *id, struct berth_error **err)
{
  struct vfs *v = drv;
  int r;

  if (check_id (v, id, err) < 0)
    return -EINVAL;
  r = layer_exists (v, id);
  if (r <= 0)
    return v->h->error_set (err, r == 0 ? ENOENT : -r, "vfs: layer `%s` does not exist", id);
  /* nothing was mounted (the layer is a plain directory): only the mark */
  return layer_book_set_mounted (v->book, id, false, err);
}

static int
vfs_list (void *drv, berth_str_fn emit, void *ud, struct berth_error **err)
{
  struct vfs *v = drv;
  int fd = openat (v->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *de;
  int r = 0;

  if (d == NULL)
    {
      int e = errno;
      if (fd >= 0)
        close (fd);
      return v->h->error_set (err, e, "vfs: read %s: %s", v->root, strerror (e));
    }
  while (r == 0 && (de = readdir (d)) != NULL)
    if (de->d_name[0] != '.' && valid_id (de->d_name))
      r = emit (ud, de->d_name);
  closedir (d);
  return r;
}

static int
vfs_metadata (void *drv, const char *id, berth_kv_fn emit, void *ud, struct berth_error **err)
{
  struct vfs *v = drv;
  char path[4096];
  int r;

  if (check_id (v, id, err) < 0)
    return -EINVAL;
  r = layer_exists (v, id);
  if (r <= 0)
    return v->h->error_set (err, r == 0 ? ENOENT : -r, "vfs: layer `%s` does not exist", id);
  if ((size_t)snprintf (path, sizeof (path), "%s/%s", v->root, id) >= sizeof (path))
    return v->h->error_set (err, ENAMETOOLONG, "vfs: the path of layer `%s` is too long", id);
  return emit (ud, "Dir", path);
}

static int
vfs_disk_usage (void *drv, const char *id, int64_t *ret_bytes, struct berth_error **err)
{
  struct vfs *v = drv;
  int fd, r;

  if (check_id (v, id, err) < 0)
    return -EINVAL;
  fd = openat (v->root_fd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? v->h->error_set (err, ENOENT, "vfs: layer `%s` does not exist", id)
                           : v->h->error_set (err, errno, "vfs: open layer `%s`: %s", id, strerror (errno));
  r = vfs_tree_usage (v->h, fd, ret_bytes, err);
  close (fd);
  return r;
}

static int
vfs_status (void *drv, berth_kv_fn emit, void *ud)
{
  struct vfs *v = drv;
  return emit (ud, "Root Dir", v->root);
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
