#include "config.h"

#include "core/lib/openat2.h"

#include "core/runtime/resolve.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int
sys_openat2 (int dirfd, const char *path, int oflags, uint64_t resolve)
{
  struct open_how how = { .flags = (uint64_t) oflags | O_CLOEXEC, .mode = 0, .resolve = resolve };

  return berth_openat2 (dirfd, path, &how);
}

static uint64_t
resolve_bits (unsigned int flags)
{
  uint64_t r = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;

  if (flags & BERTH_RESOLVE_NO_SYMLINKS)
    r |= RESOLVE_NO_SYMLINKS;
  return r;
}

static const char *
skip_slashes (const char *p)
{
  while (*p == '/')
    p++;
  return *p ? p : ".";
}

int
berth_open_in_root (int rootfd, const char *path, int oflags, unsigned int flags, berth_error_t *err)
{
  int fd;

  do
    fd = sys_openat2 (rootfd, skip_slashes (path), oflags, resolve_bits (flags));
  while (fd < 0 && errno == EAGAIN);
  if (fd < 0)
    {
      if (errno == ELOOP && (flags & BERTH_RESOLVE_NO_SYMLINKS))
        return berth_error_make (err, ELOOP, "`%s` is or passes through a symlink, which is not allowed here", path);
      return berth_error_errno (err, errno, "open `%s` in the container root", path);
    }
  return fd;
}

int
berth_open_or_create_in_root (int rootfd, const char *path, bool dir, mode_t mode, unsigned int flags,
                              berth_error_t *err)
{
  cleanup_free char *copy = NULL;
  cleanup_close int parentfd = -1;
  char *slash, *last;
  int fd;

  fd = sys_openat2 (rootfd, skip_slashes (path), O_PATH, resolve_bits (flags));
  if (fd >= 0)
    return fd;
  if (errno != ENOENT)
    return berth_open_in_root (rootfd, path, O_PATH, flags, err);

  copy = xstrdup (skip_slashes (path));
  while ((slash = strrchr (copy, '/')) && slash[1] == '\0')
    *slash = '\0';
  slash = strrchr (copy, '/');
  if (slash)
    {
      *slash = '\0';
      last = slash + 1;
      parentfd = berth_open_or_create_in_root (rootfd, copy, true, 0755, flags, err);
      if (parentfd < 0)
        return parentfd;
    }
  else
    {
      last = copy;
      parentfd = dup (rootfd);
      if (parentfd < 0)
        return berth_error_errno (err, errno, "dup");
    }
  if (strcmp (last, "..") == 0 || strcmp (last, ".") == 0)
    return berth_error_make (err, EINVAL, "cannot create `%s`", path);
  /* the parent was resolved safely; create the last component right there
     and never follow a symlink someone may have raced into its place */
  if (dir)
    {
      if (mkdirat (parentfd, last, mode) < 0 && errno != EEXIST)
        return berth_error_errno (err, errno, "mkdir `%s` in the container root", path);
    }
  else
    {
      int f = openat (parentfd, last, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
      if (f < 0 && errno != EEXIST)
        return berth_error_errno (err, errno, "create `%s` in the container root", path);
      if (f >= 0)
        close (f);
    }
  fd = sys_openat2 (parentfd, last, O_PATH, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
  if (fd < 0)
    return berth_error_errno (err, errno, "open `%s` in the container root", path);
  return fd;
}

const char *
berth_fd_path (int fd, char *buf, size_t len)
{
  snprintf (buf, len, "/proc/self/fd/%d", fd);
  return buf;
}
