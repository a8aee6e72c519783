/* Storage driver `overlay`: layers stacked by overlayfs, each holding only
 * its own changes.
 *
 * Layout under the state directory:
 *   <id>/diff     the layer's own files (overlay's upper dir for a container
 *                 layer; what diff_dir returns, where the core applies tars)
 *   <id>/work     overlay's work dir (container layers only)
 *   <id>/merged   the mount point
 *   <id>/empty    an empty lower dir for layers without a parent (overlayfs
 *                 needs two lower dirs without an upper one, one with)
 *   <id>/layer    the record: short name, parent, lower chain (overlay-layer.h)
 *   l/<NAME>      symlink to ../<id>/diff: short names for lowerdir
 *
 * A layer is built in .tmp-<id> and renamed into place; removal renames it to
 * .rm-<id> first.  init unmounts what a killed daemon left mounted in those
 * leftovers and sweeps them and dangling short names.  Layers' merged mounts
 * stay: a running container may be using one (the core reconciles). */
#include "config.h"

#include <berth/storage.h>

#include "driver-root.h"
#include "fs-name.h"
#include "overlay-layer.h"
#include "overlay-mount.h"
#include "overlay-probe.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

struct ovl
{
  struct driver_root root;
  pthread_mutex_t lock; /* create vs remove: a parent cannot vanish under a new child */
};

/* The record of an existing layer; -ENOENT with an error when there is none. */
static int
read_layer (struct ovl *o, const char *id, struct ovl_layer *l, struct berth_error **err)
{
  int r = ovl_layer_read (o->root.h, o->root.fd, id, l, err);

  if (r == -ENOENT)
    return o->root.h->error_set (err, ENOENT, "overlay: layer `%s` does not exist", id);
  return r;
}

static int
ovl_validate (const struct berth_host_api *h, const struct berth_cfg *opts, struct berth_error **err)
{
  return driver_root_no_options (h, opts, "overlay", err);
}

static int
ovl_probe (const struct berth_host_api *h, struct berth_host_ctx *ctx, struct berth_error **err)
{
  const char *dir = h->state_dir (ctx);

  if (dir == NULL)
    return h->error_set (err, EIO, "overlay: no state directory");
  return ovl_probe_dir (h, dir, err);
}

/* Short names whose layer is gone: a crash between making the name and
   committing the layer, or during a removal. */
static int
sweep_links (struct ovl *o, struct berth_error **err)
{
  int fd = openat (o->root.fd, OVL_LINK_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d;
  struct dirent *de;

  if (fd < 0)
    return errno == ENOENT
               ? 0
               : o->root.h->error_set (err, errno, "overlay: open %s/l: %s", o->root.path, strerror (errno));
  d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return o->root.h->error_set (err, ENOMEM, "overlay: out of memory");
    }
  while ((de = readdir (d)) != NULL)
    if (de->d_name[0] != '.' && faccessat (fd, de->d_name, F_OK, 0) < 0 && errno == ENOENT)
      unlinkat (fd, de->d_name, 0);
  closedir (d);
  return 0;
}

static int
sweep_one (void *ud, const char *name, struct berth_error **err)
{
  struct ovl *o = ud;

  if (!driver_root_is_leftover (name) && !ovl_is_probe_leftover (name))
    return 0;
  return driver_root_remove (&o->root, name, err);
}

static int
sweep_leftovers (struct ovl *o, struct berth_error **err)
{
  int r = driver_root_each (&o->root, sweep_one, o, err);

  return r < 0 ? r : sweep_links (o, err);
}

static void ovl_shutdown (void *drv);

static int
ovl_init (const struct berth_host_api *h, struct berth_host_ctx *ctx, const struct berth_cfg *opts, void **ret_drv,
          struct berth_error **err)
{
  struct ovl *o = calloc (1, sizeof (*o));
  int r;

  (void)opts;
  if (o == NULL)
    return h->error_set (err, ENOMEM, "overlay: out of memory");
  r = driver_root_open (&o->root, h, ctx, "overlay", err);
  if (r < 0)
    {
      free (o);
      return r;
    }
  o->root.reserved = OVL_LINK_DIR;
  pthread_mutex_init (&o->lock, NULL);
  r = ovl_unmount_below (h, ctx, o->root.path, err);
  if (r >= 0)
    r = sweep_leftovers (o, err);
  if (r < 0)
    {
      ovl_shutdown (o);
      return r;
    }
  *ret_drv = o;
  return 0;
}

static void
ovl_shutdown (void *drv)
{
  struct ovl *o = drv;

  if (o == NULL)
    return;
  driver_root_close (&o->root);
  pthread_mutex_destroy (&o->lock);
  free (o);
}

static int
make_dir (struct ovl *o, const char *tmp, const char *sub, mode_t mode, struct berth_error **err)
{
  char rel[200];

  snprintf (rel, sizeof (rel), "%s/%s", tmp, sub);
  /* umask may narrow mkdir's mode: the layer's root must be exactly `mode`. */
  if (mkdirat (o->root.fd, rel, mode) < 0 || fchmodat (o->root.fd, rel, mode, 0) < 0)
    return o->root.h->error_set (err, errno, "overlay: create %s/%s: %s", o->root.path, rel, strerror (errno));
  return 0;
}

/* A fresh short name for `id`, as the symlink l/<name> -> ../<id>/diff. */
static int
make_link (struct ovl *o, const char *id, char name[OVL_LINK_LEN + 1], struct berth_error **err)
{
  char target[200];

  if (mkdirat (o->root.fd, OVL_LINK_DIR, 0700) < 0 && errno != EEXIST)
    return o->root.h->error_set (err, errno, "overlay: create %s/l: %s", o->root.path, strerror (errno));
  snprintf (target, sizeof (target), "../%s/diff", id);
  for (int tries = 0; tries < 16; tries++)
    {
      char rel[sizeof (OVL_LINK_DIR) + OVL_LINK_LEN + 1];
      int r = ovl_new_link_name (name);
      if (r < 0)
        return o->root.h->error_set (err, -r, "overlay: random name: %s", strerror (-r));
      snprintf (rel, sizeof (rel), "%s/%s", OVL_LINK_DIR, name);
      if (symlinkat (target, o->root.fd, rel) == 0)
        return 0;
      if (errno != EEXIST)
        return o->root.h->error_set (err, errno, "overlay: create %s/%s: %s", o->root.path, rel, strerror (errno));
    }
  return o->root.h->error_set (err, EEXIST, "overlay: no free short name for layer `%s`", id);
}

static void
drop_link (struct ovl *o, const char *name)
{
  char rel[sizeof (OVL_LINK_DIR) + OVL_LINK_LEN + 1];

  snprintf (rel, sizeof (rel), "%s/%s", OVL_LINK_DIR, name);
  unlinkat (o->root.fd, rel, 0);
  /* The last layer gone: leave the state directory empty, so the core does
     not take it for a driver holding data. */
  unlinkat (o->root.fd, OVL_LINK_DIR, AT_REMOVEDIR);
}

static int
create_locked (struct ovl *o, const char *id, const char *parent, bool rw, struct berth_error **err)
{
  struct ovl_layer pl = { 0 }, l = { .rw = rw };
  char tmp[160], tmp_path[4096];
  bool linked = false;
  int r;

  r = driver_root_require_absent (&o->root, id, err);
  if (r < 0)
    return r;
  if (parent != NULL)
    {
      r = ovl_layer_read (o->root.h, o->root.fd, parent, &pl, err);
      if (r == -ENOENT)
        return o->root.h->error_set (err, ENOENT, "overlay: parent layer `%s` does not exist", parent);
      if (r < 0)
        return r;
      l.parent = (char *)parent;
      if (asprintf (&l.lower, "%s%s%s", pl.link, pl.lower ? ":" : "", pl.lower ? pl.lower : "") < 0)
        {
          ovl_layer_clear (&pl);
          return o->root.h->error_set (err, ENOMEM, "overlay: out of memory");
        }
      ovl_layer_clear (&pl);
    }
  snprintf (tmp, sizeof (tmp), ".tmp-%s", id);
  snprintf (tmp_path, sizeof (tmp_path), "%s/%s", o->root.path, tmp);
  r = o->root.h->rm_rf (tmp_path, err);
  if (r == 0 && mkdirat (o->root.fd, tmp, 0700) < 0)
    r = o->root.h->error_set (err, errno, "overlay: create %s: %s", tmp_path, strerror (errno));
  if (r == 0)
    r = make_dir (o, tmp, "diff", 0755, err);
  if (r == 0)
    r = make_dir (o, tmp, "merged", 0700, err);
  if (r == 0 && rw)
    r = make_dir (o, tmp, "work", 0700, err);
  if (r == 0 && parent == NULL)
    r = make_dir (o, tmp, "empty", 0755, err);
  if (r == 0 && (r = make_link (o, id, l.link, err)) == 0)
    linked = true;
  if (r == 0)
    r = ovl_layer_write (o->root.h, tmp_path, &l, err);
  if (r == 0 && renameat2 (o->root.fd, tmp, o->root.fd, id, RENAME_NOREPLACE) < 0)
    r = o->root.h->error_set (err, errno, "overlay: commit layer `%s`: %s", id, strerror (errno));
  if (r < 0)
    {
      if (linked)
        drop_link (o, l.link);
      o->root.h->rm_rf (tmp_path, NULL);
    }
  free (l.lower);
  return r;
}

static int
ovl_create (void *drv, const char *id, const char *parent, const struct berth_layer_opts *opts,
            struct berth_error **err)
{
  struct ovl *o = drv;
  bool rw = opts != NULL && (opts->flags & BERTH_LAYER_RW);
  int r;

  r = driver_root_check_create (&o->root, id, parent, opts, err);
  if (r < 0)
    return r;
  pthread_mutex_lock (&o->lock);
  r = create_locked (o, id, parent, rw, err);
  pthread_mutex_unlock (&o->lock);
  return r;
}

struct child_search
{
  struct ovl *o;
  const char *id;
};

static int
note_child (void *ud, const char *name, struct berth_error **err)
{
  struct child_search *s = ud;
  struct ovl_layer l;
  int r = 0;

  if (!ovl_valid_id (name) || ovl_layer_read (s->o->root.h, s->o->root.fd, name, &l, NULL) < 0)
    return 0;
  if (l.parent != NULL && strcmp (l.parent, s->id) == 0)
    r = s->o->root.h->error_set (err, EBUSY, "overlay: layer `%s` is the parent of layer `%s`", s->id, name);
  ovl_layer_clear (&l);
  return r;
}

/* -EBUSY naming a layer whose parent is `id`, 0 if none. */
static int
check_no_children (struct ovl *o, const char *id, struct berth_error **err)
{
  struct child_search s = { .o = o, .id = id };

  return driver_root_each (&o->root, note_child, &s, err);
}

static int
ovl_remove (void *drv, const char *id, struct berth_error **err)
{
  struct ovl *o = drv;
  struct ovl_layer l;
  char merged[4096], gone[160];
  int r;

  if (driver_root_check_id (&o->root, id, err) < 0)
    return -EINVAL;
  pthread_mutex_lock (&o->lock);
  r = read_layer (o, id, &l, err);
  if (r == 0)
    {
      r = driver_root_layer_path (&o->root, merged, sizeof (merged), id, "merged", err);
      if (r == 0 && ovl_is_mount_point (merged) > 0)
        r = o->root.h->error_set (err, EBUSY, "overlay: layer `%s` is mounted on %s", id, merged);
      if (r == 0)
        r = check_no_children (o, id, err);
      snprintf (gone, sizeof (gone), ".rm-%s", id);
      if (r == 0 && renameat (o->root.fd, id, o->root.fd, gone) < 0)
        r = o->root.h->error_set (err, errno, "overlay: remove layer `%s`: %s", id, strerror (errno));
      if (r == 0)
        drop_link (o, l.link);
      ovl_layer_clear (&l);
    }
  pthread_mutex_unlock (&o->lock);
  if (r < 0)
    return r;
  r = driver_root_remove (&o->root, gone, err);
  if (r < 0)
    return o->root.h->error_wrap (err, "overlay: remove layer `%s`", id);
  return 0;
}

static int
ovl_exists (void *drv, const char *id)
{
  struct ovl *o = drv;

  if (!driver_root_valid_id (&o->root, id))
    return -EINVAL;
  return driver_root_layer_exists (&o->root, id);
}

/* "<root>/l/<NAME>" for each short name of a lower chain, nearest first. */
static int
add_lower_links (struct ovl *o, const char *chain, char ***v, size_t *n, struct berth_error **err)
{
  const char *p = chain;

  while (p != NULL && *p)
    {
      const char *colon = strchr (p, ':');
      size_t len = colon ? (size_t)(colon - p) : strlen (p);
      char **t = realloc (*v, (*n + 1) * sizeof (char *));
      if (t == NULL)
        return o->root.h->error_set (err, ENOMEM, "overlay: out of memory");
      *v = t;
      if (asprintf (&t[*n], "%s/%s/%.*s", o->root.path, OVL_LINK_DIR, (int)len, p) < 0)
        return o->root.h->error_set (err, ENOMEM, "overlay: out of memory");
      (*n)++;
      p = colon ? colon + 1 : NULL;
    }
  return 0;
}

static int
add_path (struct ovl *o, const char *id, const char *sub, char ***v, size_t *n, struct berth_error **err)
{
  char **t = realloc (*v, (*n + 1) * sizeof (char *));

  if (t == NULL)
    return o->root.h->error_set (err, ENOMEM, "overlay: out of memory");
  *v = t;
  if (asprintf (&t[*n], "%s/%s/%s", o->root.path, id, sub) < 0)
    return o->root.h->error_set (err, ENOMEM, "overlay: out of memory");
  (*n)++;
  return 0;
}

static int
mount_layer (struct ovl *o, const char *id, const struct ovl_layer *l, bool ro, const char *merged,
             struct berth_error **err)
{
  char upper[4096], work[4096];
  char **lower = NULL;
  size_t n = 0;
  int r = 0;

  if (!l->rw)
    {
      /* An image layer: a read-only stack of its own diff over its parents'. */
      char self[sizeof (OVL_LINK_DIR) + OVL_LINK_LEN + 1];
      snprintf (self, sizeof (self), "%s", l->link);
      r = add_lower_links (o, self, &lower, &n, err);
    }
  if (r == 0)
    r = l->lower ? add_lower_links (o, l->lower, &lower, &n, err) : add_path (o, id, "empty", &lower, &n, err);
  if (r == 0 && l->rw)
    {
      r = driver_root_layer_path (&o->root, upper, sizeof (upper), id, "diff", err);
      if (r == 0)
        r = driver_root_layer_path (&o->root, work, sizeof (work), id, "work", err);
    }
  if (r == 0)
    {
      struct ovl_mount_spec spec = {
        .lower = (const char *const *)lower,
        .n_lower = n,
        .upper = l->rw ? upper : NULL,
        .work = l->rw ? work : NULL,
        .read_only = ro || !l->rw,
      };
      r = ovl_mount (o->root.h, &spec, merged, err);
    }
  for (size_t i = 0; i < n; i++)
    free (lower[i]);
  free (lower);
  return r;
}

static int
ovl_mount_op (void *drv, const char *id, const struct berth_mount_opts *mo, char *ret_path, size_t ret_len,
              struct berth_error **err)
{
  struct ovl *o = drv;
  struct ovl_layer l;
  char merged[4096];
  int r;

  if (driver_root_check_id (&o->root, id, err) < 0)
    return -EINVAL;
  if (mo != NULL && mo->mount_label != NULL && mo->mount_label[0] != '\0')
    return o->root.h->error_set (err, ENOTSUP, "overlay: mount labels (SELinux) are not supported");
  r = read_layer (o, id, &l, err);
  if (r < 0)
    return r;
  r = driver_root_layer_path (&o->root, merged, sizeof (merged), id, "merged", err);
  if (r == 0 && strlen (merged) >= ret_len)
    r = o->root.h->error_set (err, ENAMETOOLONG, "overlay: the path of layer `%s` does not fit the buffer", id);
  /* Already mounted (the core counts users, but be robust): the same path. */
  if (r == 0 && ovl_is_mount_point (merged) <= 0)
    r = mount_layer (o, id, &l, mo != NULL && (mo->flags & BERTH_MOUNT_RO), merged, err);
  ovl_layer_clear (&l);
  if (r < 0)
    return r;
  memcpy (ret_path, merged, strlen (merged) + 1);
  return 0;
}

static int
ovl_unmount (void *drv, const char *id, struct berth_error **err)
{
  struct ovl *o = drv;
  char merged[4096];
  int r;

  r = driver_root_require_layer (&o->root, id, err);
  if (r < 0)
    return r;
  r = driver_root_layer_path (&o->root, merged, sizeof (merged), id, "merged", err);
  if (r < 0 || ovl_is_mount_point (merged) <= 0)
    return r; /* not mounted: nothing to do */
  /* Detach: a process that still has a file open there must not make the
     container's teardown fail; the mount goes away with its last user. */
  if (umount2 (merged, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL)
    return o->root.h->error_set (err, errno, "overlay: unmount %s: %s", merged, strerror (errno));
  return 0;
}

static int
ovl_diff_dir (void *drv, const char *id, char *ret_path, size_t ret_len, struct berth_error **err)
{
  struct ovl *o = drv;
  int r;

  r = driver_root_require_layer (&o->root, id, err);
  if (r < 0)
    return r;
  return driver_root_layer_path (&o->root, ret_path, ret_len, id, "diff", err);
}

static int
ovl_list (void *drv, berth_str_fn emit, void *ud, struct berth_error **err)
{
  struct ovl *o = drv;

  return driver_root_list (&o->root, emit, ud, err);
}

/* The real diff dirs of a lower chain, ':'-joined (what docker inspect shows). */
static char *
resolve_lower (struct ovl *o, const char *chain)
{
  size_t cap = 1, len = 0;
  char *out = calloc (1, cap);
  const char *p = chain;

  while (out != NULL && p != NULL && *p)
    {
      char rel[sizeof (OVL_LINK_DIR) + OVL_LINK_LEN + 1], target[256];
      const char *colon = strchr (p, ':');
      ssize_t n;
      char *t;
      snprintf (rel, sizeof (rel), "%s/%.*s", OVL_LINK_DIR, OVL_LINK_LEN, p);
      n = readlinkat (o->root.fd, rel, target, sizeof (target) - 1);
      target[n > 0 ? n : 0] = '\0';
      /* target is "../<id>/diff" */
      cap += strlen (o->root.path) + strlen (target) + 2;
      t = realloc (out, cap);
      if (t == NULL)
        {
          free (out);
          return NULL;
        }
      out = t;
      len += (size_t)sprintf (out + len, "%s%s/%s", len ? ":" : "", o->root.path, n > 3 ? target + 3 : "?");
      p = colon ? colon + 1 : NULL;
    }
  return out;
}

static int
ovl_metadata (void *drv, const char *id, berth_kv_fn emit, void *ud, struct berth_error **err)
{
  struct ovl *o = drv;
  struct ovl_layer l;
  char path[4096];
  char *lower = NULL;
  int r;

  if (driver_root_check_id (&o->root, id, err) < 0)
    return -EINVAL;
  r = read_layer (o, id, &l, err);
  if (r < 0)
    return r;
  if (l.lower != NULL && (lower = resolve_lower (o, l.lower)) == NULL)
    r = o->root.h->error_set (err, ENOMEM, "overlay: out of memory");
  if (r == 0 && lower != NULL)
    r = emit (ud, "LowerDir", lower);
  if (r == 0 && driver_root_layer_path (&o->root, path, sizeof (path), id, "diff", err) == 0)
    r = emit (ud, "UpperDir", path);
  if (r == 0 && l.rw && driver_root_layer_path (&o->root, path, sizeof (path), id, "work", err) == 0)
    r = emit (ud, "WorkDir", path);
  if (r == 0 && driver_root_layer_path (&o->root, path, sizeof (path), id, "merged", err) == 0)
    r = emit (ud, "MergedDir", path);
  free (lower);
  ovl_layer_clear (&l);
  return r;
}

static int
ovl_status (void *drv, berth_kv_fn emit, void *ud)
{
  struct ovl *o = drv;
  struct statfs sfs;
  int r;

  r = emit (ud, "Root Dir", o->root.path);
  if (r == 0)
    r = emit (ud, "Backing Filesystem",
              statfs (o->root.path, &sfs) == 0 ? storage_fs_name ((long)sfs.f_type) : "unknown");
  if (r == 0)
    r = emit (ud, "Supports d_type", "true"); /* probe refuses to load otherwise */
  if (r == 0)
    r = emit (ud, "Using metacopy", "false");
  return r;
}

static const struct berth_storage_ops ovl_ops = {
  .life = {
    .caps = 0,
    .validate = ovl_validate,
    .probe = ovl_probe,
    .init = ovl_init,
    .shutdown = ovl_shutdown,
    .status = ovl_status,
  },
  .create = ovl_create,
  .remove = ovl_remove,
  .exists = ovl_exists,
  .mount = ovl_mount_op,
  .unmount = ovl_unmount,
  .list = ovl_list,
  .metadata = ovl_metadata,
  .diff_dir = ovl_diff_dir,
};

static const struct berth_plugin_descriptor ovl_descriptor
    = BERTH_PLUGIN_DESCRIPTOR_INIT (BERTH_KIND_STORAGE, "overlay", PACKAGE_VERSION,
                                    "layers stacked with overlayfs; each layer holds only its own changes", &ovl_ops);

BERTH_PLUGIN_DEFINE (ovl_descriptor)
