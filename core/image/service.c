#include "config.h"

#include "core/image/service.h"
#include "core/image/layer-apply.h"
#include "core/image/layer-tar.h"
#include "core/image/path-set.h"
#include "core/image/service-internal.h"
#include "core/image/store-gc.h"
#include "core/lib/fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/plugin/registry.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define TMP_PREFIX ".tmp-"
#define TAR_SUFFIX ".tar"

/* ---- driver calls ---- */

static int
driver_remove (struct image_service *svc, const char *storage_id, berth_error_t *err)
{
  const struct berth_storage_ops *ops = &svc->driver->ops.storage;
  int r = ops->exists (svc->driver->drv, storage_id);

  if (r == 0)
    return 0;
  if (r < 0)
    return berth_error_make (err, -r, "storage driver %s: layer %s: %s", svc->driver->name, storage_id, strerror (-r));
  return ops->remove (svc->driver->drv, storage_id, err);
}

static char *
layer_tar_path (const struct image_service *svc, const char *storage_id)
{
  return xasprintf ("%s/%s" TAR_SUFFIX, svc->tars_dir, storage_id);
}

/* The store gives up a layer: remove it from the driver and drop its tar. */
int
image_service_release_cb (void *ud, const char *storage_id, const char *chain_id)
{
  struct image_release_ctx *ctx = ud;
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *tar = layer_tar_path (ctx->svc, storage_id);
  int r = 0;

  if (driver_remove (ctx->svc, storage_id, &err) < 0)
    {
      log_warn ("image service: remove storage layer %s of %s: %s", storage_id, chain_id, berth_error_msg (&err));
      r = -1;
    }
  if (unlink (tar) < 0 && errno != ENOENT)
    log_warn ("image service: remove `%s`: %s", tar, strerror (errno));
  if (ctx->items != NULL)
    {
      json_object *o = json_object_new_object ();
      json_object_object_add (o, "Deleted", json_object_new_string (chain_id));
      json_object_array_add (ctx->items, o);
    }
  if (ctx->sizes != NULL)
    {
      json_object *v = NULL;
      if (json_object_object_get_ex (ctx->sizes, chain_id, &v))
        ctx->reclaimed += json_object_get_int64 (v);
    }
  return r;
}

static int
size_of_layer (void *ud, const struct store_layer *l)
{
  json_object_object_add (ud, l->chain_id, json_object_new_int64 (l->size));
  return 0;
}

json_object *
image_service_layer_sizes (struct image_service *svc)
{
  json_object *sizes = json_object_new_object ();
  store_layer_list (svc->store, size_of_layer, sizes, NULL);
  return sizes;
}

/* ---- open: recovery and reconciliation ---- */

static int
collect_storage_id (void *ud, const struct store_layer *l)
{
  path_set_add (ud, l->storage_id);
  return 0;
}

struct reconcile_ctx
{
  struct image_service *svc;
  struct path_set *known;
  image_keep_layer_fn keep;
  void *keep_ud;
  char **orphans;
  size_t n;
};

static int
collect_orphan (void *ud, const char *id)
{
  struct reconcile_ctx *c = ud;

  if (path_set_has (c->known, id) || (c->keep != NULL && c->keep (c->keep_ud, id)))
    return 0;
  c->orphans = xrealloc (c->orphans, (c->n + 2) * sizeof (char *));
  c->orphans[c->n++] = xstrdup (id);
  c->orphans[c->n] = NULL;
  return 0;
}

static int
check_present (void *ud, const struct store_layer *l)
{
  struct image_service *svc = ud;

  if (l->ready && svc->driver->ops.storage.exists (svc->driver->drv, l->storage_id) == 0)
    log_warn ("image service: layer %s (storage id %s) is missing from storage driver %s; images using it are broken",
              l->chain_id, l->storage_id, svc->driver->name);
  return 0;
}

/* Driver layers and layer tars that no store record mentions come from a
   crash before the record was written (or a store that was reset). */
static int
reconcile (struct image_service *svc, image_keep_layer_fn keep, void *keep_ud, berth_error_t *err)
{
  struct reconcile_ctx c = { .svc = svc, .known = path_set_new (), .keep = keep, .keep_ud = keep_ud };
  const struct berth_storage_ops *ops = &svc->driver->ops.storage;
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  int r = 0;

  if (store_layer_list (svc->store, collect_storage_id, c.known, err) < 0)
    {
      path_set_free (c.known);
      return berth_error_ret (err);
    }
  if (ops->list != NULL && ops->list (svc->driver->drv, collect_orphan, &c, err) < 0)
    {
      path_set_free (c.known);
      return berth_error_wrap (err, "list the layers of storage driver %s", svc->driver->name);
    }
  for (size_t i = 0; i < c.n; i++)
    {
      cleanup_error berth_error_t e = NULL;
      log_info ("image service: removing storage layer %s, which no image layer records", c.orphans[i]);
      if (ops->remove (svc->driver->drv, c.orphans[i], &e) < 0)
        log_warn ("image service: remove storage layer %s: %s", c.orphans[i], berth_error_msg (&e));
    }
  strv_free (c.orphans);

  d = opendir (svc->tars_dir);
  if (d == NULL)
    r = berth_error_errno (err, errno, "open `%s`", svc->tars_dir);
  while (r == 0 && (de = readdir (d)) != NULL)
    {
      size_t len = strlen (de->d_name);
      cleanup_free char *sid = NULL;

      if (de->d_name[0] == '.' && strncmp (de->d_name, TMP_PREFIX, strlen (TMP_PREFIX)) != 0)
        continue;
      if (len > strlen (TAR_SUFFIX) && strcmp (de->d_name + len - strlen (TAR_SUFFIX), TAR_SUFFIX) == 0)
        sid = xstrndup (de->d_name, len - strlen (TAR_SUFFIX));
      if (sid != NULL && path_set_has (c.known, sid))
        continue;
      if (unlinkat (dirfd (d), de->d_name, 0) < 0 && errno != ENOENT)
        log_warn ("image service: remove `%s/%s`: %s", svc->tars_dir, de->d_name, strerror (errno));
    }
  path_set_free (c.known);
  if (r == 0)
    store_layer_list (svc->store, check_present, svc, NULL);
  return r;
}

int
image_service_open (const char *data_root, struct berth_driver *storage, image_keep_layer_fn keep, void *keep_ud,
                    struct image_service **ret, berth_error_t *err)
{
  struct image_service *svc = xmalloc0 (sizeof (*svc));
  struct image_release_ctx rctx = { .svc = svc };

  svc->driver = storage;
  svc->data_root = xstrdup (data_root);
  svc->store_root = xasprintf ("%s/image", data_root);
  svc->tars_dir = xasprintf ("%s/image/layer-tars", data_root);
  svc->tmp_dir = xasprintf ("%s/tmp", data_root);
  pthread_rwlock_init (&svc->rw, NULL);
  pthread_mutex_init (&svc->lock, NULL);
  pthread_cond_init (&svc->changed, NULL);

  if (berth_mkdir_p (svc->tars_dir, 0700, err) < 0)
    goto fail;
  /* scratch space of interrupted loads */
  if (berth_rm_rf (svc->tmp_dir, err) < 0 || berth_mkdir_p (svc->tmp_dir, 0700, err) < 0)
    goto fail;
  if (store_open (svc->store_root, image_service_release_cb, &rctx, &svc->store, err) < 0)
    goto fail;
  if (reconcile (svc, keep, keep_ud, err) < 0)
    goto fail;
  *ret = svc;
  return 0;

fail:
  image_service_close (svc);
  return berth_error_ret (err);
}

void
image_service_close (struct image_service *svc)
{
  if (svc == NULL)
    return;
  store_close (svc->store);
  pthread_rwlock_destroy (&svc->rw);
  pthread_mutex_destroy (&svc->lock);
  pthread_cond_destroy (&svc->changed);
  free (svc->data_root);
  free (svc->store_root);
  free (svc->tars_dir);
  free (svc->tmp_dir);
  free (svc);
}

struct image_store *
image_service_store (struct image_service *svc)
{
  return svc->store;
}

const char *
image_service_driver_name (const struct image_service *svc)
{
  return svc->driver->name;
}

struct berth_driver *
image_service_driver (struct image_service *svc)
{
  return svc->driver;
}

const char *
image_service_tmp_dir (const struct image_service *svc)
{
  return svc->tmp_dir;
}

void
image_service_set_usage_hook (struct image_service *svc, image_usage_fn fn, void *ud)
{
  svc->usage = fn;
  svc->usage_ud = ud;
}

int
image_service_usage (struct image_service *svc, const char *image_id, bool *ret_running, char **ret_what)
{
  *ret_running = false;
  *ret_what = NULL;
  if (svc->usage == NULL)
    return 0;
  return svc->usage (svc->usage_ud, image_id, ret_running, ret_what);
}

void
image_service_set_max_layer_size (struct image_service *svc, uint64_t max)
{
  svc->max_layer = max;
}

/* ---- locking ---- */

void
image_service_pin (struct image_service *svc)
{
  pthread_rwlock_rdlock (&svc->rw);
}

void
image_service_unpin (struct image_service *svc, bool collect)
{
  pthread_rwlock_unlock (&svc->rw);
  if (collect)
    {
      struct image_release_ctx rctx = { .svc = svc };
      cleanup_error berth_error_t err = NULL;

      image_service_lock (svc);
      if (store_layer_gc (svc->store, image_service_release_cb, &rctx, NULL, &err) < 0)
        log_warn ("image service: %s", berth_error_msg (&err));
      image_service_unlock (svc);
    }
}

void
image_service_lock (struct image_service *svc)
{
  pthread_rwlock_wrlock (&svc->rw);
}

void
image_service_unlock (struct image_service *svc)
{
  pthread_rwlock_unlock (&svc->rw);
}

/* ---- layers ---- */

/* store_layer_begin, waiting while another thread applies the same layer */
static int
begin_layer (struct image_service *svc, const char *parent, const char *diff_id, struct store_layer *l,
             berth_error_t *err)
{
  int r;

  pthread_mutex_lock (&svc->lock);
  for (;;)
    {
      berth_error_t e = NULL;
      r = store_layer_begin (svc->store, parent, diff_id, l, &e);
      if (r != -EBUSY)
        {
          if (r < 0)
            *err = e;
          break;
        }
      berth_error_release (&e);
      pthread_cond_wait (&svc->changed, &svc->lock);
    }
  pthread_mutex_unlock (&svc->lock);
  return r;
}

static void
layer_settled (struct image_service *svc)
{
  pthread_mutex_lock (&svc->lock);
  pthread_cond_broadcast (&svc->changed);
  pthread_mutex_unlock (&svc->lock);
}

static int
fsync_dir (const char *path, berth_error_t *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0 || fsync (fd) < 0)
    return berth_error_errno (err, errno, "sync `%s`", path);
  return 0;
}

/* Create the driver layer, apply the verified tar in it, keep the tar. */
static int
materialize (struct image_service *svc, const struct store_layer *l, int tar_fd, const char *tmp_path, bool link_it,
             int64_t *ret_size, berth_error_t *err)
{
  const struct berth_storage_ops *ops = &svc->driver->ops.storage;
  struct berth_layer_opts lopts = { .struct_size = sizeof (lopts) };
  struct berth_mount_opts mopts = { .struct_size = sizeof (mopts) };
  /* the spool hashed these bytes; the file is ours alone since */
  struct layer_apply_opts aopts = { .flags = LAYER_APPLY_VERIFIED };
  struct layer_apply_result res;
  struct store_layer parent;
  char path[PATH_MAX];
  cleanup_free char *tar = layer_tar_path (svc, l->storage_id);
  int r;

  if (l->parent[0] != '\0' && store_layer_get (svc->store, l->parent, &parent, err) < 0)
    return berth_error_ret (err);
  if (ops->create (svc->driver->drv, l->storage_id, l->parent[0] != '\0' ? parent.storage_id : NULL, &lopts, err) < 0)
    return berth_error_wrap (err, "storage driver %s: create layer", svc->driver->name);
  if (lseek (tar_fd, 0, SEEK_SET) < 0)
    {
      r = berth_error_errno (err, errno, "rewind layer tar");
      goto fail;
    }
  if (ops->diff_dir != NULL)
    {
      /* the layer's own directory (overlay's upper dir): overlay whiteouts */
      r = ops->diff_dir (svc->driver->drv, l->storage_id, path, sizeof (path), err);
      if (r < 0)
        {
          berth_error_wrap (err, "storage driver %s: diff dir of layer", svc->driver->name);
          goto fail;
        }
      aopts.flags |= LAYER_APPLY_OVERLAY; /* still verified: no second hash */
      r = layer_apply (tar_fd, path, &aopts, &res, err);
    }
  else
    {
      r = ops->mount (svc->driver->drv, l->storage_id, &mopts, path, sizeof (path), err);
      if (r < 0)
        {
          berth_error_wrap (err, "storage driver %s: mount layer", svc->driver->name);
          goto fail;
        }
      /* flatten: mount() gives the layer's whole tree, parents included */
      r = layer_apply (tar_fd, path, &aopts, &res, err);
      {
        berth_error_t uerr = NULL;
        if (ops->unmount (svc->driver->drv, l->storage_id, &uerr) < 0)
          {
            if (r == 0)
              {
                *err = uerr;
                r = berth_error_wrap (err, "storage driver %s: unmount layer", svc->driver->name);
              }
            else
              berth_error_release (&uerr);
          }
      }
    }
  if (r < 0)
    goto fail;
  if (fsync (tar_fd) < 0)
    {
      r = berth_error_errno (err, errno, "sync layer tar");
      goto fail;
    }
  if ((link_it ? link (tmp_path, tar) : rename (tmp_path, tar)) < 0)
    {
      r = berth_error_errno (err, errno, "%s `%s` to `%s`", link_it ? "link" : "rename", tmp_path, tar);
      goto fail;
    }
  if ((r = fsync_dir (svc->tars_dir, err)) < 0)
    goto fail;
  *ret_size = (int64_t)res.content_size;
  return 0;

fail:
  {
    berth_error_t rerr = NULL;
    if (ops->remove (svc->driver->drv, l->storage_id, &rerr) < 0)
      {
        log_warn ("image service: remove storage layer %s after a failed apply: %s", l->storage_id,
                  berth_error_msg (&rerr));
        berth_error_release (&rerr);
      }
    unlink (tar);
  }
  return r;
}

int
image_service_layer_spool (struct image_service *svc, int tar_fd, const char *expected_compressed,
                           const char *expected_diff_id, struct image_spooled_layer *ret, berth_error_t *err)
{
  char *tmp_path = xasprintf ("%s/" TMP_PREFIX "XXXXXX", svc->tars_dir);
  int tmp_fd = mkostemp (tmp_path, O_CLOEXEC);

  ret->path = NULL;
  ret->fd = -1;
  ret->adopted = false;
  if (tmp_fd < 0)
    {
      int e = errno;
      free (tmp_path);
      return berth_error_errno (err, e, "create a layer tar in `%s`", svc->tars_dir);
    }
  if (layer_tar_spool (tar_fd, tmp_fd, svc->max_layer, expected_compressed, expected_diff_id, &ret->result, err) < 0)
    {
      unlink (tmp_path);
      free (tmp_path);
      close (tmp_fd);
      return berth_error_ret (err);
    }
  ret->path = tmp_path;
  ret->fd = tmp_fd;
  return 0;
}

int
image_service_layer_adopt (struct image_service *svc, const char *path, const char *digest, uint64_t size,
                           const char *expected_compressed, const char *expected_diff_id,
                           struct image_spooled_layer *ret, berth_error_t *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  struct stat st, dst;

  ret->path = NULL;
  ret->fd = -1;
  ret->adopted = false;
  if (fd < 0)
    return berth_error_errno (err, errno, "open `%s`", path);
  if (fstat (fd, &st) < 0 || stat (svc->tars_dir, &dst) < 0)
    return berth_error_errno (err, errno, "stat `%s`", path);
  /* a link cannot cross filesystems, nor can an empty file be a layer:
     the copy path says what is wrong */
  if (st.st_dev != dst.st_dev || size == 0)
    return image_service_layer_spool (svc, fd, expected_compressed, expected_diff_id, ret, err);
  if (svc->max_layer != 0 && size > svc->max_layer)
    return berth_error_make (err, EFBIG, "layer is larger than the limit of %llu bytes uncompressed (max-layer-size)",
                             (unsigned long long)svc->max_layer);
  if (expected_compressed != NULL && strcmp (expected_compressed, digest) != 0)
    return berth_error_make (err, EINVAL, "layer digest mismatch: expected %s, got %s", expected_compressed, digest);
  if (expected_diff_id != NULL && strcmp (expected_diff_id, digest) != 0)
    return berth_error_make (err, EINVAL, "layer diff id mismatch: expected %s, got %s", expected_diff_id, digest);
  memset (&ret->result, 0, sizeof (ret->result));
  memcpy (ret->result.diff_id, digest, DIGEST_BUF_SIZE);
  memcpy (ret->result.compressed_digest, digest, DIGEST_BUF_SIZE);
  ret->result.uncompressed_size = size;
  ret->result.compressed_size = size;
  ret->path = xstrdup (path);
  ret->fd = steal_fd (&fd);
  ret->adopted = true;
  return 0;
}

void
image_service_spooled_discard (struct image_spooled_layer *sp)
{
  if (sp->path != NULL && !sp->adopted)
    unlink (sp->path);
  free (sp->path);
  sp->path = NULL;
  if (sp->fd >= 0)
    close (sp->fd);
  sp->fd = -1;
}

int
image_service_layer_add_spooled (struct image_service *svc, const char *parent, struct image_spooled_layer *sp,
                                 struct store_layer *ret, berth_error_t *err)
{
  struct store_layer l;
  int64_t size = 0;
  int r;

  r = begin_layer (svc, parent, sp->result.diff_id, &l, err);
  if (r != 0)
    {
      image_service_spooled_discard (sp);
      if (r == 1)
        {
          *ret = l;
          return 0;
        }
      return r;
    }
  r = materialize (svc, &l, sp->fd, sp->path, sp->adopted, &size, err);
  if (r == 0)
    r = store_layer_commit (svc->store, l.chain_id, size, err);
  if (r < 0)
    {
      berth_error_t aerr = NULL;
      image_service_spooled_discard (sp);
      if (store_layer_abort (svc->store, l.chain_id, &aerr) < 0)
        {
          log_warn ("image service: %s", berth_error_msg (&aerr));
          berth_error_release (&aerr);
        }
      layer_settled (svc);
      return r;
    }
  /* materialize renamed the tar into place: only the fd is left */
  free (sp->path);
  sp->path = NULL;
  image_service_spooled_discard (sp);
  layer_settled (svc);
  l.size = size;
  l.ready = true;
  *ret = l;
  return 0;
}

int
image_service_layer_add (struct image_service *svc, const char *parent, int tar_fd, const char *expected_compressed,
                         const char *expected_diff_id, struct store_layer *ret, berth_error_t *err)
{
  struct image_spooled_layer sp;

  if (image_service_layer_spool (svc, tar_fd, expected_compressed, expected_diff_id, &sp, err) < 0)
    return berth_error_ret (err);
  return image_service_layer_add_spooled (svc, parent, &sp, ret, err);
}

int
image_service_layer_tar_open (struct image_service *svc, const struct store_layer *l, berth_error_t *err)
{
  cleanup_free char *path = layer_tar_path (svc, l->storage_id);
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

  if (fd < 0)
    return berth_error_errno (err, errno, "layer %s: open its tar `%s`", l->chain_id, path);
  return fd;
}

/* ---- images ---- */

int
image_service_lookup (struct image_service *svc, const char *name, char ret_id[DIGEST_BUF_SIZE], berth_error_t *err)
{
  cleanup_image_ref struct image_ref *ref = NULL;
  cleanup_free char *familiar = NULL;
  berth_error_t e = NULL;
  int r;

  if (name == NULL || name[0] == '\0')
    return berth_error_make (err, EINVAL, "image name must not be empty");
  if (strncmp (name, DIGEST_PREFIX, DIGEST_PREFIX_LEN) != 0
      && image_ref_parse (name, IMAGE_REF_DEFAULT_TAG, &ref, NULL) == 0
      && store_tag_lookup (svc->store, ref, ret_id, NULL) == 0)
    return 0;
  r = store_image_lookup (svc->store, name, ret_id, &e);
  if (r == 0)
    return 0;
  if (berth_error_code (&e) != ENOENT)
    {
      *err = e;
      return r;
    }
  berth_error_release (&e);
  /* moby names a reference in its familiar form with the default tag */
  if (ref != NULL)
    familiar = image_ref_familiar_string (ref);
  return berth_error_make (err, ENOENT, "No such image: %s", familiar != NULL ? familiar : name);
}

int
image_service_config (struct image_service *svc, const char *image_id, struct image_config **ret_cfg,
                      json_object **ret_raw, berth_error_t *err)
{
  cleanup_free char *data = NULL;
  size_t len;

  if (store_blob_read (svc->store, image_id, IMAGE_CONFIG_MAX_SIZE, &data, &len, err) < 0)
    return berth_error_wrap (err, "image %s: read its config", image_id);
  if (ret_cfg != NULL && image_config_parse (data, len, ret_cfg, err) < 0)
    return berth_error_wrap (err, "image %s", image_id);
  if (ret_raw != NULL && jf_parse_object (data, len, "image config", ret_raw, err) < 0)
    {
      if (ret_cfg != NULL)
        {
          image_config_free (*ret_cfg);
          *ret_cfg = NULL;
        }
      return berth_error_wrap (err, "image %s", image_id);
    }
  return 0;
}

int64_t
image_service_image_size (struct image_service *svc, const struct store_image *img)
{
  int64_t total = 0;

  for (size_t i = 0; img->layers != NULL && img->layers[i] != NULL; i++)
    {
      struct store_layer l;
      if (store_layer_get (svc->store, img->layers[i], &l, NULL) == 0)
        total += l.size;
    }
  return total;
}

int
image_service_image_add (struct image_service *svc, const char *config, size_t config_len, const char *expected_digest,
                         const char *top_chain, char ret_id[DIGEST_BUF_SIZE], berth_error_t *err)
{
  char id[DIGEST_BUF_SIZE];
  struct store_image *existing = NULL;
  bool had_blob;

  if (store_blob_write_mem (svc->store, config, config_len, expected_digest, id, err) < 0)
    return berth_error_wrap (err, "store the image config");
  had_blob = store_image_get (svc->store, id, &existing, NULL) == 0;
  store_image_free (existing);
  if (store_image_add (svc->store, id, top_chain, err) < 0)
    {
      /* don't leave a config blob without an image */
      if (!had_blob)
        store_blob_delete (svc->store, id, NULL);
      return berth_error_ret (err);
    }
  memcpy (ret_id, id, DIGEST_BUF_SIZE);
  return 0;
}

int
image_service_tag (struct image_service *svc, const struct image_ref *ref, const char *image_id,
                   char ret_previous[DIGEST_BUF_SIZE], berth_error_t *err)
{
  char prev[DIGEST_BUF_SIZE] = "";

  if (store_tag_lookup (svc->store, ref, prev, NULL) < 0 || strcmp (prev, image_id) == 0)
    prev[0] = '\0';
  if (store_tag_add (svc->store, ref, image_id, true, err) < 0)
    return berth_error_ret (err);
  {
    /* Metadata.LastTagTime; the tag stands even if this fails */
    cleanup_free char *now = image_service_now ();
    berth_error_t e = NULL;
    if (store_image_set_last_tag_time (svc->store, image_id, now, &e) < 0)
      {
        log_warn ("image %s: record the tag time: %s", image_id, berth_error_msg (&e));
        berth_error_release (&e);
      }
  }
  if (ret_previous != NULL)
    memcpy (ret_previous, prev, DIGEST_BUF_SIZE);
  return 0;
}

const char *
image_service_host_arch (void)
{
  static const struct
  {
    const char *machine, *goarch;
  } map[] = {
    { "x86_64", "amd64" }, { "aarch64", "arm64" },   { "armv7l", "arm" },  { "armv6l", "arm" },      { "i686", "386" },
    { "i386", "386" },     { "ppc64le", "ppc64le" }, { "s390x", "s390x" }, { "riscv64", "riscv64" },
  };
  static char machine[65];
  struct utsname u;

  if (uname (&u) < 0)
    return "amd64";
  for (size_t i = 0; i < sizeof (map) / sizeof (map[0]); i++)
    if (strcmp (u.machine, map[i].machine) == 0)
      return map[i].goarch;
  snprintf (machine, sizeof (machine), "%s", u.machine);
  return machine;
}
