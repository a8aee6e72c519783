#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

static int
perform (struct berth_client *c, const char *method, const char *path, struct reply *r, long *status,
         berth_error_t *err)
{
  cleanup_free char *url = xasprintf ("%s%s", c->base_url, path);
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

  rc = curl_easy_perform (c->curl);
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
      result = berth_error_make (err, EIO, "Error response from daemon: %s", msg);
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
