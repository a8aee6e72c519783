/* Registry HTTP on libcurl: see transport.h. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "core/lib/mem.h"
#include "core/registry/transport.h"

#define DEFAULT_MAX_BODY (1u << 20)
#define USER_AGENT "berth/" PACKAGE_VERSION

struct registry_client
{
  char *host; /* as the API is reached: registry-1.docker.io for docker.io */
  char *repo;
  char *base; /* scheme://host */
  char *authorization;
  pthread_mutex_t lock;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_init_once (void)
{
  curl_global_init (CURL_GLOBAL_DEFAULT);
}

/* Docker talks plain HTTP to loopback registries without being told to. */
static bool
host_is_loopback (const char *host)
{
  size_t n;
  const char *colon;

  if (strncmp (host, "[::1]", 5) == 0 && (host[5] == '\0' || host[5] == ':'))
    return true;
  colon = strrchr (host, ':');
  n = colon != NULL ? (size_t)(colon - host) : strlen (host);
  if (n == 9 && strncmp (host, "localhost", 9) == 0)
    return true;
  return n >= 4 && strncmp (host, "127.", 4) == 0 && strspn (host, "0123456789.") == n;
}

int
registry_client_new (const struct image_ref *ref, struct registry_client **ret, berth_error_t *err)
{
  struct registry_client *c;

  if (ref == NULL || ref->domain == NULL || ref->path == NULL)
    return berth_error_make (err, EINVAL, "a registry reference needs a domain and a repository");
  pthread_once (&curl_once, curl_init_once);
  c = xmalloc0 (sizeof (*c));
  c->host = xstrdup (image_ref_registry_host (ref));
  c->repo = xstrdup (ref->path);
  c->base = xasprintf ("%s://%s", host_is_loopback (c->host) ? "http" : "https", c->host);
  pthread_mutex_init (&c->lock, NULL);
  *ret = c;
  return 0;
}

void
registry_client_free (struct registry_client *c)
{
  if (c == NULL)
    return;
  free (c->host);
  free (c->repo);
  free (c->base);
  free (c->authorization);
  pthread_mutex_destroy (&c->lock);
  free (c);
}

const char *
registry_client_host (const struct registry_client *c)
{
  return c->host;
}

const char *
registry_client_repo (const struct registry_client *c)
{
  return c->repo;
}

void
registry_client_set_authorization (struct registry_client *c, const char *value)
{
  pthread_mutex_lock (&c->lock);
  free (c->authorization);
  c->authorization = value != NULL ? xstrdup (value) : NULL;
  pthread_mutex_unlock (&c->lock);
}

char *
registry_client_url (const struct registry_client *c, const char *path)
{
  if (strncmp (path, "http://", 7) == 0 || strncmp (path, "https://", 8) == 0)
    return xstrdup (path);
  return xasprintf ("%s%s%s", c->base, path[0] == '/' ? "" : "/", path);
}

void
registry_reply_clear (struct registry_reply *rp)
{
  free (rp->content_type);
  free (rp->docker_content_digest);
  free (rp->location);
  free (rp->www_authenticate);
  free (rp->range);
  free (rp->body);
  memset (rp, 0, sizeof (*rp));
}

struct transfer
{
  CURL *curl;
  const struct registry_request *rq;
  struct registry_reply *rp;
  size_t max_body;
  size_t cap;
  bool sink_failed;
  bool too_large;
  bool ticked_out;
};

static char *
header_value (const char *line, size_t len, const char *name)
{
  size_t n = strlen (name);
  const char *v, *end = line + len;

  if (len <= n || strncasecmp (line, name, n) != 0 || line[n] != ':')
    return NULL;
  v = line + n + 1;
  while (v < end && (*v == ' ' || *v == '\t'))
    v++;
  while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
    end--;
  return xstrndup (v, (size_t)(end - v));
}

static void
set_header (char **slot, char *value)
{
  if (value == NULL)
    return;
  free (*slot);
  *slot = value;
}

static size_t
on_header (char *data, size_t size, size_t nmemb, void *ud)
{
  struct transfer *t = ud;
  size_t len = size * nmemb;

  /* a new status line: the headers of a redirect are forgotten */
  if (len >= 5 && strncmp (data, "HTTP/", 5) == 0)
    {
      struct registry_reply *rp = t->rp;
      free (rp->content_type);
      free (rp->docker_content_digest);
      free (rp->location);
      free (rp->www_authenticate);
      free (rp->range);
      rp->content_type = rp->docker_content_digest = rp->location = rp->www_authenticate = rp->range = NULL;
      return len;
    }
  set_header (&t->rp->content_type, header_value (data, len, "Content-Type"));
  set_header (&t->rp->docker_content_digest, header_value (data, len, "Docker-Content-Digest"));
  set_header (&t->rp->location, header_value (data, len, "Location"));
  set_header (&t->rp->www_authenticate, header_value (data, len, "WWW-Authenticate"));
  set_header (&t->rp->range, header_value (data, len, "Range"));
  return len;
}

static size_t
on_body (char *data, size_t size, size_t nmemb, void *ud)
{
  struct transfer *t = ud;
  size_t len = size * nmemb;
  long code = 0;

  curl_easy_getinfo (t->curl, CURLINFO_RESPONSE_CODE, &code);
  if (code >= 200 && code < 300 && t->rq->sink != NULL)
    {
      if (t->rq->sink (t->rq->sink_ud, data, len) < 0)
        {
          t->sink_failed = true;
          return 0; /* not len: curl stops with a write error */
        }
      return len;
    }
  if (t->rp->body_len + len > t->max_body)
    {
      t->too_large = true;
      return 0; /* not len: curl stops with a write error */
    }
  if (t->rp->body_len + len + 1 > t->cap)
    {
      t->cap = (t->rp->body_len + len + 1) * 2;
      t->rp->body = xrealloc (t->rp->body, t->cap);
    }
  memcpy (t->rp->body + t->rp->body_len, data, len);
  t->rp->body_len += len;
  t->rp->body[t->rp->body_len] = '\0';
  return len;
}

static size_t
on_read (char *buf, size_t size, size_t nmemb, void *ud)
{
  struct transfer *t = ud;
  ssize_t n;

  do
    n = read (t->rq->body_fd, buf, size * nmemb);
  while (n < 0 && errno == EINTR);
  return n < 0 ? CURL_READFUNC_ABORT : (size_t)n;
}

static int
on_progress (void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
  struct transfer *t = ud;

  (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
  if (t->rq->tick != NULL && t->rq->tick (t->rq->tick_ud) != 0)
    {
      t->ticked_out = true;
      return 1;
    }
  return 0;
}

int
registry_do (struct registry_client *c, const struct registry_request *rq, struct registry_reply *rp,
             berth_error_t *err)
{
  struct transfer t = { .rq = rq, .rp = rp, .max_body = rq->max_body != 0 ? rq->max_body : DEFAULT_MAX_BODY };
  struct curl_slist *hdrs = NULL;
  cleanup_free char *url = registry_client_url (c, rq->url);
  cleanup_free char *auth = NULL;
  char errbuf[CURL_ERROR_SIZE] = "";
  CURLcode rc;
  int r = 0;

  memset (rp, 0, sizeof (*rp));
  t.curl = curl_easy_init ();
  if (t.curl == NULL)
    return berth_error_make (err, ENOMEM, "cannot create a curl handle");
  pthread_mutex_lock (&c->lock);
  if (c->authorization != NULL)
    auth = xasprintf ("Authorization: %s", c->authorization);
  pthread_mutex_unlock (&c->lock);
  if (auth != NULL)
    hdrs = curl_slist_append (hdrs, auth);
  for (size_t i = 0; rq->headers != NULL && rq->headers[i] != NULL; i++)
    hdrs = curl_slist_append (hdrs, rq->headers[i]);
  /* curl would send "Expect: 100-continue" for uploads; registries don't need it */
  hdrs = curl_slist_append (hdrs, "Expect:");

  curl_easy_setopt (t.curl, CURLOPT_URL, url);
  curl_easy_setopt (t.curl, CURLOPT_USERAGENT, USER_AGENT);
  curl_easy_setopt (t.curl, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt (t.curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (t.curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt (t.curl, CURLOPT_CONNECTTIMEOUT, 30L);
  /* a stalled transfer (less than 1 byte/s for 60 s) is a failure */
  curl_easy_setopt (t.curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt (t.curl, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt (t.curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (t.curl, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt (t.curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (t.curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt (t.curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt (t.curl, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt (t.curl, CURLOPT_NOPROGRESS, 0L);
  /* blob GETs may redirect to storage elsewhere; uploads are never redirected */
  if (strcmp (rq->method, "GET") == 0 || strcmp (rq->method, "HEAD") == 0)
    {
      curl_easy_setopt (t.curl, CURLOPT_FOLLOWLOCATION, 1L);
      curl_easy_setopt (t.curl, CURLOPT_MAXREDIRS, 10L);
    }
  if (strcmp (rq->method, "HEAD") == 0)
    curl_easy_setopt (t.curl, CURLOPT_NOBODY, 1L);
  else if (strcmp (rq->method, "GET") != 0)
    curl_easy_setopt (t.curl, CURLOPT_CUSTOMREQUEST, rq->method);
  if (rq->body_fd >= 0)
    {
      curl_easy_setopt (t.curl, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt (t.curl, CURLOPT_READFUNCTION, on_read);
      curl_easy_setopt (t.curl, CURLOPT_READDATA, &t);
      curl_easy_setopt (t.curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)rq->body_size);
      curl_easy_setopt (t.curl, CURLOPT_CUSTOMREQUEST, rq->method);
    }
  else if (strcmp (rq->method, "POST") == 0 || strcmp (rq->method, "PUT") == 0 || strcmp (rq->method, "PATCH") == 0)
    {
      curl_easy_setopt (t.curl, CURLOPT_POST, 1L);
      curl_easy_setopt (t.curl, CURLOPT_POSTFIELDS, rq->body != NULL ? rq->body : "");
      curl_easy_setopt (t.curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
      curl_easy_setopt (t.curl, CURLOPT_CUSTOMREQUEST, rq->method);
    }

  rc = curl_easy_perform (t.curl);
  curl_easy_getinfo (t.curl, CURLINFO_RESPONSE_CODE, &rp->status);
  if (rc != CURLE_OK)
    {
      if (t.too_large)
        r = berth_error_make (err, EFBIG, "%s %s: the registry's answer is larger than %zu bytes", rq->method, url,
                              t.max_body);
      else if (t.sink_failed)
        r = berth_error_make (err, ECANCELED, "%s %s: the download was stopped", rq->method, url);
      else if (t.ticked_out)
        r = berth_error_make (err, ECANCELED, "%s %s: cancelled", rq->method, url);
      else
        r = berth_error_make (err, rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ? EHOSTUNREACH : EIO,
                              "%s %s: %s", rq->method, url, errbuf[0] != '\0' ? errbuf : curl_easy_strerror (rc));
      registry_reply_clear (rp);
    }
  curl_slist_free_all (hdrs);
  curl_easy_cleanup (t.curl);
  return r;
}

char *
registry_reply_error_text (const struct registry_reply *rp)
{
  json_object *doc = NULL, *errors, *first, *v;
  char *text = NULL;

  if (rp->body != NULL && rp->body_len > 0)
    doc = json_tokener_parse (rp->body);
  if (doc != NULL && json_object_object_get_ex (doc, "errors", &errors) && json_object_is_type (errors, json_type_array)
      && json_object_array_length (errors) > 0 && (first = json_object_array_get_idx (errors, 0)) != NULL)
    {
      const char *code = json_object_object_get_ex (first, "code", &v) ? json_object_get_string (v) : "";
      const char *msg = json_object_object_get_ex (first, "message", &v) ? json_object_get_string (v) : "";
      /* moby prints the code in lower case words: "manifest unknown" */
      cleanup_free char *words = xstrdup (code);
      for (char *p = words; *p; p++)
        *p = *p == '_' ? ' ' : (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
      text = xasprintf ("%s: %s", words, msg);
    }
  json_object_put (doc);
  if (text == NULL)
    text = xasprintf ("unexpected HTTP status %ld", rp->status);
  return text;
}
