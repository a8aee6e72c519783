#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/cli/attach-stream.h"
#include "core/cli/signal-pipe.h"
#include "core/lib/detach-keys.h"

#define CTRL_P 0x10
#define CTRL_Q 0x11

static void
write_all (int fd, const char *p, size_t len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return; /* a closed stdout: keep draining the stream */
      p += n;
      len -= (size_t)n;
    }
}

int
berth_demux_feed (struct berth_demux *d, const char *p, size_t len, berth_error_t *err)
{
  while (len > 0)
    {
      if (d->left == 0)
        {
          size_t take = sizeof (d->head) - d->head_len;
          if (take > len)
            take = len;
          memcpy (d->head + d->head_len, p, take);
          d->head_len += take;
          p += take;
          len -= take;
          if (d->head_len < sizeof (d->head))
            return 0;
          d->head_len = 0;
          switch (d->head[0])
            {
            case 0:
            case 1:
              d->out_fd = STDOUT_FILENO;
              break;
            case 2:
            case 3: /* the daemon's own error text */
              d->out_fd = STDERR_FILENO;
              break;
            default:
              return berth_error_make (err, EPROTO, "Unrecognized input header: %d", d->head[0]);
            }
          d->left = (uint32_t)d->head[4] << 24 | (uint32_t)d->head[5] << 16 | (uint32_t)d->head[6] << 8
                    | (uint32_t)d->head[7];
          continue;
        }
      {
        size_t take = d->left < len ? d->left : len;
        write_all (d->out_fd, p, take);
        d->left -= (uint32_t)take;
        p += take;
        len -= take;
      }
    }
  return 0;
}

/* Forward stdin bytes, holding those that may start the detach sequence
   until the next ones show whether it is typed.  1 when the user detached. */
static int
forward_input (int sock, const char *in, size_t len, struct berth_detach_filter *f, berth_error_t *err)
{
  int r = berth_detach_filter_send (f, sock, in, len);

  if (r < 0)
    return berth_error_errno (err, errno, "cannot send stdin to the container");
  return r;
}

int
berth_attach_pump (struct berth_raw *conn, const struct berth_attach_opts *o, berth_error_t *err)
{
  struct berth_demux dm = { .out_fd = STDOUT_FILENO };
  static const unsigned char default_keys[] = { CTRL_P, CTRL_Q };
  struct berth_detach_filter keys = { NULL, 0, 0 };
  bool in_open = o->send_stdin;
  char buf[8192];

  if (o->detach_keys)
    {
      keys.keys = o->keys != NULL ? o->keys : default_keys;
      keys.n_keys = o->keys != NULL ? o->n_keys : sizeof (default_keys);
    }
  if (!in_open)
    shutdown (conn->fd, SHUT_WR);
  if (conn->extra_len > 0)
    {
      if (o->tty)
        write_all (STDOUT_FILENO, conn->extra, conn->extra_len);
      else if (berth_demux_feed (&dm, conn->extra, conn->extra_len, err) < 0)
        return -1;
    }
  for (;;)
    {
      struct pollfd p[3] = {
        { conn->fd, POLLIN, 0 },
        { in_open ? STDIN_FILENO : -1, POLLIN, 0 },
        { o->signal_fd, POLLIN, 0 },
      };
      ssize_t n;

      if (poll (p, 3, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return berth_error_errno (err, errno, "poll");
        }
      if (p[2].revents & POLLIN)
        {
          int sig;
          while ((sig = berth_signal_pipe_next (o->signal_fd)) > 0)
            if (o->on_signal != NULL)
              o->on_signal (o->ud, sig);
        }
      if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
        {
          n = read (conn->fd, buf, sizeof (buf));
          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0 && errno != ECONNRESET)
            return berth_error_errno (err, errno, "cannot read the attach stream");
          if (n <= 0)
            return BERTH_ATTACH_EOF;
          if (o->tty)
            write_all (STDOUT_FILENO, buf, (size_t)n);
          else if (berth_demux_feed (&dm, buf, (size_t)n, err) < 0)
            return -1;
          continue;
        }
      if (p[1].revents & (POLLIN | POLLHUP | POLLERR))
        {
          n = read (STDIN_FILENO, buf, sizeof (buf));
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            {
              in_open = false;
              shutdown (conn->fd, SHUT_WR);
              continue;
            }
          switch (forward_input (conn->fd, buf, (size_t)n, &keys, err))
            {
            case 0:
              break;
            case 1:
              return BERTH_ATTACH_DETACHED;
            default:
              /* the container closed its stdin: output may still come */
              berth_error_release (err);
              in_open = false;
              break;
            }
        }
    }
}
