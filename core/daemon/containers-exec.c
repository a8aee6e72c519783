/* docker exec: POST /containers/{id}/exec, POST /exec/{id}/start,
   POST /exec/{id}/resize, GET /exec/{id}/json.

   A start without Detach hijacks the connection as attach does, and then
   starts the process (moby's order: a start failure is told in the stream,
   as a stdout frame without a tty, and the exit code 126/127 is left for
   the client's exec inspect).  The client's bytes go to the process's
   stdin; with a tty they pass through the detach keys (moby's escape
   proxy: ctrl-p,ctrl-q unless DetachKeys said otherwise), whose sequence
   ends the session and leaves the process running.  The stream ends when
   the shim closes it after the exit; the exit status is recorded before
   the client sees the end, so its inspect finds it. */
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
#include "core/lib/detach-keys.h"
#include "core/lib/mem.h"

struct exec_session
{
  struct berthd *d;
  struct container_exec *e;
  unsigned height, width;
};

static bool
send_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;

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

/* the start's error, as moby writes it to the client's stdout */
static void
send_error (int sock, bool tty, const char *msg)
{
  cleanup_free char *text = xasprintf ("%s\r\n", msg);
  size_t len = strlen (text);
  unsigned char hdr[8] = { 1, 0, 0, 0, (unsigned char) (len >> 24), (unsigned char) (len >> 16),
                           (unsigned char) (len >> 8), (unsigned char) len };

  if (!tty && !send_all (sock, hdr, sizeof (hdr)))
    return;
  send_all (sock, text, len);
}

/* Copy both ways until the shim ends the stream (false) or the client
   detaches or hangs up (true). */
static bool
relay (int sock, int fd, struct berth_detach_filter *f, const char *extra, size_t extra_len)
{
  bool client_in = true;
  char buf[32768];

  if (extra_len > 0)
    switch (berth_detach_filter_send (f, fd, extra, extra_len))
      {
      case 1:
        return true;
      case -1:
        client_in = false;
        break;
      default:
        break;
      }
  for (;;)
    {
      struct pollfd p[2] = { { sock, client_in ? POLLIN : 0, 0 }, { fd, POLLIN, 0 } };
      ssize_t n;

      if (poll (p, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return true;
        }
      if (p[1].revents)
        {
          n = read (fd, buf, sizeof (buf));
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            return false;
          if (!send_all (sock, buf, (size_t) n))
            return true;
          continue; /* output first: a hang-up below must not lose it */
        }
      if (p[0].revents & POLLIN)
        {
          n = read (sock, buf, sizeof (buf));
          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            return true;
          if (n == 0)
            {
              /* half-close: no more stdin */
              client_in = false;
              shutdown (fd, SHUT_WR);
              continue;
            }
          switch (berth_detach_filter_send (f, fd, buf, (size_t) n))
            {
            case 1:
              return true;
            case -1:
              client_in = false;
              shutdown (fd, SHUT_WR);
              break;
            default:
              break;
            }
          continue;
        }
      if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL))
        return true;
    }
}

static void
exec_run (void *ud, int sock, const char *extra, size_t extra_len)
{
  struct exec_session *a = ud;
  struct container_manager *m = a->d->containers;
  cleanup_error berth_error_t err = NULL;
  bool tty = container_exec_tty (a->e);
  struct berth_detach_filter f = { 0 };
  int fd = -1;

  if (container_manager_exec_start (m, a->e, false, a->height, a->width, &fd, &err) < 0)
    {
      send_error (sock, tty, berth_error_msg (&err));
      shutdown (sock, SHUT_WR);
      return;
    }
  if (tty && container_exec_stdin (a->e))
    f.n_keys = container_exec_detach_keys (a->e, &f.keys);
  if (!relay (sock, fd, &f, extra, extra_len))
    container_manager_exec_ended (m, a->e);
  close (fd);
  shutdown (sock, SHUT_WR);
}

static void
exec_session_free (void *ud)
{
  struct exec_session *a = ud;

  container_manager_exec_put (a->d->containers, a->e);
  free (a);
}

static struct container_exec *
exec_get (struct berthd *d, const struct berth_request *req, berth_error_t *err)
{
  const char *id = berth_request_capture (req, "id");

  return container_manager_exec_get (d->containers, id != NULL ? id : "", err);
}

static int
handle_exec_create (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  cleanup_free char *id = NULL;
  struct container *c = berth_container_get (d, req, err);
  json_object *o;
  int r;

  if (c == NULL)
    return berth_error_ret (err);
  r = container_manager_exec_create (d->containers, c, berth_request_capture (req, "id"), req->json, &id, err);
  container_manager_put (d->containers, c);
  if (r < 0)
    return r;
  o = json_object_new_object ();
  json_object_object_add (o, "Id", json_object_new_string (id));
  berth_response_json (resp, 201, o);
  return 0;
}

/* ConsoleSize [height, width]; zeros when absent */
static int
console_size (json_object *body, unsigned *h, unsigned *w, berth_error_t *err)
{
  json_object *cs = body ? json_object_object_get (body, "ConsoleSize") : NULL;
  int64_t vh, vw;

  *h = *w = 0;
  if (cs == NULL)
    return 0;
  if (!json_object_is_type (cs, json_type_array) || json_object_array_length (cs) != 2)
    return berth_error_make (err, EINVAL, "ConsoleSize must be [height, width]");
  vh = json_object_get_int64 (json_object_array_get_idx (cs, 0));
  vw = json_object_get_int64 (json_object_array_get_idx (cs, 1));
  if (vh < 0 || vw < 0 || vh > 65535 || vw > 65535)
    return berth_error_make (err, EINVAL, "invalid ConsoleSize [%lld, %lld]", (long long) vh, (long long) vw);
  *h = (unsigned) vh;
  *w = (unsigned) vw;
  return 0;
}

static int
handle_exec_start (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  const char *upgrade = berth_request_header (req, "Upgrade");
  json_object *body = req->json;
  struct exec_session *a;
  struct container_exec *e;
  unsigned h, w;
  int r;

  if (body != NULL && !json_object_is_type (body, json_type_object))
    return berth_error_make (err, EINVAL, "exec start config must be a JSON object");
  if (console_size (body, &h, &w, err) < 0)
    return berth_error_ret (err);
  e = exec_get (d, req, err);
  if (e == NULL)
    return berth_error_ret (err);
  if (json_object_get_boolean (body ? json_object_object_get (body, "Detach") : NULL))
    {
      r = container_manager_exec_start (d->containers, e, true, h, w, NULL, err);
      container_manager_exec_put (d->containers, e);
      if (r < 0)
        return r;
      berth_response_text (resp, 200, "text/plain; charset=utf-8", "");
      return 0;
    }
  if (upgrade == NULL || strcasecmp (upgrade, "tcp") != 0)
    {
      container_manager_exec_put (d->containers, e);
      return berth_error_make (err, EINVAL,
                               "exec start without Detach needs a connection upgrade (Connection: Upgrade, Upgrade: "
                               "tcp)");
    }
  a = xmalloc0 (sizeof (*a));
  a->d = d;
  a->e = e;
  a->height = h;
  a->width = w;
  berth_response_upgrade (resp,
                          container_exec_tty (e) ? "application/vnd.docker.raw-stream"
                                                 : "application/vnd.docker.multiplexed-stream",
                          exec_run, exec_session_free, a);
  return 0;
}

static int
query_size (const struct berth_request *req, const char *key, unsigned *ret, berth_error_t *err)
{
  const char *v = berth_request_query (req, key);
  char *end;
  unsigned long n;

  if (v == NULL || v[0] == '\0')
    return berth_error_make (err, EINVAL, "%s is required", key);
  n = strtoul (v, &end, 10);
  if (*end != '\0' || n > 65535 || v[0] == '-')
    return berth_error_make (err, EINVAL, "invalid %s: %s", key, v);
  *ret = (unsigned) n;
  return 0;
}

static int
handle_exec_resize (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  struct container_exec *e;
  unsigned h, w;
  int r;

  if (query_size (req, "h", &h, err) < 0 || query_size (req, "w", &w, err) < 0)
    return berth_error_ret (err);
  e = exec_get (d, req, err);
  if (e == NULL)
    return berth_error_ret (err);
  r = container_manager_exec_resize (d->containers, e, h, w, err);
  container_manager_exec_put (d->containers, e);
  if (r < 0)
    return r;
  berth_response_text (resp, 200, "text/plain; charset=utf-8", "");
  return 0;
}

static int
handle_exec_inspect (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  struct container_exec *e = exec_get (d, req, err);

  if (e == NULL)
    return berth_error_ret (err);
  berth_response_json (resp, 200, container_manager_exec_inspect (d->containers, e));
  container_manager_exec_put (d->containers, e);
  return 0;
}

static const struct berth_route exec_routes[] = {
  { "POST", "/containers/{id}/exec", BERTH_BODY_JSON, handle_exec_create },
  { "POST", "/exec/{id}/start", BERTH_BODY_JSON, handle_exec_start },
  { "POST", "/exec/{id}/resize", BERTH_BODY_IGNORE, handle_exec_resize },
  { "GET", "/exec/{id}/json", BERTH_BODY_IGNORE, handle_exec_inspect },
};

void
berth_exec_routes (struct berth_router *r)
{
  berth_router_add (r, exec_routes, sizeof (exec_routes) / sizeof (exec_routes[0]));
}
