/* Raw HTTP/1.1 on a socket of our own, for two requests only.
 *
 * Attach answers "101 UPGRADED" and then the connection carries raw bytes
 * both ways; libcurl's easy API has no way to hand the socket over after an
 * upgrade, so we write the request and parse the response head ourselves.
 * The wait call is done the same way because `run` must see its response
 * head before sending start, then read its body after the attach stream
 * ends, with no thread: a blocking curl transfer cannot be split like that.
 * Every other request goes through client.c. */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "core/cli/hijack.h"
#include "core/lib/mem.h"

#define MAX_HEAD (64 * 1024)
#define MAX_BODY (16 * 1024 * 1024)

static int
write_all (int fd, const char *p, size_t len, berth_error_t *err)
{
  while (len > 0)
    {
      ssize_t n = send (fd, p, len, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return berth_error_errno (err, errno, "cannot send the request to the daemon");
      p += n;
      len -= (size_t)n;
    }
  return 0;
}

/* "Name: value" in the head, or NULL */
static char *
head_value (const char *head, const char *name)
{
  size_t nlen = strlen (name);

  for (const char *line = strstr (head, "\r\n"); line != NULL; line = strstr (line, "\r\n"))
    {
      const char *end;
      line += 2;
      if (strncasecmp (line, name, nlen) != 0 || line[nlen] != ':')
        continue;
      line += nlen + 1;
      while (*line == ' ' || *line == '\t')
        line++;
      end = strstr (line, "\r\n");
      if (end == NULL)
        end = line + strlen (line);
      while (end > line && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
      return xstrndup (line, (size_t)(end - line));
    }
  return NULL;
}

static char *
error_message (const char *body)
{
  struct json_object *o = json_tokener_parse (body), *m;
  char *s;
  size_t len;

  if (o != NULL && json_object_object_get_ex (o, "message", &m) && json_object_is_type (m, json_type_string))
    {
      s = xstrdup (json_object_get_string (m));
      json_object_put (o);
      return s;
    }
  if (o != NULL)
    json_object_put (o);
  len = strlen (body);
  while (len > 0 && (body[len - 1] == '\n' || body[len - 1] == '\r'))
    len--;
  return xstrndup (body, len);
}

int
berth_raw_open (struct berth_client *c, const char *method, const char *path, bool upgrade, struct berth_raw **ret,
                berth_error_t *err)
{
  cleanup_free char *req = NULL, *head = NULL, *te = NULL, *cl = NULL;
  struct berth_raw *r;
  const char *version;
  size_t len = 0;
  char *end;
  int fd;

  if (berth_client_api_version (c, &version, err) < 0)
    return berth_error_ret (err);
  fd = berth_client_connect (c, err);
  if (fd < 0)
    return berth_error_ret (err);
  r = xmalloc0 (sizeof (*r));
  r->fd = fd;
  r->content_length = -1;
  req = xasprintf ("%s /v%s%s HTTP/1.1\r\n"
                   "Host: api.moby.localhost\r\n"
                   "User-Agent: berth-cli/" PACKAGE_VERSION "\r\n"
                   "Content-Length: 0\r\n"
                   "%s\r\n",
                   method, version, path,
                   upgrade ? "Content-Type: text/plain\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
                           : "Connection: close\r\n");
  if (write_all (fd, req, strlen (req), err) < 0)
    goto fail;

  head = xmalloc (MAX_HEAD + 1);
  for (;;)
    {
      ssize_t n = read (fd, head + len, MAX_HEAD - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          berth_error_errno (err, errno, "cannot read the daemon's reply to %s %s", method, path);
          goto fail;
        }
      if (n == 0)
        {
          berth_error_make (err, EPROTO, "the daemon closed the connection before replying to %s %s", method, path);
          goto fail;
        }
      len += (size_t)n;
      head[len] = '\0';
      end = strstr (head, "\r\n\r\n");
      if (end != NULL)
        break;
      if (len == MAX_HEAD)
        {
          berth_error_make (err, EPROTO, "the daemon's reply to %s %s has an oversized head", method, path);
          goto fail;
        }
    }
  r->extra_len = len - (size_t)(end + 4 - head);
  r->extra = xmalloc (r->extra_len + 1);
  memcpy (r->extra, end + 4, r->extra_len);
  end[2] = '\0'; /* keep the last header's CRLF for head_value */
  if (sscanf (head, "HTTP/1.%*d %d", &r->status) != 1)
    {
      berth_error_make (err, EPROTO, "the daemon sent a malformed reply to %s %s", method, path);
      goto fail;
    }
  te = head_value (head, "Transfer-Encoding");
  r->chunked = te != NULL && strcasecmp (te, "chunked") == 0;
  cl = head_value (head, "Content-Length");
  if (cl != NULL)
    r->content_length = strtoll (cl, NULL, 10);

  if (upgrade && r->status >= 200 && r->status < 300)
    {
      berth_error_make (err, EPROTO, "unable to upgrade to tcp, received %d", r->status);
      goto fail;
    }
  if (r->status != 101 && (r->status < 200 || r->status > 299))
    {
      cleanup_free char *body = NULL, *msg = NULL;
      size_t blen;
      int status = r->status;
      if (berth_raw_read_body (r, &body, &blen, err) < 0)
        goto fail;
      msg = blen > 0 ? error_message (body) : xasprintf ("HTTP status %d", status);
      berth_error_make (err, status == 404 ? ENOENT : EIO, "Error response from daemon: %s", msg);
      goto fail;
    }
  *ret = r;
  return 0;

fail:
  berth_raw_free (r);
  return -1;
}

/* Decode a complete chunked body in place; returns the decoded length. */
static size_t
dechunk (char *buf, size_t len)
{
  size_t in = 0, out = 0;

  while (in < len)
    {
      char *e;
      unsigned long n = strtoul (buf + in, &e, 16);
      char *crlf = memmem (buf + in, len - in, "\r\n", 2);
      if (crlf == NULL || e == buf + in)
        break;
      in = (size_t)(crlf + 2 - buf);
      if (n == 0 || n > len - in)
        {
          if (n > 0)
            {
              memmove (buf + out, buf + in, len - in);
              out += len - in;
            }
          break;
        }
      memmove (buf + out, buf + in, n);
      out += n;
      in += n + 2;
    }
  buf[out] = '\0';
  return out;
}

int
berth_raw_read_body (struct berth_raw *r, char **ret, size_t *ret_len, berth_error_t *err)
{
  size_t len = r->extra_len, cap = len + 4096;
  char *buf = xmalloc (cap + 1);

  memcpy (buf, r->extra, len);
  while (r->content_length < 0 || (int64_t)len < r->content_length)
    {
      ssize_t n;
      if (cap - len < 4096)
        {
          if (cap > MAX_BODY)
            {
              free (buf);
              return berth_error_make (err, EFBIG, "the daemon's reply is too large");
            }
          cap *= 2;
          buf = xrealloc (buf, cap + 1);
        }
      n = read (r->fd, buf + len, cap - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          free (buf);
          return berth_error_errno (err, errno, "cannot read the daemon's reply");
        }
      if (n == 0)
        break;
      len += (size_t)n;
      /* the last chunk ends the body even if the connection stays open */
      if (r->chunked && len >= 5 && memcmp (buf + len - 5, "0\r\n\r\n", 5) == 0)
        break;
    }
  buf[len] = '\0';
  if (r->chunked)
    len = dechunk (buf, len);
  *ret = buf;
  *ret_len = len;
  return 0;
}

void
berth_raw_free (struct berth_raw *r)
{
  if (r == NULL)
    return;
  if (r->fd >= 0)
    close (r->fd);
  free (r->extra);
  free (r);
}
