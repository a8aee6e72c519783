/* Registry authentication: challenges, basic auth, the bearer token flow
   and the token cache.  See auth.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "core/image/digest.h"
#include "core/image/reference.h"
#include "core/lib/base64.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/registry/auth.h"
#include "core/registry/tls.h"
#include "core/registry/transport.h"

#define TOKEN_REPLY_MAX (1u << 20)
#define DEFAULT_EXPIRES_IN 60
/* a token this close to its end is not handed out again */
#define EXPIRY_MARGIN 5
#define CACHE_MAX 256
#define CLIENT_ID "berth"

/* ---- WWW-Authenticate ---- */

void
registry_challenge_clear (struct registry_challenge *ch)
{
  free (ch->scheme);
  free (ch->realm);
  free (ch->service);
  free (ch->scope);
  free (ch->error);
  memset (ch, 0, sizeof (*ch));
}

static bool
is_tchar (char c)
{
  return isalnum ((unsigned char)c) || strchr ("!#$%&'*+-.^_`|~/:=", c) != NULL;
}

static const char *
skip_ws (const char *p)
{
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

/* a token68 or token value; '=' only at its end (base64 padding) */
static char *
read_token (const char **pp)
{
  const char *p = *pp, *start = p;

  while (*p != '\0' && *p != ',' && *p != ' ' && *p != '\t' && *p != '"')
    p++;
  *pp = p;
  return xstrndup (start, (size_t)(p - start));
}

/* "..." with \x escapes; *pp at the opening quote */
static char *
read_quoted (const char **pp, bool *ok)
{
  const char *p = *pp + 1;
  char *out = xmalloc (strlen (p) + 1), *o = out;

  for (; *p != '\0' && *p != '"'; p++)
    {
      if (*p == '\\' && p[1] != '\0')
        p++;
      *o++ = *p;
    }
  *o = '\0';
  *ok = *p == '"';
  *pp = *p == '"' ? p + 1 : p;
  return out;
}

/* One challenge starting at *pp: scheme, then name=value pairs until the
   next scheme (a token not followed by '=') or the end. */
static int
parse_one (const char **pp, struct registry_challenge *ch, berth_error_t *err)
{
  const char *p = skip_ws (*pp);
  const char *start = p;

  while (*p != '\0' && isalnum ((unsigned char)*p))
    p++;
  if (p == start)
    return berth_error_make (err, EINVAL, "WWW-Authenticate: no auth scheme in `%s`", *pp);
  ch->scheme = xstrndup (start, (size_t)(p - start));
  for (char *s = ch->scheme; *s; s++)
    *s = (char)tolower ((unsigned char)*s);
  for (;;)
    {
      const char *name_start, *save;
      cleanup_free char *name = NULL;
      char *value;
      bool ok = true;

      p = skip_ws (p);
      while (*p == ',')
        p = skip_ws (p + 1);
      if (*p == '\0')
        break;
      save = p;
      name_start = p;
      while (*p != '\0' && is_tchar (*p) && *p != '=')
        p++;
      if (p == name_start)
        return berth_error_make (err, EINVAL, "WWW-Authenticate: unexpected `%c` in `%s`", *p, *pp);
      name = xstrndup (name_start, (size_t)(p - name_start));
      p = skip_ws (p);
      if (*p != '=')
        {
          /* the scheme of the next challenge */
          p = save;
          break;
        }
      p = skip_ws (p + 1);
      value = *p == '"' ? read_quoted (&p, &ok) : read_token (&p);
      if (!ok)
        {
          free (value);
          return berth_error_make (err, EINVAL, "WWW-Authenticate: unterminated quoted value of `%s`", name);
        }
      for (char *s = name; *s; s++)
        *s = (char)tolower ((unsigned char)*s);
      char **slot = strcmp (name, "realm") == 0     ? &ch->realm
                    : strcmp (name, "service") == 0 ? &ch->service
                    : strcmp (name, "scope") == 0   ? &ch->scope
                    : strcmp (name, "error") == 0   ? &ch->error
                                                    : NULL;
      if (slot != NULL && *slot == NULL)
        *slot = value;
      else
        free (value);
    }
  *pp = p;
  return 0;
}

static int
scheme_rank (const char *scheme)
{
  return strcmp (scheme, "bearer") == 0 ? 2 : strcmp (scheme, "basic") == 0 ? 1 : 0;
}

int
registry_challenge_parse (const char *header, struct registry_challenge *ret, berth_error_t *err)
{
  const char *p = header;

  memset (ret, 0, sizeof (*ret));
  if (header == NULL || skip_ws (header)[0] == '\0')
    return berth_error_make (err, EINVAL, "the registry answered 401 without a WWW-Authenticate challenge");
  while (*skip_ws (p) != '\0')
    {
      struct registry_challenge ch = { 0 };
      if (parse_one (&p, &ch, err) < 0)
        {
          registry_challenge_clear (&ch);
          registry_challenge_clear (ret);
          return berth_error_ret (err);
        }
      if (ret->scheme == NULL || scheme_rank (ch.scheme) > scheme_rank (ret->scheme))
        {
          registry_challenge_clear (ret);
          *ret = ch;
        }
      else
        registry_challenge_clear (&ch);
    }
  if (strcmp (ret->scheme, "bearer") == 0 && (ret->realm == NULL || ret->realm[0] == '\0'))
    {
      registry_challenge_clear (ret);
      return berth_error_make (err, EINVAL, "WWW-Authenticate: a Bearer challenge without a realm");
    }
  return 0;
}

/* ---- token cache ---- */

struct cached_token
{
  char *key;
  char *token;
  time_t expires; /* CLOCK_MONOTONIC seconds */
  struct cached_token *next;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cached_token *cache;

static time_t
now_mono (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec;
}

static void
entry_free (struct cached_token *e)
{
  free (e->key);
  explicit_bzero (e->token, strlen (e->token));
  free (e->token);
  free (e);
}

void
registry_auth_cache_clear (void)
{
  pthread_mutex_lock (&cache_lock);
  while (cache != NULL)
    {
      struct cached_token *e = cache;
      cache = e->next;
      entry_free (e);
    }
  pthread_mutex_unlock (&cache_lock);
}

/* Who asks: a digest of the credentials, so that tokens of one user are
   never handed to another (nor to anonymous requests). */
static char *
cache_key (const struct registry_challenge *ch, const struct registry_credentials *cr, const char *const *scopes)
{
  char id[DIGEST_BUF_SIZE] = "anonymous";
  cleanup_free char *who = NULL, *scope_list = xstrdup ("");

  if (!registry_credentials_empty (cr))
    {
      berth_error_t e = NULL;
      who = xasprintf ("%s%c%s%c%s", cr->username ? cr->username : "", 0, cr->password ? cr->password : "", 0,
                       cr->identitytoken ? cr->identitytoken : "");
      size_t len = strlen (cr->username ? cr->username : "") + strlen (cr->password ? cr->password : "")
                   + strlen (cr->identitytoken ? cr->identitytoken : "") + 2;
      if (digest_buffer (who, len, id, &e) < 0)
        berth_error_release (&e);
      explicit_bzero (who, len);
    }
  for (size_t i = 0; scopes != NULL && scopes[i] != NULL; i++)
    {
      char *s = xasprintf ("%s%s ", scope_list, scopes[i]);
      free (scope_list);
      scope_list = s;
    }
  return xasprintf ("%s\n%s\n%s\n%s", ch->realm, ch->service ? ch->service : "", scope_list, id);
}

static char *
cache_get (const char *key)
{
  time_t now = now_mono ();
  char *token = NULL;

  pthread_mutex_lock (&cache_lock);
  for (struct cached_token **pp = &cache; *pp != NULL;)
    {
      struct cached_token *e = *pp;
      if (e->expires <= now)
        {
          *pp = e->next;
          entry_free (e);
          continue;
        }
      if (token == NULL && strcmp (e->key, key) == 0)
        token = xstrdup (e->token);
      pp = &e->next;
    }
  pthread_mutex_unlock (&cache_lock);
  return token;
}

static void
cache_put (const char *key, const char *token, long expires_in)
{
  struct cached_token *e = xmalloc0 (sizeof (*e));
  size_t n = 0;

  e->key = xstrdup (key);
  e->token = xstrdup (token);
  e->expires = now_mono () + expires_in - EXPIRY_MARGIN;
  pthread_mutex_lock (&cache_lock);
  e->next = cache;
  cache = e;
  /* bounded: the oldest entries go */
  for (struct cached_token **pp = &cache; *pp != NULL; pp = &(*pp)->next)
    if (++n == CACHE_MAX)
      {
        struct cached_token *rest = (*pp)->next;
        (*pp)->next = NULL;
        while (rest != NULL)
          {
            struct cached_token *next = rest->next;
            entry_free (rest);
            rest = next;
          }
        break;
      }
  pthread_mutex_unlock (&cache_lock);
}

/* ---- the token server ---- */

struct body
{
  char *data;
  size_t len;
  bool too_large;
};

static size_t
on_token_body (char *data, size_t size, size_t nmemb, void *ud)
{
  struct body *b = ud;
  size_t len = size * nmemb;

  if (b->len + len > TOKEN_REPLY_MAX)
    {
      b->too_large = true;
      return 0;
    }
  b->data = xrealloc (b->data, b->len + len + 1);
  memcpy (b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = '\0';
  return len;
}

/* "scheme://host[:port]/..." -> "host[:port]" (allocated), NULL when bad */
static char *
url_host (const char *url, bool *https)
{
  const char *p = strstr (url, "://"), *end;

  if (p == NULL)
    return NULL;
  *https = strncasecmp (url, "https", (size_t)(p - url)) == 0 && p - url == 5;
  p += 3;
  end = p + strcspn (p, "/?#");
  if (end == p)
    return NULL;
  return xstrndup (p, (size_t)(end - p));
}

static void
query_add (char **q, CURL *curl, const char *key, const char *value)
{
  char *esc = curl_easy_escape (curl, value, 0);
  char *n = xasprintf ("%s%s%s=%s", *q, (*q)[0] != '\0' ? "&" : "", key, esc != NULL ? esc : "");

  curl_free (esc);
  free (*q);
  *q = n;
}

/* A refusal from the token server in the words Docker uses. */
static int
token_refused (const struct registry_credentials *cr, long status, const char *body, const char *realm,
               berth_error_t *err)
{
  struct registry_reply rp = { .status = status, .body = (char *)body, .body_len = body ? strlen (body) : 0 };
  cleanup_free char *text = NULL;
  json_object *doc = body != NULL ? json_tokener_parse (body) : NULL, *v;
  int r;

  if (doc != NULL && !json_object_object_get_ex (doc, "errors", &v)
      && (json_object_object_get_ex (doc, "details", &v) || json_object_object_get_ex (doc, "message", &v)
          || json_object_object_get_ex (doc, "error", &v))
      && json_object_is_type (v, json_type_string))
    text = xasprintf ("%s", json_object_get_string (v));
  else if (doc != NULL && json_object_object_get_ex (doc, "errors", &v))
    text = registry_reply_error_text (&rp);
  json_object_put (doc);
  if (status == 401 || status == 403)
    {
      if (!registry_credentials_empty (cr))
        r = berth_error_make (err, EACCES, "unauthorized: incorrect username or password%s%s%s",
                              text != NULL ? " (" : "", text != NULL ? text : "", text != NULL ? ")" : "");
      else
        r = berth_error_make (err, EACCES, "unauthorized: authentication required%s%s%s", text != NULL ? " (" : "",
                              text != NULL ? text : "", text != NULL ? ")" : "");
      return r;
    }
  return berth_error_make (err, EIO, "token server %s answered %ld%s%s", realm, status, text != NULL ? ": " : "",
                           text != NULL ? text : "");
}

struct token_reply
{
  char *token;
  char *refresh_token;
  long expires_in;
};

static int
fetch_token (const struct registry_challenge *ch, const struct registry_credentials *cr, const char *const *scopes,
             bool offline, struct token_reply *ret, berth_error_t *err)
{
  CURL *curl;
  struct curl_slist *hdrs = NULL;
  struct body b = { 0 };
  struct registry_tls tls = { 0 };
  cleanup_free char *host = NULL, *query = xstrdup (""), *url = NULL, *basic = NULL;
  char errbuf[CURL_ERROR_SIZE] = "";
  bool https = false, refresh;
  json_object *doc = NULL, *v;
  long status = 0;
  CURLcode rc;
  int r = 0;

  memset (ret, 0, sizeof (*ret));
  host = url_host (ch->realm, &https);
  if (host == NULL)
    return berth_error_make (err, EINVAL, "the registry's token realm `%s` is not an http(s) URL", ch->realm);
  if (https && registry_tls_for_host (host, &tls, err) < 0)
    return berth_error_ret (err);
  curl = curl_easy_init ();
  if (curl == NULL)
    {
      registry_tls_clear (&tls);
      return berth_error_make (err, ENOMEM, "cannot create a curl handle");
    }
  refresh = cr != NULL && cr->identitytoken != NULL && cr->identitytoken[0] != '\0';
  if (ch->service != NULL)
    query_add (&query, curl, "service", ch->service);
  for (size_t i = 0; scopes != NULL && scopes[i] != NULL; i++)
    query_add (&query, curl, "scope", scopes[i]);
  if (refresh)
    {
      /* OAuth2 refresh_token grant, POSTed as a form */
      query_add (&query, curl, "grant_type", "refresh_token");
      query_add (&query, curl, "refresh_token", cr->identitytoken);
      query_add (&query, curl, "client_id", CLIENT_ID);
      if (offline)
        query_add (&query, curl, "access_type", "offline");
      url = xstrdup (ch->realm);
      curl_easy_setopt (curl, CURLOPT_POSTFIELDS, query);
    }
  else
    {
      if (!registry_credentials_empty (cr) && cr->username != NULL)
        {
          query_add (&query, curl, "account", cr->username);
          cleanup_free char *pair = xasprintf ("%s:%s", cr->username, cr->password ? cr->password : "");
          cleanup_free char *enc = berth_base64_encode (pair, strlen (pair));
          basic = xasprintf ("Authorization: Basic %s", enc);
          hdrs = curl_slist_append (hdrs, basic);
          explicit_bzero (pair, strlen (pair));
        }
      if (offline)
        {
          query_add (&query, curl, "client_id", CLIENT_ID);
          query_add (&query, curl, "offline_token", "true");
        }
      url = xasprintf ("%s%s%s", ch->realm, query[0] == '\0' ? "" : strchr (ch->realm, '?') ? "&" : "?", query);
    }
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_USERAGENT, "berth/" PACKAGE_VERSION);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, 120L);
  curl_easy_setopt (curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt (curl, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, on_token_body);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, &b);
  if (hdrs != NULL)
    curl_easy_setopt (curl, CURLOPT_HTTPHEADER, hdrs);
  if (https)
    registry_tls_apply (&tls, curl);
  rc = curl_easy_perform (curl);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
  if (basic != NULL)
    explicit_bzero (basic, strlen (basic));
  curl_slist_free_all (hdrs);
  curl_easy_cleanup (curl);

  if (rc != CURLE_OK)
    {
      if (b.too_large)
        r = berth_error_make (err, EFBIG, "token server %s: the answer is larger than %u bytes", ch->realm,
                              TOKEN_REPLY_MAX);
      else if (https && !tls.insecure && registry_tls_failure (rc))
        {
          cleanup_free char *msg = registry_tls_explain (&tls, host, rc, errbuf[0] ? errbuf : curl_easy_strerror (rc));
          r = berth_error_make (err, EPROTO, "token server %s: %s", ch->realm, msg);
        }
      else
        r = berth_error_make (err, EIO, "cannot get a token from %s: %s", ch->realm,
                              errbuf[0] != '\0' ? errbuf : curl_easy_strerror (rc));
    }
  else if (status < 200 || status >= 300)
    r = token_refused (cr, status, b.data, ch->realm, err);
  else if (b.data == NULL || (doc = json_tokener_parse (b.data)) == NULL
           || !json_object_is_type (doc, json_type_object))
    r = berth_error_make (err, EIO, "token server %s: the answer is not a JSON object", ch->realm);
  else
    {
      const char *tok = NULL;
      if (json_object_object_get_ex (doc, "token", &v) && json_object_is_type (v, json_type_string)
          && json_object_get_string_len (v) > 0)
        tok = json_object_get_string (v);
      else if (json_object_object_get_ex (doc, "access_token", &v) && json_object_is_type (v, json_type_string)
               && json_object_get_string_len (v) > 0)
        tok = json_object_get_string (v);
      if (tok == NULL)
        r = berth_error_make (err, EIO, "token server %s: the answer holds neither \"token\" nor \"access_token\"",
                              ch->realm);
      else
        {
          ret->token = xstrdup (tok);
          ret->expires_in = DEFAULT_EXPIRES_IN;
          if (json_object_object_get_ex (doc, "expires_in", &v) && json_object_is_type (v, json_type_int)
              && json_object_get_int64 (v) > DEFAULT_EXPIRES_IN)
            ret->expires_in = (long)json_object_get_int64 (v);
          if (json_object_object_get_ex (doc, "refresh_token", &v) && json_object_is_type (v, json_type_string))
            ret->refresh_token = xstrdup (json_object_get_string (v));
        }
    }
  json_object_put (doc);
  free (b.data);
  registry_tls_clear (&tls);
  return r;
}

static void
token_reply_clear (struct token_reply *t)
{
  free (t->token);
  free (t->refresh_token);
  memset (t, 0, sizeof (*t));
}

static char *
basic_value (const struct registry_credentials *cr)
{
  cleanup_free char *pair = xasprintf ("%s:%s", cr->username ? cr->username : "", cr->password ? cr->password : "");
  cleanup_free char *enc = berth_base64_encode (pair, strlen (pair));

  explicit_bzero (pair, strlen (pair));
  return xasprintf ("Basic %s", enc);
}

int
registry_auth_answer (const struct registry_challenge *ch, const struct registry_credentials *cr,
                      const char *const *scopes, char **ret, berth_error_t *err)
{
  cleanup_free char *key = NULL, *token = NULL;
  struct token_reply t;

  *ret = NULL;
  if (strcmp (ch->scheme, "basic") == 0)
    {
      if (!registry_credentials_empty (cr) && cr->username != NULL && cr->username[0] != '\0')
        *ret = basic_value (cr);
      return 0;
    }
  if (strcmp (ch->scheme, "bearer") != 0)
    return berth_error_make (err, ENOTSUP, "the registry asks for `%s` authentication, which berth does not speak",
                             ch->scheme);
  key = cache_key (ch, cr, scopes);
  token = cache_get (key);
  if (token == NULL)
    {
      if (fetch_token (ch, cr, scopes, false, &t, err) < 0)
        return berth_error_ret (err);
      cache_put (key, t.token, t.expires_in);
      token = steal_pointer (&t.token);
      token_reply_clear (&t);
    }
  *ret = xasprintf ("Bearer %s", token);
  return 0;
}

int
registry_auth_login (const char *host, const struct registry_credentials *cr, char **ret_identity_token,
                     berth_error_t *err)
{
  struct image_ref ref = { .domain = (char *)host, .path = (char *)"" };
  struct registry_client *c = NULL;
  struct registry_request rq = { .method = "GET", .url = "/v2/", .body_fd = -1 };
  struct registry_reply rp;
  struct registry_challenge ch = { 0 };
  cleanup_free char *authz = NULL;
  int r;

  *ret_identity_token = NULL;
  if (registry_client_new (&ref, &c, err) < 0)
    return berth_error_ret (err);
  registry_client_disable_auth (c);
  r = registry_do (c, &rq, &rp, err);
  if (r < 0)
    goto out;
  if (rp.status == 200)
    goto out; /* a registry that wants no credentials accepts any */
  if (rp.status != 401)
    {
      r = berth_error_make (err, EIO, "login to %s: GET /v2/ answered %ld; is it a Docker registry (API v2)?", host,
                            rp.status);
      goto out;
    }
  if ((r = registry_challenge_parse (rp.www_authenticate, &ch, err)) < 0)
    goto out;
  if (strcmp (ch.scheme, "bearer") == 0)
    {
      struct token_reply t;
      if ((r = fetch_token (&ch, cr, NULL, true, &t, err)) < 0)
        goto out;
      authz = xasprintf ("Bearer %s", t.token);
      if (t.refresh_token != NULL && t.refresh_token[0] != '\0')
        *ret_identity_token = steal_pointer (&t.refresh_token);
      token_reply_clear (&t);
    }
  else if ((r = registry_auth_answer (&ch, cr, NULL, &authz, err)) < 0)
    goto out;
  if (authz == NULL)
    {
      r = berth_error_make (err, EACCES, "unauthorized: authentication required (no username given)");
      goto out;
    }
  registry_reply_clear (&rp);
  registry_client_set_authorization (c, authz);
  if ((r = registry_do (c, &rq, &rp, err)) < 0)
    goto out;
  if (rp.status == 401 || rp.status == 403)
    {
      cleanup_free char *text = registry_reply_error_text (&rp);
      r = berth_error_make (err, EACCES, "login attempt to %s failed with status: %ld (%s)", host, rp.status, text);
    }
  else if (rp.status != 200)
    r = berth_error_make (err, EIO, "login to %s: GET /v2/ answered %ld", host, rp.status);
out:
  if (r < 0)
    {
      free (*ret_identity_token);
      *ret_identity_token = NULL;
    }
  registry_reply_clear (&rp);
  registry_challenge_clear (&ch);
  registry_client_free (c);
  return r;
}
