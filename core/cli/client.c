#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/cli/client.h"
#include "core/lib/api-version.h"
#include "core/lib/mem.h"

/* Replies bigger than this are refused rather than buffered. */
#define MAX_REPLY (64u * 1024 * 1024)

struct berth_client
{
  char *host;
  char *socket_path; /* unix:// */
  char *base_url;    /* http://localhost or http://host:port */
  char *api_version; /* after the ping */
  CURL *curl;
};

struct reply
{
  char *body;
  size_t len;
  bool too_big;
  char *api_version;
  char *content_type;
};

static size_t
on_body (char *data, size_t size, size_t nmemb, void *ud)
{
  struct reply *r = ud;
  size_t n = size * nmemb;

  if (r->len + n > MAX_REPLY)
    {
      r->too_big = true;
      return 0;
    }
  r->body = xrealloc (r->body, r->len + n + 1);
  memcpy (r->body + r->len, data, n);
  r->len += n;
  r->body[r->len] = '\0';
  return n;
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

static size_t
on_header (char *data, size_t size, size_t nmemb, void *ud)
{
  struct reply *r = ud;
  size_t n = size * nmemb;
  char *v;

  if ((v = header_value (data, n, "Api-Version")) != NULL)
    {
      free (r->api_version);
      r->api_version = v;
    }
  else if ((v = header_value (data, n, "Content-Type")) != NULL)
    {
      free (r->content_type);
      r->content_type = v;
    }
  return n;
}

static void
reply_clear (struct reply *r)
{
  free (r->body);
  free (r->api_version);
  free (r->content_type);
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

  if (curl_global_init (CURL_GLOBAL_DEFAULT) != CURLE_OK)
    return berth_error_make (err, EIO, "cannot initialise libcurl");
  c = xmalloc0 (sizeof (*c));
  c->host = xstrdup (host);
  if (strncmp (host, "unix://", 7) == 0)
    {
      c->socket_path = xstrdup (host + 7);
      /* the host part is a placeholder over a UNIX socket */
      c->base_url = xstrdup ("http://localhost");
    }
  else
    c->base_url = xasprintf ("http://%s", host + 6);
  c->curl = curl_easy_init ();
  if (c->curl == NULL)
    {
      berth_client_free (c);
      return berth_error_make (err, EIO, "cannot initialise libcurl");
    }
  *ret = c;
  return 0;
}

void
berth_client_free (struct berth_client *c)
{
  if (c == NULL)
    return;
  if (c->curl != NULL)
    curl_easy_cleanup (c->curl);
  free (c->host);
  free (c->socket_path);
  free (c->base_url);
  free (c->api_version);
  free (c);
}

const char *
berth_client_host (const struct berth_client *c)
{
  return c->host;
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

/* Streaming state: the upload's fd, and where a 2xx reply goes. */
struct stream_io
{
  int body_fd;
  berth_client_sink sink;
  void *ud;
  struct reply *err_reply; /* a non-2xx reply is buffered here */
  CURL *curl;
  bool sink_failed;
};

static size_t
on_upload (char *buf, size_t size, size_t nmemb, void *ud)
{
  struct stream_io *io = ud;

  for (;;)
    {
      ssize_t n = read (io->body_fd, buf, size * nmemb);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return CURL_READFUNC_ABORT;
      return (size_t)n;
    }
}

static size_t
on_stream_body (char *data, size_t size, size_t nmemb, void *ud)
{
  struct stream_io *io = ud;
  size_t n = size * nmemb;
  long status = 0;

  curl_easy_getinfo (io->curl, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status > 299)
    return on_body (data, size, nmemb, io->err_reply);
  if (io->sink (io->ud, data, n) < 0)
    {
      io->sink_failed = true;
      return 0;
    }
  return n;
}

static int perform_io (struct berth_client *c, const char *method, const char *path, struct reply *r, long *status,
                       struct stream_io *io, const char *content_type, const char *body, berth_error_t *err);

static int
perform (struct berth_client *c, const char *method, const char *path, struct reply *r, long *status,
         berth_error_t *err)
{
  return perform_io (c, method, path, r, status, NULL, NULL, NULL, err);
}

/* body: a request body sent with Content-Length (JSON), or NULL */
static int
perform_io (struct berth_client *c, const char *method, const char *path, struct reply *r, long *status,
            struct stream_io *io, const char *content_type, const char *body, berth_error_t *err)
{
  cleanup_free char *url = xasprintf ("%s%s", c->base_url, path);
  struct curl_slist *headers = NULL;
  CURLcode rc;

  curl_easy_reset (c->curl);
  curl_easy_setopt (c->curl, CURLOPT_URL, url);
  if (c->socket_path != NULL)
    curl_easy_setopt (c->curl, CURLOPT_UNIX_SOCKET_PATH, c->socket_path);
  if (strcmp (method, "HEAD") == 0)
    curl_easy_setopt (c->curl, CURLOPT_NOBODY, 1L);
  else if (strcmp (method, "GET") != 0)
    curl_easy_setopt (c->curl, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt (c->curl, CURLOPT_USERAGENT, "berth-cli/" PACKAGE_VERSION);
  curl_easy_setopt (c->curl, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt (c->curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (c->curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (c->curl, CURLOPT_WRITEDATA, r);
  curl_easy_setopt (c->curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (c->curl, CURLOPT_HEADERDATA, r);
  if (io != NULL)
    {
      io->curl = c->curl;
      io->err_reply = r;
      curl_easy_setopt (c->curl, CURLOPT_WRITEFUNCTION, on_stream_body);
      curl_easy_setopt (c->curl, CURLOPT_WRITEDATA, io);
      if (io->body_fd >= 0)
        {
          /* no size: curl sends it chunked, as docker does */
          curl_easy_setopt (c->curl, CURLOPT_UPLOAD, 1L);
          curl_easy_setopt (c->curl, CURLOPT_CUSTOMREQUEST, method);
          curl_easy_setopt (c->curl, CURLOPT_READFUNCTION, on_upload);
          curl_easy_setopt (c->curl, CURLOPT_READDATA, io);
          headers = curl_slist_append (headers, "Transfer-Encoding: chunked");
          headers = curl_slist_append (headers, "Expect:");
        }
    }
  if (body != NULL)
    {
      curl_easy_setopt (c->curl, CURLOPT_POSTFIELDS, body);
      curl_easy_setopt (c->curl, CURLOPT_POSTFIELDSIZE, (long)strlen (body));
      headers = curl_slist_append (headers, "Expect:");
    }
  else if (strcmp (method, "POST") == 0 && (io == NULL || io->body_fd < 0))
    {
      /* an empty body, with Content-Length: 0 */
      curl_easy_setopt (c->curl, CURLOPT_POSTFIELDS, "");
      curl_easy_setopt (c->curl, CURLOPT_POSTFIELDSIZE, 0L);
    }
  if (content_type != NULL)
    {
      cleanup_free char *h = xasprintf ("Content-Type: %s", content_type);
      headers = curl_slist_append (headers, h);
    }
  if (headers != NULL)
    curl_easy_setopt (c->curl, CURLOPT_HTTPHEADER, headers);

  rc = curl_easy_perform (c->curl);
  curl_slist_free_all (headers);
  if (io != NULL && io->sink_failed)
    return berth_error_make (err, EIO, "interrupted");
  if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST)
    return berth_error_make (err, ECONNREFUSED, "Cannot connect to the berth daemon at %s. Is berthd running?",
                             c->host);
  if (rc == CURLE_WRITE_ERROR && r->too_big)
    return berth_error_make (err, EFBIG, "the daemon's reply to %s %s is larger than %u bytes", method, path,
                             MAX_REPLY);
  if (rc != CURLE_OK)
    return berth_error_make (err, EIO, "error during connect: %s %s: %s", method, path, curl_easy_strerror (rc));
  curl_easy_getinfo (c->curl, CURLINFO_RESPONSE_CODE, status);
  return 0;
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
  if (perform_io (c, method, versioned, &r, &status, NULL, text != NULL ? "application/json" : NULL, text, err) < 0)
    {
      reply_clear (&r);
      return berth_error_ret (err);
    }
  if (status < 200 || status > 299)
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
  cleanup_free char *versioned = NULL;
  struct stream_io io = { .body_fd = body_fd, .sink = sink, .ud = ud };
  struct reply r = { 0 };
  const char *version;
  long status = 0;
  int result = 0;

  if (berth_client_api_version (c, &version, err) < 0)
    return berth_error_ret (err);
  versioned = xasprintf ("/v%s%s", version, path);
  if (perform_io (c, method, versioned, &r, &status, &io, content_type, NULL, err) < 0)
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

void
berth_client_query_add (char **path, const char *key, const char *value)
{
  char *k = curl_easy_escape (NULL, key, 0);
  char *v = curl_easy_escape (NULL, value, 0);
  char *next = xasprintf ("%s%c%s=%s", *path, strchr (*path, '?') != NULL ? '&' : '?', k, v);

  curl_free (k);
  curl_free (v);
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
