#include "config.h"

#include "core/lib/openat2.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

int
berth_openat2 (int dirfd, const char *path, const struct open_how *how)
{
#ifdef SYS_openat2
  for (int tries = 0;; tries++)
    {
      int fd = (int) syscall (SYS_openat2, dirfd, path, how, sizeof (*how));
      if (fd >= 0 || errno != EAGAIN || tries >= 1000)
        return fd;
    }
#else
  (void) dirfd;
  (void) path;
  (void) how;
  errno = ENOSYS;
  return -1;
#endif
}
