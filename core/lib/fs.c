#include "config.h"

#include "core/lib/fs.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
berth_mkdir_p (const char *path, mode_t mode, berth_error_t *err)
{
  cleanup_free char *buf = xstrdup (path);
  char *p;

  if (*buf == '\0')
    return berth_error_make (err, EINVAL, "mkdir: empty path");
  for (p = buf + 1; *p; p++)
    {
      if (*p != '/')
        continue;
      *p = '\0';
      if (mkdir (buf, mode) < 0 && errno != EEXIST)
        return berth_error_errno (err, errno, "mkdir `%s`", buf);
      *p = '/';
    }
  if (mkdir (buf, mode) < 0)
    {
      struct stat st;
      if (errno != EEXIST)
        return berth_error_errno (err, errno, "mkdir `%s`", buf);
      if (stat (buf, &st) < 0 || !S_ISDIR (st.st_mode))
        return berth_error_make (err, ENOTDIR, "mkdir `%s`: exists and is not a directory", buf);
    }
  return 0;
}

static int
rm_rf_at (int parentfd, const char *name, berth_error_t *err)
{
  cleanup_close int fd = -1;
  DIR *d;
  struct dirent *de;

  if (unlinkat (parentfd, name, 0) == 0 || errno == ENOENT)
    return 0;
  if (errno != EISDIR && errno != EPERM)
    return berth_error_errno (err, errno, "unlink `%s`", name);
  fd = openat (parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return berth_error_errno (err, errno, "open `%s`", name);
  d = fdopendir (fd);
  if (d == NULL)
    return berth_error_errno (err, errno, "fdopendir `%s`", name);
  fd = -1; /* owned by d now */
  while ((de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (rm_rf_at (dirfd (d), de->d_name, err) < 0)
        {
          closedir (d);
          return berth_error_ret (err);
        }
    }
  closedir (d);
  if (unlinkat (parentfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return berth_error_errno (err, errno, "rmdir `%s`", name);
  return 0;
}

int
berth_rm_rf (const char *path, berth_error_t *err)
{
  return rm_rf_at (AT_FDCWD, path, err);
}

static int
write_file_renamed (const char *path, const void *data, size_t len, mode_t mode, bool durable, berth_error_t *err)
{
  cleanup_free char *tmp = xasprintf ("%s.tmp-XXXXXX", path);
  cleanup_free char *dir = xstrdup (path);
  cleanup_close int fd = -1;
  cleanup_close int dfd = -1;
  const char *p = data;
  size_t left = len;

  fd = mkostemp (tmp, O_CLOEXEC);
  if (fd < 0)
    return berth_error_errno (err, errno, "create temporary file for `%s`", path);
  while (left > 0)
    {
      ssize_t n = write (fd, p, left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int e = errno;
          unlink (tmp);
          return berth_error_errno (err, e, "write `%s`", tmp);
        }
      p += n;
      left -= (size_t) n;
    }
  if (fchmod (fd, mode) < 0 || (durable && fsync (fd) < 0))
    {
      int e = errno;
      unlink (tmp);
      return berth_error_errno (err, e, "sync `%s`", tmp);
    }
  if (rename (tmp, path) < 0)
    {
      int e = errno;
      unlink (tmp);
      return berth_error_errno (err, e, "rename `%s` to `%s`", tmp, path);
    }
  if (!durable)
    return 0;
  dfd = open (dirname (dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0)
    (void) fsync (dfd);
  return 0;
}

int
berth_write_file_atomic (const char *path, const void *data, size_t len, mode_t mode, berth_error_t *err)
{
  return write_file_renamed (path, data, len, mode, true, err);
}

int
berth_write_file_replace (const char *path, const void *data, size_t len, mode_t mode, berth_error_t *err)
{
  return write_file_renamed (path, data, len, mode, false, err);
}

int
berth_read_file (const char *path, size_t max_size, char **ret, size_t *ret_len, berth_error_t *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  cleanup_free char *buf = NULL;
  size_t len = 0, cap = 0;

  if (fd < 0)
    return berth_error_errno (err, errno, "open `%s`", path);
  for (;;)
    {
      ssize_t n;
      if (cap - len < 4096)
        {
          cap = cap ? cap * 2 : 8192;
          buf = xrealloc (buf, cap + 1);
        }
      n = read (fd, buf + len, cap - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return berth_error_errno (err, errno, "read `%s`", path);
      if (n == 0)
        break;
      len += (size_t) n;
      if (len > max_size)
        return berth_error_make (err, EFBIG, "`%s` is larger than %zu bytes", path, max_size);
    }
  if (buf == NULL)
    buf = xmalloc (1);
  buf[len] = '\0';
  if (ret_len)
    *ret_len = len;
  *ret = steal_pointer (&buf);
  return 0;
}
