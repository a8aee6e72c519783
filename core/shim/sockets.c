#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/lib/mem.h"
#include "core/shim/sockets.h"

char *
shim_socket_path (const char *dir, const char *name)
{
  static int dirfd = -1;
  struct sockaddr_un addr;
  char *p = xasprintf ("%s/%s", dir, name);

  if (strlen (p) < sizeof (addr.sun_path))
    return p;
  /* one shim, one directory: the descriptor stays open for its life */
  if (dirfd < 0)
    dirfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return p; /* shim_listen_unix reports the long path */
  free (p);
  return xasprintf ("/proc/self/fd/%d/%s", dirfd, name);
}

int
shim_listen_unix (const char *path, berth_error_t *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd;

  if (strlen (path) >= sizeof (addr.sun_path))
    return berth_error_make (err, ENAMETOOLONG, "socket path too long: %s", path);
  strcpy (addr.sun_path, path);
  unlink (path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return berth_error_errno (err, errno, "socket");
  if (bind (fd, (struct sockaddr *) &addr, sizeof (addr)) < 0 || chmod (path, 0600) < 0 || listen (fd, 16) < 0)
    {
      int e = errno;
      close (fd);
      return berth_error_errno (err, e, "listen on %s", path);
    }
  return fd;
}
