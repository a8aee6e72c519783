/* COPY/ADD sources: collect, hash, tar (see copy.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "core/build/copy.h"
#include "core/lib/mem.h"
#include "core/lib/openat2.h"

struct entry
{
  size_t src;      /* index of the top-level source */
  char *rel;       /* below that source ("" = the source itself) */
  char *name;      /* tar name: the destination without the leading '/' */
  struct stat st;
  char *link;      /* symlink target */
  bool archive;    /* ADD: unpack into name */
};

struct build_copy
{
  struct build_copy_opts o;
  int *fds; /* O_PATH fd of each resolved source */
  size_t n_fds;
  struct entry *e;
  size_t n, cap;
  char kind[80];
};

void
build_copy_free (struct build_copy *c)
{
  if (c == NULL)
    return;
  for (size_t i = 0; i < c->n_fds; i++)
    if (c->fds[i] >= 0)
      close (c->fds[i]);
  free (c->fds);
  for (size_t i = 0; i < c->n; i++)
    {
      free (c->e[i].rel);
      free (c->e[i].name);
      free (c->e[i].link);
    }
  free (c->e);
  free (c);
}

int
build_parse_chmod (const char *s, mode_t *ret, berth_error_t *err)
{
  char *end = NULL;
  unsigned long v;

  errno = 0;
  v = strtoul (s, &end, 8);
  if (s[0] == '\0' || *end != '\0' || errno != 0 || v > 07777)
    return berth_error_make (err, EINVAL, "invalid --chmod value \"%s\": expected an octal mode such as 0644", s);
  *ret = (mode_t)v;
  return 0;
}

static char *
join (const char *a, const char *b)
{
  if (a[0] == '\0')
    return xstrdup (b);
  if (b[0] == '\0')
    return xstrdup (a);
  return xasprintf ("%s/%s", a, b);
}

static void
add_entry (struct build_copy *c, size_t src, const char *rel, const char *name, const struct stat *st,
           const char *link, bool archive)
{
  struct entry *e;

  if (c->n == c->cap)
    {
      c->cap = c->cap * 2 + 32;
      c->e = xrealloc (c->e, c->cap * sizeof (*c->e));
    }
  e = &c->e[c->n++];
  e->src = src;
  e->rel = xstrdup (rel);
  e->name = xstrdup (name);
  e->st = *st;
  e->link = link != NULL ? xstrdup (link) : NULL;
  e->archive = archive;
}

static int
cmp_names (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

/* names in a directory, sorted */
static char **
list_dir (int dir_fd, berth_error_t *err)
{
  int fd = openat (dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d;
  struct dirent *de;
  char **v = NULL;
  size_t n = 0, cap = 0;

  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      berth_error_errno (err, errno, "read a source directory");
      if (fd >= 0)
        close (fd);
      return NULL;
    }
  while ((de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (n + 2 > cap)
        {
          cap = cap * 2 + 16;
          v = xrealloc (v, cap * sizeof (char *));
        }
      v[n++] = xstrdup (de->d_name);
    }
  closedir (d);
  if (v == NULL)
    v = xmalloc0 (sizeof (char *));
  v[n] = NULL;
  qsort (v, n, sizeof (char *), cmp_names);
  return v;
}

/* the directory tree below src_fd/rel into entries named dest/... */
static int
walk (struct build_copy *c, size_t src, int dir_fd, const char *rel, const char *name, int depth, berth_error_t *err)
{
  cleanup_strv char **names = NULL;

  if (depth > 256)
    return berth_error_make (err, ELOOP, "%s: directories nested too deep", c->o.what);
  names = list_dir (dir_fd, err);
  if (names == NULL)
    return berth_error_ret (err);
  for (size_t i = 0; names[i] != NULL; i++)
    {
      cleanup_free char *r = join (rel, names[i]);
      cleanup_free char *nm = join (name, names[i]);
      cleanup_free char *link = NULL;
      struct stat st;

      if (fstatat (dir_fd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
        return berth_error_errno (err, errno, "%s: stat %s", c->o.what, r);
      if (S_ISSOCK (st.st_mode))
        continue;
      if (S_ISLNK (st.st_mode))
        {
          char buf[4096];
          ssize_t n = readlinkat (dir_fd, names[i], buf, sizeof (buf) - 1);
          if (n < 0)
            return berth_error_errno (err, errno, "%s: readlink %s", c->o.what, r);
          buf[n] = '\0';
          link = xstrdup (buf);
        }
      add_entry (c, src, r, nm, &st, link, false);
      if (S_ISDIR (st.st_mode))
        {
          cleanup_close int sub = openat (dir_fd, names[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (sub < 0)
            return berth_error_errno (err, errno, "%s: open %s", c->o.what, r);
          if (walk (c, src, sub, r, nm, depth + 1, err) < 0)
            return berth_error_ret (err);
        }
    }
  return 0;
}

static bool
has_glob (const char *s)
{
  return strpbrk (s, "*?[") != NULL;
}

/* Expand a pattern against the root, one component at a time. */
static int
glob_expand (int root_fd, const char *pattern, char ***out, size_t *n, berth_error_t *err)
{
  cleanup_strv char **parts = NULL;
  char **cur, **next;
  size_t np = 0, cap = 8;

  parts = xmalloc0 (cap * sizeof (char *));
  for (const char *p = pattern; *p != '\0';)
    {
      size_t len = strcspn (p, "/");
      if (len > 0 && !(len == 1 && p[0] == '.'))
        {
          if (np + 2 > cap)
            parts = xrealloc (parts, (cap *= 2) * sizeof (char *));
          parts[np++] = xstrndup (p, len);
          parts[np] = NULL;
        }
      p += len;
      while (*p == '/')
        p++;
    }
  cur = xmalloc0 (2 * sizeof (char *));
  cur[0] = xstrdup ("");
  for (size_t k = 0; k < np; k++)
    {
      size_t nn = 0, ncap = 8;
      next = xmalloc0 (ncap * sizeof (char *));
      for (size_t i = 0; cur[i] != NULL; i++)
        {
          if (!has_glob (parts[k]))
            {
              if (nn + 2 > ncap)
                next = xrealloc (next, (ncap *= 2) * sizeof (char *));
              next[nn++] = join (cur[i], parts[k]);
              next[nn] = NULL;
              continue;
            }
          {
            struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
            cleanup_close int fd = berth_openat2 (root_fd, cur[i][0] != '\0' ? cur[i] : ".", &how);
            cleanup_strv char **names = NULL;
            if (fd < 0)
              continue;
            names = list_dir (fd, err);
            if (names == NULL)
              {
                strv_free (cur);
                strv_free (next);
                return berth_error_ret (err);
              }
            for (size_t j = 0; names[j] != NULL; j++)
              if (fnmatch (parts[k], names[j], 0) == 0)
                {
                  if (nn + 2 > ncap)
                    next = xrealloc (next, (ncap *= 2) * sizeof (char *));
                  next[nn++] = join (cur[i], names[j]);
                  next[nn] = NULL;
                }
          }
        }
      strv_free (cur);
      cur = next;
    }
  for (size_t i = 0; cur[i] != NULL; i++)
    {
      *out = xrealloc (*out, (*n + 2) * sizeof (char *));
      (*out)[(*n)++] = steal_pointer (&cur[i]);
      (*out)[*n] = NULL;
    }
  strv_free (cur);
  return 0;
}

static const char *
base_name (const char *s)
{
  const char *b = strrchr (s, '/');
  return b != NULL ? b + 1 : s;
}

/* is the file an archive libarchive can unpack (tar, possibly compressed)? */
static bool
is_archive (int path_fd)
{
  cleanup_free char *p = xasprintf ("/proc/self/fd/%d", path_fd);
  struct archive *a = archive_read_new ();
  struct archive_entry *ae;
  bool ok;
  int fd = open (p, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    {
      archive_read_free (a);
      return false;
    }
  archive_read_support_filter_all (a);
  archive_read_support_format_tar (a);
  ok = archive_read_open_fd (a, fd, 64 * 1024) == ARCHIVE_OK && archive_read_next_header (a, &ae) == ARCHIVE_OK;
  archive_read_free (a);
  close (fd);
  return ok;
}

int
build_copy_collect (const struct build_copy_opts *o, struct build_copy **ret, berth_error_t *err)
{
  struct build_copy *c = xmalloc0 (sizeof (*c));
  cleanup_strv char **srcs = NULL;
  size_t n = 0;
  const char *dest = o->dest;
  bool dest_dir = o->dest_is_dir;

  c->o = *o;
  while (*dest == '/')
    dest++;
  for (size_t i = 0; o->sources[i] != NULL; i++)
    {
      const char *s = o->sources[i];
      if (strncmp (s, "http://", 7) == 0 || strncmp (s, "https://", 8) == 0 || strncmp (s, "git@", 4) == 0)
        {
          build_copy_free (c);
          if (strcmp (o->what, "ADD") == 0)
            return berth_error_make (err, ENOTSUP, "ADD %s: sources from URLs are not supported yet; download the "
                                                   "file into the build context instead", s);
          return berth_error_make (err, EINVAL, "COPY %s: source can't be a URL for COPY", s);
        }
      if (has_glob (s))
        {
          size_t before = n;
          if (glob_expand (o->root_fd, s, &srcs, &n, err) < 0)
            {
              build_copy_free (c);
              return berth_error_ret (err);
            }
          if (n == before)
            {
              build_copy_free (c);
              return berth_error_make (err, ENOENT, "%s failed: no source files were specified (%s matches nothing)",
                                       o->what, s);
            }
        }
      else
        {
          srcs = xrealloc (srcs, (n + 2) * sizeof (char *));
          srcs[n++] = xstrdup (s);
          srcs[n] = NULL;
        }
    }
  if (n > 1 && !dest_dir)
    {
      build_copy_free (c);
      return berth_error_make (err, EINVAL,
                               "When using %s with more than one source file, the destination must be a directory "
                               "and end with a /",
                               o->what);
    }
  c->fds = xmalloc0 (n * sizeof (int));
  for (size_t i = 0; i < n; i++)
    c->fds[i] = -1;
  c->n_fds = n;
  for (size_t i = 0; i < n; i++)
    {
      struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
      struct stat st;
      const char *rel = srcs[i];
      cleanup_free char *name = NULL;

      while (*rel == '/')
        rel++;
      c->fds[i] = berth_openat2 (o->root_fd, rel[0] != '\0' ? rel : ".", &how);
      if (c->fds[i] < 0 || fstat (c->fds[i], &st) < 0)
        {
          int e = errno;
          build_copy_free (c);
          if (e == ENOENT)
            return berth_error_make (err, ENOENT,
                                     "%s failed: file not found in build context or excluded by .dockerignore: stat "
                                     "%s: file does not exist",
                                     o->what, srcs[i]);
          return berth_error_errno (err, e, "%s failed: %s", o->what, srcs[i]);
        }
      if (S_ISDIR (st.st_mode))
        {
          /* a directory's content goes into dest */
          snprintf (c->kind, sizeof (c->kind), "dir");
          if (walk (c, i, c->fds[i], "", dest, 0, err) < 0)
            {
              build_copy_free (c);
              return berth_error_ret (err);
            }
          continue;
        }
      if (!S_ISREG (st.st_mode))
        {
          build_copy_free (c);
          return berth_error_make (err, EINVAL, "%s failed: %s is not a regular file or directory", o->what, srcs[i]);
        }
      if (c->kind[0] == '\0')
        snprintf (c->kind, sizeof (c->kind), "file");
      if (o->add && is_archive (c->fds[i]))
        {
          add_entry (c, i, "", dest, &st, NULL, true);
          continue;
        }
      name = dest_dir ? join (dest, base_name (srcs[i])) : xstrdup (dest);
      if (name[0] == '\0')
        {
          build_copy_free (c);
          return berth_error_make (err, EINVAL, "%s failed: cannot copy the file %s to /", o->what, srcs[i]);
        }
      add_entry (c, i, "", name, &st, NULL, false);
    }
  *ret = c;
  return 0;
}

/* an fd to read the entry's data */
static int
open_entry (struct build_copy *c, const struct entry *e, berth_error_t *err)
{
  int fd;

  if (e->rel[0] == '\0')
    {
      cleanup_free char *p = xasprintf ("/proc/self/fd/%d", c->fds[e->src]);
      fd = open (p, O_RDONLY | O_CLOEXEC);
    }
  else
    {
      struct open_how how = { .flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC,
                              .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS };
      fd = berth_openat2 (c->fds[e->src], e->rel, &how);
    }
  if (fd < 0)
    return berth_error_errno (err, errno, "%s: open %s", c->o.what, e->rel[0] != '\0' ? e->rel : e->name);
  return fd;
}

static void
entry_owner (const struct build_copy *c, uint32_t *uid, uint32_t *gid)
{
  *uid = c->o.chown ? c->o.uid : 0;
  *gid = c->o.chown ? c->o.gid : 0;
}

static mode_t
entry_mode (const struct build_copy *c, const struct entry *e)
{
  if (c->o.chmod && !S_ISLNK (e->st.st_mode))
    return c->o.mode;
  return e->st.st_mode & 07777;
}

/* the sha256 of a file's contents, remembered for the next build */
static int
file_digest (struct build_copy *c, const struct entry *e, char ret[DIGEST_BUF_SIZE], berth_error_t *err)
{
  cleanup_close int fd = open_entry (c, e, err);
  struct stat st;

  if (fd < 0)
    return fd;
  /* keyed by the state before the read: a change while reading moves the
     ctime on, so this record cannot match the changed file */
  if (fstat (fd, &st) < 0)
    return berth_error_errno (err, errno, "%s: stat %s", c->o.what, e->name);
  if (digest_fd (fd, ret, NULL, err) < 0)
    return berth_error_wrap (err, "%s: read %s", c->o.what, e->name);
  build_file_digests_put (c->o.digests, &st, ret);
  return 0;
}

int
build_copy_hash (struct build_copy *c, char ret[DIGEST_BUF_SIZE], berth_error_t *err)
{
  cleanup_digest_ctx struct digest_ctx *d = digest_ctx_new (err);

  if (d == NULL)
    return berth_error_ret (err);
  for (size_t i = 0; i < c->n; i++)
    {
      const struct entry *e = &c->e[i];
      uint32_t uid, gid;
      char head[128];

      entry_owner (c, &uid, &gid);
      snprintf (head, sizeof (head), "%o %u %u %lld %d", (unsigned)(e->st.st_mode & S_IFMT) | entry_mode (c, e), uid,
                gid, (long long)e->st.st_size, e->archive);
      digest_ctx_update (d, e->name, strlen (e->name) + 1);
      digest_ctx_update (d, head, strlen (head) + 1);
      if (e->link != NULL)
        digest_ctx_update (d, e->link, strlen (e->link) + 1);
      if (S_ISREG (e->st.st_mode))
        {
          char fd_digest[DIGEST_BUF_SIZE];
          if (!build_file_digests_get (c->o.digests, &e->st, fd_digest)
              && file_digest (c, e, fd_digest, err) < 0)
            return berth_error_ret (err);
          digest_ctx_update (d, fd_digest, strlen (fd_digest) + 1);
        }
    }
  if (digest_ctx_final (d, ret, err) < 0)
    return berth_error_ret (err);
  if (c->kind[0] != '\0' && strchr (c->kind, ':') == NULL)
    {
      const char *k = strcmp (c->kind, "dir") == 0 ? "dir" : "file";
      snprintf (c->kind, sizeof (c->kind), "%s:%s", k, digest_hex (ret));
    }
  return 0;
}

const char *
build_copy_kind (const struct build_copy *c)
{
  return c->kind;
}

static int
ar_fail (struct archive *a, const char *what, berth_error_t *err)
{
  return berth_error_make (err, EIO, "%s: %s", what, archive_error_string (a) != NULL ? archive_error_string (a) : "?");
}

/* a cleaned archive member name below prefix, or NULL when it escapes */
static char *
member_name (const char *prefix, const char *path)
{
  cleanup_free char *out = xstrdup ("");

  for (const char *p = path; *p != '\0';)
    {
      size_t len = strcspn (p, "/");
      if (len == 2 && p[0] == '.' && p[1] == '.')
        return NULL;
      if (len > 0 && !(len == 1 && p[0] == '.'))
        {
          char *seg = xstrndup (p, len);
          char *j = join (out, seg);
          free (seg);
          free (out);
          out = j;
        }
      p += len;
      while (*p == '/')
        p++;
    }
  if (out[0] == '\0')
    return xstrdup (prefix);
  return join (prefix, out);
}

/* ADD of a local archive: its members, renamed below the destination */
static int
copy_archive (struct build_copy *c, const struct entry *e, struct archive *w, berth_error_t *err)
{
  cleanup_close int fd = open_entry (c, e, err);
  struct archive *a;
  struct archive_entry *ae;
  char buf[64 * 1024];
  int r = 0;

  if (fd < 0)
    return fd;
  a = archive_read_new ();
  archive_read_support_filter_all (a);
  archive_read_support_format_tar (a);
  if (archive_read_open_fd (a, fd, sizeof (buf)) != ARCHIVE_OK)
    {
      r = ar_fail (a, "ADD: open the archive", err);
      archive_read_free (a);
      return r;
    }
  for (;;)
    {
      int h = archive_read_next_header (a, &ae);
      cleanup_free char *name = NULL;
      if (h == ARCHIVE_EOF)
        break;
      if (h != ARCHIVE_OK && h != ARCHIVE_WARN)
        {
          r = ar_fail (a, "ADD: read the archive", err);
          break;
        }
      name = member_name (e->name, archive_entry_pathname (ae));
      if (name == NULL)
        {
          r = berth_error_make (err, EINVAL, "ADD: the archive member %s leads out of the destination",
                                archive_entry_pathname (ae));
          break;
        }
      if (name[0] == '\0')
        continue;
      archive_entry_set_pathname (ae, name);
      if (archive_entry_hardlink (ae) != NULL)
        {
          cleanup_free char *t = member_name (e->name, archive_entry_hardlink (ae));
          if (t == NULL)
            {
              r = berth_error_make (err, EINVAL, "ADD: the archive's hard link %s leads out of the destination",
                                    archive_entry_hardlink (ae));
              break;
            }
          archive_entry_set_hardlink (ae, t);
        }
      if (archive_write_header (w, ae) != ARCHIVE_OK)
        {
          r = ar_fail (w, "ADD: write the layer", err);
          break;
        }
      for (;;)
        {
          la_ssize_t n = archive_read_data (a, buf, sizeof (buf));
          if (n < 0)
            {
              r = ar_fail (a, "ADD: read the archive", err);
              break;
            }
          if (n == 0)
            break;
          if (archive_write_data (w, buf, (size_t)n) < 0)
            {
              r = ar_fail (w, "ADD: write the layer", err);
              break;
            }
        }
      if (r < 0)
        break;
    }
  archive_read_free (a);
  return r;
}

/* the entry's name with the prefix `from` replaced by `to` (see
   build_copy_write); NULL when it does not start with from */
static char *
rebased_name (const char *name, const char *from, const char *to)
{
  size_t n = strlen (from);

  if (from[0] == '\0')
    return join (to, name);
  if (strncmp (name, from, n) != 0 || (name[n] != '\0' && name[n] != '/'))
    return NULL;
  name += n;
  while (*name == '/')
    name++;
  return join (to, name);
}

int
build_copy_write (struct build_copy *c, struct archive *w, const char *from, const char *to, berth_error_t *err)
{
  char buf[64 * 1024];
  int r = 0;

  for (size_t i = 0; i < c->n && r == 0; i++)
    {
      const struct entry *e = &c->e[i];
      struct archive_entry *ae;
      cleanup_free char *name = NULL;
      uint32_t uid, gid;

      if (e->archive)
        {
          if (from != NULL)
            return berth_error_make (err, EINVAL, "%s: an archive cannot be rebased", c->o.what);
          r = copy_archive (c, e, w, err);
          continue;
        }
      if (from != NULL && (name = rebased_name (e->name, from, to)) == NULL)
        return berth_error_make (err, EINVAL, "%s: %s is not below %s", c->o.what, e->name, from);
      entry_owner (c, &uid, &gid);
      ae = archive_entry_new ();
      archive_entry_set_pathname (ae, name != NULL ? name : e->name);
      archive_entry_set_mode (ae, (e->st.st_mode & S_IFMT) | entry_mode (c, e));
      archive_entry_set_uid (ae, uid);
      archive_entry_set_gid (ae, gid);
      archive_entry_set_mtime (ae, e->st.st_mtim.tv_sec, e->st.st_mtim.tv_nsec);
      if (S_ISREG (e->st.st_mode))
        archive_entry_set_size (ae, e->st.st_size);
      else
        archive_entry_set_size (ae, 0);
      if (e->link != NULL)
        archive_entry_set_symlink (ae, e->link);
      if (S_ISCHR (e->st.st_mode) || S_ISBLK (e->st.st_mode))
        archive_entry_set_rdev (ae, e->st.st_rdev);
      if (archive_write_header (w, ae) != ARCHIVE_OK)
        r = ar_fail (w, "write the layer", err);
      if (r == 0 && S_ISREG (e->st.st_mode))
        {
          cleanup_close int fd = open_entry (c, e, err);
          int64_t left = e->st.st_size;
          if (fd < 0)
            r = fd;
          while (r == 0 && left > 0)
            {
              ssize_t n = read (fd, buf, left < (int64_t)sizeof (buf) ? (size_t)left : sizeof (buf));
              if (n < 0 && errno == EINTR)
                continue;
              if (n <= 0)
                {
                  r = berth_error_errno (err, n < 0 ? errno : EIO, "%s: read %s (did it change?)", c->o.what, e->name);
                  break;
                }
              if (archive_write_data (w, buf, (size_t)n) < 0)
                r = ar_fail (w, "write the layer", err);
              left -= n;
            }
        }
      archive_entry_free (ae);
    }
  return r;
}

bool
build_copy_rebasable (const struct build_copy *c)
{
  if (c->n == 0)
    return false;
  for (size_t i = 0; i < c->n; i++)
    if (c->e[i].archive)
      return false;
  return true;
}

int
build_copy_tar (struct build_copy *c, int out_fd, berth_error_t *err)
{
  struct archive *w = archive_write_new ();
  int r = 0;

  archive_write_set_format_pax_restricted (w);
  if (archive_write_open_fd (w, out_fd) != ARCHIVE_OK)
    {
      r = ar_fail (w, "open the layer", err);
      archive_write_free (w);
      return r;
    }
  r = build_copy_write (c, w, NULL, NULL, err);
  if (archive_write_close (w) != ARCHIVE_OK && r == 0)
    r = ar_fail (w, "finish the layer", err);
  archive_write_free (w);
  return r;
}
