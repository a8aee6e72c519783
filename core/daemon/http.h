/* What a route handler sees of an HTTP request, and what it gives back.
 *
 * Handlers run on the connection's own thread (one thread per connection),
 * may block, and return 0 after filling the response, or a negative value
 * with *err set; the error's errno picks the status (EINVAL 400, ENOENT 404,
 * EEXIST/EBUSY 409, EPERM/EACCES 403, ENOTSUP/ENOSYS 501, else 500) and its
 * message becomes {"message": ...}.
 *
 * Responses are buffered today.  Streaming bodies (pull progress, logs,
 * events) and hijacked connections (attach, exec) will be further response
 * kinds here: a reader callback turned into an MHD callback response, and an
 * upgrade handler given the raw socket through MHD_create_response_for_upgrade. */
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
};

struct berth_http_header
{
  char *name;
  char *value;
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
};

/* A {name} capture from the route pattern; NULL when the route has none. */
const char *berth_request_capture (const struct berth_request *req, const char *name);
/* A query parameter (first occurrence), or NULL. */
const char *berth_request_query (const struct berth_request *req, const char *key);
/* Docker's boolean rule: 1/true/True are true; 0/false/empty/absent are false. */
bool berth_request_query_bool (const struct berth_request *req, const char *key);
/* A request header (case-insensitive), or NULL. */
const char *berth_request_header (const struct berth_request *req, const char *name);

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
