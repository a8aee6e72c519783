/* The CLI's HTTP/1.1 client: one keep-alive connection to berthd, opened
   on the first request and reused by the next ones.  Written here rather
   than on libcurl: linking libcurl pulls in about thirty libraries (TLS,
   Kerberos, LDAP, ...) whose loading and relocation cost each `berth`
   command about 6 ms of CPU before main, for a client that only speaks
   HTTP over a UNIX socket or TCP (TLS, when asked for, is client-tls.c's
   and behind a plain fd all the same). */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/cli/client.h"
#include "core/lib/api-version.h"
#include "core/lib/mem.h"

/* Replies bigger than this are refused rather than buffered. */
#define MAX_REPLY (64u * 1024 * 1024)
/* A response head (status line and headers) larger than this is refused. */
#define MAX_HEAD (64 * 1024)
#define RBUF_SIZE (64 * 1024)

struct berth_client
{
  char *host;
  char *socket_path; /* unix:// */
  char *tcp_name;    /* tcp:// */
  char *tcp_port;
  bool tcp_port_given;
  struct berth_tls_client *tls; /* tcp:// with --tls/--tlsverify, else NULL */
  char *host_header;
  char *api_version; /* after the ping */
  int fd;            /* the kept-alive connection, or -1 */
  char *rbuf;        /* bytes read from fd and not consumed yet */
  size_t rpos, rlen;
  char *extra_header; /* "Name: value\r\n" sent with every request, or NULL */
};

struct reply
{
  char *body;
  size_t len;
  bool too_big;
  char *api_version;
  char *content_type;
  const char *want; /* one more header to keep (berth_client_head, berth_client_stream_header) */
  char *want_value;
  char **want_out; /* where want's value goes as it arrives, instead of want_value */
};

static void
body_append (struct reply *r, const char *data, size_t n)
{
  if (r->len + n > MAX_REPLY)
    {
      r->too_big = true;
      return;
    }
  r->body = xrealloc (r->body, r->len + n + 1);
  memcpy (r->body + r->len, data, n);
  r->len += n;
  r->body[r->len] = '\0';
}

/* "Name: value\r\n" -> value, when the name matches. */
static char *
header_value (const char *line, size_t len, const char *name)
{
  size_t nlen = strlen (name);
  const char *v, *end = line + len;

  if (len <= nlen || strncasecmp (line, name, nlen) != 0 || line[nlen] != ':')
    return NULL;
  for (v = line + nlen + 1; v < end && (*v == ' ' || *v == '\t'); v++)
    ;
  while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
    end--;
  return xstrndup (v, (size_t)(end - v));
}

static void
reply_clear (struct reply *r)
{
  free (r->body);
  free (r->api_version);
  free (r->content_type);
  free (r->want_value);
  memset (r, 0, sizeof (*r));
}

int
berth_client_new (const char *host, struct berth_client **ret, berth_error_t *err)
{
  struct berth_client *c;

  if (strncmp (host, "unix://", 7) != 0 && strncmp (host, "tcp://", 6) != 0)
    return berth_error_make (err, EINVAL, "invalid host `%s`: expected unix:///PATH or tcp://HOST:PORT", host);
  if (strncmp (host, "unix://", 7) == 0 && host[7] != '/')
    return berth_error_make (err, EINVAL, "invalid host `%s`: the socket path must be absolute", host);
  if (strncmp (host, "tcp://", 6) == 0 && (host[6] == '\0' || strchr (host + 6, '/') != NULL))
    return berth_error_make (err, EINVAL, "invalid host `%s`: expected tcp://HOST:PORT", host);
  if (strncmp (host, "unix://", 7) == 0 && strlen (host + 7) >= sizeof (((struct sockaddr_un *)NULL)->sun_path))
    return berth_error_make (err, ENAMETOOLONG, "invalid host `%s`: the socket path is too long", host);

  c = xmalloc0 (sizeof (*c));
  c->fd = -1;
  c->host = xstrdup (host);
  if (strncmp (host, "unix://", 7) == 0)
    {
      c->socket_path = xstrdup (host + 7);
      /* the host part is a placeholder over a UNIX socket */
      c->host_header = xstrdup ("localhost");
    }
  else
    {
      char *hostport = xstrdup (host + 6), *colon = strrchr (hostport, ':');
      c->host_header = xstrdup (hostport);
      if (colon != NULL && strchr (colon, ']') == NULL)
        {
          *colon = '\0';
          c->tcp_port = xstrdup (colon + 1);
          c->tcp_port_given = true;
        }
      else
        c->tcp_port = xstrdup ("2375");
      if (hostport[0] == '[' && strchr (hostport, ']') != NULL)
        {
          *strchr (hostport, ']') = '\0';
          c->tcp_name = xstrdup (hostport + 1);
          free (hostport);
        }
      else
        c->tcp_name = hostport;
    }
  *ret = c;
  return 0;
}

static void
conn_close (struct berth_client *c)
{
  if (c->fd >= 0)
    close (c->fd);
  c->fd = -1;
  c->rpos = c->rlen = 0;
}

void
berth_client_free (struct berth_client *c)
{
  if (c == NULL)
    return;
  conn_close (c);
  berth_tls_client_free (c->tls);
  free (c->rbuf);
  free (c->host);
  free (c->socket_path);
  free (c->tcp_name);
  free (c->tcp_port);
  free (c->host_header);
  free (c->api_version);
  free (c->extra_header);
  free (c);
}

void
berth_client_set_header (struct berth_client *c, const char *name, const char *value)
{
  free (c->extra_header);
  c->extra_header = value != NULL ? xasprintf ("%s: %s\r\n", name, value) : NULL;
}

const char *
berth_client_host (const struct berth_client *c)
{
  return c->host;
}

static int
not_running (struct berth_client *c, berth_error_t *err)
{
  return berth_error_make (err, ECONNREFUSED, "Cannot connect to the berth daemon at %s. Is berthd running?",
                           c->host);
}

int
berth_client_use_tls (struct berth_client *c, const struct berth_tls_flags *flags, berth_error_t *err)
{
  if (c->tcp_name == NULL)
    return 0;
  berth_tls_client_free (c->tls);
  c->tls = NULL;
  if (berth_tls_client_new (flags, &c->tls, err) < 0)
    return berth_error_ret (err);
  /* docker's default port for TLS */
  if (c->tls != NULL && !c->tcp_port_given)
    {
      free (c->tcp_port);
      c->tcp_port = xstrdup ("2376");
    }
  return 0;
}

int
berth_client_connect (struct berth_client *c, berth_error_t *err)
{
  cleanup_close int fd = -1;

  if (c->socket_path != NULL)
    {
      struct sockaddr_un sun = { .sun_family = AF_UNIX };
      strcpy (sun.sun_path, c->socket_path);
      fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0)
        return berth_error_errno (err, errno, "socket");
      if (connect (fd, (struct sockaddr *)&sun, sizeof (sun)) < 0)
        return not_running (c, err);
    }
  else
    {
      struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res = NULL;
      if (getaddrinfo (c->tcp_name, c->tcp_port, &hints, &res) != 0)
        return not_running (c, err);
      for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next)
        {
          fd = socket (ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
          if (fd >= 0 && connect (fd, ai->ai_addr, ai->ai_addrlen) < 0)
            {
              close (fd);
              fd = -1;
            }
        }
      freeaddrinfo (res);
      if (fd < 0)
        return not_running (c, err);
      if (c->tls != NULL)
        {
          int tls_fd = berth_tls_client_wrap (c->tls, steal_fd (&fd), c->tcp_name, err);
          if (tls_fd < 0)
            return berth_error_wrap (err, "error during connect to %s", c->host);
          return tls_fd;
        }
    }
  return steal_fd (&fd);
}

static int
conn_open (struct berth_client *c, berth_error_t *err)
{
  int fd;

  if (c->tls != NULL)
    free (berth_tls_client_last_error ()); /* about an earlier connection */
  fd = berth_client_connect (c, err);
  if (fd < 0)
    return berth_error_ret (err);
  if (c->rbuf == NULL)
    c->rbuf = xmalloc (RBUF_SIZE);
  c->rpos = c->rlen = 0;
  c->fd = fd;
  return 0;
}

/* 0 or -errno */
static int
send_all (int fd, const char *p, size_t len)
{
  while (len > 0)
    {
      ssize_t n = send (fd, p, len, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -errno;
      p += n;
      len -= (size_t)n;
    }
  return 0;
}

/* Refills the read buffer when it is empty: >0 bytes available, 0 at EOF,
   -errno. */
static ssize_t
fill (struct berth_client *c)
{
  ssize_t n;

  if (c->rpos < c->rlen)
    return (ssize_t)(c->rlen - c->rpos);
  c->rpos = c->rlen = 0;
  do
    n = read (c->fd, c->rbuf, RBUF_SIZE);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -errno;
  c->rlen = (size_t)n;
  return n;
}

/* One line up to "\n" (kept) into *line; 0, -ENODATA at EOF before any byte,
   -EPROTO at EOF within the line or for a line too long, -errno. */
static int
read_line (struct berth_client *c, char *line, size_t size, size_t *len)
{
  size_t n = 0;

  for (;;)
    {
      ssize_t avail = fill (c);
      char *nl;
      size_t take;
      if (avail < 0)
        return (int)avail;
      if (avail == 0)
        return n == 0 ? -ENODATA : -EPROTO;
      nl = memchr (c->rbuf + c->rpos, '\n', (size_t)avail);
      take = nl != NULL ? (size_t)(nl - (c->rbuf + c->rpos)) + 1 : (size_t)avail;
      if (n + take >= size)
        return -EPROTO;
      memcpy (line + n, c->rbuf + c->rpos, take);
      n += take;
      c->rpos += take;
      if (nl != NULL)
        {
          line[n] = '\0';
          *len = n;
          return 0;
        }
    }
}

/* Where the body goes: the reply buffer, or a stream's sink for a 2xx reply. */
struct stream_io
{
  berth_client_sink sink;
  void *ud;
  bool sink_failed;
};

struct body_dest
{
  struct reply *r;
  struct stream_io *io; /* NULL, or the stream of a 2xx reply */
};

static int
deliver (struct body_dest *d, const char *data, size_t n)
{
  if (d->io != NULL)
    {
      if (d->io->sink (d->io->ud, data, n) < 0)
        {
          d->io->sink_failed = true;
          return -1;
        }
      return 0;
    }
  body_append (d->r, data, n);
  return d->r->too_big ? -1 : 0;
}

/* Up to `want` bytes of the body (SIZE_MAX: until EOF) to d, piece by piece
   as they arrive. 0, 1 at EOF before `want` bytes, -1 when d refused, -errno. */
static int
copy_body (struct berth_client *c, struct body_dest *d, size_t want)
{
  while (want > 0)
    {
      ssize_t avail = fill (c);
      size_t take;
      if (avail < 0)
        return (int)avail;
      if (avail == 0)
        return 1;
      take = (size_t)avail < want ? (size_t)avail : want;
      if (deliver (d, c->rbuf + c->rpos, take) < 0)
        return -1;
      c->rpos += take;
      if (want != SIZE_MAX)
        want -= take;
    }
  return 0;
}

struct head
{
  long status;
  bool chunked, has_length, close;
  size_t length;
};

/* Status line and headers, skipping interim 1xx answers. */
static int
read_head (struct berth_client *c, struct reply *r, struct head *h)
{
  char line[8192];
  size_t len, total;
  int rc;

  for (;;)
    {
      int minor = 0;
      memset (h, 0, sizeof (*h));
      if ((rc = read_line (c, line, sizeof (line), &len)) < 0)
        return rc;
      if (sscanf (line, "HTTP/1.%d %ld", &minor, &h->status) != 2 || h->status < 100 || h->status > 999)
        return -EPROTO;
      h->close = minor == 0;
      total = len;
      for (;;)
        {
          char *v;
          if ((rc = read_line (c, line, sizeof (line), &len)) < 0)
            return rc;
          total += len;
          if (total > MAX_HEAD)
            return -EPROTO;
          if (strcmp (line, "\r\n") == 0 || strcmp (line, "\n") == 0)
            break;
          if ((v = header_value (line, len, "Api-Version")) != NULL)
            {
              free (r->api_version);
              r->api_version = v;
            }
          else if ((v = header_value (line, len, "Content-Type")) != NULL)
            {
              free (r->content_type);
              r->content_type = v;
            }
          else if (r->want != NULL && (v = header_value (line, len, r->want)) != NULL)
            {
              char **dst = r->want_out != NULL ? r->want_out : &r->want_value;
              free (*dst);
              *dst = v;
            }
          else if ((v = header_value (line, len, "Content-Length")) != NULL)
            {
              char *end;
              unsigned long long n = strtoull (v, &end, 10);
              bool ok = end != v && *end == '\0';
              free (v);
              if (!ok)
                return -EPROTO;
              h->has_length = true;
              h->length = (size_t)n;
            }
          else if ((v = header_value (line, len, "Transfer-Encoding")) != NULL)
            {
              h->chunked = strcasecmp (v, "chunked") == 0;
              free (v);
            }
          else if ((v = header_value (line, len, "Connection")) != NULL)
            {
              if (strcasecmp (v, "close") == 0)
                h->close = true;
              else if (strcasecmp (v, "keep-alive") == 0)
                h->close = false;
              free (v);
            }
        }
      if (h->status >= 200 || h->status == 101)
        return 0;
    }
}

/* The body as its head announced it; 0, -1 (d refused), -errno. */
static int
read_body (struct berth_client *c, const char *method, struct head *h, struct body_dest *d)
{
  char line[256];
  size_t len;
  int rc;

  if (strcmp (method, "HEAD") == 0 || h->status == 204 || h->status == 304)
    return 0;
  if (h->chunked)
    for (;;)
      {
        char *end;
        unsigned long long n;
        if ((rc = read_line (c, line, sizeof (line), &len)) < 0)
          return rc;
        n = strtoull (line, &end, 16);
        if (end == line)
          return -EPROTO;
        if (n == 0)
          {
            /* trailers, up to the empty line */
            do
              if ((rc = read_line (c, line, sizeof (line), &len)) < 0)
                return rc;
            while (strcmp (line, "\r\n") != 0 && strcmp (line, "\n") != 0);
            return 0;
          }
        if ((rc = copy_body (c, d, (size_t)n)) != 0)
          return rc > 0 ? -EPROTO : rc;
        if ((rc = read_line (c, line, sizeof (line), &len)) < 0)
          return rc;
      }
  if (h->has_length)
    {
      rc = copy_body (c, d, h->length);
      return rc > 0 ? -EPROTO : rc;
    }
  /* neither: the body ends with the connection */
  h->close = true;
  rc = copy_body (c, d, SIZE_MAX);
  return rc > 0 ? 0 : rc;
}

/* Sends the request head and its body: `body` with Content-Length, or
   body_fd's bytes chunked as they are read.  0, -errno of the socket, or
   -EIO (with *read_errno set) when reading body_fd failed. */
static int
send_request (struct berth_client *c, const char *method, const char *path, const char *content_type,
              const char *body, int body_fd, int *read_errno)
{
  cleanup_free char *head = NULL, *ctype = NULL, *length = NULL;
  int rc;

  if (content_type != NULL)
    ctype = xasprintf ("Content-Type: %s\r\n", content_type);
  if (body_fd >= 0)
    length = xstrdup ("Transfer-Encoding: chunked\r\n");
  else if (body != NULL)
    length = xasprintf ("Content-Length: %zu\r\n", strlen (body));
  else if (strcmp (method, "POST") == 0 || strcmp (method, "PUT") == 0)
    length = xstrdup ("Content-Length: 0\r\n");
  head = xasprintf ("%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: berth-cli/" PACKAGE_VERSION "\r\n%s%s%s\r\n", method,
                    path, c->host_header, ctype != NULL ? ctype : "", length != NULL ? length : "",
                    c->extra_header != NULL ? c->extra_header : "");
  if ((rc = send_all (c->fd, head, strlen (head))) < 0)
    return rc;
  if (body != NULL && body_fd < 0)
    return send_all (c->fd, body, strlen (body));
  if (body_fd >= 0)
    {
      cleanup_free char *buf = xmalloc (RBUF_SIZE);
      for (;;)
        {
          char size[32];
          ssize_t n = read (body_fd, buf, RBUF_SIZE);
          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            {
              *read_errno = errno;
              return -EIO;
            }
          if (n == 0)
            return send_all (c->fd, "0\r\n\r\n", 5);
          snprintf (size, sizeof (size), "%zx\r\n", (size_t)n);
          if ((rc = send_all (c->fd, size, strlen (size))) < 0 || (rc = send_all (c->fd, buf, (size_t)n)) < 0
              || (rc = send_all (c->fd, "\r\n", 2)) < 0)
            return rc;
        }
    }
  return 0;
}

/* One request and its response.  A 2xx body goes to io's sink when io is
   given, to r otherwise (and always to r for other statuses). */
static int
perform_io (struct berth_client *c, const char *method, const char *path, struct reply *r, long *status,
            struct stream_io *io, int body_fd, const char *content_type, const char *body, berth_error_t *err)
{
  struct body_dest dest = { .r = r };
  struct head h;
  int rc, read_errno = 0;
  bool reused;

  for (int attempt = 0;; attempt++)
    {
      bool sent;
      reused = c->fd >= 0;
      if (!reused && conn_open (c, err) < 0)
        return berth_error_ret (err);
      rc = send_request (c, method, path, content_type, body, body_fd, &read_errno);
      if (rc == -EIO && read_errno != 0)
        {
          conn_close (c);
          return berth_error_errno (err, read_errno, "cannot read the request body");
        }
      sent = rc == 0;
      /* the daemon may answer (and close) before it took the whole body:
         its reply is still worth reading */
      if (rc == 0 || body_fd >= 0)
        rc = read_head (c, r, &h);
      /* A kept-alive connection the daemon closed meanwhile: once more on a
         new one when the request cannot have been taken (it could not be
         sent), or when it can be repeated (GET, HEAD); never with a streamed
         body, part of which is gone. */
      if (rc < 0 && reused && attempt == 0 && body_fd < 0
          && ((!sent && (rc == -EPIPE || rc == -ECONNRESET))
              || (rc == -ENODATA && (strcmp (method, "GET") == 0 || strcmp (method, "HEAD") == 0))))
        {
          conn_close (c);
          continue;
        }
      break;
    }
  if (rc < 0)
    {
      cleanup_free char *tls_error = c->tls != NULL ? berth_tls_client_last_error () : NULL;
      conn_close (c);
      /* a TLS 1.3 server refuses our certificate after the handshake */
      if (tls_error != NULL)
        return berth_error_make (err, EPROTO, "error during connect: %s %s: %s", method, path, tls_error);
      if (rc == -EPROTO || rc == -ENODATA)
        return berth_error_make (err, EPROTO, "error during connect: %s %s: %s", method, path,
                                 rc == -ENODATA ? "the daemon closed the connection without a reply"
                                                : "the daemon's reply is not valid HTTP");
      return berth_error_make (err, EIO, "error during connect: %s %s: %s", method, path, strerror (-rc));
    }
  *status = h.status;
  if (io != NULL && h.status >= 200 && h.status <= 299)
    dest.io = io;
  rc = read_body (c, method, &h, &dest);
  if (rc != 0 || h.close)
    conn_close (c);
  if (io != NULL && io->sink_failed)
    return berth_error_make (err, EIO, "interrupted");
  if (r->too_big)
    return berth_error_make (err, EFBIG, "the daemon's reply to %s %s is larger than %u bytes", method, path,
                             MAX_REPLY);
  if (rc == -EPROTO || rc == -ENODATA)
    return berth_error_make (err, EPROTO, "error during connect: %s %s: the daemon's reply is not valid HTTP", method,
                             path);
  if (rc < 0)
    return berth_error_make (err, EIO, "error during connect: %s %s: %s", method, path, strerror (-rc));
  return 0;
}

static int
perform (struct berth_client *c, const char *method, const char *path, struct reply *r, long *status,
         berth_error_t *err)
{
  return perform_io (c, method, path, r, status, NULL, -1, NULL, NULL, err);
}

/* The daemon's {"message": ...}, or the raw body when it sent something else. */
static char *
daemon_message (const struct reply *r, long status)
{
  if (r->body != NULL && r->content_type != NULL && strcmp (r->content_type, "application/json") == 0)
    {
      struct json_object *o = json_tokener_parse (r->body);
      struct json_object *m;
      if (o != NULL && json_object_object_get_ex (o, "message", &m) && json_object_is_type (m, json_type_string))
        {
          char *s = xstrdup (json_object_get_string (m));
          json_object_put (o);
          return s;
        }
      if (o != NULL)
        json_object_put (o);
    }
  if (r->body != NULL && r->len > 0)
    {
      size_t len = r->len;
      while (len > 0 && (r->body[len - 1] == '\n' || r->body[len - 1] == '\r'))
        len--;
      return xstrndup (r->body, len);
    }
  return xasprintf ("HTTP status %ld", status);
}

static int
ping (struct berth_client *c, berth_error_t *err)
{
  struct reply r = { 0 };
  long status = 0;

  if (perform (c, "HEAD", "/_ping", &r, &status, err) < 0)
    {
      reply_clear (&r);
      return berth_error_ret (err);
    }
  /* As docker: a missing header means an old daemon, so fall back to the
     oldest version; never ask for more than we speak. */
  if (r.api_version == NULL || !berth_api_version_valid (r.api_version, strlen (r.api_version)))
    c->api_version = xstrdup (BERTH_API_MIN_VERSION);
  else if (berth_api_version_compare (r.api_version, BERTH_API_VERSION) < 0)
    c->api_version = xstrdup (r.api_version);
  else
    c->api_version = xstrdup (BERTH_API_VERSION);
  reply_clear (&r);
  return 0;
}

int
berth_client_api_version (struct berth_client *c, const char **ret, berth_error_t *err)
{
  if (c->api_version == NULL && ping (c, err) < 0)
    return berth_error_ret (err);
  *ret = c->api_version;
  return 0;
}

int
berth_client_get_json (struct berth_client *c, const char *path, struct json_object **ret, berth_error_t *err)
{
  cleanup_free char *versioned = NULL;
  struct reply r = { 0 };
  const char *version;
  long status = 0;
  int result = 0;

  if (berth_client_api_version (c, &version, err) < 0)
    return berth_error_ret (err);
  versioned = xasprintf ("/v%s%s", version, path);
  if (perform (c, "GET", versioned, &r, &status, err) < 0)
    {
      reply_clear (&r);
      return berth_error_ret (err);
    }
  if (status < 200 || status > 299)
    {
      cleanup_free char *msg = daemon_message (&r, status);
      result = berth_error_make (err, status == 404 ? ENOENT : EIO, "Error response from daemon: %s", msg);
    }
  else
    {
      *ret = r.body != NULL ? json_tokener_parse (r.body) : NULL;
      if (*ret == NULL)
        result = berth_error_make (err, EPROTO, "the daemon's reply to GET %s is not valid JSON", path);
    }
  reply_clear (&r);
  return result;
}

int
berth_client_call_json (struct berth_client *c, const char *method, const char *path, struct json_object **ret,
                        berth_error_t *err)
{
  return berth_client_send_json (c, method, path, NULL, ret, err);
}

int
berth_client_send_json (struct berth_client *c, const char *method, const char *path, struct json_object *body,
                        struct json_object **ret, berth_error_t *err)
{
  const char *text
      = body != NULL ? json_object_to_json_string_ext (body, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
                     : NULL;
  cleanup_free char *versioned = NULL;
  struct reply r = { 0 };
  const char *version;
  long status = 0;
  int result = 0;

  if (ret != NULL)
    *ret = NULL;
  if (berth_client_api_version (c, &version, err) < 0)
    return berth_error_ret (err);
  versioned = xasprintf ("/v%s%s", version, path);
  if (perform_io (c, method, versioned, &r, &status, NULL, -1, text != NULL ? "application/json" : NULL, text, err) < 0)
    {
      reply_clear (&r);
      return berth_error_ret (err);
    }
  /* as Docker's client: 304 (already started, already stopped) is no error */
  if (status < 200 || status > 399)
    {
      cleanup_free char *msg = daemon_message (&r, status);
      result = berth_error_make (err, status == 404 ? ENOENT : EIO, "Error response from daemon: %s", msg);
    }
  else if (ret != NULL && r.body != NULL && r.len > 0)
    {
      *ret = json_tokener_parse (r.body);
      if (*ret == NULL)
        result = berth_error_make (err, EPROTO, "the daemon's reply to %s %s is not valid JSON", method, path);
    }
  reply_clear (&r);
  return result;
}

int
berth_client_stream (struct berth_client *c, const char *method, const char *path, int body_fd,
                     const char *content_type, berth_client_sink sink, void *ud, berth_error_t *err)
{
  return berth_client_stream_header (c, method, path, body_fd, content_type, sink, ud, NULL, NULL, err);
}

int
berth_client_stream_header (struct berth_client *c, const char *method, const char *path, int body_fd,
                            const char *content_type, berth_client_sink sink, void *ud, const char *header,
                            char **ret_value, berth_error_t *err)
{
  cleanup_free char *versioned = NULL;
  struct stream_io io = { .sink = sink, .ud = ud };
  struct reply r = { .want = ret_value != NULL ? header : NULL, .want_out = ret_value };
  const char *version;
  long status = 0;
  int result = 0;

  if (ret_value != NULL)
    *ret_value = NULL;
  if (berth_client_api_version (c, &version, err) < 0)
    return berth_error_ret (err);
  versioned = xasprintf ("/v%s%s", version, path);
  if (perform_io (c, method, versioned, &r, &status, &io, body_fd, content_type, NULL, err) < 0)
    {
      reply_clear (&r);
      return berth_error_ret (err);
    }
  if (status < 200 || status > 299)
    {
      cleanup_free char *msg = daemon_message (&r, status);
      result = berth_error_make (err, status == 404 ? ENOENT : EIO, "Error response from daemon: %s", msg);
    }
  reply_clear (&r);
  return result;
}

int
berth_client_head (struct berth_client *c, const char *path, const char *header, long *ret_status, char **ret_value,
                   berth_error_t *err)
{
  cleanup_free char *versioned = NULL;
  struct reply r = { .want = header };
  const char *version;

  *ret_value = NULL;
  if (berth_client_api_version (c, &version, err) < 0)
    return berth_error_ret (err);
  versioned = xasprintf ("/v%s%s", version, path);
  if (perform (c, "HEAD", versioned, &r, ret_status, err) < 0)
    {
      reply_clear (&r);
      return berth_error_ret (err);
    }
  *ret_value = steal_pointer (&r.want_value);
  reply_clear (&r);
  return 0;
}

/* %XX for everything but RFC 3986's unreserved characters (as
   curl_easy_escape did). */
static char *
escape_component (const char *s)
{
  char *out = xmalloc (3 * strlen (s) + 1), *p = out;

  for (const unsigned char *q = (const unsigned char *)s; *q; q++)
    {
      if ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || strchr ("-._~", *q))
        *p++ = (char)*q;
      else
        p += sprintf (p, "%%%02X", *q);
    }
  *p = '\0';
  return out;
}

void
berth_client_query_add (char **path, const char *key, const char *value)
{
  cleanup_free char *k = escape_component (key);
  cleanup_free char *v = escape_component (value);
  char *next = xasprintf ("%s%c%s=%s", *path, strchr (*path, '?') != NULL ? '&' : '?', k, v);

  free (*path);
  *path = next;
}

char *
berth_client_escape_name (const char *name)
{
  size_t n = strlen (name);
  char *out = xmalloc (3 * n + 1), *p = out;

  for (const unsigned char *s = (const unsigned char *)name; *s; s++)
    {
      if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || strchr ("-._~/:@", *s))
        *p++ = (char)*s;
      else
        p += sprintf (p, "%%%02X", *s);
    }
  *p = '\0';
  return out;
}
