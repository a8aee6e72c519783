/* What a route handler sees of an HTTP request, and what it gives back.
 *
 * Handlers run on the connection's own thread (one thread per connection),
 * may block, and return 0 after filling the response, or a negative value
 * with *err set; the error's errno picks the status (EINVAL 400, ENOENT 404,
 * EEXIST/EBUSY 409, EPERM/EACCES 403, ENOTSUP/ENOSYS 501, else 500) and its
 * message becomes {"message": ...}.
 *
 * Streaming routes (BERTH_BODY_STREAM) run their handler on a thread of
 * its own.  The request body, of any size and possibly chunked, arrives on
 * req->body_fd as it is uploaded (read it to EOF; it is never buffered
 * whole).  The handler either fills the response as usual, or calls
 * berth_response_stream_begin to send the status and headers at once and
 * then writes the body in pieces (chunked encoding): tar streams, JSON
 * message streams.  A handler should read its body before it writes more
 * than a pipe's worth of output.  Hijacked connections (attach, exec) will be
 * a further kind: an upgrade handler given the raw socket through
 * MHD_create_response_for_upgrade. */
#ifndef BERTH_DAEMON_HTTP_H
#define BERTH_DAEMON_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "core/lib/error.h"

struct berthd;

#define BERTH_HTTP_MAX_CAPTURES 4

struct berth_http_capture
{
  const char *name; /* borrowed from the route pattern */
  size_t name_len;
  char *value;
};

struct berth_http_header
{
  char *name;
  char *value;
};

struct berth_stream;

struct berth_request
{
  const char *method;
  const char *path;        /* without the /v1.NN prefix */
  const char *api_version; /* from the prefix, or BERTH_API_VERSION */
  struct berth_http_capture captures[BERTH_HTTP_MAX_CAPTURES];
  size_t n_captures;
  const char *body; /* NUL-terminated; NULL when the request had none */
  size_t body_len;
  struct json_object *json; /* parsed body for routes that take JSON, else NULL */
  void *conn;               /* the HTTP layer's connection, for query and headers */
  /* streaming routes only (conn is NULL there): */
  int body_fd;                       /* the body, read to EOF; -1 elsewhere */
  struct berth_http_header *args;    /* copies of the query parameters, */
  size_t n_args;                     /* in order, repeated keys kept */
  struct berth_http_header *headers; /* and of the request headers */
  size_t n_headers;
  struct berth_stream *stream;
};

struct berth_response
{
  unsigned status;
  char *content_type; /* NULL: application/json when json is set */
  struct json_object *json;
  char *body; /* used when json is NULL */
  size_t body_len;
  struct berth_http_header *headers;
  size_t n_headers;
  struct berth_upgrade *upgrade; /* 101: hijack the connection (upgrade.h) */
};

/* A {name} capture from the route pattern; NULL when the route has none. */
const char *berth_request_capture (const struct berth_request *req, const char *name);
/* A query parameter (first occurrence), or NULL. */
const char *berth_request_query (const struct berth_request *req, const char *key);
/* Docker's boolean rule: 1/true/True are true; 0/false/empty/absent are false. */
bool berth_request_query_bool (const struct berth_request *req, const char *key);
/* Every value of a repeated query parameter (?names=a&names=b), in order;
   a NULL-terminated vector (empty when absent) to strv_free. */
char **berth_request_query_all (const struct berth_request *req, const char *key);
/* A request header (case-insensitive), or NULL. */
const char *berth_request_header (const struct berth_request *req, const char *name);
/* Streaming routes: true once the whole body arrived (false while it is
   still coming, and when the client went away in the middle of it). */
bool berth_request_body_complete (const struct berth_request *req);

/* Streaming routes: send status and headers now (content_type, and the
   headers set on resp so far); the body follows through
   berth_response_stream_write.  After this the handler's return value only
   decides whether the body ends cleanly (0) or the connection is cut (<0). */
int berth_response_stream_begin (struct berth_request *req, struct berth_response *resp, unsigned status,
                                 const char *content_type, berth_error_t *err);
bool berth_response_streaming (const struct berth_request *req);
/* The write end of a streamed body, for writers that want an fd
   (libarchive); -1 when the response is not streaming. */
int berth_response_stream_fd (const struct berth_request *req);
/* EPIPE once the client is gone. */
int berth_response_stream_write (struct berth_request *req, const void *data, size_t len, berth_error_t *err);
/* One message of a JSON stream (compact, "\r\n"-terminated, as moby). */
int berth_response_stream_json (struct berth_request *req, struct json_object *msg /* borrowed */, berth_error_t *err);
/* {"errorDetail":{"message":...},"error":...}: how a JSON stream reports a
   failure once it has started. */
void berth_response_stream_json_error (struct berth_request *req, const char *message);

/* Fill a response; each replaces any body set before. */
void berth_response_json (struct berth_response *resp, unsigned status, struct json_object *json /* owned */);
void berth_response_text (struct berth_response *resp, unsigned status, const char *content_type, const char *text);
void berth_response_error (struct berth_response *resp, unsigned status, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
void berth_response_header (struct berth_response *resp, const char *name, const char *value);
void berth_response_clear (struct berth_response *resp);

/* Parse a JSON request body as moby's ReadJSON does; errors are EINVAL with
   "invalid JSON: ..." or "unexpected content after JSON". */
#define BERTH_HTTP_JSON_MAX_DEPTH 128
int berth_request_parse_json (const char *body, size_t len, struct json_object **ret, berth_error_t *err);

/* The status for a handler error, from its errno. */
unsigned berth_http_status_for_error (const berth_error_t *err);

#endif
