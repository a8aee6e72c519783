/* The HTTP server: one libmicrohttpd daemon per listening socket, a thread
   per connection (the docker CLI keeps several connections open at once). */
#ifndef BERTH_DAEMON_SERVER_H
#define BERTH_DAEMON_SERVER_H

#include <stddef.h>

#include "core/daemon/listen.h"
#include "core/daemon/router.h"

/* Request bodies buffered for JSON routes; larger ones get 413. */
#define BERTH_HTTP_MAX_BODY (16u * 1024 * 1024)
/* Request line plus headers must fit here (Go's server allows 1 MiB). */
#define BERTH_HTTP_MAX_HEADER (1024u * 1024)
/* Connections served at once, per listener. */
#define BERTH_HTTP_MAX_CONNECTIONS 256
/* A connection must send a complete request head within this many seconds of
   opening or of its previous response (slowloris), */
#define BERTH_HTTP_HEADER_TIMEOUT 60
/* and may not stay silent longer than this in the middle of a request. */
#define BERTH_HTTP_IDLE_TIMEOUT 300

struct berthd;
struct berth_server;
struct berth_tls_server;

/* Serve `router` on every listener.  Takes the listeners' fds (sets them to
   -1); the listeners themselves stay with the caller.  Listeners with `tls`
   set are served through `tls` (core/daemon/tls-server.h), which must then
   outlive the server. */
int berth_server_start (struct berthd *d, const struct berth_router *router, struct berth_listener **listeners,
                        size_t n, struct berth_tls_server *tls, struct berth_server **ret, berth_error_t *err);
/* Stop accepting, finish or drop open connections, release everything. */
void berth_server_stop (struct berth_server *s);

#endif
