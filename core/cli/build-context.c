/* The build context as a tar stream (see build-context.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "core/build/context.h"
#include "core/build/ignore.h"
#include "core/cli/build-context.h"
#include "core/lib/mem.h"

struct writer
{
  struct archive *a;
  const struct build_ignore *ig;
  const char *dockerfile; /* relative, always sent */
  json_object *session;   /* path -> stat the daemon's copy has, or NULL */
  berth_error_t *err;
};

static int
write_entry_header (struct writer *w, struct archive_entry *ae, const char *path)
{
  if (archive_write_header (w->a, ae) != ARCHIVE_OK)
    return berth_error_make (w->err, EIO, "write %s to the build context: %s", path, archive_error_string (w->a));
  return 0;
}

static int
copy_data (struct writer *w, int fd, const char *path)
{
  char buf[64 * 1024];

  for (;;)
    {
      ssize_t n = read (fd, buf, sizeof (buf));
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return berth_error_errno (w->err, errno, "read %s", path);
      if (n == 0)
        return 0;
      if (archive_write_data (w->a, buf, (size_t)n) < 0)
        return berth_error_make (w->err, EIO, "write %s to the build context: %s", path, archive_error_string (w->a));
    }
}

/* a session: the file's stat goes along; true when the daemon's copy was
   sent with that same stat (any write, rename over it, chmod or touch
   changes the ctime or the inode) */
static bool
session_keeps (struct writer *w, struct archive_entry *ae, const char *path, const struct stat *st)
{
  char cstat[160];
  json_object *v;

  snprintf (cstat, sizeof (cstat), "%lld:%lld.%09ld:%llx:%llx:%lld.%09ld:%o", (long long)st->st_size,
            (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec, (unsigned long long)st->st_dev,
            (unsigned long long)st->st_ino, (long long)st->st_ctim.tv_sec, st->st_ctim.tv_nsec, (unsigned)st->st_mode);
  archive_entry_xattr_add_entry (ae, BUILD_CONTEXT_XATTR_STAT, cstat, strlen (cstat));
  if (!json_object_object_get_ex (w->session, path, &v) || strcmp (json_object_get_string (v), cstat) != 0)
    return false;
  archive_entry_xattr_add_entry (ae, BUILD_CONTEXT_XATTR_KEEP, "1", 1);
  return true;
}

/* one file, directory or symlink (others are skipped, as the daemon
   would drop them) */
static int
add_one (struct writer *w, int dir_fd, const char *name, const char *path, const struct stat *st)
{
  struct archive_entry *ae = archive_entry_new ();
  cleanup_close int fd = -1;
  int r = 0;

  archive_entry_set_pathname (ae, path);
  archive_entry_set_perm (ae, st->st_mode & 07777);
  archive_entry_set_mtime (ae, st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
  /* as the docker CLI: owners are not sent */
  archive_entry_set_uid (ae, 0);
  archive_entry_set_gid (ae, 0);
  if (S_ISDIR (st->st_mode))
    archive_entry_set_filetype (ae, AE_IFDIR);
  else if (S_ISLNK (st->st_mode))
    {
      char target[PATH_MAX];
      ssize_t n = readlinkat (dir_fd, name, target, sizeof (target) - 1);
      if (n < 0)
        r = berth_error_errno (w->err, errno, "readlink %s", path);
      else
        {
          target[n] = '\0';
          archive_entry_set_filetype (ae, AE_IFLNK);
          archive_entry_set_symlink (ae, target);
        }
    }
  else
    {
      fd = openat (dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        r = berth_error_errno (w->err, errno, "open %s", path);
      archive_entry_set_filetype (ae, AE_IFREG);
      archive_entry_set_size (ae, st->st_size);
      if (r == 0 && w->session != NULL && session_keeps (w, ae, path, st))
        {
          /* the daemon has this very file: a header, no data */
          archive_entry_set_size (ae, 0);
          close (steal_fd (&fd));
        }
    }
  if (r == 0)
    r = write_entry_header (w, ae, path);
  if (r == 0 && fd >= 0)
    r = copy_data (w, fd, path);
  archive_entry_free (ae);
  return r;
}

static bool
always_sent (const struct writer *w, const char *path)
{
  return strcmp (path, ".dockerignore") == 0 || (w->dockerfile != NULL && strcmp (path, w->dockerfile) == 0);
}

/* a directory excluded as a whole may still hold what must be sent */
static bool
must_descend (const struct writer *w, const char *path)
{
  size_t n = strlen (path);

  if (build_ignore_has_exceptions (w->ig))
    return true;
  return w->dockerfile != NULL && strncmp (w->dockerfile, path, n) == 0 && w->dockerfile[n] == '/';
}

static int
walk (struct writer *w, int dir_fd, const char *rel)
{
  struct dirent **ents = NULL;
  int n = scandirat (dir_fd, ".", &ents, NULL, alphasort);
  int r = 0;

  if (n < 0)
    return berth_error_errno (w->err, errno, "read %s", rel[0] != '\0' ? rel : ".");
  for (int i = 0; i < n; i++)
    {
      const char *name = ents[i]->d_name;
      cleanup_free char *path = NULL;
      struct stat st;
      bool excluded;

      if (r < 0 || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
        continue;
      path = rel[0] != '\0' ? xasprintf ("%s/%s", rel, name) : xstrdup (name);
      if (fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        {
          r = berth_error_errno (w->err, errno, "stat %s", path);
          continue;
        }
      excluded = build_ignore_excluded (w->ig, path) && !always_sent (w, path);
      if (!S_ISDIR (st.st_mode) && !S_ISREG (st.st_mode) && !S_ISLNK (st.st_mode))
        continue;
      if (excluded && !(S_ISDIR (st.st_mode) && must_descend (w, path)))
        continue;
      if (!excluded)
        r = add_one (w, dir_fd, name, path, &st);
      if (r == 0 && S_ISDIR (st.st_mode))
        {
          int sub = openat (dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (sub < 0)
            r = berth_error_errno (w->err, errno, "open %s", path);
          else
            {
              r = walk (w, sub, path);
              close (sub);
            }
        }
    }
  for (int i = 0; i < n; i++)
    free (ents[i]);
  free (ents);
  return r;
}

static struct archive *
tar_writer (int out_fd, berth_error_t *err)
{
  struct archive *a = archive_write_new ();

  archive_write_set_format_pax_restricted (a);
  archive_write_set_bytes_in_last_block (a, 1);
  if (archive_write_open_fd (a, out_fd) != ARCHIVE_OK)
    {
      berth_error_make (err, EIO, "write the build context: %s", archive_error_string (a));
      archive_write_free (a);
      return NULL;
    }
  return a;
}

static int
tar_finish (struct archive *a, int r, uint64_t *ret_bytes, berth_error_t *err)
{
  if (archive_write_close (a) != ARCHIVE_OK && r == 0)
    r = berth_error_make (err, EIO, "write the build context: %s", archive_error_string (a));
  if (ret_bytes != NULL)
    *ret_bytes = (uint64_t)archive_filter_bytes (a, -1);
  archive_write_free (a);
  return r;
}

static int
add_memory_file (struct archive *a, const char *name, const char *data, size_t len, berth_error_t *err)
{
  struct archive_entry *ae = archive_entry_new ();
  int r = 0;

  archive_entry_set_pathname (ae, name);
  archive_entry_set_filetype (ae, AE_IFREG);
  archive_entry_set_perm (ae, 0644);
  archive_entry_set_size (ae, (la_int64_t)len);
  archive_entry_set_mtime (ae, time (NULL), 0);
  if (archive_write_header (a, ae) != ARCHIVE_OK || (len > 0 && archive_write_data (a, data, len) != (la_ssize_t)len))
    r = berth_error_make (err, EIO, "write %s to the build context: %s", name, archive_error_string (a));
  archive_entry_free (ae);
  return r;
}

int
build_context_write_dir (const char *dir, const char *dockerfile, const char *extra_name, const char *extra_data,
                         size_t extra_len, json_object *session, int out_fd, uint64_t *ret_bytes, berth_error_t *err)
{
  cleanup_free char *ignore_text = NULL;
  struct build_ignore *ig = NULL;
  struct writer w = { .dockerfile = dockerfile, .session = session, .err = err };
  cleanup_close int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int r = 0;

  if (dfd < 0)
    return berth_error_errno (err, errno, "open %s", dir);
  {
    cleanup_close int ifd = openat (dfd, ".dockerignore", O_RDONLY | O_CLOEXEC);
    if (ifd >= 0)
      {
        size_t len = 0, cap = 0;
        for (;;)
          {
            ssize_t n;
            if (len + 4096 > cap)
              {
                if (cap >= (1u << 20))
                  return berth_error_make (err, EFBIG, ".dockerignore is larger than 1 MiB");
                cap = cap == 0 ? 8192 : cap * 2;
                ignore_text = xrealloc (ignore_text, cap);
              }
            n = read (ifd, ignore_text + len, cap - len);
            if (n < 0 && errno == EINTR)
              continue;
            if (n < 0)
              return berth_error_errno (err, errno, "read .dockerignore");
            if (n == 0)
              break;
            len += (size_t)n;
          }
        if (build_ignore_parse (ignore_text != NULL ? ignore_text : "", len, &ig, err) < 0)
          return berth_error_wrap (err, "error checking context: .dockerignore");
      }
    else if (errno != ENOENT)
      return berth_error_errno (err, errno, "open .dockerignore");
  }
  w.ig = ig;
  w.a = tar_writer (out_fd, err);
  if (w.a == NULL)
    {
      build_ignore_free (ig);
      return berth_error_ret (err);
    }
  r = walk (&w, dfd, "");
  if (r == 0 && extra_name != NULL)
    r = add_memory_file (w.a, extra_name, extra_data, extra_len, err);
  build_ignore_free (ig);
  return tar_finish (w.a, r, ret_bytes, err);
}

int
build_context_write_dockerfile (const char *data, size_t len, int out_fd, uint64_t *ret_bytes, berth_error_t *err)
{
  struct archive *a = tar_writer (out_fd, err);

  if (a == NULL)
    return berth_error_ret (err);
  return tar_finish (a, add_memory_file (a, "Dockerfile", data, len, err), ret_bytes, err);
}

bool
build_context_is_archive (const unsigned char *head, size_t len)
{
  static const struct
  {
    const char *magic;
    size_t len;
  } magics[] = {
    { "\x1f\x8b", 2 },                 /* gzip */
    { "BZh", 3 },                      /* bzip2 */
    { "\xfd\x37\x7a\x58\x5a\x00", 6 }, /* xz */
    { "\x28\xb5\x2f\xfd", 4 },         /* zstd */
  };

  for (size_t i = 0; i < sizeof (magics) / sizeof (magics[0]); i++)
    if (len >= magics[i].len && memcmp (head, magics[i].magic, magics[i].len) == 0)
      return true;
  return len >= 262 && memcmp (head + 257, "ustar", 5) == 0;
}
