/* TLS on berthd's TCP listeners (--tls, --tlsverify).
 *
 * TLS is terminated here with OpenSSL, not by libmicrohttpd: an accepted
 * connection gets its handshake (client certificate required and verified
 * against the CA with --tlsverify, so a client without one never gets to
 * send a request), then MHD is given one end of a socketpair as a plain
 * connection (MHD_add_connection) while a thread relays the other end
 * through TLS (core/lib/tls-stream.c).  MHD's own HTTPS would also do, but
 * after an upgrade (attach, exec) it forwards through its own socketpair
 * without passing a half-close either way, so `run -i` with piped input
 * would never see stdin's EOF and the client never the end of the output;
 * and handlers would have to return before MHD forwards anything. */
#ifndef BERTH_DAEMON_TLS_SERVER_H
#define BERTH_DAEMON_TLS_SERVER_H

#include <microhttpd.h>

#include "core/config/config.h"
#include "core/daemon/listen.h"
#include "core/lib/error.h"

struct berth_tls_server;

/* What the configuration asks for: BERTH_LISTEN_TLS_VERIFY with tlsverify,
   BERTH_LISTEN_TLS_SERVER with tls alone, else BERTH_LISTEN_TLS_NONE. */
enum berth_listen_tls berth_tls_mode (const struct berth_config *cfg);

/* Load the key pair (and the CA with tlsverify).  *ret is NULL when TLS is
   off.  A missing or unreadable file, a file without a PEM certificate or
   key, or a key that does not match the certificate is an error naming the
   file. */
int berth_tls_server_new (const struct berth_config *cfg, struct berth_tls_server **ret, berth_error_t *err);

/* Accept connections on listen_fd (taken over), run the handshake and pass
   them on to mhd.  `spec` names the listener in logs. */
int berth_tls_server_serve (struct berth_tls_server *t, int listen_fd, struct MHD_Daemon *mhd, const char *spec,
                            berth_error_t *err);

/* Stop accepting and end every TLS connection; returns once no thread of
   ours runs (so MHD may be stopped after it). */
void berth_tls_server_stop (struct berth_tls_server *t);
void berth_tls_server_free (struct berth_tls_server *t);

#endif
