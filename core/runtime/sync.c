#include "config.h"

#include "core/runtime/sync.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SYNC_MAX 65536

struct wire
{
  int type;
  int value;
};

int
berth_sync_pair (int fds[2], berth_error_t *err)
{
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
    return berth_error_errno (err, errno, "socketpair");
  return 0;
}

static int
send_msg (int fd, int type, int value, const char *text, int passfd, berth_error_t *err)
{
  struct wire w = { type, value };
  size_t tlen = text ? strlen (text) : 0;
  struct iovec iov[2] = { { &w, sizeof (w) }, { (void *) text, tlen } };
  char control[CMSG_SPACE (sizeof (int))];
  struct msghdr msg = { .msg_iov = iov, .msg_iovlen = tlen ? 2 : 1 };
  ssize_t n;

  if (tlen > SYNC_MAX - sizeof (w))
    tlen = iov[1].iov_len = SYNC_MAX - sizeof (w);
  if (passfd >= 0)
    {
      struct cmsghdr *c;
      memset (control, 0, sizeof (control));
      msg.msg_control = control;
      msg.msg_controllen = sizeof (control);
      c = CMSG_FIRSTHDR (&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN (sizeof (int));
      memcpy (CMSG_DATA (c), &passfd, sizeof (int));
    }
  do
    n = sendmsg (fd, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return berth_error_errno (err, errno, "sync send");
  return 0;
}

int
berth_sync_send (int fd, int type, int value, const char *text, berth_error_t *err)
{
  return send_msg (fd, type, value, text, -1, err);
}

int
berth_sync_send_fd (int fd, int type, int passfd, berth_error_t *err)
{
  return send_msg (fd, type, 0, NULL, passfd, err);
}

int
berth_sync_recv (int fd, struct berth_sync_msg *msg, berth_error_t *err)
{
  cleanup_free char *buf = xmalloc (SYNC_MAX + 1);
  char control[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { buf, SYNC_MAX };
  struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof (control) };
  struct cmsghdr *c;
  struct wire w;
  ssize_t n;

  memset (msg, 0, sizeof (*msg));
  msg->fd = -1;
  do
    n = recvmsg (fd, &m, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      if (errno == ECONNRESET)
        return 0; /* type EOF */
      return berth_error_errno (err, errno, "sync receive");
    }
  if (n == 0)
    return 0;
  if ((size_t) n < sizeof (w))
    return berth_error_make (err, EPROTO, "sync: short message");
  memcpy (&w, buf, sizeof (w));
  msg->type = w.type;
  msg->value = w.value;
  if ((size_t) n > sizeof (w))
    msg->text = xstrndup (buf + sizeof (w), (size_t) n - sizeof (w));
  for (c = CMSG_FIRSTHDR (&m); c; c = CMSG_NXTHDR (&m, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      memcpy (&msg->fd, CMSG_DATA (c), sizeof (int));
  return 0;
}

int
berth_sync_expect (int fd, int want, struct berth_sync_msg *msg, berth_error_t *err)
{
  if (berth_sync_recv (fd, msg, err) < 0)
    return berth_error_ret (err);
  if (msg->type == want)
    return 0;
  if (msg->type == BERTH_SYNC_ERROR)
    {
      berth_error_make (err, msg->value > 0 ? msg->value : EIO, "%s", msg->text ? msg->text : "container init failed");
      berth_sync_msg_clear (msg);
      return berth_error_ret (err);
    }
  if (msg->type == BERTH_SYNC_EOF)
    return berth_error_make (err, EPIPE, "the container process exited during setup");
  berth_sync_msg_clear (msg);
  return berth_error_make (err, EPROTO, "sync: unexpected message %d (wanted %d)", msg->type, want);
}

void
berth_sync_msg_clear (struct berth_sync_msg *msg)
{
  free (msg->text);
  msg->text = NULL;
  if (msg->fd >= 0)
    close (msg->fd);
  msg->fd = -1;
}
