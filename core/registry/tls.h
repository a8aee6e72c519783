/* How berthd reaches a registry host securely, from the daemon's
 * configuration:
 *
 * - insecure-registries: "host[:port]" entries or CIDR ranges.  Listed
 *   registries, and loopback ones (localhost, 127.0.0.0/8, ::1) as Docker
 *   does, are tried over HTTPS without certificate verification first and
 *   over plain HTTP when the TLS handshake fails.  Every other registry is
 *   HTTPS with verification, no fallback.
 * - <certs-dir>/HOST[:PORT]/: *.crt are CA certificates trusted for that
 *   registry besides the system's; a *.cert with the *.key of the same
 *   name is a client certificate (a .cert without its .key is an error).
 *
 * Settings are process-wide and may be replaced at any time (each client
 * takes a snapshot when it is made). */
#ifndef BERTH_REGISTRY_TLS_H
#define BERTH_REGISTRY_TLS_H

#include <stdbool.h>

#include <curl/curl.h>

#include "core/lib/error.h"

#define REGISTRY_DEFAULT_CERTS_DIR BERTH_SYSCONFDIR "/berth/certs.d"

/* insecure: NULL-terminated (may be NULL); certs_dir NULL for the default. */
void registry_tls_configure (const char *const *insecure, const char *certs_dir);

/* What one registry host gets: verification, extra CAs, client cert. */
struct registry_tls
{
  bool insecure; /* unverified HTTPS, then plain HTTP */
  char *ca_blob; /* PEM: the system bundle + the host's *.crt; NULL = curl's default */
  size_t ca_blob_len;
  char *client_cert; /* path of a *.cert, or NULL */
  char *client_key;  /* its *.key */
  char *certs_dir;   /* <certs-dir>/<host>, for messages */
};

/* host as in an image reference: "registry.example:5000", "[::1]:5000". */
int registry_tls_for_host (const char *host, struct registry_tls *ret, berth_error_t *err);
void registry_tls_clear (struct registry_tls *t);
/* Set the TLS options of one transfer. */
void registry_tls_apply (const struct registry_tls *t, CURL *curl);
/* true for curl results that mean "the TLS handshake or the certificate
   failed" (where an insecure registry falls back to plain HTTP) */
bool registry_tls_failure (CURLcode rc);
/* A clear message for a certificate problem of a verified registry. */
char *registry_tls_explain (const struct registry_tls *t, const char *host, CURLcode rc, const char *detail);

#endif
