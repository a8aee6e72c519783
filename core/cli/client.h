/* HTTP client for the berthd API (libcurl): unix:///path or tcp://host:port.
 *
 * The first request pings the daemon, as docker does, and settles the API
 * version (min of ours and the daemon's Api-Version header); every later
 * request carries the /v1.NN prefix.  Failures come back as ready-to-print
 * messages: "Cannot connect to the berth daemon at ... Is berthd running?"
 * or "Error response from daemon: <message>". */
#ifndef BERTH_CLI_CLIENT_H
#define BERTH_CLI_CLIENT_H

#include <json-c/json.h>

#include "core/lib/error.h"

#define BERTH_DEFAULT_HOST "unix:///run/berth/berth.sock"

struct berth_client;

int berth_client_new (const char *host, struct berth_client **ret, berth_error_t *err);
void berth_client_free (struct berth_client *c);

const char *berth_client_host (const struct berth_client *c);
/* The negotiated API version (pings the daemon if not done yet). */
int berth_client_api_version (struct berth_client *c, const char **ret, berth_error_t *err);

/* GET `path` (without the version prefix) and parse the JSON reply. */
int berth_client_get_json (struct berth_client *c, const char *path, struct json_object **ret, berth_error_t *err);

#endif
