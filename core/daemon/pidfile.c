#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/daemon/pidfile.h"
#include "core/lib/mem.h"

struct berth_pidfile
{
  char *path;
  int fd;
};

/* The pid written in a file held by someone else, or 0 when unreadable. */
static long
read_holder_pid (int fd)
{
  char buf[32];
  ssize_t n = pread (fd, buf, sizeof (buf) - 1, 0);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  return strtol (buf, NULL, 10);
}

int
berth_pidfile_acquire (const char *path, struct berth_pidfile **ret, berth_error_t *err)
{
  /* The file we lock may be unlinked by its previous owner between our
     open and our lock; retry until the locked inode is the one at `path`. */
  for (int attempt = 0; attempt < 10; attempt++)
    {
      cleanup_close int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
      struct stat st_fd, st_path;
      char buf[32];
      int len;

      if (fd < 0)
        return berth_error_errno (err, errno, "cannot open pid file %s", path);
      if (flock (fd, LOCK_EX | LOCK_NB) < 0)
        {
          long pid;
          if (errno != EWOULDBLOCK)
            return berth_error_errno (err, errno, "cannot lock pid file %s", path);
          pid = read_holder_pid (fd);
          if (pid > 0)
            return berth_error_make (err, EBUSY, "another berthd (pid %ld) is running with pid file %s", pid, path);
          return berth_error_make (err, EBUSY, "another berthd is running with pid file %s", path);
        }
      if (fstat (fd, &st_fd) < 0)
        return berth_error_errno (err, errno, "cannot stat pid file %s", path);
      if (stat (path, &st_path) < 0 || st_fd.st_ino != st_path.st_ino || st_fd.st_dev != st_path.st_dev)
        continue;
      if (!S_ISREG (st_fd.st_mode))
        return berth_error_make (err, EINVAL, "pid file %s is not a regular file", path);

      len = snprintf (buf, sizeof (buf), "%ld\n", (long)getpid ());
      if (ftruncate (fd, 0) < 0 || pwrite (fd, buf, (size_t)len, 0) != len)
        return berth_error_errno (err, errno, "cannot write pid file %s", path);

      *ret = xmalloc0 (sizeof (**ret));
      (*ret)->path = xstrdup (path);
      (*ret)->fd = steal_fd (&fd);
      return 0;
    }
  return berth_error_make (err, EAGAIN, "pid file %s keeps being replaced; is another berthd starting?", path);
}

void
berth_pidfile_release (struct berth_pidfile *p)
{
  if (p == NULL)
    return;
  /* Unlink before closing: nobody else can hold the lock meanwhile. */
  unlink (p->path);
  close (p->fd);
  free (p->path);
  free (p);
}
