/* HTTP to one registry repository on libcurl: requests relative to the
 * registry's base URL (or absolute, for upload Locations), redirects
 * followed (curl drops custom Authorization headers when a redirect leaves
 * the host), response headers the distribution API uses, error bodies
 * ({"errors":[{"code","message"}]}) turned into messages.
 *
 * Registries are spoken to over HTTPS with the TLS settings of tls.h;
 * insecure ones (insecure-registries, and localhost, 127.0.0.0/8 and ::1 as
 * Docker does) over unverified HTTPS or, when the handshake fails, plain
 * HTTP.  A 401 is answered once through auth.h (basic credentials or a
 * bearer token for the repository's scope) and the request repeated; the
 * caller sees the second answer.  A client may be used from several
 * threads at once (each request has its own curl handle). */
#ifndef BERTH_REGISTRY_TRANSPORT_H
#define BERTH_REGISTRY_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/image/reference.h"
#include "core/lib/error.h"
#include "core/registry/credentials.h"

struct registry_client;

/* For the repository of ref (its domain and path). */
int registry_client_new (const struct image_ref *ref, struct registry_client **ret, berth_error_t *err);
/* The same at an explicit endpoint, "http[s]://host[:port]" (a mirror, or
   the endpoint standing in for docker.io); the repository stays ref's. */
int registry_client_new_at (const struct image_ref *ref, const char *endpoint, struct registry_client **ret,
                            berth_error_t *err);
void registry_client_free (struct registry_client *c);
/* "127.0.0.1:5000", "registry-1.docker.io" */
const char *registry_client_host (const struct registry_client *c);
/* the repository path: "library/busybox" */
const char *registry_client_repo (const struct registry_client *c);
/* An Authorization header value sent with every request to the registry
   host (NULL to send none). */
void registry_client_set_authorization (struct registry_client *c, const char *value);
/* Credentials to answer 401s with (copied; NULL: anonymous, which still
   fetches anonymous bearer tokens).  A registrytoken is sent at once. */
void registry_client_set_credentials (struct registry_client *c, const struct registry_credentials *cr);
/* Leave every 401 to the caller (POST /auth does its own flow). */
void registry_client_disable_auth (struct registry_client *c);

/* Bodies of 2xx replies go to a sink when one is given (return <0 to stop
   the transfer); otherwise, and for every error reply, into memory. */
typedef int (*registry_sink_fn) (void *ud, const void *data, size_t len);
/* Called about every 100 ms during a transfer; return non-zero to abort. */
typedef int (*registry_tick_fn) (void *ud);

#define REGISTRY_BODY_SIZE_UNKNOWN UINT64_MAX

struct registry_request
{
  const char *method;         /* GET, HEAD, POST, PUT, PATCH, DELETE */
  const char *url;            /* "/v2/..." (relative to the registry) or absolute */
  const char *const *headers; /* "Name: value", NULL-terminated; may be NULL */
  const void *body;           /* in-memory body, or */
  size_t body_len;
  int body_fd; /* a body read from this fd (body_size bytes, or to its end when
                  REGISTRY_BODY_SIZE_UNKNOWN: sent chunked); -1 for none */
  uint64_t body_size;
  size_t max_body; /* limit for a body kept in memory; 0 = 1 MiB */
  registry_sink_fn sink;
  void *sink_ud;
  registry_tick_fn tick;
  void *tick_ud;
};

struct registry_reply
{
  long status;
  char *content_type;
  char *docker_content_digest;
  char *location;
  char *www_authenticate;
  char *range;
  char *content_range; /* of a 206 answer to a Range request */
  char *retry_after;   /* of a 429 or 503 */
  char *link;          /* the next page of a list: <url>; rel="next" */
  char *body; /* NUL-terminated; NULL when sunk or empty */
  size_t body_len;
};
void registry_reply_clear (struct registry_reply *rp);

/* 0 when the server answered (any status: the caller decides), <0 with an
   error naming the URL when the transfer failed (unreachable, reset,
   aborted by the sink or the tick). */
int registry_do (struct registry_client *c, const struct registry_request *rq, struct registry_reply *rp,
                 berth_error_t *err);

/* "<code>: <message>" of the first entry of a registry error body, or the
   HTTP status line when the body is not one; allocated. */
char *registry_reply_error_text (const struct registry_reply *rp);

/* The full URL of a registry-relative path (allocated). */
char *registry_client_url (const struct registry_client *c, const char *path);

#endif
