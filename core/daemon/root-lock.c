#include "config.h"

#include "core/daemon/root-lock.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int
berth_root_lock (const char *data_root, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/berthd.lock", data_root);
  cleanup_close int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  char buf[32];
  int n;

  if (fd < 0)
    return berth_error_errno (err, errno, "open `%s`", path);
  if (flock (fd, LOCK_EX | LOCK_NB) < 0)
    {
      if (errno != EWOULDBLOCK)
        return berth_error_errno (err, errno, "lock `%s`", path);
      n = pread (fd, buf, sizeof (buf) - 1, 0);
      buf[n > 0 ? n : 0] = '\0';
      buf[strcspn (buf, "\n")] = '\0';
      return berth_error_make (err, EBUSY, "data root `%s` is in use by another berthd%s%s%s", data_root,
                               *buf ? " (pid " : "", buf, *buf ? ")" : "");
    }
  /* The pid is informational only; the lock is what counts. */
  n = snprintf (buf, sizeof (buf), "%ld\n", (long) getpid ());
  if (ftruncate (fd, 0) < 0 || pwrite (fd, buf, (size_t) n, 0) != n)
    return berth_error_errno (err, errno, "write `%s`", path);
  return steal_fd (&fd);
}
