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

#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/registry/auth.h"
#include "core/registry/tls.h"
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
  /* auth.c answers 401s with these (NULL: anonymous) */
  struct registry_credentials *creds;
  bool no_auth_retry;
  bool wants_push; /* a write was refused: ask for pull,push tokens from now on */
  /* tls.c: verification, CAs, client cert; an insecure registry is tried
     over HTTPS first and falls back to plain HTTP for good */
  struct registry_tls tls;
  char *base_http;
  enum
  {
    SCHEME_UNKNOWN,
    SCHEME_HTTPS,
    SCHEME_HTTP,
  } scheme;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_init_once (void)
{
  curl_global_init (CURL_GLOBAL_DEFAULT);
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
  if (registry_tls_for_host (c->host, &c->tls, err) < 0)
    {
      free (c->host);
      free (c);
      return berth_error_ret (err);
    }
  c->repo = xstrdup (ref->path);
  c->base = xasprintf ("https://%s", c->host);
  if (c->tls.insecure)
    c->base_http = xasprintf ("http://%s", c->host);
  pthread_mutex_init (&c->lock, NULL);
  *ret = c;
  return 0;
}

int
registry_client_new_at (const struct image_ref *ref, const char *endpoint, struct registry_client **ret,
                        berth_error_t *err)
{
  const char *host;
  size_t n;

  if (strncmp (endpoint, "http://", 7) == 0)
    host = endpoint + 7;
  else if (strncmp (endpoint, "https://", 8) == 0)
    host = endpoint + 8;
  else
    return berth_error_make (err, EINVAL, "registry endpoint `%s`: expected http://HOST[:PORT] or https://HOST[:PORT]",
                             endpoint);
  n = strcspn (host, "/");
  if (n == 0 || (host[n] == '/' && host[n + 1] != '\0'))
    return berth_error_make (err, EINVAL, "registry endpoint `%s`: expected http://HOST[:PORT] or https://HOST[:PORT]",
                             endpoint);
  if (registry_client_new (ref, ret, err) < 0)
    return berth_error_ret (err);
  free ((*ret)->host);
  free ((*ret)->base);
  (*ret)->host = xstrndup (host, n);
  (*ret)->base = xstrndup (endpoint, (size_t)(host - endpoint) + n);
  /* the endpoint's own TLS settings; its scheme is used as given */
  registry_tls_clear (&(*ret)->tls);
  free ((*ret)->base_http);
  (*ret)->base_http = NULL;
  if (registry_tls_for_host ((*ret)->host, &(*ret)->tls, err) < 0)
    {
      registry_client_free (*ret);
      *ret = NULL;
      return berth_error_ret (err);
    }
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
  registry_credentials_free (c->creds);
  registry_tls_clear (&c->tls);
  free (c->base_http);
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

void
registry_client_set_credentials (struct registry_client *c, const struct registry_credentials *cr)
{
  pthread_mutex_lock (&c->lock);
  registry_credentials_free (c->creds);
  c->creds = registry_credentials_empty (cr) ? NULL : registry_credentials_dup (cr);
  /* a registry token is used as is, without a challenge */
  if (c->creds != NULL && c->creds->registrytoken != NULL && c->creds->registrytoken[0] != '\0')
    {
      free (c->authorization);
      c->authorization = xasprintf ("Bearer %s", c->creds->registrytoken);
    }
  pthread_mutex_unlock (&c->lock);
}

void
registry_client_disable_auth (struct registry_client *c)
{
  c->no_auth_retry = true;
}

static const char *
current_base (const struct registry_client *c)
{
  return c->scheme == SCHEME_HTTP ? c->base_http : c->base;
}

char *
registry_client_url (const struct registry_client *c, const char *path)
{
  char *url;

  if (strncmp (path, "http://", 7) == 0 || strncmp (path, "https://", 8) == 0)
    return xstrdup (path);
  pthread_mutex_lock ((pthread_mutex_t *)&c->lock);
  url = xasprintf ("%s%s%s", current_base (c), path[0] == '/' ? "" : "/", path);
  pthread_mutex_unlock ((pthread_mutex_t *)&c->lock);
  return url;
}

void
registry_reply_clear (struct registry_reply *rp)
{
  free (rp->content_type);
  free (rp->docker_content_digest);
  free (rp->location);
  free (rp->www_authenticate);
  free (rp->range);
  free (rp->content_range);
  free (rp->retry_after);
  free (rp->link);
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
      free (rp->content_range);
      free (rp->retry_after);
      free (rp->link);
      rp->link = NULL;
      rp->content_type = rp->docker_content_digest = rp->location = rp->www_authenticate = rp->range = NULL;
      rp->content_range = rp->retry_after = NULL;
      return len;
    }
  set_header (&t->rp->content_type, header_value (data, len, "Content-Type"));
  set_header (&t->rp->docker_content_digest, header_value (data, len, "Docker-Content-Digest"));
  set_header (&t->rp->location, header_value (data, len, "Location"));
  set_header (&t->rp->www_authenticate, header_value (data, len, "WWW-Authenticate"));
  set_header (&t->rp->range, header_value (data, len, "Range"));
  set_header (&t->rp->content_range, header_value (data, len, "Content-Range"));
  set_header (&t->rp->retry_after, header_value (data, len, "Retry-After"));
  set_header (&t->rp->link, header_value (data, len, "Link"));
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

/* One request; *ret_rc is curl's result (CURLE_OK when the server answered). */
static int
do_once (struct registry_client *c, const struct registry_request *rq, struct registry_reply *rp, CURLcode *ret_rc,
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
  *ret_rc = CURLE_FAILED_INIT;
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
  registry_tls_apply (&c->tls, t.curl);
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
      /* a body of unknown size (a stream) goes chunked */
      if (rq->body_size == REGISTRY_BODY_SIZE_UNKNOWN)
        hdrs = curl_slist_append (hdrs, "Transfer-Encoding: chunked");
      else
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
  *ret_rc = rc;
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
      else if (registry_tls_failure (rc) && !c->tls.insecure && strncmp (url, "https://", 8) == 0)
        {
          cleanup_free char *why
              = registry_tls_explain (&c->tls, c->host, rc, errbuf[0] != '\0' ? errbuf : curl_easy_strerror (rc));
          /* EPROTO: no retry can fix a certificate (retry.h retries EIO) */
          r = berth_error_make (err, EPROTO, "%s %s: %s", rq->method, url, why);
        }
      else
        r = berth_error_make (err, rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ? EHOSTUNREACH : EIO,
                              "%s %s: %s", rq->method, url, errbuf[0] != '\0' ? errbuf : curl_easy_strerror (rc));
      registry_reply_clear (rp);
    }
  curl_slist_free_all (hdrs);
  curl_easy_cleanup (t.curl);
  return r;
}

/* do_once, over plain HTTP when an insecure registry's first HTTPS
   attempt fails in the TLS handshake (as Docker tries its endpoints). */
static int
do_scheme (struct registry_client *c, const struct registry_request *rq, struct registry_reply *rp, off_t body_start,
           berth_error_t *err)
{
  bool relative = strncmp (rq->url, "http://", 7) != 0 && strncmp (rq->url, "https://", 8) != 0;
  cleanup_error berth_error_t https_err = NULL;
  bool probing;
  CURLcode rc;
  int r;

  pthread_mutex_lock (&c->lock);
  probing = relative && c->base_http != NULL && c->scheme == SCHEME_UNKNOWN;
  pthread_mutex_unlock (&c->lock);
  r = do_once (c, rq, rp, &rc, probing ? &https_err : err);
  if (!probing)
    return r;
  if (r == 0 || !registry_tls_failure (rc) || (rq->body_fd >= 0 && lseek (rq->body_fd, body_start, SEEK_SET) < 0))
    {
      pthread_mutex_lock (&c->lock);
      if (r == 0 && c->scheme == SCHEME_UNKNOWN)
        c->scheme = SCHEME_HTTPS;
      pthread_mutex_unlock (&c->lock);
      if (r < 0)
        *err = steal_pointer (&https_err);
      return r;
    }
  log_debug ("registry %s: %s; trying plain HTTP", c->host, berth_error_msg (&https_err));
  pthread_mutex_lock (&c->lock);
  if (c->scheme == SCHEME_UNKNOWN)
    c->scheme = SCHEME_HTTP;
  pthread_mutex_unlock (&c->lock);
  return do_once (c, rq, rp, &rc, err);
}

/* The scopes a token must carry for this request: our repository with pull
   (and push once a write was refused), plus what the challenge names for
   another repository (a cross-repository mount's source). */
static char **
token_scopes (struct registry_client *c, const struct registry_request *rq, const struct registry_challenge *ch)
{
  char **v = xmalloc0 (3 * sizeof (char *));
  size_t n = 0;
  bool write = strcmp (rq->method, "GET") != 0 && strcmp (rq->method, "HEAD") != 0;
  cleanup_free char *ours = c->repo[0] != '\0' ? xasprintf ("repository:%s:", c->repo) : NULL;

  pthread_mutex_lock (&c->lock);
  if (write || (ch->scope != NULL && ours != NULL && strncmp (ch->scope, ours, strlen (ours)) == 0
                && strstr (ch->scope + strlen (ours), "push") != NULL))
    c->wants_push = true;
  if (ours != NULL)
    v[n++] = xasprintf ("%s%s", ours, c->wants_push ? "pull,push" : "pull");
  pthread_mutex_unlock (&c->lock);
  if (ch->scope != NULL && ch->scope[0] != '\0' && (ours == NULL || strncmp (ch->scope, ours, strlen (ours)) != 0))
    v[n++] = xstrdup (ch->scope);
  return v;
}

int
registry_do (struct registry_client *c, const struct registry_request *rq, struct registry_reply *rp,
             berth_error_t *err)
{
  off_t body_start = rq->body_fd >= 0 ? lseek (rq->body_fd, 0, SEEK_CUR) : 0;
  struct registry_challenge ch = { 0 };
  cleanup_error berth_error_t perr = NULL;
  cleanup_free char *authz = NULL, *sent = NULL;
  cleanup_strv char **scopes = NULL;
  int r;

  /* what this request goes with: another thread may answer a 401 meanwhile */
  pthread_mutex_lock (&c->lock);
  sent = c->authorization != NULL ? xstrdup (c->authorization) : NULL;
  pthread_mutex_unlock (&c->lock);
  r = do_scheme (c, rq, rp, body_start, err);
  /* a 401 is answered once; GET /v2/ (the probe) is left to the caller */
  if (r < 0 || rp->status != 401 || c->no_auth_retry || strcmp (rq->url, "/v2/") == 0)
    return r;
  if (rq->body_fd >= 0 && (body_start < 0 || lseek (rq->body_fd, body_start, SEEK_SET) < 0))
    return r;
  if (registry_challenge_parse (rp->www_authenticate, &ch, &perr) < 0)
    {
      log_debug ("registry %s: %s", c->host, berth_error_msg (&perr));
      return r;
    }
  scopes = token_scopes (c, rq, &ch);
  pthread_mutex_lock (&c->lock);
  struct registry_credentials *cr = registry_credentials_dup (c->creds);
  pthread_mutex_unlock (&c->lock);
  r = registry_auth_answer (&ch, cr, (const char *const *)scopes, &authz, err);
  registry_credentials_free (cr);
  registry_challenge_clear (&ch);
  if (r < 0)
    {
      registry_reply_clear (rp);
      return berth_error_wrap (err, "%s", c->host);
    }
  if (authz == NULL)
    return 0; /* nothing to try: the 401 is the answer */
  if (sent != NULL && strcmp (sent, authz) == 0)
    return 0; /* these credentials were refused already */
  pthread_mutex_lock (&c->lock);
  free (c->authorization);
  c->authorization = xstrdup (authz);
  pthread_mutex_unlock (&c->lock);
  registry_reply_clear (rp);
  return do_scheme (c, rq, rp, body_start, err);
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
