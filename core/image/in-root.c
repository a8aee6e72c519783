#include "config.h"

#include "core/lib/openat2.h"

#include "core/image/in-root.h"
#include "core/lib/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_SYMLINKS 40

static bool force_walk;

void
in_root_force_walk (bool on)
{
  force_walk = on;
}

static int
sys_openat2 (int dirfd, const char *path, struct open_how *how)
{
  return berth_openat2 (dirfd, path, how);
}

static bool
same_inode (int a, int b)
{
  struct stat sa, sb;

  return fstat (a, &sa) == 0 && fstat (b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The walk: components are consumed from the front of a work buffer; a
   symlink's target is spliced in front of what is left. */
static int
walk (int root_fd, const char *path, bool create, mode_t mode, berth_error_t *err)
{
  cleanup_free char *work = xstrdup (path);
  cleanup_close int cur = -1;
  int links = 0;
  char *p;

  cur = openat (root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (cur < 0)
    return berth_error_errno (err, errno, "open the root directory");
  p = work;
  for (;;)
    {
      char *slash, *comp;
      int fd;
      struct stat st;

      while (*p == '/')
        p++;
      if (*p == '\0')
        break;
      comp = p;
      slash = strchr (p, '/');
      if (slash)
        {
          *slash = '\0';
          p = slash + 1;
        }
      else
        p = comp + strlen (comp);
      if (strcmp (comp, ".") == 0)
        continue;
      if (strcmp (comp, "..") == 0)
        {
          if (same_inode (cur, root_fd))
            continue;
          fd = openat (cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
          if (fd < 0)
            return berth_error_errno (err, errno, "resolve `%s`", path);
          close (cur);
          cur = fd;
          continue;
        }
      fd = openat (cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0 && errno == ENOENT && create)
        {
          if (mkdirat (cur, comp, mode) < 0 && errno != EEXIST)
            return berth_error_errno (err, errno, "create directory `%s` of `%s`", comp, path);
          fd = openat (cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        }
      if (fd < 0)
        return berth_error_errno (err, errno, "resolve `%s`", path);
      if (fstat (fd, &st) < 0)
        {
          int e = errno;
          close (fd);
          return berth_error_errno (err, e, "resolve `%s`", path);
        }
      if (S_ISLNK (st.st_mode))
        {
          char target[PATH_MAX];
          ssize_t n = readlinkat (fd, "", target, sizeof (target) - 1);
          char *rest;
          close (fd);
          if (n < 0)
            return berth_error_errno (err, errno, "resolve `%s`: read symlink `%s`", path, comp);
          target[n] = '\0';
          if (++links > MAX_SYMLINKS)
            return berth_error_make (err, ELOOP, "resolve `%s`: too many levels of symbolic links", path);
          rest = xasprintf ("%s/%s", target, p);
          free (work);
          work = rest;
          p = work;
          if (target[0] == '/')
            {
              int r = openat (root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
              if (r < 0)
                return berth_error_errno (err, errno, "open the root directory");
              close (cur);
              cur = r;
            }
          continue;
        }
      if (!S_ISDIR (st.st_mode))
        {
          close (fd);
          return berth_error_make (err, ENOTDIR, "resolve `%s`: `%s` is not a directory", path, comp);
        }
      close (cur);
      cur = fd;
    }
  return steal_fd (&cur);
}

int
in_root_open_dir (int root_fd, const char *path, bool create, mode_t mode, berth_error_t *err)
{
  struct open_how how = {
    .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  int fd, tries;

  if (*path == '\0')
    path = ".";
  if (!force_walk)
    for (tries = 0; tries < 8; tries++)
      {
        fd = sys_openat2 (root_fd, path, &how);
        if (fd >= 0)
          return fd;
        if (errno == EAGAIN || errno == EINTR)
          continue;
        if (errno == ENOSYS || errno == EPERM /* seccomp */ || (errno == ENOENT && create))
          break;
        return berth_error_errno (err, errno, "resolve `%s`", path);
      }
  return walk (root_fd, path, create, mode, err);
}

int
in_root_remove_at (int dir_fd, const char *name, berth_error_t *err)
{
  cleanup_close int fd = -1;
  DIR *d;
  struct dirent *de;

  if (unlinkat (dir_fd, name, 0) == 0 || errno == ENOENT)
    return 0;
  if (errno != EISDIR && errno != EPERM)
    return berth_error_errno (err, errno, "remove `%s`", name);
  fd = openat (dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return berth_error_errno (err, errno, "open `%s`", name);
  d = fdopendir (fd);
  if (d == NULL)
    return berth_error_errno (err, errno, "open `%s`", name);
  fd = -1;
  while ((de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (in_root_remove_at (dirfd (d), de->d_name, err) < 0)
        {
          closedir (d);
          return berth_error_wrap (err, "%s", name);
        }
    }
  closedir (d);
  if (unlinkat (dir_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return berth_error_errno (err, errno, "remove directory `%s`", name);
  return 0;
}
