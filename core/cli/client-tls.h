/* TLS for the CLI's TCP connections (--tls, --tlsverify, as docker's).
 *
 * A TLS connection is handed to the rest of the CLI as a plain fd: one end
 * of a socketpair whose other end a thread relays through TLS
 * (core/lib/tls-stream.c).  client.c, hijack.c and attach-stream.c keep
 * read(), send(), poll() and shutdown(SHUT_WR) on an fd, unchanged; a
 * read/write indirection would have to reach all of them, and poll() on
 * the TCP socket lies when OpenSSL holds decrypted bytes. */
#ifndef BERTH_CLI_CLIENT_TLS_H
#define BERTH_CLI_CLIENT_TLS_H

#include "core/lib/error.h"

/* The global flags as given (NULL when absent). */
struct berth_tls_flags
{
  const char *tls;       /* --tls[=BOOL]: "true" or "false" */
  const char *tlsverify; /* --tlsverify[=BOOL] */
  const char *cacert;    /* --tlscacert FILE */
  const char *cert;      /* --tlscert FILE */
  const char *key;       /* --tlskey FILE */
};

struct berth_tls_client;

/* Settle the flags with the environment and load the files.  As docker:
   $BERTH_TLS_VERIFY (else $DOCKER_TLS_VERIFY) non-empty means --tlsverify;
   files default to ca.pem, cert.pem and key.pem in $BERTH_CERT_PATH (else
   $DOCKER_CERT_PATH, else ~/.berth).  --tlsverify needs the CA file; a
   client certificate is sent when cert.pem and key.pem exist (named ones
   must).  *ret is NULL when TLS is off. */
int berth_tls_client_new (const struct berth_tls_flags *f, struct berth_tls_client **ret, berth_error_t *err);
void berth_tls_client_free (struct berth_tls_client *t);

/* Run the handshake on the connected socket tcp_fd (taken over: closed on
   failure) with the server `server_name` (a host name or an IP address,
   checked against the certificate with --tlsverify).  Returns the fd to
   use instead, or -1. */
int berth_tls_client_wrap (struct berth_tls_client *t, int tcp_fd, const char *server_name, berth_error_t *err);

/* Why the most recent TLS connection ended in failure after its handshake
   (TLS 1.3 servers refuse a client certificate only then), or NULL.  The
   caller frees it. */
char *berth_tls_client_last_error (void);

#endif
