/* `docker diff`: the changes of a container against its image, with
 * moby's rules (pkg/archive/changes.go): a non-directory is modified when
 * its type, mode, owner, device, size, mtime or file capabilities differ; a
 * directory when its type, mode or owner differ, or when anything inside it
 * changed (then it is listed before those changes); an added directory
 * lists everything below it as added; a deleted one only itself. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "core/container/changes.h"
#include "core/lib/mem.h"

struct change
{
  char *path;
  enum container_change_kind kind;
};

struct walk
{
  struct change *v;
  size_t n;
  /* overlay mode: the image layers' diff dirs, top first */
  int *lowers;
  size_t n_lowers;
};

static void
add_at (struct walk *w, size_t at, const char *path, enum container_change_kind kind)
{
  w->v = xrealloc (w->v, (w->n + 1) * sizeof (*w->v));
  memmove (&w->v[at + 1], &w->v[at], (w->n - at) * sizeof (*w->v));
  w->v[at].path = xstrdup (path);
  w->v[at].kind = kind;
  w->n++;
}

static void
add (struct walk *w, const char *path, enum container_change_kind kind)
{
  add_at (w, w->n, path, kind);
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

/* sorted names in dir_fd (an O_PATH or O_RDONLY directory), or an empty
   list for dir_fd < 0 */
static int
list_dir (int dir_fd, const char *rel, char ***ret, berth_error_t *err)
{
  char **v = xmalloc0 (sizeof (char *));
  size_t n = 0;
  DIR *d;
  struct dirent *de;
  int fd;

  *ret = v;
  if (dir_fd < 0)
    return 0;
  fd = openat (dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      int e = errno;
      if (fd >= 0)
        close (fd);
      return berth_error_errno (err, e, "read directory `%s/`", rel);
    }
  while ((de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      v = xrealloc (v, (n + 2) * sizeof (char *));
      v[n++] = xstrdup (de->d_name);
      v[n] = NULL;
    }
  closedir (d);
  if (n > 1)
    qsort (v, n, sizeof (char *), cmp_str);
  *ret = v;
  return 0;
}

static int
open_sub (int dir_fd, const char *name)
{
  return openat (dir_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

static ssize_t
get_xattr (int dir_fd, const char *name, const char *attr, char *buf, size_t len)
{
  cleanup_free char *p = xasprintf ("/proc/self/fd/%d/%s", dir_fd, name);
  return lgetxattr (p, attr, buf, len);
}

static bool
same_capability (int lfd, int ufd, const char *name)
{
  char a[256], b[256];
  ssize_t na = get_xattr (lfd, name, "security.capability", a, sizeof (a));
  ssize_t nb = get_xattr (ufd, name, "security.capability", b, sizeof (b));

  if (na < 0 || nb < 0)
    return na < 0 && nb < 0;
  return na == nb && memcmp (a, b, (size_t)na) == 0;
}

static bool
owner_mode_differ (const struct stat *a, const struct stat *b)
{
  return a->st_mode != b->st_mode || a->st_uid != b->st_uid || a->st_gid != b->st_gid;
}

/* moby's statDifferent plus the capability check */
static bool
file_differs (int lfd, int ufd, const char *name, const struct stat *l, const struct stat *u)
{
  return owner_mode_differ (l, u) || l->st_rdev != u->st_rdev || l->st_size != u->st_size
         || l->st_mtim.tv_sec != u->st_mtim.tv_sec || l->st_mtim.tv_nsec != u->st_mtim.tv_nsec
         || !same_capability (lfd, ufd, name);
}

static bool
is_whiteout (const struct stat *st)
{
  return S_ISCHR (st->st_mode) && major (st->st_rdev) == 0 && minor (st->st_rdev) == 0;
}

static bool
is_opaque (int dir_fd, const char *name)
{
  char v[2];
  return get_xattr (dir_fd, name, "trusted.overlay.opaque", v, sizeof (v)) == 1 && v[0] == 'y';
}

/* ---- two full trees (vfs, btrfs) ---- */

static int
walk_trees (struct walk *w, int lfd, int ufd, const char *rel, berth_error_t *err)
{
  cleanup_strv char **ln = NULL;
  cleanup_strv char **un = NULL;
  size_t i = 0, j = 0;

  if (list_dir (lfd, rel, &ln, err) < 0 || list_dir (ufd, rel, &un, err) < 0)
    return berth_error_ret (err);
  while (ln[i] != NULL || un[j] != NULL)
    {
      int c = ln[i] == NULL ? 1 : un[j] == NULL ? -1 : strcmp (ln[i], un[j]);
      const char *name = c < 0 ? ln[i] : un[j];
      cleanup_free char *path = xasprintf ("%s/%s", rel, name);
      struct stat ls, us;

      if (c < 0)
        {
          add (w, path, CONTAINER_CHANGE_DELETE);
          i++;
          continue;
        }
      if (fstatat (ufd, name, &us, AT_SYMLINK_NOFOLLOW) < 0)
        return berth_error_errno (err, errno, "stat `%s`", path);
      if (c > 0)
        {
          add (w, path, CONTAINER_CHANGE_ADD);
          if (S_ISDIR (us.st_mode))
            {
              cleanup_close int sub = open_sub (ufd, name);
              if (sub < 0)
                return berth_error_errno (err, errno, "open `%s`", path);
              if (walk_trees (w, -1, sub, path, err) < 0)
                return berth_error_ret (err);
            }
          j++;
          continue;
        }
      i++;
      j++;
      if (fstatat (lfd, name, &ls, AT_SYMLINK_NOFOLLOW) < 0)
        return berth_error_errno (err, errno, "stat `%s` in the image", path);
      if (S_ISDIR (us.st_mode))
        {
          cleanup_close int usub = open_sub (ufd, name);
          cleanup_close int lsub = S_ISDIR (ls.st_mode) ? open_sub (lfd, name) : -1;
          bool own = owner_mode_differ (&ls, &us);
          size_t mark = w->n;
          if (usub < 0 || (S_ISDIR (ls.st_mode) && lsub < 0))
            return berth_error_errno (err, errno, "open `%s`", path);
          if (own)
            add (w, path, CONTAINER_CHANGE_MODIFY);
          if (walk_trees (w, lsub, usub, path, err) < 0)
            return berth_error_ret (err);
          if (!own && w->n > mark)
            add_at (w, mark, path, CONTAINER_CHANGE_MODIFY);
        }
      else if (file_differs (lfd, ufd, name, &ls, &us))
        add (w, path, CONTAINER_CHANGE_MODIFY);
    }
  return 0;
}

/* ---- an overlay upper dir over the image layers' diff dirs ---- */

/* Is rel (relative, no leading '/') in the image?  Layers top first: a
   whiteout or a non-directory on the way hides it, an opaque directory on
   the way hides the layers below. */
static bool
lower_lookup (const struct walk *w, const char *rel, struct stat *ret)
{
  cleanup_free char *buf = xstrdup (rel);

  for (size_t l = 0; l < w->n_lowers; l++)
    {
      bool opaque = false;
      char *p = buf;

      for (;;)
        {
          char *slash = strchr (p, '/');
          struct stat st;
          if (slash != NULL)
            *slash = '\0';
          if (fstatat (w->lowers[l], buf, &st, AT_SYMLINK_NOFOLLOW) < 0)
            {
              if (slash != NULL)
                *slash = '/';
              break; /* nothing here in this layer */
            }
          if (is_whiteout (&st))
            return false;
          if (slash == NULL)
            {
              *ret = st;
              return true;
            }
          if (!S_ISDIR (st.st_mode))
            return false;
          {
            char *last = strrchr (buf, '/');
            cleanup_close int parent = -1;
            const char *name = buf;
            if (last != NULL)
              {
                *last = '\0';
                parent = openat (w->lowers[l], buf, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                *last = '/';
                name = last + 1;
              }
            if (is_opaque (last != NULL ? parent : w->lowers[l], name))
              opaque = true;
          }
          *slash = '/';
          p = slash + 1;
        }
      if (opaque)
        return false;
    }
  return false;
}

/* in_image: paths below may exist in the image (false below an added or
   opaque directory) */
static int
walk_upper (struct walk *w, int ufd, const char *rel, bool in_image, berth_error_t *err)
{
  cleanup_strv char **names = NULL;

  if (list_dir (ufd, rel, &names, err) < 0)
    return berth_error_ret (err);
  for (size_t i = 0; names[i] != NULL; i++)
    {
      cleanup_free char *path = xasprintf ("%s/%s", rel, names[i]);
      struct stat us, ls;
      bool exists;

      if (fstatat (ufd, names[i], &us, AT_SYMLINK_NOFOLLOW) < 0)
        return berth_error_errno (err, errno, "stat `%s`", path);
      if (is_whiteout (&us))
        {
          add (w, path, CONTAINER_CHANGE_DELETE);
          continue;
        }
      exists = in_image && lower_lookup (w, path + 1, &ls);
      if (!exists)
        add (w, path, CONTAINER_CHANGE_ADD);
      if (S_ISDIR (us.st_mode))
        {
          cleanup_close int sub = open_sub (ufd, names[i]);
          bool below = exists && S_ISDIR (ls.st_mode) && !is_opaque (ufd, names[i]);
          bool own = exists && (!below || owner_mode_differ (&ls, &us));
          size_t mark = w->n;
          if (sub < 0)
            return berth_error_errno (err, errno, "open `%s`", path);
          if (own)
            add (w, path, CONTAINER_CHANGE_MODIFY);
          if (walk_upper (w, sub, path, below, err) < 0)
            return berth_error_ret (err);
          if (exists && !own && w->n > mark)
            add_at (w, mark, path, CONTAINER_CHANGE_MODIFY);
        }
      else if (exists)
        add (w, path, CONTAINER_CHANGE_MODIFY); /* copied up: touched */
    }
  return 0;
}

static int
report (struct walk *w, container_change_fn fn, void *ud, berth_error_t *err)
{
  int r = 0;

  for (size_t i = 0; i < w->n && r == 0; i++)
    r = fn (ud, w->v[i].path, w->v[i].kind);
  if (r < 0)
    return berth_error_make (err, -r, "changes: interrupted");
  return 0;
}

static void
walk_clear (struct walk *w)
{
  for (size_t i = 0; i < w->n; i++)
    free (w->v[i].path);
  free (w->v);
  for (size_t i = 0; i < w->n_lowers; i++)
    if (w->lowers[i] >= 0)
      close (w->lowers[i]);
  free (w->lowers);
}

static int
driver_change (void *ud, const char *path, uint32_t kind)
{
  struct walk *w = ud;
  enum container_change_kind k = kind == BERTH_CHANGE_ADD      ? CONTAINER_CHANGE_ADD
                                 : kind == BERTH_CHANGE_DELETE ? CONTAINER_CHANGE_DELETE
                                                               : CONTAINER_CHANGE_MODIFY;
  cleanup_free char *abs = path[0] == '/' ? xstrdup (path) : xasprintf ("/%s", path);

  add (w, abs, k);
  return 0;
}

int
container_fs_changes (const struct container_fs *fs, container_change_fn fn, void *ud, berth_error_t *err)
{
  const struct berth_storage_ops *ops = &fs->storage->ops.storage;
  struct walk w = { 0 };
  cleanup_close int ufd = -1;
  cleanup_close int lfd = -1;
  int r;

  if (ops->changes != NULL)
    {
      const char *parent = fs->c->image_storage[0] != '\0' ? fs->c->image_storage : NULL;
      r = ops->changes (fs->storage->drv, fs->c->rw_layer, parent, driver_change, &w, err);
      if (r < 0)
        berth_error_wrap (err, "storage driver %s: changes", fs->storage->name);
    }
  else if (fs->upper != NULL)
    {
      ufd = open (fs->upper, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (ufd < 0)
        {
          walk_clear (&w);
          return berth_error_errno (err, errno, "open `%s`", fs->upper);
        }
      w.n_lowers = image_strv_len (fs->lowers);
      w.lowers = xmalloc0 ((w.n_lowers + 1) * sizeof (int));
      for (size_t i = 0; i < w.n_lowers; i++)
        if ((w.lowers[i] = open (fs->lowers[i], O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
          {
            r = berth_error_errno (err, errno, "open `%s`", fs->lowers[i]);
            walk_clear (&w);
            return r;
          }
      r = walk_upper (&w, ufd, "", w.n_lowers > 0, err);
    }
  else
    {
      ufd = open (fs->merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (ufd < 0)
        {
          walk_clear (&w);
          return berth_error_errno (err, errno, "open `%s`", fs->merged);
        }
      if (fs->parent != NULL && (lfd = open (fs->parent, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
        {
          walk_clear (&w);
          return berth_error_errno (err, errno, "open `%s`", fs->parent);
        }
      r = walk_trees (&w, lfd, ufd, "", err);
    }
  if (r == 0)
    r = report (&w, fn, ud, err);
  walk_clear (&w);
  return r;
}
