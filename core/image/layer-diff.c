#include "config.h"

#include "core/image/layer-diff.h"
#include "core/lib/mem.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define BUF_SIZE (128 * 1024)

struct link_seen
{
  dev_t dev;
  ino_t ino;
  char *path;
};

struct diff_ctx
{
  struct archive *a;
  int out_fd;
  unsigned flags;
  struct digest_ctx *digest;
  uint64_t written;
  uint64_t entries;
  berth_error_t cb_err;
  struct link_seen *links;
  size_t n_links;
  /* headers of unchanged parent directories, owed before the first change
     below them (so a change deep in the tree carries its parents' metadata) */
  struct archive_entry **pending;
  size_t n_pending;
  char *buf;
};

static la_ssize_t
out_write (struct archive *a, void *ud, const void *buf, size_t len)
{
  struct diff_ctx *c = ud;
  const char *p = buf;
  size_t left = len;

  while (left > 0)
    {
      ssize_t n = write (c->out_fd, p, left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          berth_error_errno (&c->cb_err, errno, "write layer tar");
          archive_set_error (a, errno, "write");
          return -1;
        }
      p += n;
      left -= (size_t)n;
    }
  digest_ctx_update (c->digest, buf, len);
  c->written += len;
  return (la_ssize_t)len;
}

static int
archive_fail (struct diff_ctx *c, const char *what, berth_error_t *err)
{
  if (c->cb_err)
    {
      int r = berth_error_make (err, berth_error_code (&c->cb_err), "%s", berth_error_msg (&c->cb_err));
      berth_error_release (&c->cb_err);
      return r;
    }
  return berth_error_make (err, EIO, "%s: %s", what, archive_error_string (c->a));
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

/* sorted child names of dir_fd (NULL-terminated) */
static int
list_dir (int dir_fd, const char *rel, char ***ret, berth_error_t *err)
{
  int fd = openat (dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  char **v = NULL;
  size_t n = 0;
  DIR *d;
  struct dirent *de;

  if (fd < 0)
    return berth_error_errno (err, errno, "open `/%s`", rel);
  d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return berth_error_errno (err, errno, "open `/%s`", rel);
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
  if (v == NULL)
    v = xmalloc0 (sizeof (char *));
  if (n > 1) /* qsort's pointer must not be NULL, even for 0 items */
    qsort (v, n, sizeof (char *), cmp_str);
  *ret = v;
  return 0;
}

static char *
join (const char *rel, const char *name)
{
  return *rel ? xasprintf ("%s/%s", rel, name) : xstrdup (name);
}

static bool
xattr_kept (const char *name)
{
  return strncmp (name, "trusted.overlay.", 16) != 0 && strncmp (name, "user.overlay.", 13) != 0
         && strcmp (name, "security.selinux") != 0;
}

/* xattrs of parent_fd/name as a sorted "name\0value-len\0value" blob list */
static int
read_xattrs (int parent_fd, const char *name, char ***ret_names, char ***ret_values, size_t **ret_lens,
             berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("/proc/self/fd/%d/%s", parent_fd, name);
  cleanup_free char *list = NULL;
  ssize_t len;
  char **names = xmalloc0 (sizeof (char *)), **values = NULL, *p;
  size_t *lens = NULL, n = 0, i;

  len = llistxattr (path, NULL, 0);
  if (len < 0 && (errno == ENOTSUP || errno == EPERM))
    len = 0;
  if (len < 0)
    {
      free (names);
      return berth_error_errno (err, errno, "list xattrs of `%s`", name);
    }
  if (len > 0)
    {
      list = xmalloc ((size_t)len);
      len = llistxattr (path, list, (size_t)len);
      if (len < 0)
        {
          free (names);
          return berth_error_errno (err, errno, "list xattrs of `%s`", name);
        }
      for (p = list; p < list + len; p += strlen (p) + 1)
        if (xattr_kept (p))
          {
            names = xrealloc (names, (n + 2) * sizeof (char *));
            names[n++] = xstrdup (p);
            names[n] = NULL;
          }
      if (n > 1) /* qsort's pointer must not be NULL, even for 0 items */
        qsort (names, n, sizeof (char *), cmp_str);
    }
  values = xmalloc0 ((n + 1) * sizeof (char *));
  lens = xmalloc0 ((n + 1) * sizeof (size_t));
  for (i = 0; i < n; i++)
    {
      ssize_t vl = lgetxattr (path, names[i], NULL, 0);
      if (vl >= 0)
        {
          values[i] = xmalloc ((size_t)vl + 1);
          vl = lgetxattr (path, names[i], values[i], (size_t)vl);
        }
      if (vl < 0)
        {
          int e = errno;
          strv_free (names);
          for (size_t j = 0; j <= i; j++)
            free (values[j]);
          free (values);
          free (lens);
          return berth_error_errno (err, e, "read xattr %s of `%s`", names[i], name);
        }
      lens[i] = (size_t)vl;
    }
  *ret_names = names;
  *ret_values = values;
  *ret_lens = lens;
  return 0;
}

static void
free_xattrs (char **names, char **values, size_t *lens)
{
  size_t i;

  for (i = 0; names && names[i]; i++)
    free (values[i]);
  strv_free (names);
  free (values);
  free (lens);
}

/* Fill e from st and the xattrs of parent_fd/name. */
static int
fill_entry (struct diff_ctx *c, struct archive_entry *e, int parent_fd, const char *name, const char *rel,
            const struct stat *st, berth_error_t *err)
{
  char **xn = NULL, **xv = NULL;
  size_t *xl = NULL, i;

  (void)c;
  archive_entry_set_pathname (e, rel);
  archive_entry_set_mode (e, st->st_mode);
  archive_entry_set_uid (e, st->st_uid);
  archive_entry_set_gid (e, st->st_gid);
  archive_entry_set_mtime (e, st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
  if (S_ISREG (st->st_mode))
    archive_entry_set_size (e, st->st_size);
  if (S_ISCHR (st->st_mode) || S_ISBLK (st->st_mode))
    archive_entry_set_rdev (e, st->st_rdev);
  if (S_ISLNK (st->st_mode))
    {
      char target[PATH_MAX];
      ssize_t n = readlinkat (parent_fd, name, target, sizeof (target) - 1);
      if (n < 0)
        return berth_error_errno (err, errno, "readlink `%s`", rel);
      target[n] = '\0';
      archive_entry_set_symlink (e, target);
    }
  if (read_xattrs (parent_fd, name, &xn, &xv, &xl, err) < 0)
    return berth_error_ret (err);
  for (i = 0; xn[i]; i++)
    archive_entry_xattr_add_entry (e, xn[i], xv[i], xl[i]);
  free_xattrs (xn, xv, xl);
  return 0;
}

static int
write_header (struct diff_ctx *c, struct archive_entry *e, const char *rel, berth_error_t *err)
{
  if (archive_write_header (c->a, e) < ARCHIVE_WARN)
    return archive_fail (c, rel, err);
  c->entries++;
  return 0;
}

static int emit (struct diff_ctx *c, struct archive_entry *e, const char *rel, berth_error_t *err);

static int
emit_file (struct diff_ctx *c, int parent_fd, const char *name, const char *rel, const struct stat *st,
           berth_error_t *err)
{
  struct archive_entry *e = archive_entry_new ();
  int r = -1;
  size_t i;

  if (S_ISREG (st->st_mode) && st->st_nlink > 1)
    for (i = 0; i < c->n_links; i++)
      if (c->links[i].dev == st->st_dev && c->links[i].ino == st->st_ino)
        {
          archive_entry_set_pathname (e, rel);
          archive_entry_set_mode (e, st->st_mode);
          archive_entry_set_uid (e, st->st_uid);
          archive_entry_set_gid (e, st->st_gid);
          archive_entry_set_mtime (e, st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
          archive_entry_set_hardlink (e, c->links[i].path);
          archive_entry_set_size (e, 0);
          r = emit (c, e, rel, err);
          archive_entry_free (e);
          return r;
        }
  if (fill_entry (c, e, parent_fd, name, rel, st, err) < 0)
    goto out;
  if ((r = emit (c, e, rel, err)) < 0)
    goto out;
  if (S_ISREG (st->st_mode))
    {
      cleanup_close int fd = openat (parent_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      off_t left = st->st_size;
      if (fd < 0)
        {
          r = berth_error_errno (err, errno, "open `%s`", rel);
          goto out;
        }
      while (left > 0)
        {
          ssize_t n = read (fd, c->buf, left < BUF_SIZE ? (size_t)left : BUF_SIZE);
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            {
              r = n < 0 ? berth_error_errno (err, errno, "read `%s`", rel)
                        : berth_error_make (err, EIO, "`%s` shrank while being archived", rel);
              goto out;
            }
          if (archive_write_data (c->a, c->buf, (size_t)n) != n)
            {
              r = archive_fail (c, rel, err);
              goto out;
            }
          left -= n;
        }
      if (st->st_nlink > 1)
        {
          c->links = xrealloc (c->links, (c->n_links + 1) * sizeof (*c->links));
          c->links[c->n_links].dev = st->st_dev;
          c->links[c->n_links].ino = st->st_ino;
          c->links[c->n_links].path = xstrdup (rel);
          c->n_links++;
        }
    }
  r = 0;
out:
  archive_entry_free (e);
  return r;
}

static int
emit (struct diff_ctx *c, struct archive_entry *e, const char *rel, berth_error_t *err)
{
  size_t i;

  for (i = 0; i < c->n_pending; i++)
    {
      if (write_header (c, c->pending[i], archive_entry_pathname (c->pending[i]), err) < 0)
        return berth_error_ret (err);
      archive_entry_free (c->pending[i]);
      c->pending[i] = NULL;
    }
  c->n_pending = 0;
  return write_header (c, e, rel, err);
}

static int
emit_named (struct diff_ctx *c, const char *rel, berth_error_t *err)
{
  struct archive_entry *e = archive_entry_new ();
  int r;

  archive_entry_set_pathname (e, rel);
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_perm (e, 0644);
  archive_entry_set_size (e, 0);
  archive_entry_set_mtime (e, 0, 0);
  r = emit (c, e, rel, err);
  archive_entry_free (e);
  return r;
}

static bool
is_overlay_whiteout (const struct stat *st)
{
  return S_ISCHR (st->st_mode) && major (st->st_rdev) == 0 && minor (st->st_rdev) == 0;
}

static bool
is_overlay_opaque (int parent_fd, const char *name)
{
  cleanup_free char *path = xasprintf ("/proc/self/fd/%d/%s", parent_fd, name);
  char v[2];
  ssize_t n = lgetxattr (path, "trusted.overlay.opaque", v, sizeof (v));

  return n == 1 && v[0] == 'y';
}

static int emit_tree (struct diff_ctx *c, int dir_fd, const char *rel, berth_error_t *err);

/* one child of a directory being archived in full */
static int
emit_child (struct diff_ctx *c, int dir_fd, const char *name, const char *rel, const struct stat *st,
            berth_error_t *err)
{
  if (S_ISDIR (st->st_mode))
    {
      cleanup_close int sub = -1;
      struct archive_entry *e = archive_entry_new ();
      int r = fill_entry (c, e, dir_fd, name, rel, st, err);
      if (r == 0)
        r = emit (c, e, rel, err);
      archive_entry_free (e);
      if (r < 0)
        return r;
      sub = openat (dir_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0)
        return berth_error_errno (err, errno, "open `%s`", rel);
      if ((c->flags & LAYER_DIFF_OVERLAY_UPPER) && is_overlay_opaque (dir_fd, name))
        {
          cleanup_free char *opq = xasprintf ("%s/.wh..wh..opq", rel);
          if (emit_named (c, opq, err) < 0)
            return berth_error_ret (err);
        }
      return emit_tree (c, sub, rel, err);
    }
  return emit_file (c, dir_fd, name, rel, st, err);
}

static int
emit_tree (struct diff_ctx *c, int dir_fd, const char *rel, berth_error_t *err)
{
  cleanup_strv char **names = NULL;
  size_t i;
  int pass;

  if (list_dir (dir_fd, rel, &names, err) < 0)
    return berth_error_ret (err);
  /* pass 0: overlay whiteouts (so they precede their siblings), pass 1: the rest */
  for (pass = 0; pass < 2; pass++)
    for (i = 0; names[i]; i++)
      {
        cleanup_free char *child = join (rel, names[i]);
        struct stat st;
        bool wh;
        if (fstatat (dir_fd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
          return berth_error_errno (err, errno, "stat `%s`", child);
        wh = (c->flags & LAYER_DIFF_OVERLAY_UPPER) && is_overlay_whiteout (&st);
        if (pass == 0 && wh)
          {
            cleanup_free char *w = xasprintf ("%s%s.wh.%s", rel, *rel ? "/" : "", names[i]);
            if (emit_named (c, w, err) < 0)
              return berth_error_ret (err);
          }
        else if (pass == 1 && !wh && emit_child (c, dir_fd, names[i], child, &st, err) < 0)
          return berth_error_ret (err);
      }
  return 0;
}

static bool
same_xattrs (int lfd, int ufd, const char *name)
{
  char **ln = NULL, **lv = NULL, **un = NULL, **uv = NULL;
  size_t *ll = NULL, *ul = NULL, i;
  bool same = true;

  if (read_xattrs (lfd, name, &ln, &lv, &ll, NULL) < 0)
    return false;
  if (read_xattrs (ufd, name, &un, &uv, &ul, NULL) < 0)
    {
      free_xattrs (ln, lv, ll);
      return false;
    }
  for (i = 0; same && (ln[i] || un[i]); i++)
    same = ln[i] && un[i] && strcmp (ln[i], un[i]) == 0 && ll[i] == ul[i] && memcmp (lv[i], uv[i], ll[i]) == 0;
  free_xattrs (ln, lv, ll);
  free_xattrs (un, uv, ul);
  return same;
}

static bool
entry_changed (int lfd, int ufd, const char *name, const struct stat *ls, const struct stat *us)
{
  if ((ls->st_mode & S_IFMT) != (us->st_mode & S_IFMT) || ls->st_mode != us->st_mode || ls->st_uid != us->st_uid
      || ls->st_gid != us->st_gid || ls->st_rdev != us->st_rdev)
    return true;
  if (!S_ISDIR (us->st_mode)
      && (ls->st_size != us->st_size || ls->st_mtim.tv_sec != us->st_mtim.tv_sec
          || ls->st_mtim.tv_nsec != us->st_mtim.tv_nsec))
    return true;
  if (S_ISLNK (us->st_mode))
    {
      char a[PATH_MAX], b[PATH_MAX];
      ssize_t na = readlinkat (lfd, name, a, sizeof (a)), nb = readlinkat (ufd, name, b, sizeof (b));
      if (na != nb || na < 0 || memcmp (a, b, (size_t)na) != 0)
        return true;
    }
  return !same_xattrs (lfd, ufd, name);
}

static int
diff_tree (struct diff_ctx *c, int lfd, int ufd, const char *rel, berth_error_t *err)
{
  cleanup_strv char **lnames = NULL;
  cleanup_strv char **unames = NULL;
  size_t i, j;

  if (list_dir (lfd, rel, &lnames, err) < 0 || list_dir (ufd, rel, &unames, err) < 0)
    return berth_error_ret (err);
  /* removed entries first, as whiteouts */
  for (i = 0, j = 0; lnames[i]; i++)
    {
      while (unames[j] && strcmp (unames[j], lnames[i]) < 0)
        j++;
      if (unames[j] == NULL || strcmp (unames[j], lnames[i]) != 0)
        {
          cleanup_free char *w = xasprintf ("%s%s.wh.%s", rel, *rel ? "/" : "", lnames[i]);
          if (emit_named (c, w, err) < 0)
            return berth_error_ret (err);
        }
    }
  for (j = 0, i = 0; unames[j]; j++)
    {
      cleanup_free char *child = join (rel, unames[j]);
      struct stat us, ls;
      bool in_lower;
      while (lnames[i] && strcmp (lnames[i], unames[j]) < 0)
        i++;
      in_lower = lnames[i] && strcmp (lnames[i], unames[j]) == 0;
      if (fstatat (ufd, unames[j], &us, AT_SYMLINK_NOFOLLOW) < 0)
        return berth_error_errno (err, errno, "stat `%s`", child);
      if (in_lower && fstatat (lfd, unames[j], &ls, AT_SYMLINK_NOFOLLOW) < 0)
        return berth_error_errno (err, errno, "stat lower `%s`", child);
      if (!in_lower || (ls.st_mode & S_IFMT) != (us.st_mode & S_IFMT)
          || (!S_ISDIR (us.st_mode) && entry_changed (lfd, ufd, unames[j], &ls, &us)))
        {
          if (emit_child (c, ufd, unames[j], child, &us, err) < 0)
            return berth_error_ret (err);
          continue;
        }
      if (S_ISDIR (us.st_mode))
        {
          cleanup_close int lsub = openat (lfd, unames[j], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          cleanup_close int usub = openat (ufd, unames[j], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          struct archive_entry *e = archive_entry_new ();
          size_t mark = c->n_pending;
          if (lsub < 0 || usub < 0)
            {
              archive_entry_free (e);
              return berth_error_errno (err, errno, "open `%s`", child);
            }
          if (fill_entry (c, e, ufd, unames[j], child, &us, err) < 0)
            {
              archive_entry_free (e);
              return berth_error_ret (err);
            }
          if (entry_changed (lfd, ufd, unames[j], &ls, &us))
            {
              int r = emit (c, e, child, err);
              archive_entry_free (e);
              if (r < 0)
                return r;
            }
          else
            {
              /* owed only if something below changes */
              c->pending = xrealloc (c->pending, (c->n_pending + 1) * sizeof (*c->pending));
              c->pending[c->n_pending++] = e;
            }
          if (diff_tree (c, lsub, usub, child, err) < 0)
            return berth_error_ret (err);
          /* nothing below changed: forget the owed header */
          while (c->n_pending > mark)
            archive_entry_free (c->pending[--c->n_pending]);
        }
    }
  return 0;
}

static int
run (const char *lower, const char *upper, unsigned flags, int out_fd, struct layer_diff_result *result,
     berth_error_t *err)
{
  struct diff_ctx c = { 0 };
  cleanup_close int ufd = -1;
  cleanup_close int lfd = -1;
  int r = -1;
  size_t i;

  c.out_fd = out_fd;
  c.flags = flags;
  c.buf = xmalloc (BUF_SIZE);
  c.digest = digest_ctx_new (err);
  if (c.digest == NULL)
    goto out;
  ufd = open (upper, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (ufd < 0)
    {
      r = berth_error_errno (err, errno, "open `%s`", upper);
      goto out;
    }
  if (lower && (lfd = open (lower, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
    {
      r = berth_error_errno (err, errno, "open `%s`", lower);
      goto out;
    }
  c.a = archive_write_new ();
  if (c.a == NULL)
    oom ();
  archive_write_set_format_pax_restricted (c.a);
  /* end with the two zero blocks, no padding to a record (bytes in the
     last block 1); written in 64 KiB blocks, not one write per 512 bytes */
  archive_write_set_bytes_per_block (c.a, 64 * 1024);
  archive_write_set_bytes_in_last_block (c.a, 1);
  if (archive_write_open (c.a, &c, NULL, out_write, NULL) != ARCHIVE_OK)
    {
      r = archive_fail (&c, "open tar writer", err);
      goto out;
    }
  r = lower ? diff_tree (&c, lfd, ufd, "", err) : emit_tree (&c, ufd, "", err);
  if (r < 0)
    goto out;
  if (archive_write_close (c.a) != ARCHIVE_OK)
    {
      r = archive_fail (&c, "finish tar", err);
      goto out;
    }
  if (result)
    {
      result->size = c.written;
      result->entries = c.entries;
      r = digest_ctx_final (c.digest, result->diff_id, err);
    }
  else
    r = 0;
out:
  while (c.n_pending > 0)
    archive_entry_free (c.pending[--c.n_pending]);
  free (c.pending);
  if (c.a)
    archive_write_free (c.a);
  digest_ctx_free (c.digest);
  berth_error_release (&c.cb_err);
  for (i = 0; i < c.n_links; i++)
    free (c.links[i].path);
  free (c.links);
  free (c.buf);
  return r;
}

int
layer_diff_tar_dir (const char *dir, unsigned flags, int out_fd, struct layer_diff_result *result, berth_error_t *err)
{
  return run (NULL, dir, flags, out_fd, result, err);
}

int
layer_diff_changes (const char *lower, const char *upper, int out_fd, struct layer_diff_result *result,
                    berth_error_t *err)
{
  return run (lower, upper, 0, out_fd, result, err);
}
