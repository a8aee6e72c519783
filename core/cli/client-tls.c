#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "core/cli/client-tls.h"
#include "core/lib/mem.h"
#include "core/lib/tls-stream.h"

#define HANDSHAKE_TIMEOUT_MS 30000

struct berth_tls_client
{
  SSL_CTX *ctx;
  bool verify;
};

struct relay
{
  SSL *ssl;
  int net, local;
};

static pthread_mutex_t last_error_lock = PTHREAD_MUTEX_INITIALIZER;
static char *last_error;

static const char *
env_nonempty (const char *name)
{
  const char *v = getenv (name);
  return v != NULL && v[0] != '\0' ? v : NULL;
}

/* A file in the certificate directory. */
static char *
cert_dir_file (const char *name)
{
  const char *dir = env_nonempty ("BERTH_CERT_PATH");
  const char *home;

  if (dir == NULL)
    dir = env_nonempty ("DOCKER_CERT_PATH");
  if (dir != NULL)
    return xasprintf ("%s/%s", dir, name);
  home = env_nonempty ("HOME");
  return xasprintf ("%s/.berth/%s", home != NULL ? home : "", name);
}

int
berth_tls_client_new (const struct berth_tls_flags *f, struct berth_tls_client **ret, berth_error_t *err)
{
  const char *env_verify = env_nonempty ("BERTH_TLS_VERIFY");
  bool verify, tls;
  cleanup_free char *ca = NULL, *cert = NULL, *key = NULL;
  struct berth_tls_client *t;
  SSL_CTX *ctx;

  *ret = NULL;
  if (env_verify == NULL)
    env_verify = env_nonempty ("DOCKER_TLS_VERIFY");
  verify = f->tlsverify != NULL ? strcmp (f->tlsverify, "true") == 0 : env_verify != NULL;
  tls = verify || (f->tls != NULL && strcmp (f->tls, "true") == 0);
  if (!tls)
    return 0;

  ca = f->cacert != NULL ? xstrdup (f->cacert) : cert_dir_file ("ca.pem");
  cert = f->cert != NULL ? xstrdup (f->cert) : cert_dir_file ("cert.pem");
  key = f->key != NULL ? xstrdup (f->key) : cert_dir_file ("key.pem");
  /* default files that are not there are not used (docker does the same) */
  if (f->cert == NULL && f->key == NULL && (access (cert, F_OK) != 0 || access (key, F_OK) != 0))
    {
      free (cert);
      free (key);
      cert = key = NULL;
    }

  /* our relay threads may still run while exit() would clean OpenSSL up */
  OPENSSL_init_ssl (OPENSSL_INIT_NO_ATEXIT, NULL);
  ctx = SSL_CTX_new (TLS_client_method ());
  if (ctx == NULL)
    return berth_error_make (err, ENOMEM, "cannot create a TLS context");
  SSL_CTX_set_min_proto_version (ctx, TLS1_2_VERSION);
  SSL_CTX_set_options (ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  if (verify)
    {
      if (berth_tls_trust_ca (ctx, ca, false, err) < 0)
        {
          SSL_CTX_free (ctx);
          return berth_error_ret (err);
        }
      SSL_CTX_set_verify (ctx, SSL_VERIFY_PEER, NULL);
      X509_VERIFY_PARAM_set_purpose (SSL_CTX_get0_param (ctx), X509_PURPOSE_SSL_SERVER);
    }
  else
    SSL_CTX_set_verify (ctx, SSL_VERIFY_NONE, NULL);
  if (cert != NULL && berth_tls_use_key_pair (ctx, cert, key, err) < 0)
    {
      SSL_CTX_free (ctx);
      return berth_error_ret (err);
    }
  t = xmalloc0 (sizeof (*t));
  t->ctx = ctx;
  t->verify = verify;
  *ret = t;
  return 0;
}

void
berth_tls_client_free (struct berth_tls_client *t)
{
  if (t == NULL)
    return;
  /* each SSL holds its own reference: relays still running are fine */
  SSL_CTX_free (t->ctx);
  free (t);
}

static void *
relay_main (void *arg)
{
  struct relay *r = arg;
  char *error = NULL;

  if (berth_tls_pump (r->ssl, r->net, r->local, -1, &error) < 0 && error != NULL)
    {
      /* before the local end closes, so that whoever sees the EOF finds it */
      pthread_mutex_lock (&last_error_lock);
      free (last_error);
      last_error = steal_pointer (&error);
      pthread_mutex_unlock (&last_error_lock);
    }
  free (error);
  close (r->local);
  close (r->net);
  SSL_free (r->ssl);
  free (r);
  return NULL;
}

char *
berth_tls_client_last_error (void)
{
  char *e;

  pthread_mutex_lock (&last_error_lock);
  e = steal_pointer (&last_error);
  pthread_mutex_unlock (&last_error_lock);
  return e;
}

static bool
is_ip_literal (const char *name)
{
  unsigned char buf[sizeof (struct in6_addr)];
  return inet_pton (AF_INET, name, buf) == 1 || inet_pton (AF_INET6, name, buf) == 1;
}

int
berth_tls_client_wrap (struct berth_tls_client *t, int tcp_fd, const char *server_name, berth_error_t *err)
{
  cleanup_close int net = tcp_fd;
  cleanup_close int local = -1;
  struct relay *r;
  pthread_attr_t attr;
  pthread_t th;
  int sp[2];
  SSL *ssl;

  fcntl (net, F_SETFL, fcntl (net, F_GETFL) | O_NONBLOCK);
  ssl = SSL_new (t->ctx);
  if (ssl == NULL || SSL_set_fd (ssl, net) != 1)
    {
      SSL_free (ssl);
      return berth_error_make (err, ENOMEM, "cannot set up a TLS session");
    }
  SSL_set_connect_state (ssl);
  if (!is_ip_literal (server_name))
    SSL_set_tlsext_host_name (ssl, server_name);
  if (t->verify)
    {
      int ok = is_ip_literal (server_name) ? X509_VERIFY_PARAM_set1_ip_asc (SSL_get0_param (ssl), server_name)
                                           : SSL_set1_host (ssl, server_name);
      if (ok != 1)
        {
          SSL_free (ssl);
          return berth_error_make (err, EINVAL, "cannot check the server's certificate for `%s`", server_name);
        }
    }
  if (berth_tls_handshake (ssl, net, -1, HANDSHAKE_TIMEOUT_MS, err) < 0)
    {
      SSL_free (ssl);
      return berth_error_ret (err);
    }
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
    {
      SSL_free (ssl);
      return berth_error_errno (err, errno, "socketpair");
    }
  local = sp[1];
  fcntl (sp[1], F_SETFL, fcntl (sp[1], F_GETFL) | O_NONBLOCK);
  r = xmalloc0 (sizeof (*r));
  r->ssl = ssl;
  r->net = net;
  r->local = sp[1];
  pthread_attr_init (&attr);
  pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
  if (pthread_create (&th, &attr, relay_main, r) != 0)
    {
      pthread_attr_destroy (&attr);
      free (r);
      SSL_free (ssl);
      close (sp[0]);
      return berth_error_make (err, EAGAIN, "cannot start the TLS relay");
    }
  pthread_attr_destroy (&attr);
  net = -1;
  local = -1;
  return sp[0];
}
