/* A TLS connection behind a plain stream socket.
 *
 * Both ends of the API over TCP (berthd's TLS listeners, the CLI's TLS
 * client) terminate TLS here and hand the rest of their code one end of a
 * socketpair: everything written there goes out encrypted, everything the
 * peer sends comes out there, and a half-close travels both ways
 * (shutdown(SHUT_WR) on the local socket sends close_notify; the peer's
 * close_notify becomes EOF on the local socket).  The hijacked attach/exec
 * streams rely on that half-close, and on poll() over a real fd.
 *
 * Compiled into berth and berthd only (not libberth-core), so that nothing
 * else links libssl. */
#ifndef BERTH_LIB_TLS_STREAM_H
#define BERTH_LIB_TLS_STREAM_H

#include <stdbool.h>

#include <openssl/ssl.h>

#include "core/lib/error.h"

/* Files as Docker lays them out (PEM).  Every error names the file.
   berth_tls_use_key_pair: the certificate (and any chain after it) and its
   private key, checked to match.  berth_tls_trust_ca: every certificate in
   the file becomes a trust anchor of ctx (at least one is required); with
   client_ca_list, their names are also sent in the server's certificate
   request. */
int berth_tls_use_key_pair (SSL_CTX *ctx, const char *cert_path, const char *key_path, berth_error_t *err);
int berth_tls_trust_ca (SSL_CTX *ctx, const char *ca_path, bool client_ca_list, berth_error_t *err);

/* OpenSSL's own errors (and `fallback` when it queued none) as one line;
   clears the queue.  The caller frees it. */
char *berth_tls_error_string (const char *fallback);

/* Run the handshake of `ssl` (already bound to the non-blocking socket
   `net_fd`) for at most timeout_ms; stop_fd (-1 for none) readable aborts
   it.  The error names what went wrong (OpenSSL's reason, the verify
   result). */
int berth_tls_handshake (SSL *ssl, int net_fd, int stop_fd, int timeout_ms, berth_error_t *err);

/* Relay between `ssl` on net_fd and local_fd (both non-blocking) until both
   directions are closed, either side fails, the local socket is closed by
   its other end, or stop_fd becomes readable.  Returns 0, or -1 with the
   reason in *ret_error (NULL allowed) for a failure of the TLS side.
   Closes neither fd and does not free ssl. */
int berth_tls_pump (SSL *ssl, int net_fd, int local_fd, int stop_fd, char **ret_error);

#endif
