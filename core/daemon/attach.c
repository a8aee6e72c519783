/* POST /containers/{id}/attach (hijacked) and /containers/{id}/resize.

   The hijacked socket is joined to a connection to the container's stdio
   (container_manager_attach): the client's bytes go to stdin, the shim's
   stream (already framed when there is no tty) goes back as is.  A client
   that half-closes has no more stdin; output keeps flowing until the
   container exits (the shim closes) or the client hangs up.

   logs=1 replays the container's log (through its driver's read op, in the
   same framing) before the live stream, or alone with stream=0.  With a
   tty, the client's stdin passes through the detach keys (detachKeys=,
   ctrl-p,ctrl-q by default, as moby's escape proxy): typing them ends the
   session and leaves the container running. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <berth/log.h>

#include "core/config/tree.h"
#include "core/daemon/containers.h"
#include "core/daemon/upgrade.h"
#include "core/lib/detach-keys.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/plugin/registry.h"
#include "core/shim/attach.h"

struct attach_session
{
  struct berthd *d;
  struct container *c;
  int fd; /* the container side; -1 with stream=0 */
  bool tty, logs, out, err;
  unsigned char keys[BERTH_DETACH_KEYS_MAX];
  size_t n_keys; /* 0: stdin is not filtered */
};

static bool
write_all (int fd, const char *p, size_t len)
{
  while (len > 0)
    {
      ssize_t n = send (fd, p, len, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return false;
      p += n;
      len -= (size_t) n;
    }
  return true;
}

struct replay
{
  int sock;
  bool tty, out, err;
};

/* one log message to the client, framed as the live stream is */
static int
replay_one (void *ud, const struct berth_log_msg *m)
{
  struct replay *x = ud;
  bool nl = !(m->flags & BERTH_LOG_PARTIAL);
  size_t len = m->len + (nl ? 1 : 0);
  cleanup_free char *buf = NULL;
  char *p;

  if ((m->stream == BERTH_LOG_STDERR && !x->err) || (m->stream != BERTH_LOG_STDERR && !x->out))
    return 0;
  buf = xmalloc (len + 8);
  p = buf;
  if (!x->tty)
    {
      p[0] = m->stream == BERTH_LOG_STDERR ? 2 : 1;
      p[1] = p[2] = p[3] = 0;
      p[4] = (char) (len >> 24);
      p[5] = (char) (len >> 16);
      p[6] = (char) (len >> 8);
      p[7] = (char) len;
      p += 8;
    }
  memcpy (p, m->line, m->len);
  if (nl)
    p[m->len] = '\n';
  return write_all (x->sock, buf, len + (x->tty ? 0 : 8)) ? 0 : 1;
}

/* the log so far, as moby replays it for logs=1; false when the client is gone */
static bool
replay_logs (struct attach_session *a, int sock)
{
  struct berth_driver *drv = container_manager_log_driver (a->d->containers, a->c);
  struct berth_log_read_opts o = { .struct_size = sizeof (o), .tail = -1, .cancel_fd = -1 };
  struct berth_log_info info = { .struct_size = sizeof (info) };
  struct replay x = { .sock = sock, .tty = a->tty, .out = a->out, .err = a->err };
  cleanup_error berth_error_t err = NULL;
  struct berth_cfg *opts;
  int r;

  if (drv == NULL || drv->ops.log.read == NULL)
    return true; /* moby replays nothing from a driver it cannot read */
  info.container_id = a->c->id;
  info.container_name = a->c->name;
  info.image = a->c->image;
  info.log_dir = a->c->dir;
  opts = container_manager_log_opts (a->d->containers, a->c);
  info.opts = opts;
  r = drv->ops.log.read (drv->drv, &info, &o, replay_one, &x, &err);
  berth_cfg_free (opts);
  if (r < 0)
    log_warn ("attach %s: replaying the log: %s", a->c->id, berth_error_msg (&err));
  return r == 0;
}

static void
attach_run (void *ud, int sock, const char *extra, size_t extra_len)
{
  struct attach_session *a = ud;
  struct berth_detach_filter f = { a->n_keys ? a->keys : NULL, a->n_keys, 0 };
  bool client_in = true;
  char buf[32768];

  if (a->logs && !replay_logs (a, sock))
    {
      shutdown (sock, SHUT_WR);
      return;
    }
  if (a->fd < 0)
    {
      shutdown (sock, SHUT_WR);
      return;
    }
  if (extra_len > 0)
    switch (berth_detach_filter_send (&f, a->fd, extra, extra_len))
      {
      case 1:
        shutdown (sock, SHUT_WR);
        return;
      case -1:
        client_in = false;
        shutdown (a->fd, SHUT_WR);
        break;
      default:
        break;
      }
  for (;;)
    {
      struct pollfd p[2] = { { sock, client_in ? POLLIN : 0, 0 }, { a->fd, POLLIN, 0 } };
      ssize_t n;

      if (poll (p, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (p[1].revents)
        {
          n = read (a->fd, buf, sizeof (buf));
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0 || !write_all (sock, buf, (size_t) n))
            break;
          continue; /* output first: a hang-up below must not lose it */
        }
      if (p[0].revents & POLLIN)
        {
          n = read (sock, buf, sizeof (buf));
          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            break;
          if (n == 0)
            {
              /* half-close: no more stdin */
              client_in = false;
              shutdown (a->fd, SHUT_WR);
              continue;
            }
          switch (berth_detach_filter_send (&f, a->fd, buf, (size_t) n))
            {
            case 1:
              /* detached: the container keeps running */
              shutdown (sock, SHUT_WR);
              return;
            case -1:
              client_in = false;
              shutdown (a->fd, SHUT_WR);
              break;
            default:
              break;
            }
          continue;
        }
      if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL))
        break;
    }
  shutdown (sock, SHUT_WR);
}

static void
attach_free (void *ud)
{
  struct attach_session *a = ud;

  if (a->fd >= 0)
    close (a->fd);
  container_manager_put (a->d->containers, a->c);
  free (a);
}

static int
handle_attach (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  const char *upgrade = berth_request_header (req, "Upgrade");
  const char *keys = berth_request_query (req, "detachKeys");
  bool stream = berth_request_query_bool (req, "stream"), logs = berth_request_query_bool (req, "logs");
  unsigned char key_bytes[BERTH_DETACH_KEYS_MAX] = { 16, 17 }; /* moby's default: ctrl-p,ctrl-q */
  size_t n_keys = 2;
  unsigned flags = 0;
  struct attach_session *a;
  struct container *c;
  int fd = -1;

  if (upgrade == NULL || strcasecmp (upgrade, "tcp") != 0)
    return berth_error_make (err, EINVAL, "attach needs a connection upgrade (Connection: Upgrade, Upgrade: tcp)");
  if (!stream && !logs)
    return berth_error_make (err, EINVAL, "attach needs stream=1 or logs=1");
  if (keys != NULL && keys[0] != '\0' && berth_detach_keys_parse (keys, key_bytes, &n_keys) < 0)
    return berth_error_make (err, EINVAL, "Invalid detach keys (%s) provided", keys);
  if (berth_request_query_bool (req, "stdin"))
    flags |= SHIM_ATTACH_STDIN;
  if (berth_request_query_bool (req, "stdout"))
    flags |= SHIM_ATTACH_STDOUT;
  if (berth_request_query_bool (req, "stderr"))
    flags |= SHIM_ATTACH_STDERR;
  c = berth_container_get (d, req, err);
  if (c == NULL)
    return berth_error_ret (err);
  if ((flags & SHIM_ATTACH_STDIN) && !container_open_stdin (c))
    flags &= ~(unsigned) SHIM_ATTACH_STDIN;
  if (stream)
    {
      /* attached before the replay: output in between is not lost */
      fd = container_manager_attach (d->containers, c, flags, err);
      if (fd < 0)
        {
          container_manager_put (d->containers, c);
          return berth_error_ret (err);
        }
    }
  a = xmalloc0 (sizeof (*a));
  a->d = d;
  a->c = c;
  a->fd = fd;
  a->tty = container_tty (c);
  a->logs = logs;
  a->out = flags & SHIM_ATTACH_STDOUT;
  a->err = flags & SHIM_ATTACH_STDERR;
  if (a->tty && (flags & SHIM_ATTACH_STDIN))
    {
      memcpy (a->keys, key_bytes, n_keys);
      a->n_keys = n_keys;
    }
  berth_response_upgrade (resp, a->tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream",
                          attach_run, attach_free, a);
  return 0;
}

static int
query_uint (const struct berth_request *req, const char *key, unsigned *ret, berth_error_t *err)
{
  const char *v = berth_request_query (req, key);
  char *end;
  unsigned long n;

  if (v == NULL || v[0] == '\0')
    return berth_error_make (err, EINVAL, "%s is required", key);
  n = strtoul (v, &end, 10);
  if (*end != '\0' || n > 65535)
    return berth_error_make (err, EINVAL, "invalid %s: %s", key, v);
  *ret = (unsigned) n;
  return 0;
}

static int
handle_resize (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  struct container *c;
  unsigned h, w;
  int r;

  if (query_uint (req, "h", &h, err) < 0 || query_uint (req, "w", &w, err) < 0)
    return berth_error_ret (err);
  c = berth_container_get (d, req, err);
  if (c == NULL)
    return berth_error_ret (err);
  r = container_manager_resize (d->containers, c, h, w, err);
  container_manager_put (d->containers, c);
  if (r < 0)
    return r;
  berth_response_text (resp, 200, "text/plain; charset=utf-8", "");
  return 0;
}

static const struct berth_route attach_routes[] = {
  { "POST", "/containers/{id}/attach", BERTH_BODY_IGNORE, handle_attach },
  { "POST", "/containers/{id}/resize", BERTH_BODY_IGNORE, handle_resize },
};

void
berth_container_attach_routes (struct berth_router *r)
{
  berth_router_add (r, attach_routes, sizeof (attach_routes) / sizeof (attach_routes[0]));
}
