#include "config.h"

#include "core/runtime/console.h"
#include "core/runtime/resolve.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

int
berth_console_open (int rootfd, int *master, int *slave, char **name, berth_error_t *err)
{
  cleanup_close int m = -1;
  int unlock = 0, n;

  if (rootfd >= 0)
    m = berth_open_in_root (rootfd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY, BERTH_RESOLVE_NO_SYMLINKS, err);
  else
    m = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (m < 0)
    return rootfd >= 0 ? berth_error_wrap (err, "terminal") : berth_error_errno (err, errno, "open /dev/ptmx");
  if (ioctl (m, TIOCSPTLCK, &unlock) < 0 || ioctl (m, TIOCGPTN, &n) < 0)
    return berth_error_errno (err, errno, "unlock the pty");
  /* TIOCGPTPEER opens the slave through the master: no path to race on */
  *slave = ioctl (m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (*slave < 0)
    return berth_error_errno (err, errno, "open the pty slave");
  *name = xasprintf ("/dev/pts/%d", n);
  *master = steal_fd (&m);
  return 0;
}

int
berth_console_bind (int rootfd, int slave, berth_error_t *err)
{
  cleanup_close int target = -1;
  cleanup_close int tree = -1;

  target = berth_open_or_create_in_root (rootfd, "/dev/console", false, 0600, BERTH_RESOLVE_NO_SYMLINKS, err);
  if (target < 0)
    return target;
  tree = open_tree (slave, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (tree < 0)
    return berth_error_errno (err, errno, "bind the pty on /dev/console");
  if (move_mount (tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return berth_error_errno (err, errno, "bind the pty on /dev/console");
  return 0;
}

int
berth_console_connect (const char *path, berth_error_t *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_close int fd = -1;

  if (strlen (path) >= sizeof (addr.sun_path))
    return berth_error_make (err, ENAMETOOLONG, "console socket path `%s` is too long", path);
  strcpy (addr.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return berth_error_errno (err, errno, "socket");
  if (connect (fd, (struct sockaddr *) &addr, sizeof (addr)) < 0)
    return berth_error_errno (err, errno, "connect to the console socket `%s`", path);
  return steal_fd (&fd);
}

int
berth_console_send (int sock, int master, const char *name, berth_error_t *err)
{
  char control[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { .iov_base = (void *) name, .iov_len = strlen (name) };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof (control) };
  struct cmsghdr *cmsg;
  ssize_t n;

  memset (control, 0, sizeof (control));
  cmsg = CMSG_FIRSTHDR (&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (cmsg), &master, sizeof (int));
  do
    n = sendmsg (sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return berth_error_errno (err, errno, "send the pty master to the console socket");
  return 0;
}

int
berth_console_recv (int sock, berth_error_t *err)
{
  char buf[4096];
  char control[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { .iov_base = buf, .iov_len = sizeof (buf) };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof (control) };
  struct cmsghdr *cmsg;
  ssize_t n;
  int fd;

  do
    n = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return berth_error_errno (err, errno, "receive the pty master");
  cmsg = CMSG_FIRSTHDR (&msg);
  if (cmsg == NULL || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS
      || cmsg->cmsg_len != CMSG_LEN (sizeof (int)) || (msg.msg_flags & MSG_CTRUNC))
    return berth_error_make (err, EPROTO, "the console message carries no single file descriptor");
  memcpy (&fd, CMSG_DATA (cmsg), sizeof (int));
  return fd;
}

int
berth_console_become (int slave, unsigned int rows, unsigned int cols, berth_error_t *err)
{
  if (setsid () < 0)
    return berth_error_errno (err, errno, "setsid");
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return berth_error_errno (err, errno, "make the pty the controlling terminal");
  if (rows && cols)
    {
      struct winsize ws = { .ws_row = (unsigned short) rows, .ws_col = (unsigned short) cols };
      if (ioctl (slave, TIOCSWINSZ, &ws) < 0)
        return berth_error_errno (err, errno, "set the terminal size");
    }
  if (dup2 (slave, 0) < 0 || dup2 (slave, 1) < 0 || dup2 (slave, 2) < 0)
    return berth_error_errno (err, errno, "dup the pty onto stdio");
  return 0;
}

static int
write_all (int fd, const char *buf, size_t len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, buf, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      buf += n;
      len -= (size_t) n;
    }
  return 0;
}

int
berth_console_pump (int from, int to)
{
  char buf[16384];
  ssize_t n;

  do
    n = read (from, buf, sizeof (buf));
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    return -1; /* EOF, or EIO once every slave fd is closed */
  return write_all (to, buf, (size_t) n) < 0 ? -1 : 1;
}

bool
berth_console_raw (int fd, struct termios *saved)
{
  struct termios raw;

  if (tcgetattr (fd, saved) < 0)
    return false;
  raw = *saved;
  cfmakeraw (&raw);
  raw.c_oflag |= OPOST; /* keep \n -> \r\n for our own messages */
  return tcsetattr (fd, TCSANOW, &raw) == 0;
}

void
berth_console_copy_size (int from, int to)
{
  struct winsize ws;

  if (ioctl (from, TIOCGWINSZ, &ws) == 0)
    ioctl (to, TIOCSWINSZ, &ws);
}
