#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "core/lib/fs.h"
#include "core/lib/mem.h"
#include "core/lib/tls-stream.h"

#define PUMP_BUF (16 * 1024)

char *
berth_tls_error_string (const char *fallback)
{
  char *out = NULL;
  unsigned long e;

  while ((e = ERR_get_error ()) != 0)
    {
      char buf[256], *next;
      const char *reason = ERR_reason_error_string (e);

      if (reason == NULL)
        {
          ERR_error_string_n (e, buf, sizeof (buf));
          reason = buf;
        }
      /* the queue often repeats the same reason from several layers */
      if (out != NULL && strstr (out, reason) != NULL)
        continue;
      next = out == NULL ? xstrdup (reason) : xasprintf ("%s: %s", out, reason);
      free (out);
      out = next;
    }
  return out != NULL ? out : xstrdup (fallback);
}

static long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int
berth_tls_handshake (SSL *ssl, int net_fd, int stop_fd, int timeout_ms, berth_error_t *err)
{
  long deadline = now_ms () + timeout_ms;

  ERR_clear_error ();
  for (;;)
    {
      struct pollfd p[2] = { { net_fd, 0, 0 }, { stop_fd, POLLIN, 0 } };
      int r = SSL_do_handshake (ssl), e, saved = errno;
      long left;

      if (r == 1)
        return 0;
      e = SSL_get_error (ssl, r);
      if (e == SSL_ERROR_WANT_READ)
        p[0].events = POLLIN;
      else if (e == SSL_ERROR_WANT_WRITE)
        p[0].events = POLLOUT;
      else
        {
          long verify = SSL_get_verify_result (ssl);
          cleanup_free char *reason = NULL;

          if (verify != X509_V_OK)
            return berth_error_make (err, EPROTO, "TLS handshake failed: certificate verify failed: %s",
                                     X509_verify_cert_error_string (verify));
          if (e == SSL_ERROR_SYSCALL && ERR_peek_error () == 0)
            return berth_error_make (err, EPROTO, "TLS handshake failed: %s",
                                     r == 0 || saved == 0 ? "the peer closed the connection" : strerror (saved));
          reason = berth_tls_error_string ("unknown error");
          return berth_error_make (err, EPROTO, "TLS handshake failed: %s", reason);
        }
      left = deadline - now_ms ();
      if (left <= 0)
        return berth_error_make (err, ETIMEDOUT, "TLS handshake failed: timed out");
      r = poll (p, stop_fd >= 0 ? 2 : 1, (int)left);
      if (r < 0 && errno != EINTR)
        return berth_error_errno (err, errno, "TLS handshake failed: poll");
      if (r > 0 && stop_fd >= 0 && (p[1].revents & POLLIN))
        return berth_error_make (err, ECANCELED, "TLS handshake failed: shutting down");
    }
}

struct buf
{
  char data[PUMP_BUF];
  size_t off, len;
};

struct pump
{
  SSL *ssl;
  int net, local;
  struct buf to_local, to_net;
  bool net_eof;    /* the peer's close_notify (or EOF) arrived */
  bool local_shut; /* ... and was passed on: shutdown(local, SHUT_WR) */
  bool local_eof;  /* the local side shut its writing side */
  bool net_shut;   /* ... and close_notify went out */
  bool net_want_in, net_want_out, local_want_in, local_want_out;
  char *error;
};

static void
pump_fail (struct pump *p, const char *what, int ssl_ret)
{
  int e = SSL_get_error (p->ssl, ssl_ret);

  if (p->error != NULL)
    return;
  if (e == SSL_ERROR_SYSCALL && ERR_peek_error () == 0)
    p->error = xasprintf ("%s: %s", what, errno != 0 ? strerror (errno) : "connection closed");
  else
    {
      cleanup_free char *reason = berth_tls_error_string ("TLS error");
      p->error = xasprintf ("%s: %s", what, reason);
    }
}

/* One round of every transfer that can make progress without blocking:
   1 progress, 0 none (wait), -1 failed. */
static int
pump_step (struct pump *p)
{
  int progress = 0;

  /* peer -> buffer */
  if (!p->net_eof && p->to_local.len == 0)
    {
      int r = SSL_read (p->ssl, p->to_local.data, PUMP_BUF);
      if (r > 0)
        {
          p->to_local.off = 0;
          p->to_local.len = (size_t)r;
          progress = 1;
        }
      else
        switch (SSL_get_error (p->ssl, r))
          {
          case SSL_ERROR_WANT_READ:
            p->net_want_in = true;
            break;
          case SSL_ERROR_WANT_WRITE:
            p->net_want_out = true;
            break;
          case SSL_ERROR_ZERO_RETURN:
            p->net_eof = true;
            progress = 1;
            break;
          default:
            pump_fail (p, "reading from the peer", r);
            return -1;
          }
    }
  /* buffer -> local */
  if (p->to_local.len > 0)
    {
      ssize_t n = send (p->local, p->to_local.data + p->to_local.off, p->to_local.len, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0)
        {
          p->to_local.off += (size_t)n;
          p->to_local.len -= (size_t)n;
          progress = 1;
        }
      else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        p->local_want_out = true;
      else if (n < 0 && errno != EINTR)
        return -1; /* the local side is gone: nobody to tell */
    }
  if (p->net_eof && p->to_local.len == 0 && !p->local_shut)
    {
      shutdown (p->local, SHUT_WR);
      p->local_shut = true;
      progress = 1;
    }
  /* local -> buffer */
  if (!p->local_eof && p->to_net.len == 0)
    {
      ssize_t n = recv (p->local, p->to_net.data, PUMP_BUF, MSG_DONTWAIT);
      if (n > 0)
        {
          p->to_net.off = 0;
          p->to_net.len = (size_t)n;
          progress = 1;
        }
      else if (n == 0)
        {
          p->local_eof = true;
          progress = 1;
        }
      else if (errno == EAGAIN || errno == EWOULDBLOCK)
        p->local_want_in = true;
      else if (errno != EINTR)
        return -1;
    }
  /* buffer -> peer */
  if (p->to_net.len > 0)
    {
      int r = SSL_write (p->ssl, p->to_net.data + p->to_net.off, (int)p->to_net.len);
      if (r > 0)
        {
          p->to_net.off += (size_t)r;
          p->to_net.len -= (size_t)r;
          progress = 1;
        }
      else
        switch (SSL_get_error (p->ssl, r))
          {
          case SSL_ERROR_WANT_READ:
            p->net_want_in = true;
            break;
          case SSL_ERROR_WANT_WRITE:
            p->net_want_out = true;
            break;
          default:
            pump_fail (p, "writing to the peer", r);
            return -1;
          }
    }
  /* A half-close: close_notify (TLS 1.3 keeps the other direction open),
     then the TCP FIN for peers that only watch the socket. */
  if (p->local_eof && p->to_net.len == 0 && !p->net_shut)
    {
      int r = SSL_shutdown (p->ssl);
      if (r < 0)
        {
          int e = SSL_get_error (p->ssl, r);
          if (e == SSL_ERROR_WANT_WRITE)
            {
              p->net_want_out = true;
              return progress;
            }
          if (e == SSL_ERROR_WANT_READ)
            {
              p->net_want_in = true;
              return progress;
            }
          ERR_clear_error ();
        }
      shutdown (p->net, SHUT_WR);
      p->net_shut = true;
      progress = 1;
    }
  return progress;
}

int
berth_tls_pump (SSL *ssl, int net_fd, int local_fd, int stop_fd, char **ret_error)
{
  struct pump *p = xmalloc0 (sizeof (*p));
  bool local_hup = false, net_hup = false;
  int ret = -1;

  p->ssl = ssl;
  p->net = net_fd;
  p->local = local_fd;
  SSL_set_mode (ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  ERR_clear_error ();
  for (;;)
    {
      struct pollfd fds[3];
      int r;

      p->net_want_in = p->net_want_out = p->local_want_in = p->local_want_out = false;
      while ((r = pump_step (p)) > 0)
        p->net_want_in = p->net_want_out = p->local_want_in = p->local_want_out = false;
      if (r < 0)
        break;
      if (p->local_shut && p->net_shut)
        {
          ret = 0;
          break;
        }
      /* the local socket's other end is closed and everything it sent is
         out: what the peer still sends has no reader */
      if (local_hup && p->local_eof && p->net_shut)
        {
          ret = 0;
          break;
        }
      fds[0] = (struct pollfd){ net_fd, (short)((p->net_want_in ? POLLIN : 0) | (p->net_want_out ? POLLOUT : 0)), 0 };
      fds[1] = (struct pollfd){ local_fd, (short)((p->local_want_in ? POLLIN : 0) | (p->local_want_out ? POLLOUT : 0)),
                                0 };
      fds[2] = (struct pollfd){ stop_fd, POLLIN, 0 };
      /* POLLHUP is reported whatever the events: once seen, an fd with
         nothing to wait for would make poll return at once forever */
      if (fds[0].events == 0 && net_hup)
        fds[0].fd = -1;
      if (fds[1].events == 0 && local_hup)
        fds[1].fd = -1;
      if (fds[0].fd < 0 && fds[1].fd < 0)
        {
          ret = 0;
          break;
        }
      r = poll (fds, 3, -1);
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (fds[2].revents & POLLIN)
        break;
      if (fds[0].revents & (POLLHUP | POLLERR))
        net_hup = true;
      if (fds[1].revents & (POLLHUP | POLLERR))
        local_hup = true;
    }
  if (ret_error != NULL)
    *ret_error = steal_pointer (&p->error);
  free (p->error);
  free (p);
  return ret;
}

/* The whole file, so that "cannot read" names it (OpenSSL's file BIOs only
   say "system library"). */
static BIO *
read_pem (const char *path, const char *what, berth_error_t *err)
{
  cleanup_free char *text = NULL;
  size_t len = 0;
  BIO *bio;

  if (berth_read_file (path, 1024 * 1024, &text, &len, err) < 0)
    {
      berth_error_wrap (err, "cannot read the %s", what);
      return NULL;
    }
  bio = BIO_new (BIO_s_mem ());
  if (bio == NULL || BIO_write (bio, text, (int)len) != (int)len)
    {
      BIO_free (bio);
      berth_error_make (err, ENOMEM, "cannot load the %s %s", what, path);
      return NULL;
    }
  return bio;
}

int
berth_tls_use_key_pair (SSL_CTX *ctx, const char *cert_path, const char *key_path, berth_error_t *err)
{
  BIO *bio = read_pem (cert_path, "TLS certificate", err);
  X509 *cert, *extra;
  EVP_PKEY *key;

  if (bio == NULL)
    return berth_error_ret (err);
  ERR_clear_error ();
  cert = PEM_read_bio_X509 (bio, NULL, NULL, NULL);
  if (cert == NULL)
    {
      BIO_free (bio);
      ERR_clear_error ();
      return berth_error_make (err, EINVAL, "%s holds no PEM certificate", cert_path);
    }
  if (SSL_CTX_use_certificate (ctx, cert) != 1)
    {
      cleanup_free char *reason = berth_tls_error_string ("unusable");
      X509_free (cert);
      BIO_free (bio);
      return berth_error_make (err, EINVAL, "cannot use the certificate in %s: %s", cert_path, reason);
    }
  X509_free (cert);
  /* intermediate certificates after the leaf go out with it */
  while ((extra = PEM_read_bio_X509 (bio, NULL, NULL, NULL)) != NULL)
    if (SSL_CTX_add0_chain_cert (ctx, extra) != 1)
      X509_free (extra);
  ERR_clear_error ();
  BIO_free (bio);

  if ((bio = read_pem (key_path, "TLS key", err)) == NULL)
    return berth_error_ret (err);
  key = PEM_read_bio_PrivateKey (bio, NULL, NULL, NULL);
  BIO_free (bio);
  if (key == NULL)
    {
      ERR_clear_error ();
      return berth_error_make (err, EINVAL, "%s holds no unencrypted PEM private key", key_path);
    }
  if (SSL_CTX_use_PrivateKey (ctx, key) != 1 || SSL_CTX_check_private_key (ctx) != 1)
    {
      EVP_PKEY_free (key);
      ERR_clear_error ();
      return berth_error_make (err, EINVAL, "the private key in %s does not match the certificate in %s", key_path,
                               cert_path);
    }
  EVP_PKEY_free (key);
  return 0;
}

int
berth_tls_trust_ca (SSL_CTX *ctx, const char *ca_path, bool client_ca_list, berth_error_t *err)
{
  BIO *bio = read_pem (ca_path, "TLS CA certificate", err);
  X509_STORE *store = SSL_CTX_get_cert_store (ctx);
  X509 *cert;
  int n = 0;

  if (bio == NULL)
    return berth_error_ret (err);
  ERR_clear_error ();
  while ((cert = PEM_read_bio_X509 (bio, NULL, NULL, NULL)) != NULL)
    {
      if (X509_STORE_add_cert (store, cert) == 1)
        n++;
      if (client_ca_list)
        SSL_CTX_add_client_CA (ctx, cert);
      X509_free (cert);
    }
  ERR_clear_error ();
  BIO_free (bio);
  if (n == 0)
    return berth_error_make (err, EINVAL, "%s holds no PEM CA certificate", ca_path);
  return 0;
}
