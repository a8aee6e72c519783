/* HTTP client for the berthd API (HTTP/1.1, one kept-alive connection):
 * unix:///path or tcp://host:port.
 *
 * The first request pings the daemon, as docker does, and settles the API
 * version (min of ours and the daemon's Api-Version header); every later
 * request carries the /v1.NN prefix.  Failures come back as ready-to-print
 * messages: "Cannot connect to the berth daemon at ... Is berthd running?"
 * or "Error response from daemon: <message>". */
#ifndef BERTH_CLI_CLIENT_H
#define BERTH_CLI_CLIENT_H

#include <json-c/json.h>

#include "core/cli/client-tls.h"
#include "core/lib/error.h"

#define BERTH_DEFAULT_HOST "unix:///run/berth/berth.sock"

struct berth_client;

int berth_client_new (const char *host, struct berth_client **ret, berth_error_t *err);
void berth_client_free (struct berth_client *c);

/* Speak TLS to a tcp:// host as `flags` and the environment say
   (client-tls.h); nothing changes for unix:// or when TLS is off. */
int berth_client_use_tls (struct berth_client *c, const struct berth_tls_flags *flags, berth_error_t *err);

const char *berth_client_host (const struct berth_client *c);
/* A new connection to the daemon (through TLS when in use), for callers
   that speak HTTP on it themselves (hijack.c). */
int berth_client_connect (struct berth_client *c, berth_error_t *err);
/* A header sent with every following request ("X-Registry-Auth"); value
   NULL removes it. */
void berth_client_set_header (struct berth_client *c, const char *name, const char *value);
/* The negotiated API version (pings the daemon if not done yet). */
int berth_client_api_version (struct berth_client *c, const char **ret, berth_error_t *err);

/* GET `path` (without the version prefix) and parse the JSON reply. */
int berth_client_get_json (struct berth_client *c, const char *path, struct json_object **ret, berth_error_t *err);

/* Any method; the reply is parsed when it is JSON and ret is not NULL (*ret
   NULL for an empty reply). */
int berth_client_call_json (struct berth_client *c, const char *method, const char *path, struct json_object **ret,
                            berth_error_t *err);

/* As berth_client_call_json, with body (may be NULL) sent as JSON. */
int berth_client_send_json (struct berth_client *c, const char *method, const char *path, struct json_object *body,
                            struct json_object **ret, berth_error_t *err);

/* Streaming: body_fd (-1 for none) is sent chunked as it is read, and a 2xx
   reply is handed to sink piece by piece as it arrives (sink returns <0 to
   stop).  A non-2xx reply becomes "Error response from daemon: ...". */
typedef int (*berth_client_sink) (void *ud, const char *data, size_t len);
int berth_client_stream (struct berth_client *c, const char *method, const char *path, int body_fd,
                         const char *content_type, berth_client_sink sink, void *ud, berth_error_t *err);
/* The same, also giving the value of the response header `header`: set in
   *ret_value as soon as it arrives, before sink sees the body (NULL when
   absent); the caller frees it, whatever the result. */
int berth_client_stream_header (struct berth_client *c, const char *method, const char *path, int body_fd,
                                const char *content_type, berth_client_sink sink, void *ud, const char *header,
                                char **ret_value, berth_error_t *err);
/* HEAD `path`: the status and the value of the response header `header`
   (NULL when absent); only transport failures are errors. */
int berth_client_head (struct berth_client *c, const char *path, const char *header, long *ret_status,
                       char **ret_value, berth_error_t *err);

/* Query building: appends "&key=value" (or "?key=value" first), escaped. */
void berth_client_query_add (char **path, const char *key, const char *value);
/* A path segment with characters escaped that would change the URL's
   meaning; slashes are kept (image names hold them). */
char *berth_client_escape_name (const char *name);

#endif
