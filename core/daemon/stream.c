#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/daemon/http.h"
#include "core/daemon/stream.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"

/* Pipes get this much buffer when the kernel allows it. */
#define STREAM_PIPE_SIZE (1024 * 1024)
#define STREAM_BLOCK_SIZE (64 * 1024)

enum stream_state
{
  STREAM_RUNNING,   /* the handler works, nothing sent yet */
  STREAM_STREAMING, /* the handler began a streamed response */
  STREAM_DONE,      /* the handler returned without streaming */
};

struct berth_stream
{
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int refs; /* the connection and the handler thread */
  enum stream_state state;
  struct berth_server *server;
  struct berthd *d;
  const struct berth_route *route;
  struct berth_route_match match;
  char *method;
  struct berth_request req;
  struct berth_response resp; /* buffered response, or the streamed one's status and headers */
  unsigned stream_status;
  int rc;
  berth_error_t err;
  int body_w;           /* upload -> handler; -1 once closed */
  bool body_dropping;   /* the handler closed its end: drop the rest */
  bool body_complete;   /* the whole upload arrived */
  int out_r, out_w;     /* handler -> response */
  bool reader_attached; /* an MHD response reads out_r */
  bool cut;             /* the streamed body is incomplete: cut the connection */
};

static void
stream_unref (struct berth_stream *s)
{
  bool last;

  pthread_mutex_lock (&s->lock);
  last = --s->refs == 0;
  pthread_mutex_unlock (&s->lock);
  if (!last)
    return;
  if (s->body_w >= 0)
    close (s->body_w);
  if (s->req.body_fd >= 0)
    close (s->req.body_fd);
  if (s->out_r >= 0)
    close (s->out_r);
  if (s->out_w >= 0)
    close (s->out_w);
  for (size_t i = 0; i < s->req.n_args; i++)
    {
      free (s->req.args[i].name);
      free (s->req.args[i].value);
    }
  free (s->req.args);
  for (size_t i = 0; i < s->req.n_headers; i++)
    {
      free (s->req.headers[i].name);
      free (s->req.headers[i].value);
    }
  free (s->req.headers);
  berth_route_match_clear (&s->match);
  berth_response_clear (&s->resp);
  berth_error_release (&s->err);
  free (s->method);
  pthread_cond_destroy (&s->cond);
  pthread_mutex_destroy (&s->lock);
  free (s);
}

struct copy_ctx
{
  struct berth_http_header **v;
  size_t *n;
};

static enum MHD_Result
copy_value (void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
  struct copy_ctx *c = cls;

  (void)kind;
  *c->v = xrealloc (*c->v, (*c->n + 1) * sizeof (**c->v));
  (*c->v)[*c->n].name = xstrdup (key);
  (*c->v)[*c->n].value = xstrdup (value != NULL ? value : "");
  (*c->n)++;
  return MHD_YES;
}

static void *
handler_main (void *arg)
{
  struct berth_stream *s = arg;
  berth_error_t err = NULL;
  int r;

  r = s->route->fn (s->d, &s->req, &s->resp, &err);
  /* whatever the handler did not read is dropped by the connection */
  close (s->req.body_fd);
  s->req.body_fd = -1;

  pthread_mutex_lock (&s->lock);
  if (s->state == STREAM_STREAMING)
    {
      if (r < 0)
        {
          s->cut = true;
          log_error ("%s %s: %s (response cut short)", s->method, s->match.path,
                     err != NULL ? berth_error_msg (&err) : "failed");
        }
      berth_error_release (&err);
      close (s->out_w);
      s->out_w = -1;
    }
  else
    {
      s->state = STREAM_DONE;
      s->rc = r;
      s->err = err;
    }
  pthread_cond_broadcast (&s->cond);
  pthread_mutex_unlock (&s->lock);
  berth_server_handler_end (s->server);
  stream_unref (s);
  return NULL;
}

static void
grow_pipe (int fd)
{
  /* best effort: a small pipe only costs more context switches */
  (void)fcntl (fd, F_SETPIPE_SZ, STREAM_PIPE_SIZE);
}

struct berth_stream *
berth_stream_start (struct berth_server *server, struct berthd *d, struct berth_route_match *match,
                    struct MHD_Connection *conn, const char *method, berth_error_t *err)
{
  struct berth_stream *s = xmalloc0 (sizeof (*s));
  struct copy_ctx args = { &s->req.args, &s->req.n_args };
  struct copy_ctx headers = { &s->req.headers, &s->req.n_headers };
  int body[2], out[2];
  pthread_attr_t attr;
  pthread_t tid;

  if (pipe2 (body, O_CLOEXEC) < 0)
    {
      berth_error_errno (err, errno, "cannot create a pipe");
      free (s);
      return NULL;
    }
  if (pipe2 (out, O_CLOEXEC) < 0)
    {
      berth_error_errno (err, errno, "cannot create a pipe");
      close (body[0]);
      close (body[1]);
      free (s);
      return NULL;
    }
  grow_pipe (body[1]);
  grow_pipe (out[1]);
  pthread_mutex_init (&s->lock, NULL);
  pthread_cond_init (&s->cond, NULL);
  s->refs = 2;
  s->server = server;
  s->d = d;
  s->route = match->route;
  s->match = *match;
  memset (match, 0, sizeof (*match));
  s->method = xstrdup (method);
  s->body_w = body[1];
  s->out_r = out[0];
  s->out_w = out[1];
  s->req.method = s->method;
  s->req.path = s->match.path;
  s->req.api_version = s->match.api_version;
  s->req.n_captures = s->match.n_captures;
  memcpy (s->req.captures, s->match.captures, sizeof (s->req.captures));
  s->req.body_fd = body[0];
  s->req.stream = s;
  MHD_get_connection_values (conn, MHD_GET_ARGUMENT_KIND, copy_value, &args);
  MHD_get_connection_values (conn, MHD_HEADER_KIND, copy_value, &headers);

  berth_server_handler_begin (server);
  pthread_attr_init (&attr);
  pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
  if (pthread_create (&tid, &attr, handler_main, s) != 0)
    {
      pthread_attr_destroy (&attr);
      berth_server_handler_end (server);
      s->refs = 1;
      stream_unref (s);
      berth_error_make (err, EAGAIN, "cannot start a request thread");
      return NULL;
    }
  pthread_attr_destroy (&attr);
  return s;
}

void
berth_stream_feed (struct berth_stream *s, const char *data, size_t len)
{
  while (len > 0 && !s->body_dropping)
    {
      ssize_t n = write (s->body_w, data, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          /* EPIPE: the handler is done reading (it failed, or needs no more) */
          s->body_dropping = true;
          break;
        }
      data += n;
      len -= (size_t)n;
    }
}

static void
close_body (struct berth_stream *s, bool complete)
{
  pthread_mutex_lock (&s->lock);
  if (s->body_w >= 0)
    {
      s->body_complete = complete;
      close (s->body_w);
      s->body_w = -1;
    }
  pthread_mutex_unlock (&s->lock);
}

static ssize_t
read_output (void *cls, uint64_t pos, char *buf, size_t max)
{
  struct berth_stream *s = cls;
  bool cut;

  (void)pos;
  for (;;)
    {
      ssize_t n = read (s->out_r, buf, max);
      if (n > 0)
        return n;
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return MHD_CONTENT_READER_END_WITH_ERROR;
      break;
    }
  pthread_mutex_lock (&s->lock);
  cut = s->cut;
  pthread_mutex_unlock (&s->lock);
  return cut ? MHD_CONTENT_READER_END_WITH_ERROR : MHD_CONTENT_READER_END_OF_STREAM;
}

static void
free_output (void *cls)
{
  struct berth_stream *s = cls;

  /* the client may be gone: a handler still writing gets EPIPE */
  pthread_mutex_lock (&s->lock);
  if (s->out_r >= 0)
    close (s->out_r);
  s->out_r = -1;
  pthread_mutex_unlock (&s->lock);
  stream_unref (s);
}

struct MHD_Response *
berth_stream_finish (struct berth_stream *s, struct berth_response *resp, unsigned *status)
{
  struct MHD_Response *r;

  close_body (s, true);
  pthread_mutex_lock (&s->lock);
  while (s->state == STREAM_RUNNING)
    pthread_cond_wait (&s->cond, &s->lock);
  if (s->state == STREAM_DONE)
    {
      *resp = s->resp;
      memset (&s->resp, 0, sizeof (s->resp));
      if (s->rc < 0)
        {
          unsigned st = berth_http_status_for_error (&s->err);
          if (st >= 500)
            log_error ("%s %s: %s", s->method, s->match.path, berth_error_msg (&s->err));
          berth_response_clear (resp);
          berth_response_error (resp, st, "%s", berth_error_msg (&s->err));
        }
      else if (resp->status == 0)
        {
          log_error ("%s %s: the handler produced no response", s->method, s->match.path);
          berth_response_error (resp, 500, "internal error: no response");
        }
      pthread_mutex_unlock (&s->lock);
      return NULL;
    }
  s->refs++; /* the response's reader */
  s->reader_attached = true;
  pthread_mutex_unlock (&s->lock);

  r = MHD_create_response_from_callback (MHD_SIZE_UNKNOWN, STREAM_BLOCK_SIZE, read_output, s, free_output);
  if (r == NULL)
    {
      free_output (s);
      berth_response_error (resp, 500, "internal error: cannot create a streamed response");
      return NULL;
    }
  berth_server_add_common_headers (r);
  if (s->resp.content_type != NULL)
    MHD_add_response_header (r, MHD_HTTP_HEADER_CONTENT_TYPE, s->resp.content_type);
  for (size_t i = 0; i < s->resp.n_headers; i++)
    MHD_add_response_header (r, s->resp.headers[i].name, s->resp.headers[i].value);
  *status = s->stream_status;
  return r;
}

void
berth_stream_release (struct berth_stream *s)
{
  if (s == NULL)
    return;
  close_body (s, false);
  /* nobody will read what the handler writes: make its writes fail */
  pthread_mutex_lock (&s->lock);
  if (!s->reader_attached && s->out_r >= 0)
    {
      close (s->out_r);
      s->out_r = -1;
    }
  pthread_mutex_unlock (&s->lock);
  stream_unref (s);
}

/* ---- the handler's side ---- */

bool
berth_request_body_complete (const struct berth_request *req)
{
  struct berth_stream *s = req->stream;
  bool complete;

  if (s == NULL)
    return true;
  pthread_mutex_lock (&s->lock);
  complete = s->body_w < 0 && s->body_complete;
  pthread_mutex_unlock (&s->lock);
  return complete;
}

int
berth_response_stream_begin (struct berth_request *req, struct berth_response *resp, unsigned status,
                             const char *content_type, berth_error_t *err)
{
  struct berth_stream *s = req->stream;

  if (s == NULL || resp != &s->resp)
    return berth_error_make (err, EINVAL, "internal error: %s %s is not a streaming route", req->method, req->path);
  pthread_mutex_lock (&s->lock);
  if (s->state != STREAM_RUNNING)
    {
      pthread_mutex_unlock (&s->lock);
      return berth_error_make (err, EINVAL, "internal error: response already started");
    }
  free (s->resp.content_type);
  s->resp.content_type = content_type != NULL ? xstrdup (content_type) : NULL;
  s->stream_status = status;
  s->state = STREAM_STREAMING;
  pthread_cond_broadcast (&s->cond);
  pthread_mutex_unlock (&s->lock);
  return 0;
}

bool
berth_response_streaming (const struct berth_request *req)
{
  struct berth_stream *s = req->stream;
  bool streaming;

  if (s == NULL)
    return false;
  pthread_mutex_lock (&s->lock);
  streaming = s->state == STREAM_STREAMING;
  pthread_mutex_unlock (&s->lock);
  return streaming;
}

int
berth_response_stream_fd (const struct berth_request *req)
{
  return berth_response_streaming (req) ? req->stream->out_w : -1;
}

int
berth_response_stream_write (struct berth_request *req, const void *data, size_t len, berth_error_t *err)
{
  struct berth_stream *s = req->stream;
  const char *p = data;

  if (!berth_response_streaming (req))
    return berth_error_make (err, EINVAL, "internal error: the response is not streaming");
  while (len > 0)
    {
      ssize_t n = write (s->out_w, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return errno == EPIPE ? berth_error_make (err, EPIPE, "the client went away")
                              : berth_error_errno (err, errno, "write the response");
      p += n;
      len -= (size_t)n;
    }
  return 0;
}

int
berth_response_stream_json (struct berth_request *req, struct json_object *msg, berth_error_t *err)
{
  const char *text = json_object_to_json_string_ext (msg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  cleanup_free char *line = xasprintf ("%s\r\n", text);

  return berth_response_stream_write (req, line, strlen (line), err);
}

void
berth_response_stream_json_error (struct berth_request *req, const char *message)
{
  struct json_object *o = json_object_new_object ();
  struct json_object *detail = json_object_new_object ();
  berth_error_t err = NULL;

  json_object_object_add (detail, "message", json_object_new_string (message));
  json_object_object_add (o, "errorDetail", detail);
  json_object_object_add (o, "error", json_object_new_string (message));
  if (berth_response_stream_json (req, o, &err) < 0)
    berth_error_release (&err);
  json_object_put (o);
}
