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
  const struct berth_host_api *h;
  struct berth_host_ctx *ctx;
  char *root;
  int root_fd;
  pthread_mutex_t lock; /* create vs remove: a parent cannot vanish under a new child */
};

/* "<root>/<a>/<b>" into buf. */
static int
layer_path (struct ovl *o, char *buf, size_t len, const char *id, const char *sub, struct berth_error **err)
{
  if ((size_t)snprintf (buf, len, "%s/%s%s%s", o->root, id, sub ? "/" : "", sub ? sub : "") >= len)
    return o->h->error_set (err, ENAMETOOLONG, "overlay: the path of layer `%s` is too long", id);
  return 0;
}

static int
check_id (struct ovl *o, const char *id, struct berth_error **err)
{
  if (!ovl_valid_id (id))
    return o->h->error_set (err, EINVAL, "overlay: invalid layer id `%s`", id ? id : "(null)");
  return 0;
}

/* The record of an existing layer; -ENOENT with an error when there is none. */
static int
read_layer (struct ovl *o, const char *id, struct ovl_layer *l, struct berth_error **err)
{
  int r = ovl_layer_read (o->h, o->root_fd, id, l, err);

  if (r == -ENOENT)
    return o->h->error_set (err, ENOENT, "overlay: layer `%s` does not exist", id);
  return r;
}

static int
note_first_key (void *ud, const char *key, const char *value)
{
  (void)value;
  *(const char **)ud = key;
  return 1;
}

static int
ovl_validate (const struct berth_host_api *h, const struct berth_cfg *opts, struct berth_error **err)
{
  const char *key = NULL;

  if (h->cfg_each (opts, note_first_key, &key) != 0 && key != NULL)
    return h->cfg_error (err, opts, key, "overlay: unknown storage option `%s` (overlay takes none)", key);
  return 0;
}

static int
ovl_probe (const struct berth_host_api *h, struct berth_host_ctx *ctx, struct berth_error **err)
{
  const char *dir = h->state_dir (ctx);

  if (dir == NULL)
    return h->error_set (err, EIO, "overlay: no state directory");
  return ovl_probe_dir (h, dir, err);
}

static int
remove_entry (struct ovl *o, const char *name, struct berth_error **err)
{
  char path[4096];

  if ((size_t)snprintf (path, sizeof (path), "%s/%s", o->root, name) >= sizeof (path))
    return o->h->error_set (err, ENAMETOOLONG, "overlay: path too long");
  return o->h->rm_rf (path, err);
}

/* Short names whose layer is gone: a crash between making the name and
   committing the layer, or during a removal. */
static int
sweep_links (struct ovl *o, struct berth_error **err)
{
  int fd = openat (o->root_fd, OVL_LINK_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d;
  struct dirent *de;

  if (fd < 0)
    return errno == ENOENT ? 0 : o->h->error_set (err, errno, "overlay: open %s/l: %s", o->root, strerror (errno));
  d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return o->h->error_set (err, ENOMEM, "overlay: out of memory");
    }
  while ((de = readdir (d)) != NULL)
    if (de->d_name[0] != '.' && faccessat (fd, de->d_name, F_OK, 0) < 0 && errno == ENOENT)
      unlinkat (fd, de->d_name, 0);
  closedir (d);
  return 0;
}

static int
sweep_leftovers (struct ovl *o, struct berth_error **err)
{
  int fd = openat (o->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *de;
  int r = 0;

  if (d == NULL)
    {
      int e = errno;
      if (fd >= 0)
        close (fd);
      return o->h->error_set (err, e, "overlay: read %s: %s", o->root, strerror (e));
    }
  while (r == 0 && (de = readdir (d)) != NULL)
    if (strncmp (de->d_name, ".tmp-", 5) == 0 || strncmp (de->d_name, ".rm-", 4) == 0
        || ovl_is_probe_leftover (de->d_name))
      r = remove_entry (o, de->d_name, err);
  closedir (d);
  return r < 0 ? r : sweep_links (o, err);
}

static void ovl_shutdown (void *drv);

static int
ovl_init (const struct berth_host_api *h, struct berth_host_ctx *ctx, const struct berth_cfg *opts, void **ret_drv,
          struct berth_error **err)
{
  const char *dir = h->state_dir (ctx);
  struct ovl *o;
  int r;

  (void)opts;
  if (dir == NULL)
    return h->error_set (err, EIO, "overlay: no state directory");
  o = calloc (1, sizeof (*o));
  if (o == NULL || (o->root = strdup (dir)) == NULL)
    {
      free (o);
      return h->error_set (err, ENOMEM, "overlay: out of memory");
    }
  o->h = h;
  o->ctx = ctx;
  pthread_mutex_init (&o->lock, NULL);
  o->root_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (o->root_fd < 0)
    {
      int e = errno;
      ovl_shutdown (o);
      return h->error_set (err, e, "overlay: open %s: %s", dir, strerror (e));
    }
  r = ovl_unmount_below (h, ctx, o->root, err);
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
  if (o->root_fd >= 0)
    close (o->root_fd);
  pthread_mutex_destroy (&o->lock);
  free (o->root);
  free (o);
}

static int
layer_exists (struct ovl *o, const char *id)
{
  struct stat st;

  if (fstatat (o->root_fd, id, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : -errno;
  return S_ISDIR (st.st_mode) ? 1 : 0;
}

static int
make_dir (struct ovl *o, const char *tmp, const char *sub, mode_t mode, struct berth_error **err)
{
  char rel[200];

  snprintf (rel, sizeof (rel), "%s/%s", tmp, sub);
  /* umask may narrow mkdir's mode: the layer's root must be exactly `mode`. */
  if (mkdirat (o->root_fd, rel, mode) < 0 || fchmodat (o->root_fd, rel, mode, 0) < 0)
    return o->h->error_set (err, errno, "overlay: create %s/%s: %s", o->root, rel, strerror (errno));
  return 0;
}

/* A fresh short name for `id`, as the symlink l/<name> -> ../<id>/diff. */
static int
make_link (struct ovl *o, const char *id, char name[OVL_LINK_LEN + 1], struct berth_error **err)
{
  char target[200];

  if (mkdirat (o->root_fd, OVL_LINK_DIR, 0700) < 0 && errno != EEXIST)
    return o->h->error_set (err, errno, "overlay: create %s/l: %s", o->root, strerror (errno));
  snprintf (target, sizeof (target), "../%s/diff", id);
  for (int tries = 0; tries < 16; tries++)
    {
      char rel[sizeof (OVL_LINK_DIR) + OVL_LINK_LEN + 1];
      int r = ovl_new_link_name (name);
      if (r < 0)
        return o->h->error_set (err, -r, "overlay: random name: %s", strerror (-r));
      snprintf (rel, sizeof (rel), "%s/%s", OVL_LINK_DIR, name);
      if (symlinkat (target, o->root_fd, rel) == 0)
        return 0;
      if (errno != EEXIST)
        return o->h->error_set (err, errno, "overlay: create %s/%s: %s", o->root, rel, strerror (errno));
    }
  return o->h->error_set (err, EEXIST, "overlay: no free short name for layer `%s`", id);
}

static void
drop_link (struct ovl *o, const char *name)
{
  char rel[sizeof (OVL_LINK_DIR) + OVL_LINK_LEN + 1];

  snprintf (rel, sizeof (rel), "%s/%s", OVL_LINK_DIR, name);
  unlinkat (o->root_fd, rel, 0);
  /* The last layer gone: leave the state directory empty, so the core does
     not take it for a driver holding data. */
  unlinkat (o->root_fd, OVL_LINK_DIR, AT_REMOVEDIR);
}

static int
create_locked (struct ovl *o, const char *id, const char *parent, bool rw, struct berth_error **err)
{
  struct ovl_layer pl = { 0 }, l = { .rw = rw };
  char tmp[160], tmp_path[4096];
  bool linked = false;
  int r;

  r = layer_exists (o, id);
  if (r != 0)
    return r > 0 ? o->h->error_set (err, EEXIST, "overlay: layer `%s` already exists", id)
                 : o->h->error_set (err, -r, "overlay: stat layer `%s`: %s", id, strerror (-r));
  if (parent != NULL)
    {
      r = ovl_layer_read (o->h, o->root_fd, parent, &pl, err);
      if (r == -ENOENT)
        return o->h->error_set (err, ENOENT, "overlay: parent layer `%s` does not exist", parent);
      if (r < 0)
        return r;
      l.parent = (char *)parent;
      if (asprintf (&l.lower, "%s%s%s", pl.link, pl.lower ? ":" : "", pl.lower ? pl.lower : "") < 0)
        {
          ovl_layer_clear (&pl);
          return o->h->error_set (err, ENOMEM, "overlay: out of memory");
        }
      ovl_layer_clear (&pl);
    }
  snprintf (tmp, sizeof (tmp), ".tmp-%s", id);
  snprintf (tmp_path, sizeof (tmp_path), "%s/%s", o->root, tmp);
  r = o->h->rm_rf (tmp_path, err);
  if (r == 0 && mkdirat (o->root_fd, tmp, 0700) < 0)
    r = o->h->error_set (err, errno, "overlay: create %s: %s", tmp_path, strerror (errno));
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
    r = ovl_layer_write (o->h, tmp_path, &l, err);
  if (r == 0 && renameat2 (o->root_fd, tmp, o->root_fd, id, RENAME_NOREPLACE) < 0)
    r = o->h->error_set (err, errno, "overlay: commit layer `%s`: %s", id, strerror (errno));
  if (r < 0)
    {
      if (linked)
        drop_link (o, l.link);
      o->h->rm_rf (tmp_path, NULL);
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

  if (check_id (o, id, err) < 0 || (parent != NULL && check_id (o, parent, err) < 0))
    return -EINVAL;
  if (opts != NULL && opts->quota_bytes > 0)
    return o->h->error_set (err, ENOTSUP, "overlay: layer size quotas are not supported");
  pthread_mutex_lock (&o->lock);
  r = create_locked (o, id, parent, rw, err);
  pthread_mutex_unlock (&o->lock);
  return r;
}

/* -EBUSY naming a layer whose parent is `id`, 0 if none. */
static int
check_no_children (struct ovl *o, const char *id, struct berth_error **err)
{
  int fd = openat (o->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *de;
  int r = 0;

  if (d == NULL)
    {
      int e = errno;
      if (fd >= 0)
        close (fd);
      return o->h->error_set (err, e, "overlay: read %s: %s", o->root, strerror (e));
    }
  while (r == 0 && (de = readdir (d)) != NULL)
    {
      struct ovl_layer l;
      if (!ovl_valid_id (de->d_name) || ovl_layer_read (o->h, o->root_fd, de->d_name, &l, NULL) < 0)
        continue;
      if (l.parent != NULL && strcmp (l.parent, id) == 0)
        r = o->h->error_set (err, EBUSY, "overlay: layer `%s` is the parent of layer `%s`", id, de->d_name);
      ovl_layer_clear (&l);
    }
  closedir (d);
  return r;
}

static int
ovl_remove (void *drv, const char *id, struct berth_error **err)
{
  struct ovl *o = drv;
  struct ovl_layer l;
  char merged[4096], gone[160];
  int r;

  if (check_id (o, id, err) < 0)
    return -EINVAL;
  pthread_mutex_lock (&o->lock);
  r = read_layer (o, id, &l, err);
  if (r == 0)
    {
      r = layer_path (o, merged, sizeof (merged), id, "merged", err);
      if (r == 0 && ovl_is_mount_point (merged) > 0)
        r = o->h->error_set (err, EBUSY, "overlay: layer `%s` is mounted on %s", id, merged);
      if (r == 0)
        r = check_no_children (o, id, err);
      snprintf (gone, sizeof (gone), ".rm-%s", id);
      if (r == 0 && renameat (o->root_fd, id, o->root_fd, gone) < 0)
        r = o->h->error_set (err, errno, "overlay: remove layer `%s`: %s", id, strerror (errno));
      if (r == 0)
        drop_link (o, l.link);
      ovl_layer_clear (&l);
    }
  pthread_mutex_unlock (&o->lock);
  if (r < 0)
    return r;
  r = remove_entry (o, gone, err);
  if (r < 0)
    return o->h->error_wrap (err, "overlay: remove layer `%s`", id);
  return 0;
}

static int
ovl_exists (void *drv, const char *id)
{
  struct ovl *o = drv;

  if (!ovl_valid_id (id))
    return -EINVAL;
  return layer_exists (o, id);
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
        return o->h->error_set (err, ENOMEM, "overlay: out of memory");
      *v = t;
      if (asprintf (&t[*n], "%s/%s/%.*s", o->root, OVL_LINK_DIR, (int)len, p) < 0)
        return o->h->error_set (err, ENOMEM, "overlay: out of memory");
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
    return o->h->error_set (err, ENOMEM, "overlay: out of memory");
  *v = t;
  if (asprintf (&t[*n], "%s/%s/%s", o->root, id, sub) < 0)
    return o->h->error_set (err, ENOMEM, "overlay: out of memory");
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
      r = layer_path (o, upper, sizeof (upper), id, "diff", err);
      if (r == 0)
        r = layer_path (o, work, sizeof (work), id, "work", err);
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
      r = ovl_mount (o->h, &spec, merged, err);
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

  if (check_id (o, id, err) < 0)
    return -EINVAL;
  if (mo != NULL && mo->mount_label != NULL && mo->mount_label[0] != '\0')
    return o->h->error_set (err, ENOTSUP, "overlay: mount labels (SELinux) are not supported");
  r = read_layer (o, id, &l, err);
  if (r < 0)
    return r;
  r = layer_path (o, merged, sizeof (merged), id, "merged", err);
  if (r == 0 && strlen (merged) >= ret_len)
    r = o->h->error_set (err, ENAMETOOLONG, "overlay: the path of layer `%s` does not fit the buffer", id);
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

  if (check_id (o, id, err) < 0)
    return -EINVAL;
  r = layer_exists (o, id);
  if (r <= 0)
    return o->h->error_set (err, r == 0 ? ENOENT : -r, "overlay: layer `%s` does not exist", id);
  r = layer_path (o, merged, sizeof (merged), id, "merged", err);
  if (r < 0 || ovl_is_mount_point (merged) <= 0)
    return r; /* not mounted: nothing to do */
  /* Detach: a process that still has a file open there must not make the
     container's teardown fail; the mount goes away with its last user. */
  if (umount2 (merged, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL)
    return o->h->error_set (err, errno, "overlay: unmount %s: %s", merged, strerror (errno));
  return 0;
}

static int
ovl_diff_dir (void *drv, const char *id, char *ret_path, size_t ret_len, struct berth_error **err)
{
  struct ovl *o = drv;
  int r;

  if (check_id (o, id, err) < 0)
    return -EINVAL;
  r = layer_exists (o, id);
  if (r <= 0)
    return o->h->error_set (err, r == 0 ? ENOENT : -r, "overlay: layer `%s` does not exist", id);
  return layer_path (o, ret_path, ret_len, id, "diff", err);
}

static int
ovl_list (void *drv, berth_str_fn emit, void *ud, struct berth_error **err)
{
  struct ovl *o = drv;
  int fd = openat (o->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *de;
  int r = 0;

  if (d == NULL)
    {
      int e = errno;
      if (fd >= 0)
        close (fd);
      return o->h->error_set (err, e, "overlay: read %s: %s", o->root, strerror (e));
    }
  while (r == 0 && (de = readdir (d)) != NULL)
    if (ovl_valid_id (de->d_name) && layer_exists (o, de->d_name) > 0)
      r = emit (ud, de->d_name);
  closedir (d);
  return r;
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
      n = readlinkat (o->root_fd, rel, target, sizeof (target) - 1);
      target[n > 0 ? n : 0] = '\0';
      /* target is "../<id>/diff" */
      cap += strlen (o->root) + strlen (target) + 2;
      t = realloc (out, cap);
      if (t == NULL)
        {
          free (out);
          return NULL;
        }
      out = t;
      len += (size_t)sprintf (out + len, "%s%s/%s", len ? ":" : "", o->root, n > 3 ? target + 3 : "?");
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

  if (check_id (o, id, err) < 0)
    return -EINVAL;
  r = read_layer (o, id, &l, err);
  if (r < 0)
    return r;
  if (l.lower != NULL && (lower = resolve_lower (o, l.lower)) == NULL)
    r = o->h->error_set (err, ENOMEM, "overlay: out of memory");
  if (r == 0 && lower != NULL)
    r = emit (ud, "LowerDir", lower);
  if (r == 0 && layer_path (o, path, sizeof (path), id, "diff", err) == 0)
    r = emit (ud, "UpperDir", path);
  if (r == 0 && l.rw && layer_path (o, path, sizeof (path), id, "work", err) == 0)
    r = emit (ud, "WorkDir", path);
  if (r == 0 && layer_path (o, path, sizeof (path), id, "merged", err) == 0)
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

  r = emit (ud, "Root Dir", o->root);
  if (r == 0)
    r = emit (ud, "Backing Filesystem", statfs (o->root, &sfs) == 0 ? storage_fs_name ((long)sfs.f_type) : "unknown");
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
