/* Routes: method + path pattern -> handler.
 *
 * A pattern is literal text with {name} captures.  A capture matches one or
 * more characters, slashes included, as far as possible while the fixed rest
 * of the pattern still matches (image names hold slashes:
 * /images/{name}/push).  Patterns without captures are tried first.  Every
 * route also answers under an optional /v1.NN prefix; a version outside
 * [BERTH_API_MIN_VERSION, BERTH_API_VERSION] is refused with 400 as moby does.
 * An unknown path, or a known path with another method, is 404 "page not
 * found" (moby answers wrong methods with its not-found handler too). */
#ifndef BERTH_DAEMON_ROUTER_H
#define BERTH_DAEMON_ROUTER_H

#include <stddef.h>

#include "core/daemon/http.h"

typedef int (*berth_route_fn) (struct berthd *d, struct berth_request *req, struct berth_response *resp,
                               berth_error_t *err);

/* How a route takes its request body. */
enum berth_route_body
{
  BERTH_BODY_IGNORE,        /* read and dropped */
  BERTH_BODY_JSON,          /* parsed when present; req->json NULL when empty */
  BERTH_BODY_JSON_REQUIRED, /* an empty body is 400 */
  BERTH_BODY_STREAM,        /* the handler runs on its own thread, reads req->body_fd and may stream its
                               response (see http.h) */
};

struct berth_route
{
  const char *method;
  const char *pattern;
  enum berth_route_body body;
  berth_route_fn fn;
};

struct berth_router;

struct berth_router *berth_router_new (void);
void berth_router_free (struct berth_router *r);
/* `routes` must outlive the router (use static tables). */
void berth_router_add (struct berth_router *r, const struct berth_route *routes, size_t n);

struct berth_route_match
{
  const struct berth_route *route; /* NULL when refused */
  unsigned status;                 /* when refused: 400 or 404 */
  char *message;                   /* when refused */
  char *api_version;
  char *path; /* without the version prefix */
  struct berth_http_capture captures[BERTH_HTTP_MAX_CAPTURES];
  size_t n_captures;
};

/* Find the route for a request; on refusal fills status and message. */
void berth_router_resolve (const struct berth_router *r, const char *method, const char *url,
                           struct berth_route_match *m);
void berth_route_match_clear (struct berth_route_match *m);

#endif
