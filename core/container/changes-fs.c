/* Borrowing a container's filesystem (container_fs_open/close) and the two
   tars read from it: the layer diff for commit, the whole tree for export. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/container/changes.h"
#include "core/container/manager-internal.h"
#include "core/container/rootfs.h"
#include "core/image/layer-diff.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"

/* The diff dirs of the image's layers, top first (overlay mode). */
static int
lower_dirs (struct berth_driver *storage, struct image_service *images, const char *top_chain, char ***ret,
            berth_error_t *err)
{
  const struct berth_storage_ops *ops = &storage->ops.storage;
  char **v = xmalloc0 (sizeof (char *));
  char chain[DIGEST_BUF_SIZE];
  size_t n = 0;

  snprintf (chain, sizeof (chain), "%s", top_chain);
  while (chain[0] != '\0')
    {
      struct store_layer l;
      char path[PATH_MAX];
      if (store_layer_get (image_service_store (images), chain, &l, err) < 0
          || ops->diff_dir (storage->drv, l.storage_id, path, sizeof (path), err) < 0)
        {
          strv_free (v);
          return berth_error_wrap (err, "the image layer %s", chain);
        }
      if (n >= 4096)
        {
          strv_free (v);
          return berth_error_make (err, ELOOP, "the image layer chain of %s is too deep", top_chain);
        }
      v = xrealloc (v, (n + 2) * sizeof (char *));
      v[n++] = xstrdup (path);
      v[n] = NULL;
      memcpy (chain, l.parent, sizeof (chain));
    }
  *ret = v;
  return 0;
}

int
container_fs_open (struct container_manager *m, struct image_service *images, struct container *c,
                   struct container_fs *fs, berth_error_t *err)
{
  const struct berth_storage_ops *ops = &m->storage->ops.storage;
  char path[PATH_MAX];
  int r;

  memset (fs, 0, sizeof (*fs));
  pthread_mutex_lock (&m->lock);
  manager_wait_start_locked (m, c); /* it sets c->rootfs */
  if (c->removed)
    {
      pthread_mutex_unlock (&m->lock);
      return berth_error_make (err, ENOENT, "No such container: %s", c->id);
    }
  r = container_rootfs_hold (m->storage, c, &fs->merged, err);
  if (r == 0)
    c->refs++;
  pthread_mutex_unlock (&m->lock);
  if (r < 0)
    return r;
  fs->m = m;
  fs->c = c;
  fs->storage = m->storage;
  if (ops->changes != NULL && ops->diff != NULL)
    return 0; /* the driver answers both itself */
  if (ops->diff_dir != NULL)
    {
      r = ops->diff_dir (m->storage->drv, c->rw_layer, path, sizeof (path), err);
      if (r == 0)
        {
          fs->upper = xstrdup (path);
          r = lower_dirs (m->storage, images, c->image_layer, &fs->lowers, err);
        }
    }
  else if (c->image_storage[0] != '\0')
    {
      struct berth_mount_opts o = { .struct_size = sizeof (o), .flags = BERTH_MOUNT_RO };
      /* vfs and btrfs: an image layer's "mount" is its directory */
      r = ops->mount (m->storage->drv, c->image_storage, &o, path, sizeof (path), err);
      if (r == 0)
        {
          fs->parent = xstrdup (path);
          fs->parent_mounted = true;
        }
    }
  if (r < 0)
    {
      container_fs_close (fs);
      return berth_error_wrap (err, "container %.12s: its image's files", c->id);
    }
  return 0;
}

void
container_fs_close (struct container_fs *fs)
{
  berth_error_t err = NULL;

  if (fs->c == NULL)
    return;
  if (fs->parent_mounted && fs->storage->ops.storage.unmount (fs->storage->drv, fs->c->image_storage, &err) < 0)
    {
      log_warn ("container %.12s: unmount its image layer: %s", fs->c->id, berth_error_msg (&err));
      berth_error_release (&err);
    }
  container_rootfs_release (fs->storage, fs->c);
  container_manager_put (fs->m, fs->c);
  free (fs->merged);
  free (fs->upper);
  strv_free (fs->lowers);
  free (fs->parent);
  memset (fs, 0, sizeof (*fs));
}

int
container_fs_diff_tar (const struct container_fs *fs, int out_fd, berth_error_t *err)
{
  const struct berth_storage_ops *ops = &fs->storage->ops.storage;
  int r;

  if (ops->diff != NULL)
    {
      const char *parent = fs->c->image_storage[0] != '\0' ? fs->c->image_storage : NULL;
      r = ops->diff (fs->storage->drv, fs->c->rw_layer, parent, out_fd, err);
      if (r < 0)
        return berth_error_wrap (err, "storage driver %s: diff", fs->storage->name);
      return 0;
    }
  if (fs->upper != NULL)
    r = layer_diff_tar_dir (fs->upper, LAYER_DIFF_OVERLAY_UPPER, out_fd, NULL, err);
  else if (fs->parent != NULL)
    r = layer_diff_changes (fs->parent, fs->merged, out_fd, NULL, err);
  else
    r = layer_diff_tar_dir (fs->merged, 0, out_fd, NULL, err);
  if (r < 0)
    return berth_error_wrap (err, "container %.12s: layer diff", fs->c->id);
  return 0;
}

int
container_fs_export_tar (const struct container_fs *fs, int out_fd, berth_error_t *err)
{
  if (layer_diff_tar_dir (fs->merged, 0, out_fd, NULL, err) < 0)
    return berth_error_wrap (err, "export container %.12s", fs->c->id);
  return 0;
}
