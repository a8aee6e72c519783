#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "core/daemon/server.h"
#include "core/daemon/tls-server.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/lib/tls-stream.h"

/* A client gets this long to finish its handshake (slowloris). */
#define HANDSHAKE_TIMEOUT_MS 30000

struct acceptor
{
  struct berth_tls_server *t;
  int fd;
  struct MHD_Daemon *mhd;
  char *spec;
  pthread_t thread;
  bool running;
};

struct berth_tls_server
{
  SSL_CTX *ctx;
  bool verify;
  int stop_pipe[2]; /* readable once stopping: wakes every poll of ours */

  pthread_mutex_t lock; /* guards what follows */
  pthread_cond_t idle;
  bool stopping;
  size_t n_conns; /* connection threads alive */
  struct acceptor **acceptors;
  size_t n_acceptors;
};

struct conn
{
  struct berth_tls_server *t;
  struct MHD_Daemon *mhd;
  int fd;
  char peer[128];
};

enum berth_listen_tls
berth_tls_mode (const struct berth_config *cfg)
{
  if (cfg->tls_verify)
    return BERTH_LISTEN_TLS_VERIFY;
  return cfg->tls ? BERTH_LISTEN_TLS_SERVER : BERTH_LISTEN_TLS_NONE;
}

int
berth_tls_server_new (const struct berth_config *cfg, struct berth_tls_server **ret, berth_error_t *err)
{
  enum berth_listen_tls mode = berth_tls_mode (cfg);
  struct berth_tls_server *t;
  SSL_CTX *ctx;

  *ret = NULL;
  if (mode == BERTH_LISTEN_TLS_NONE)
    return 0;
  /* Threads of ours may still run while exit() runs OpenSSL's atexit
     cleanup; berthd frees what it made itself. */
  OPENSSL_init_ssl (OPENSSL_INIT_NO_ATEXIT, NULL);
  ctx = SSL_CTX_new (TLS_server_method ());
  if (ctx == NULL)
    return berth_error_make (err, ENOMEM, "cannot create a TLS context");
  /* as dockerd: TLS 1.2 at least */
  SSL_CTX_set_min_proto_version (ctx, TLS1_2_VERSION);
  SSL_CTX_set_options (ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
  if (berth_tls_use_key_pair (ctx, cfg->tls_cert, cfg->tls_key, err) < 0)
    {
      SSL_CTX_free (ctx);
      return berth_error_ret (err);
    }
  if (mode == BERTH_LISTEN_TLS_VERIFY)
    {
      if (berth_tls_trust_ca (ctx, cfg->tls_ca, true, err) < 0)
        {
          SSL_CTX_free (ctx);
          return berth_error_ret (err);
        }
      /* Go's RequireAndVerifyClientCert: a certificate is required, it must
         chain to the CA, be valid now, and may be used for client auth */
      SSL_CTX_set_verify (ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
      X509_VERIFY_PARAM_set_purpose (SSL_CTX_get0_param (ctx), X509_PURPOSE_SSL_CLIENT);
    }
  t = xmalloc0 (sizeof (*t));
  t->ctx = ctx;
  t->verify = mode == BERTH_LISTEN_TLS_VERIFY;
  if (pipe2 (t->stop_pipe, O_CLOEXEC) < 0)
    {
      int saved = errno;
      SSL_CTX_free (ctx);
      free (t);
      return berth_error_errno (err, saved, "pipe");
    }
  pthread_mutex_init (&t->lock, NULL);
  pthread_cond_init (&t->idle, NULL);
  *ret = t;
  return 0;
}

static void
peer_name (int fd, char *buf, size_t len)
{
  struct sockaddr_storage ss;
  socklen_t sl = sizeof (ss);
  char host[NI_MAXHOST], port[NI_MAXSERV];

  snprintf (buf, len, "?");
  if (getpeername (fd, (struct sockaddr *)&ss, &sl) == 0
      && getnameinfo ((struct sockaddr *)&ss, sl, host, sizeof (host), port, sizeof (port),
                      NI_NUMERICHOST | NI_NUMERICSERV)
             == 0)
    snprintf (buf, len, ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, port);
}

/* A plain HTTP request where a TLS ClientHello belongs gets Go's answer, so
   `curl http://` and a client without --tls say what is wrong.  1 when it
   was one (and was answered). */
static int
answer_plain_http (struct conn *c)
{
  static const char reply[] = "HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
                              "Connection: close\r\n\r\nClient sent an HTTP request to an HTTPS server.\n";
  struct pollfd p[2] = { { c->fd, POLLIN, 0 }, { c->t->stop_pipe[0], POLLIN, 0 } };
  char first;

  if (poll (p, 2, HANDSHAKE_TIMEOUT_MS) <= 0 || (p[1].revents & POLLIN))
    return 0;
  if (recv (c->fd, &first, 1, MSG_PEEK) != 1 || first < 'A' || first > 'Z')
    return 0;
  if (send (c->fd, reply, sizeof (reply) - 1, MSG_NOSIGNAL) < 0)
    return 1;
  shutdown (c->fd, SHUT_WR);
  return 1;
}

static void
conn_serve (struct conn *c)
{
  struct berth_tls_server *t = c->t;
  struct sockaddr_un local_addr = { .sun_family = AF_UNIX };
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *pump_error = NULL;
  int sp[2] = { -1, -1 };
  SSL *ssl;
  bool added = false;

  if (answer_plain_http (c))
    {
      log_info ("TLS listener: %s sent plain HTTP; answered 400", c->peer);
      return;
    }
  ssl = SSL_new (t->ctx);
  if (ssl == NULL || SSL_set_fd (ssl, c->fd) != 1)
    {
      log_error ("TLS listener: cannot set up a TLS session for %s", c->peer);
      SSL_free (ssl);
      return;
    }
  SSL_set_accept_state (ssl);
  if (berth_tls_handshake (ssl, c->fd, t->stop_pipe[0], HANDSHAKE_TIMEOUT_MS, &err) < 0)
    {
      if (berth_error_code (&err) != ECANCELED)
        log_info ("TLS connection from %s refused: %s", c->peer, berth_error_msg (&err));
      SSL_free (ssl);
      return;
    }
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
    {
      log_error ("TLS listener: socketpair: %s", strerror (errno));
      SSL_free (ssl);
      return;
    }
  fcntl (sp[1], F_SETFL, fcntl (sp[1], F_GETFL) | O_NONBLOCK);
  /* under the lock: stop() waits for us before MHD goes away */
  pthread_mutex_lock (&t->lock);
  if (!t->stopping)
    {
      /* MHD closes sp[0] itself, also when it refuses it */
      added = MHD_add_connection (c->mhd, sp[0], (const struct sockaddr *)&local_addr, sizeof (sa_family_t)) == MHD_YES;
      sp[0] = -1;
    }
  pthread_mutex_unlock (&t->lock);
  if (sp[0] >= 0)
    close (sp[0]);
  if (added && berth_tls_pump (ssl, c->fd, sp[1], t->stop_pipe[0], &pump_error) < 0 && pump_error != NULL)
    log_debug ("TLS connection from %s: %s", c->peer, pump_error);
  close (sp[1]);
  SSL_free (ssl);
}

static void *
conn_main (void *arg)
{
  struct conn *c = arg;
  struct berth_tls_server *t = c->t;

  conn_serve (c);
  close (c->fd);
  free (c);
  pthread_mutex_lock (&t->lock);
  if (--t->n_conns == 0)
    pthread_cond_broadcast (&t->idle);
  pthread_mutex_unlock (&t->lock);
  return NULL;
}

static void
start_conn (struct acceptor *a, int fd)
{
  struct berth_tls_server *t = a->t;
  struct conn *c;
  pthread_attr_t attr;
  pthread_t th;
  bool refused;

  pthread_mutex_lock (&t->lock);
  refused = t->stopping || t->n_conns >= BERTH_HTTP_MAX_CONNECTIONS;
  if (!refused)
    t->n_conns++;
  pthread_mutex_unlock (&t->lock);
  if (refused)
    {
      close (fd);
      return;
    }
  c = xmalloc0 (sizeof (*c));
  c->t = t;
  c->mhd = a->mhd;
  c->fd = fd;
  peer_name (fd, c->peer, sizeof (c->peer));
  pthread_attr_init (&attr);
  pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
  if (pthread_create (&th, &attr, conn_main, c) != 0)
    {
      log_error ("TLS listener %s: cannot start a connection thread", a->spec);
      close (fd);
      free (c);
      pthread_mutex_lock (&t->lock);
      if (--t->n_conns == 0)
        pthread_cond_broadcast (&t->idle);
      pthread_mutex_unlock (&t->lock);
    }
  pthread_attr_destroy (&attr);
}

static void *
acceptor_main (void *arg)
{
  struct acceptor *a = arg;

  for (;;)
    {
      struct pollfd p[2] = { { a->fd, POLLIN, 0 }, { a->t->stop_pipe[0], POLLIN, 0 } };
      int fd;

      if (poll (p, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          log_error ("TLS listener %s: poll: %s", a->spec, strerror (errno));
          return NULL;
        }
      if (p[1].revents & POLLIN)
        return NULL;
      fd = accept4 (a->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd < 0)
        {
          /* out of fds: back off instead of spinning on the ready socket */
          if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
            poll (p + 1, 1, 100);
          continue;
        }
      start_conn (a, fd);
    }
}

int
berth_tls_server_serve (struct berth_tls_server *t, int listen_fd, struct MHD_Daemon *mhd, const char *spec,
                        berth_error_t *err)
{
  struct acceptor *a = xmalloc0 (sizeof (*a));

  a->t = t;
  a->fd = listen_fd;
  a->mhd = mhd;
  a->spec = xstrdup (spec);
  pthread_mutex_lock (&t->lock);
  t->acceptors = xrealloc (t->acceptors, (t->n_acceptors + 1) * sizeof (*t->acceptors));
  t->acceptors[t->n_acceptors++] = a;
  pthread_mutex_unlock (&t->lock);
  if (pthread_create (&a->thread, NULL, acceptor_main, a) != 0)
    return berth_error_make (err, EAGAIN, "cannot start the TLS listener on %s", spec);
  a->running = true;
  return 0;
}

void
berth_tls_server_stop (struct berth_tls_server *t)
{
  if (t == NULL)
    return;
  pthread_mutex_lock (&t->lock);
  if (!t->stopping)
    {
      t->stopping = true;
      if (write (t->stop_pipe[1], "x", 1) < 0)
        log_error ("cannot stop the TLS listeners: %s", strerror (errno));
    }
  pthread_mutex_unlock (&t->lock);
  for (size_t i = 0; i < t->n_acceptors; i++)
    if (t->acceptors[i]->running)
      {
        pthread_join (t->acceptors[i]->thread, NULL);
        t->acceptors[i]->running = false;
      }
  pthread_mutex_lock (&t->lock);
  while (t->n_conns > 0)
    pthread_cond_wait (&t->idle, &t->lock);
  pthread_mutex_unlock (&t->lock);
}

void
berth_tls_server_free (struct berth_tls_server *t)
{
  if (t == NULL)
    return;
  berth_tls_server_stop (t);
  for (size_t i = 0; i < t->n_acceptors; i++)
    {
      close (t->acceptors[i]->fd);
      free (t->acceptors[i]->spec);
      free (t->acceptors[i]);
    }
  free (t->acceptors);
  close (t->stop_pipe[0]);
  close (t->stop_pipe[1]);
  pthread_cond_destroy (&t->idle);
  pthread_mutex_destroy (&t->lock);
  SSL_CTX_free (t->ctx);
  free (t);
}
