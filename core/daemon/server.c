#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "core/daemon/server.h"
#include "core/daemon/stream.h"
#include "core/daemon/tls-server.h"
#include "core/daemon/upgrade.h"
#include "core/lib/api-version.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"

/* One open connection, tracked so the watchdog can enforce the header
   timeout (MHD's own timeout only measures silence). */
struct conn_track
{
  struct conn_track *prev, *next;
  int fd;
  bool in_request;
  bool shut;
  time_t idle_since; /* CLOCK_MONOTONIC seconds */
};

struct berth_server
{
  struct berthd *d;
  const struct berth_router *router;
  struct MHD_Daemon **mhd;
  size_t n_mhd;
  struct berth_tls_server *tls; /* feeds the MHD daemons of TLS listeners */

  pthread_mutex_t lock; /* guards conns and stopping */
  pthread_cond_t wake;
  struct conn_track *conns;
  bool stopping;
  pthread_t watchdog;
  bool watchdog_running;
  size_t handlers; /* streaming handlers still running (guarded by lock) */
  pthread_cond_t handlers_done;
};

/* Per request: the route found and the body read so far. */
struct req_state
{
  struct berth_route_match match;
  char *body;
  size_t len, cap;
  bool responded;              /* refused before the body was read */
  struct berth_stream *stream; /* BERTH_BODY_STREAM routes */
};

static time_t
monotonic_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec;
}

void
berth_server_add_common_headers (struct MHD_Response *r)
{
  MHD_add_response_header (r, "Api-Version", BERTH_API_VERSION);
  MHD_add_response_header (r, "Ostype", "linux");
  MHD_add_response_header (r, "Server", "berth/" PACKAGE_VERSION " (linux)");
  MHD_add_response_header (r, "Docker-Experimental", "false");
}

static enum MHD_Result
send_response (struct MHD_Connection *conn, struct berth_response *resp)
{
  struct MHD_Response *r;
  const char *ctype = resp->content_type;
  cleanup_free char *json_text = NULL;
  const char *body = resp->body;
  size_t len = resp->body_len;
  enum MHD_Result ret;

  if (resp->upgrade != NULL)
    return berth_upgrade_queue (conn, resp);
  if (resp->json != NULL)
    {
      const char *s
          = json_object_to_json_string_ext (resp->json, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
      /* Go's encoder ends every document with a newline; clients don't care
         but humans with curl do. */
      json_text = xasprintf ("%s\n", s);
      body = json_text;
      len = strlen (json_text);
      if (ctype == NULL)
        ctype = "application/json";
    }
  r = MHD_create_response_from_buffer (len, (void *)(body != NULL ? body : ""), MHD_RESPMEM_MUST_COPY);
  if (r == NULL)
    return MHD_NO;
  berth_server_add_common_headers (r);
  if (ctype != NULL)
    MHD_add_response_header (r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
  for (size_t i = 0; i < resp->n_headers; i++)
    MHD_add_response_header (r, resp->headers[i].name, resp->headers[i].value);
  ret = MHD_queue_response (conn, resp->status, r);
  MHD_destroy_response (r);
  return ret;
}

static enum MHD_Result
send_error (struct MHD_Connection *conn, unsigned status, const char *message)
{
  struct berth_response resp = { 0 };
  enum MHD_Result ret;

  berth_response_error (&resp, status, "%s", message);
  ret = send_response (conn, &resp);
  berth_response_clear (&resp);
  return ret;
}

static struct conn_track *
conn_track_of (struct MHD_Connection *conn)
{
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info (conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return ci != NULL ? ci->socket_context : NULL;
}

static void
set_in_request (struct berth_server *s, struct MHD_Connection *conn, bool in_request)
{
  struct conn_track *t = conn_track_of (conn);
  if (t == NULL)
    return;
  pthread_mutex_lock (&s->lock);
  t->in_request = in_request;
  t->idle_since = monotonic_now ();
  pthread_mutex_unlock (&s->lock);
}

static unsigned
dispatch (struct berth_server *s, struct MHD_Connection *conn, const char *method, struct req_state *st,
          struct berth_response *resp)
{
  const struct berth_route *route = st->match.route;
  struct berth_request req = {
    .method = method,
    .path = st->match.path,
    .api_version = st->match.api_version,
    .n_captures = st->match.n_captures,
    .body = st->body,
    .body_len = st->len,
    .conn = conn,
    .body_fd = -1,
  };
  cleanup_error berth_error_t err = NULL;
  int r;

  memcpy (req.captures, st->match.captures, sizeof (req.captures));
  if (route->body != BERTH_BODY_IGNORE && (st->len > 0 || route->body == BERTH_BODY_JSON_REQUIRED))
    {
      if (berth_request_parse_json (st->body != NULL ? st->body : "", st->len, &req.json, &err) < 0)
        {
          berth_response_error (resp, 400, "%s", berth_error_msg (&err));
          return resp->status;
        }
    }

  r = route->fn (s->d, &req, resp, &err);
  if (req.json != NULL)
    json_object_put (req.json);
  if (r < 0)
    {
      unsigned status = berth_http_status_for_error (&err);
      if (status >= 500)
        log_error ("%s %s: %s", method, st->match.path, berth_error_msg (&err));
      berth_response_clear (resp);
      berth_response_error (resp, status, "%s", berth_error_msg (&err));
    }
  else if (resp->status == 0)
    {
      log_error ("%s %s: the handler produced no response", method, st->match.path);
      berth_response_error (resp, 500, "internal error: no response");
    }
  return resp->status;
}

static enum MHD_Result
on_request (void *cls, struct MHD_Connection *conn, const char *url, const char *method, const char *version,
            const char *upload_data, size_t *upload_data_size, void **req_cls)
{
  struct berth_server *s = cls;
  struct req_state *st = *req_cls;
  struct berth_response resp = { 0 };
  enum MHD_Result ret;

  if (st == NULL)
    {
      const char *cl;

      set_in_request (s, conn, true);
      st = xmalloc0 (sizeof (*st));
      *req_cls = st;
      berth_router_resolve (s->router, method, url, &st->match);
      log_debug ("%s %s", method, url);
      if (st->match.route == NULL)
        {
          st->responded = true;
          return send_error (conn, st->match.status, st->match.message);
        }
      if (st->match.route->body == BERTH_BODY_STREAM)
        {
          cleanup_error berth_error_t err = NULL;
          st->stream = berth_stream_start (s, s->d, &st->match, conn, method, &err);
          if (st->stream == NULL)
            {
              st->responded = true;
              return send_error (conn, 500, berth_error_msg (&err));
            }
          return MHD_YES;
        }
      cl = MHD_lookup_connection_value (conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
      if (cl != NULL && strtoull (cl, NULL, 10) > BERTH_HTTP_MAX_BODY)
        {
          st->responded = true;
          return send_error (conn, 413, "request body too large");
        }
      return MHD_YES;
    }
  if (st->responded)
    {
      *upload_data_size = 0;
      return MHD_YES;
    }

  if (st->stream != NULL)
    {
      struct MHD_Response *r;
      unsigned status = 0;

      if (*upload_data_size > 0)
        {
          berth_stream_feed (st->stream, upload_data, *upload_data_size);
          *upload_data_size = 0;
          return MHD_YES;
        }
      r = berth_stream_finish (st->stream, &resp, &status);
      if (r == NULL)
        {
          ret = send_response (conn, &resp);
          berth_response_clear (&resp);
          return ret;
        }
      ret = MHD_queue_response (conn, status, r);
      MHD_destroy_response (r);
      return ret;
    }

  if (*upload_data_size > 0)
    {
      size_t n = *upload_data_size;
      /* Only a chunked body can get here past the limit; a response can't be
         queued mid-body, so drop the connection. */
      if (st->len + n > BERTH_HTTP_MAX_BODY)
        {
          log_warn ("%s %s: request body larger than %u bytes; closing the connection", method, url,
                    BERTH_HTTP_MAX_BODY);
          return MHD_NO;
        }
      if (st->len + n + 1 > st->cap)
        {
          st->cap = st->len + n + 1 > st->cap * 2 ? st->len + n + 1 : st->cap * 2;
          st->body = xrealloc (st->body, st->cap);
        }
      memcpy (st->body + st->len, upload_data, n);
      st->len += n;
      st->body[st->len] = '\0';
      *upload_data_size = 0;
      return MHD_YES;
    }

  dispatch (s, conn, method, st, &resp);
  ret = send_response (conn, &resp);
  berth_response_clear (&resp);
  return ret;
}

static void
on_completed (void *cls, struct MHD_Connection *conn, void **req_cls, enum MHD_RequestTerminationCode toe)
{
  struct berth_server *s = cls;
  struct req_state *st = *req_cls;

  if (st != NULL)
    {
      berth_stream_release (st->stream);
      berth_route_match_clear (&st->match);
      free (st->body);
      free (st);
      *req_cls = NULL;
    }
  set_in_request (s, conn, false);
}

static void
on_connection (void *cls, struct MHD_Connection *conn, void **socket_context, enum MHD_ConnectionNotificationCode code)
{
  struct berth_server *s = cls;
  struct conn_track *t;

  if (code == MHD_CONNECTION_NOTIFY_STARTED)
    {
      const union MHD_ConnectionInfo *ci = MHD_get_connection_info (conn, MHD_CONNECTION_INFO_CONNECTION_FD);
      t = xmalloc0 (sizeof (*t));
      t->fd = ci != NULL ? ci->connect_fd : -1;
      t->idle_since = monotonic_now ();
      pthread_mutex_lock (&s->lock);
      t->next = s->conns;
      if (s->conns != NULL)
        s->conns->prev = t;
      s->conns = t;
      pthread_mutex_unlock (&s->lock);
      *socket_context = t;
      return;
    }
  /* MHD reports CLOSED before it closes the fd, so the watchdog never
     shuts down a reused fd. */
  t = *socket_context;
  if (t == NULL)
    return;
  pthread_mutex_lock (&s->lock);
  if (t->prev != NULL)
    t->prev->next = t->next;
  else
    s->conns = t->next;
  if (t->next != NULL)
    t->next->prev = t->prev;
  pthread_mutex_unlock (&s->lock);
  free (t);
  *socket_context = NULL;
}

static void *
watchdog_main (void *arg)
{
  struct berth_server *s = arg;

  pthread_mutex_lock (&s->lock);
  while (!s->stopping)
    {
      struct timespec deadline;
      time_t now = monotonic_now ();

      for (struct conn_track *t = s->conns; t != NULL; t = t->next)
        if (!t->in_request && !t->shut && t->fd >= 0 && now - t->idle_since >= BERTH_HTTP_HEADER_TIMEOUT)
          {
            /* Wakes the connection's thread, which then closes it. */
            shutdown (t->fd, SHUT_RDWR);
            t->shut = true;
          }
      clock_gettime (CLOCK_MONOTONIC, &deadline);
      deadline.tv_sec += 1;
      pthread_cond_timedwait (&s->wake, &s->lock, &deadline);
    }
  pthread_mutex_unlock (&s->lock);
  return NULL;
}

static void
mhd_log (void *cls, const char *fmt, va_list ap)
{
  char buf[512];
  size_t len;

  vsnprintf (buf, sizeof (buf), fmt, ap);
  len = strlen (buf);
  while (len > 0 && buf[len - 1] == '\n')
    buf[--len] = '\0';
  log_debug ("http: %s", buf);
}

void
berth_server_handler_begin (struct berth_server *s)
{
  pthread_mutex_lock (&s->lock);
  s->handlers++;
  pthread_mutex_unlock (&s->lock);
}

void
berth_server_handler_end (struct berth_server *s)
{
  pthread_mutex_lock (&s->lock);
  if (--s->handlers == 0)
    pthread_cond_broadcast (&s->handlers_done);
  pthread_mutex_unlock (&s->lock);
}

int
berth_server_start (struct berthd *d, const struct berth_router *router, struct berth_listener **listeners, size_t n,
                    struct berth_tls_server *tls, struct berth_server **ret, berth_error_t *err)
{
  struct berth_server *s = xmalloc0 (sizeof (*s));
  pthread_condattr_t ca;

  /* One thread per connection: glibc would give each its own malloc arena
     (up to 8 per core) and keep their pages; two arenas keep an idle
     berthd near its start-up size (16 -> 13 MB after 40 containers here).
     MALLOC_ARENA_MAX in the environment still decides. */
  if (getenv ("MALLOC_ARENA_MAX") == NULL)
    mallopt (M_ARENA_MAX, 2);
  s->d = d;
  s->router = router;
  s->tls = tls;
  pthread_mutex_init (&s->lock, NULL);
  pthread_condattr_init (&ca);
  pthread_condattr_setclock (&ca, CLOCK_MONOTONIC);
  pthread_cond_init (&s->wake, &ca);
  pthread_condattr_destroy (&ca);
  pthread_cond_init (&s->handlers_done, NULL);
  s->mhd = xmalloc0 (n * sizeof (*s->mhd));

  for (size_t i = 0; i < n; i++)
    {
      /* MHD_USE_POLL: select() would fail on fds above FD_SETSIZE. */
      unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL | MHD_USE_ITC
                       | MHD_USE_ERROR_LOG | MHD_ALLOW_UPGRADE;
      /* A TLS listener's connections reach MHD decrypted, through
         MHD_add_connection (tls-server.h says why not MHD's HTTPS). */
      bool tls_listener = listeners[i]->tls;
      struct MHD_OptionItem listen_opts[] = {
        { tls_listener ? MHD_OPTION_END : MHD_OPTION_LISTEN_SOCKET, (intptr_t)listeners[i]->fd, NULL },
        { MHD_OPTION_END, 0, NULL },
      };

      if (tls_listener && tls == NULL)
        {
          berth_server_stop (s);
          return berth_error_make (err, EINVAL, "%s: TLS is configured for this listener but not loaded",
                                   listeners[i]->spec);
        }
      if (tls_listener)
        flags |= MHD_USE_NO_LISTEN_SOCKET;
      s->mhd[i] = MHD_start_daemon (
          flags, 0, NULL, NULL, on_request, s, MHD_OPTION_ARRAY, listen_opts, MHD_OPTION_CONNECTION_LIMIT,
          (unsigned)BERTH_HTTP_MAX_CONNECTIONS, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)BERTH_HTTP_MAX_HEADER,
          MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)BERTH_HTTP_IDLE_TIMEOUT, MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
          MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
          MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_END);
      if (s->mhd[i] == NULL)
        {
          berth_server_stop (s);
          return berth_error_make (err, EIO, "cannot start the HTTP server on %s", listeners[i]->spec);
        }
      s->n_mhd = i + 1;
      if (tls_listener && berth_tls_server_serve (tls, listeners[i]->fd, s->mhd[i], listeners[i]->spec, err) < 0)
        {
          listeners[i]->fd = -1; /* the TLS server owns it now */
          berth_server_stop (s);
          return berth_error_ret (err);
        }
      listeners[i]->fd = -1; /* MHD (or the TLS server) owns it now */
    }
  if (pthread_create (&s->watchdog, NULL, watchdog_main, s) != 0)
    {
      berth_server_stop (s);
      return berth_error_make (err, EAGAIN, "cannot start the connection watchdog");
    }
  s->watchdog_running = true;
  *ret = s;
  return 0;
}

void
berth_server_stop (struct berth_server *s)
{
  if (s == NULL)
    return;
  /* Stop accepting everywhere first, then wind connections down.  TLS
     connections first: their threads hand connections to MHD. */
  berth_tls_server_stop (s->tls);
  for (size_t i = 0; i < s->n_mhd; i++)
    {
      MHD_socket fd = MHD_quiesce_daemon (s->mhd[i]);
      if (fd != MHD_INVALID_SOCKET)
        close (fd);
    }
  for (size_t i = 0; i < s->n_mhd; i++)
    MHD_stop_daemon (s->mhd[i]);
  if (s->watchdog_running)
    {
      pthread_mutex_lock (&s->lock);
      s->stopping = true;
      pthread_cond_signal (&s->wake);
      pthread_mutex_unlock (&s->lock);
      pthread_join (s->watchdog, NULL);
    }
  /* streaming handlers see their connection gone and finish */
  pthread_mutex_lock (&s->lock);
  while (s->handlers > 0)
    pthread_cond_wait (&s->handlers_done, &s->lock);
  pthread_mutex_unlock (&s->lock);
  pthread_cond_destroy (&s->handlers_done);
  pthread_cond_destroy (&s->wake);
  pthread_mutex_destroy (&s->lock);
  free (s->mhd);
  free (s);
}
