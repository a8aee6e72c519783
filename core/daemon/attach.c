/* POST /containers/{id}/attach (hijacked) and /containers/{id}/resize.

   The hijacked socket is joined to a connection to the container's stdio
   (container_manager_attach): the client's bytes go to stdin, the shim's
   stream (already framed when there is no tty) goes back as is.  A client
   that half-closes has no more stdin; output keeps flowing until the
   container exits (the shim closes) or the client hangs up. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/daemon/containers.h"
#include "core/daemon/upgrade.h"
#include "core/lib/mem.h"
#include "core/shim/attach.h"

struct attach_session
{
  struct berthd *d;
  struct container *c;
  int fd; /* the container side */
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

static void
attach_run (void *ud, int sock, const char *extra, size_t extra_len)
{
  struct attach_session *a = ud;
  bool client_in = true;
  char buf[32768];

  if (extra_len > 0 && !write_all (a->fd, extra, extra_len))
    return;
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
          if (!write_all (a->fd, buf, (size_t) n))
            {
              client_in = false;
              shutdown (a->fd, SHUT_WR);
            }
          continue;
        }
      if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL))
        break;
    }
  shutdown (sock, SHUT_RDWR);
}

static void
attach_free (void *ud)
{
  struct attach_session *a = ud;

  close (a->fd);
  container_manager_put (a->d->containers, a->c);
  free (a);
}

static int
handle_attach (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  const char *upgrade = berth_request_header (req, "Upgrade");
  const char *keys = berth_request_query (req, "detachKeys");
  unsigned flags = 0;
  struct attach_session *a;
  struct container *c;
  int fd;

  if (upgrade == NULL || strcasecmp (upgrade, "tcp") != 0)
    return berth_error_make (err, EINVAL, "attach needs a connection upgrade (Connection: Upgrade, Upgrade: tcp)");
  if (!berth_request_query_bool (req, "stream"))
    return berth_error_make (err, EINVAL, "attach without stream=1 is not supported");
  if (berth_request_query_bool (req, "logs"))
    return berth_error_make (err, EINVAL, "attach with logs=1 is not supported; use the logs endpoint");
  if (keys != NULL && keys[0] != '\0')
    return berth_error_make (err, EINVAL, "detachKeys is not supported");
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
  fd = container_manager_attach (d->containers, c, flags, err);
  if (fd < 0)
    {
      container_manager_put (d->containers, c);
      return berth_error_ret (err);
    }
  a = xmalloc0 (sizeof (*a));
  a->d = d;
  a->c = c;
  a->fd = fd;
  berth_response_upgrade (resp,
                          container_tty (c) ? "application/vnd.docker.raw-stream"
                                            : "application/vnd.docker.multiplexed-stream",
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
