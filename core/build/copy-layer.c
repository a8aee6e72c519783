/* COPY's layer without a container diff (see copy-layer.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "core/build/copy-layer.h"
#include "core/lib/mem.h"

/* as the kernel's limit for one path lookup */
#define MAX_LINKS 40

struct out
{
  int fd;
  struct digest_ctx *digest;
  uint64_t size;
  int error; /* errno of a failed write */
};

static la_ssize_t
out_write (struct archive *a, void *ud, const void *buf, size_t len)
{
  struct out *o = ud;
  const char *p = buf;
  size_t left = len;

  while (left > 0)
    {
      ssize_t n = write (o->fd, p, left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          o->error = errno;
          archive_set_error (a, errno, "write the layer: %s", strerror (errno));
          return -1;
        }
      p += n;
      left -= (size_t)n;
    }
  digest_ctx_update (o->digest, buf, len);
  o->size += len;
  return (la_ssize_t)len;
}

/* the non-empty components of path, appended to v (n entries so far) */
static char **
split_append (char **v, size_t *n, const char *path)
{
  for (const char *p = path; *p != '\0';)
    {
      size_t len = strcspn (p, "/");
      if (len > 0)
        {
          v = xrealloc (v, (*n + 2) * sizeof (char *));
          v[(*n)++] = xstrndup (p, len);
          v[*n] = NULL;
        }
      p += len;
      while (*p == '/')
        p++;
    }
  if (v == NULL)
    v = xmalloc0 (sizeof (char *));
  return v;
}

static char *
join_names (char *const *v, size_t n)
{
  char *s = xstrdup ("");

  for (size_t i = 0; i < n; i++)
    {
      char *t = s[0] == '\0' ? xstrdup (v[i]) : xasprintf ("%s/%s", s, v[i]);
      free (s);
      s = t;
    }
  return s;
}

/* the process umask, without changing it (other threads create files) */
static mode_t
current_umask (void)
{
  cleanup_file FILE *f = fopen ("/proc/self/status", "re");
  char line[256];
  unsigned v;

  while (f != NULL && fgets (line, sizeof (line), f) != NULL)
    if (sscanf (line, "Umask: %o", &v) == 1)
      return (mode_t)v & 0777;
  return 022;
}

static bool
xattr_kept (const char *name)
{
  /* as the layer diff (core/image/layer-diff.c) keeps them */
  return strncmp (name, "trusted.overlay.", 16) != 0 && strncmp (name, "user.overlay.", 13) != 0
         && strcmp (name, "security.selinux") != 0;
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

/* the xattrs of the directory dir_fd (O_PATH), sorted by name as the diff */
static int
add_xattrs (struct archive_entry *ae, int dir_fd, const char *rel, berth_error_t *err)
{
  char path[64];
  cleanup_free char *list = NULL;
  cleanup_free char **names = NULL;
  size_t n = 0;
  ssize_t len;

  snprintf (path, sizeof (path), "/proc/self/fd/%d", dir_fd);
  len = listxattr (path, NULL, 0);
  if (len < 0 && (errno == ENOTSUP || errno == EPERM))
    return 0;
  if (len < 0)
    return berth_error_errno (err, errno, "list the xattrs of /%s", rel);
  if (len == 0)
    return 0;
  list = xmalloc ((size_t)len);
  len = listxattr (path, list, (size_t)len);
  if (len < 0)
    return berth_error_errno (err, errno, "list the xattrs of /%s", rel);
  for (char *p = list; p < list + len; p += strlen (p) + 1)
    if (xattr_kept (p))
      {
        names = xrealloc (names, (n + 1) * sizeof (char *));
        names[n++] = p;
      }
  if (n > 1)
    qsort (names, n, sizeof (char *), cmp_str);
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *value = NULL;
      ssize_t vl = getxattr (path, names[i], NULL, 0);
      if (vl >= 0)
        {
          value = xmalloc ((size_t)vl + 1);
          vl = getxattr (path, names[i], value, (size_t)vl);
        }
      if (vl < 0)
        return berth_error_errno (err, errno, "read the xattr %s of /%s", names[i], rel);
      archive_entry_xattr_add_entry (ae, names[i], value, (size_t)vl);
    }
  return 0;
}

static int
write_dir (struct archive *w, const char *name, mode_t perm, uid_t uid, gid_t gid, const struct timespec *mtime,
           int xattr_fd, berth_error_t *err)
{
  struct archive_entry *ae = archive_entry_new ();
  int r = 0;

  archive_entry_set_pathname (ae, name);
  archive_entry_set_mode (ae, S_IFDIR | (perm & 07777));
  archive_entry_set_uid (ae, uid);
  archive_entry_set_gid (ae, gid);
  archive_entry_set_mtime (ae, mtime->tv_sec, mtime->tv_nsec);
  archive_entry_set_size (ae, 0);
  if (xattr_fd >= 0)
    r = add_xattrs (ae, xattr_fd, name, err);
  if (r == 0 && archive_write_header (w, ae) != ARCHIVE_OK)
    r = berth_error_make (err, EIO, "write the layer: %s", archive_error_string (w));
  archive_entry_free (ae);
  return r;
}

/* where the sources go: the image's directories (names, stats, O_PATH
   fds) and the names missing below them */
struct resolved
{
  char **real;
  struct stat *st;
  int *fds;
  size_t n_real;
  char **missing;
  size_t n_missing;
};

static void
resolved_clear (struct resolved *res)
{
  for (size_t i = 0; i < res->n_real; i++)
    close (res->fds[i]);
  strv_free (res->real);
  free (res->st);
  free (res->fds);
  strv_free (res->missing);
  memset (res, 0, sizeof (*res));
}

static void
resolved_pop (struct resolved *res)
{
  if (res->n_real == 0)
    return;
  res->n_real--;
  close (res->fds[res->n_real]);
  free (res->real[res->n_real]);
  res->real[res->n_real] = NULL;
}

/* The directory the sources go into (the components of `want`), resolved
   in root_fd as the extraction does (symlinks followed inside the root, ".."
   of the root is the root).  1 when the case is left to the container: a
   symlink whose target is missing (the extraction creates the target), a
   file where a directory should be (its error says so), a loop. */
static int
resolve (int root_fd, char **want, size_t n_want, struct resolved *res, berth_error_t *err)
{
  cleanup_strv char **q = NULL; /* what is left to walk */
  size_t nq = 0, pos = 0;
  size_t link_end = 0; /* q[pos..link_end) came from symlink targets */
  int links = 0;

  memset (res, 0, sizeof (*res));
  res->real = xmalloc0 (sizeof (char *));
  q = xmalloc0 ((n_want + 1) * sizeof (char *));
  for (size_t i = 0; i < n_want; i++)
    q[nq++] = xstrdup (want[i]);
  while (pos < nq)
    {
      const char *name = q[pos];
      int cur = res->n_real > 0 ? res->fds[res->n_real - 1] : root_fd;
      struct stat st;

      if (strcmp (name, ".") == 0)
        {
          pos++;
          continue;
        }
      if (strcmp (name, "..") == 0)
        {
          resolved_pop (res); /* ".." of the root is the root */
          pos++;
          continue;
        }
      if (fstatat (cur, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        {
          if (errno != ENOENT)
            return berth_error_errno (err, errno, "stat %s in the image", name);
          if (pos < link_end)
            return 1; /* a symlink to a missing directory: created through it by the extraction */
          for (; pos < nq; pos++)
            if (strcmp (q[pos], ".") != 0)
              {
                res->missing = xrealloc (res->missing, (res->n_missing + 2) * sizeof (char *));
                res->missing[res->n_missing++] = xstrdup (q[pos]);
                res->missing[res->n_missing] = NULL;
              }
          return 0;
        }
      if (S_ISLNK (st.st_mode))
        {
          char target[4096];
          ssize_t n = readlinkat (cur, name, target, sizeof (target) - 1);
          char **nv = NULL;
          size_t nn = 0;
          if (n < 0)
            return berth_error_errno (err, errno, "read the symlink %s in the image", name);
          target[n] = '\0';
          if (++links > MAX_LINKS)
            return 1;
          if (target[0] == '/')
            while (res->n_real > 0)
              resolved_pop (res);
          /* the target's components, then what followed the link */
          nv = split_append (NULL, &nn, target);
          link_end = nn + (link_end > pos + 1 ? link_end - pos - 1 : 0);
          for (size_t i = pos + 1; i < nq; i++)
            {
              nv = xrealloc (nv, (nn + 2) * sizeof (char *));
              nv[nn++] = xstrdup (q[i]);
              nv[nn] = NULL;
            }
          strv_free (q);
          q = nv;
          nq = nn;
          pos = 0;
          continue;
        }
      if (!S_ISDIR (st.st_mode))
        return 1; /* the extraction's error says what is wrong */
      {
        int fd = openat (cur, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
          return berth_error_errno (err, errno, "open %s in the image", name);
        res->real = xrealloc (res->real, (res->n_real + 2) * sizeof (char *));
        res->st = xrealloc (res->st, (res->n_real + 1) * sizeof (*res->st));
        res->fds = xrealloc (res->fds, (res->n_real + 1) * sizeof (int));
        res->real[res->n_real] = xstrdup (name);
        res->st[res->n_real] = st;
        res->fds[res->n_real] = fd;
        res->n_real++;
        res->real[res->n_real] = NULL;
      }
      pos++;
    }
  return 0;
}

int
build_copy_layer (int root_fd, struct build_copy *c, const char *dest, bool dest_is_dir, int out_fd,
                  char ret_digest[DIGEST_BUF_SIZE], uint64_t *ret_size, berth_error_t *err)
{
  cleanup_strv char **comps = NULL;
  cleanup_free char *from = NULL, *to = NULL, *dir = NULL;
  cleanup_digest_ctx struct digest_ctx *d = NULL;
  struct resolved res = { 0 };
  struct out o = { .fd = out_fd };
  struct archive *w = NULL;
  struct timespec now;
  size_t n = 0, n_dir;
  mode_t perm = 0755 & ~current_umask ();
  int r;

  if (!build_copy_rebasable (c))
    return 1;
  /* "." is skipped as the extraction cleans it away (WORKDIR + "./");
     ".." it refuses */
  comps = split_append (NULL, &n, dest);
  for (size_t i = 0; i < n; i++)
    if (strcmp (comps[i], "..") == 0)
      return 1;
  if (!dest_is_dir && (n == 0 || strcmp (comps[n - 1], ".") == 0))
    return 1;
  n_dir = dest_is_dir ? n : n - 1;
  r = resolve (root_fd, comps, n_dir, &res, err);
  if (r != 0)
    {
      resolved_clear (&res);
      return r;
    }
  /* the names as collected: the destination without its leading '/' */
  while (*dest == '/')
    dest++;
  from = xstrdup (dest);
  if (dest_is_dir)
    {
      size_t l = strlen (from);
      while (l > 0 && from[l - 1] == '/')
        from[--l] = '\0';
    }
  {
    cleanup_free char *real = join_names (res.real, res.n_real);
    cleanup_free char *missing = join_names (res.missing, res.n_missing);
    dir = real[0] == '\0' ? xstrdup (missing)
                          : (missing[0] == '\0' ? xstrdup (real) : xasprintf ("%s/%s", real, missing));
  }
  if (dest_is_dir)
    to = xstrdup (dir);
  else
    to = dir[0] == '\0' ? xstrdup (comps[n - 1]) : xasprintf ("%s/%s", dir, comps[n - 1]);

  d = digest_ctx_new (err);
  if (d == NULL)
    {
      resolved_clear (&res);
      return berth_error_ret (err);
    }
  o.digest = d;
  clock_gettime (CLOCK_REALTIME, &now);
  w = archive_write_new ();
  archive_write_set_format_pax_restricted (w);
  /* as the layer diff writes it: 64 KiB blocks, no padding after the end */
  archive_write_set_bytes_per_block (w, 64 * 1024);
  archive_write_set_bytes_in_last_block (w, 1);
  r = archive_write_open (w, &o, NULL, out_write, NULL) == ARCHIVE_OK ? 0 : -1;
  if (r < 0)
    r = berth_error_make (err, EIO, "open the layer: %s", archive_error_string (w));
  /* the image's directories above the sources, as a copy-up keeps them;
     the one that gets the new names is modified now */
  for (size_t i = 0; r == 0 && i < res.n_real; i++)
    {
      cleanup_free char *name = join_names (res.real, i + 1);
      const struct stat *st = &res.st[i];
      bool last = i + 1 == res.n_real;
      r = write_dir (w, name, st->st_mode, st->st_uid, st->st_gid, last ? &now : &st->st_mtim, res.fds[i], err);
    }
  /* those the extraction would create */
  for (size_t i = 0; r == 0 && i < res.n_missing; i++)
    {
      cleanup_free char *real = join_names (res.real, res.n_real);
      cleanup_free char *missing = join_names (res.missing, i + 1);
      cleanup_free char *name = real[0] == '\0' ? xstrdup (missing) : xasprintf ("%s/%s", real, missing);
      r = write_dir (w, name, perm, geteuid (), getegid (), &now, -1, err);
    }
  if (r == 0)
    r = build_copy_write (c, w, from, to, err);
  if (r == 0 && archive_write_close (w) != ARCHIVE_OK)
    r = o.error != 0 ? berth_error_errno (err, o.error, "write the layer")
                     : berth_error_make (err, EIO, "finish the layer: %s", archive_error_string (w));
  archive_write_free (w);
  resolved_clear (&res);
  if (r < 0)
    return r;
  if (digest_ctx_final (d, ret_digest, err) < 0)
    return berth_error_ret (err);
  *ret_size = o.size;
  return 0;
}
