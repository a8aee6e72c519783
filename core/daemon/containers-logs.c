/* GET /containers/{id}/logs: read back through the log driver's read op,
   as Docker's multiplexed frames (raw bytes with a tty). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <berth/log.h>

#include "core/config/tree.h"
#include "core/daemon/containers.h"
#include "core/lib/mem.h"
#include "core/plugin/registry.h"

struct emit_ctx
{
  struct berth_request *req;
  bool tty, timestamps, out, err;
  berth_error_t *error;
};

static int
emit (void *ud, const struct berth_log_msg *m)
{
  struct emit_ctx *x = ud;
  char ts[64] = "";
  size_t ts_len = 0, len;
  bool nl = !(m->flags & BERTH_LOG_PARTIAL);
  cleanup_free uint8_t *buf = NULL;
  uint8_t *p;

  if ((m->stream == BERTH_LOG_STDOUT && !x->out) || (m->stream == BERTH_LOG_STDERR && !x->err))
    return 0;
  if (x->timestamps)
    {
      time_t sec = (time_t) (m->ts_unix_ns / 1000000000LL);
      struct tm tm;
      gmtime_r (&sec, &tm);
      ts_len = strftime (ts, sizeof (ts), "%Y-%m-%dT%H:%M:%S", &tm);
      ts_len += (size_t) snprintf (ts + ts_len, sizeof (ts) - ts_len, ".%09lldZ ",
                                   (long long) (m->ts_unix_ns % 1000000000LL));
    }
  len = ts_len + m->len + (nl ? 1 : 0);
  buf = xmalloc (len + 8);
  p = buf;
  if (!x->tty)
    {
      p[0] = m->stream == BERTH_LOG_STDERR ? 2 : 1;
      p[1] = p[2] = p[3] = 0;
      p[4] = (uint8_t) (len >> 24);
      p[5] = (uint8_t) (len >> 16);
      p[6] = (uint8_t) (len >> 8);
      p[7] = (uint8_t) len;
      p += 8;
    }
  memcpy (p, ts, ts_len);
  memcpy (p + ts_len, m->line, m->len);
  if (nl)
    p[ts_len + m->len] = '\n';
  return berth_response_stream_write (x->req, buf, len + (x->tty ? 0 : 8), x->error);
}

/* "secs[.nanos]" -> ns; 0 for absent */
static int
parse_time (const char *s, const char *what, int64_t *ret, berth_error_t *err)
{
  char *end;
  long long sec, ns = 0;

  *ret = 0;
  if (s == NULL || s[0] == '\0')
    return 0;
  errno = 0;
  sec = strtoll (s, &end, 10);
  if (*end == '.')
    {
      const char *f = end + 1;
      int digits = 0;
      for (; *f >= '0' && *f <= '9'; f++)
        if (digits < 9)
          {
            ns = ns * 10 + (*f - '0');
            digits++;
          }
      while (digits++ < 9)
        ns *= 10;
      end = (char *) f;
    }
  if (*end != '\0' || errno != 0 || sec < 0)
    return berth_error_make (err, EINVAL, "invalid value for \"%s\": %s", what, s);
  *ret = (int64_t) sec * 1000000000LL + ns;
  return 0;
}

/* The follower ends the read when the container stops (the shim has
   closed the log before its exit is seen, and the driver makes a last pass
   after the cancel, so every line written reaches the client) or when the
   client hangs up (the response pipe's reader is gone). */
struct follow
{
  struct berthd *d;
  struct container *c;
  int cancel_w;
  int out_fd; /* the response pipe */
  int done;   /* __atomic: the reader finished first */
};

static void *
follow_main (void *arg)
{
  struct follow *f = arg;
  int code;

  for (;;)
    {
      berth_error_t err = NULL;
      struct pollfd p = { f->out_fd, 0, 0 };
      int r = container_manager_wait_timed (f->d->containers, f->c, CONTAINER_WAIT_NOT_RUNNING, 250, &code, &err);
      berth_error_release (&err);
      if (__atomic_load_n (&f->done, __ATOMIC_SEQ_CST) || r != 0)
        break;
      if (f->out_fd >= 0 && poll (&p, 1, 0) > 0 && (p.revents & (POLLERR | POLLHUP | POLLNVAL)))
        break;
    }
  if (write (f->cancel_w, "x", 1) < 0)
    {
      /* the reader is gone already */
    }
  return NULL;
}

static bool
is_running (struct berthd *d, struct container *c)
{
  cleanup_free char *p = container_manager_attach_path (d->containers, c);
  return p != NULL;
}

static int
handle_logs (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  berth_error_t emit_err = NULL;
  struct emit_ctx x = { .req = req, .error = &emit_err };
  struct berth_log_read_opts o = { .struct_size = sizeof (o), .tail = -1, .cancel_fd = -1 };
  struct berth_log_info info = { .struct_size = sizeof (info) };
  const char *tail = berth_request_query (req, "tail");
  struct berth_driver *drv;
  struct berth_cfg *opts = NULL;
  struct container *c;
  struct follow f = { .d = d, .cancel_w = -1 };
  pthread_t follower;
  bool following = false;
  int cancel[2] = { -1, -1 }, r = 0;

  x.out = berth_request_query_bool (req, "stdout");
  x.err = berth_request_query_bool (req, "stderr");
  x.timestamps = berth_request_query_bool (req, "timestamps");
  if (!x.out && !x.err)
    return berth_error_make (err, EINVAL, "Bad parameters: you must choose at least one stream");
  if (berth_request_query_bool (req, "details"))
    return berth_error_make (err, EINVAL, "details=1 is not supported");
  if (parse_time (berth_request_query (req, "since"), "since", &o.since_ns, err) < 0
      || parse_time (berth_request_query (req, "until"), "until", &o.until_ns, err) < 0)
    return berth_error_ret (err);
  if (tail != NULL && tail[0] != '\0' && strcmp (tail, "all") != 0)
    {
      char *end;
      long long n = strtoll (tail, &end, 10);
      if (*end != '\0')
        return berth_error_make (err, EINVAL, "invalid value for \"tail\": %s", tail);
      o.tail = n < 0 ? -1 : n;
    }
  c = berth_container_get (d, req, err);
  if (c == NULL)
    return berth_error_ret (err);
  drv = container_manager_log_driver (d->containers, c);
  if (drv == NULL || drv->ops.log.read == NULL)
    {
      container_manager_put (d->containers, c);
      return berth_error_make (err, ENOTSUP, "configured logging driver does not support reading");
    }
  x.tty = container_tty (c);
  info.container_id = c->id;
  info.container_name = c->name;
  info.image = c->image;
  info.log_dir = c->dir;
  opts = container_manager_log_opts (d->containers, c);
  info.opts = opts;
  if (berth_response_stream_begin (req, resp, 200,
                                   x.tty ? "application/vnd.docker.raw-stream"
                                         : "application/vnd.docker.multiplexed-stream",
                                   err)
      < 0)
    {
      r = -1;
      goto out;
    }
  if (berth_request_query_bool (req, "follow") && is_running (d, c))
    {
      if (pipe2 (cancel, O_CLOEXEC) < 0)
        {
          r = berth_error_errno (err, errno, "pipe");
          goto out;
        }
      f.c = c;
      f.cancel_w = cancel[1];
      f.out_fd = berth_response_stream_fd (req);
      o.flags |= BERTH_LOG_FOLLOW;
      o.cancel_fd = cancel[0];
      if (pthread_create (&follower, NULL, follow_main, &f) != 0)
        {
          r = berth_error_make (err, EAGAIN, "cannot start a thread");
          goto out;
        }
      following = true;
    }
  r = drv->ops.log.read (drv->drv, &info, &o, emit, &x, err);
out:
  if (following)
    {
      __atomic_store_n (&f.done, 1, __ATOMIC_SEQ_CST);
      pthread_join (follower, NULL);
    }
  if (cancel[0] >= 0)
    close (cancel[0]);
  if (cancel[1] >= 0)
    close (cancel[1]);
  berth_cfg_free (opts);
  container_manager_put (d->containers, c);
  if (r < 0 && emit_err != NULL && *err == NULL)
    {
      /* the client went away */
      *err = steal_pointer (&emit_err);
    }
  berth_error_release (&emit_err);
  return r < 0 ? berth_error_ret (err) : 0;
}

static const struct berth_route logs_routes[] = {
  { "GET", "/containers/{id}/logs", BERTH_BODY_STREAM, handle_logs },
};

void
berth_container_logs_routes (struct berth_router *r)
{
  berth_router_add (r, logs_routes, sizeof (logs_routes) / sizeof (logs_routes[0]));
}
