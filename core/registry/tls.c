/* Registry transport security from the daemon's configuration: see tls.h. */
#include "config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/lib/cidr.h"
#include "core/lib/fs.h"
#include "core/lib/mem.h"
#include "core/registry/tls.h"

#define SYSTEM_CA_FALLBACK "/etc/ssl/certs/ca-certificates.crt"
#define MAX_CERT_FILE (1024 * 1024)
#define MAX_CA_BLOB (16 * 1024 * 1024)

static pthread_mutex_t settings_lock = PTHREAD_MUTEX_INITIALIZER;
static char **insecure_entries;
static char *certs_dir;

void
registry_tls_configure (const char *const *insecure, const char *dir)
{
  size_t n = 0;
  char **copy;

  while (insecure != NULL && insecure[n] != NULL)
    n++;
  copy = xmalloc0 ((n + 1) * sizeof (char *));
  for (size_t i = 0; i < n; i++)
    copy[i] = xstrdup (insecure[i]);
  pthread_mutex_lock (&settings_lock);
  strv_free (insecure_entries);
  insecure_entries = copy;
  free (certs_dir);
  certs_dir = dir != NULL ? xstrdup (dir) : NULL;
  pthread_mutex_unlock (&settings_lock);
}

/* "host:port" / "[v6]:port" / "host" -> the host part, allocated */
static char *
host_name_only (const char *host)
{
  const char *colon;

  if (host[0] == '[')
    {
      const char *close = strchr (host, ']');
      return close != NULL ? xstrndup (host + 1, (size_t)(close - host - 1)) : xstrdup (host);
    }
  colon = strchr (host, ':');
  return colon != NULL ? xstrndup (host, (size_t)(colon - host)) : xstrdup (host);
}

static bool
is_loopback (const char *name)
{
  unsigned char a[16];

  if (strcmp (name, "localhost") == 0)
    return true;
  if (inet_pton (AF_INET, name, a) == 1)
    return a[0] == 127;
  if (inet_pton (AF_INET6, name, a) == 1)
    return memcmp (a, in6addr_loopback.s6_addr, 16) == 0;
  return false;
}

/* Does any address of name fall in one of the CIDR entries?  Names are
   resolved, as Docker does, only when there are ranges to check. */
static bool
in_insecure_range (const char *name, char **entries)
{
  struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
  bool any_cidr = false, found = false;

  for (char **e = entries; *e; e++)
    any_cidr |= strchr (*e, '/') != NULL;
  if (!any_cidr || getaddrinfo (name, NULL, &hints, &res) != 0)
    return false;
  for (struct addrinfo *ai = res; ai != NULL && !found; ai = ai->ai_next)
    for (char **e = entries; *e && !found; e++)
      {
        struct berth_cidr cidr;
        const unsigned char *a;

        if (!berth_cidr_parse (*e, &cidr) || cidr.family != ai->ai_family)
          continue;
        a = cidr.family == AF_INET ? (const unsigned char *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
                                   : ((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr.s6_addr;
        found = berth_cidr_contains (&cidr, cidr.family, a);
      }
  freeaddrinfo (res);
  return found;
}

static bool
has_suffix (const char *s, const char *suffix)
{
  size_t n = strlen (s), m = strlen (suffix);
  return n > m && strcmp (s + n - m, suffix) == 0;
}

static int
append_file (const char *path, char **blob, size_t *len, berth_error_t *err)
{
  cleanup_free char *data = NULL;
  size_t n;

  if (berth_read_file (path, MAX_CERT_FILE, &data, &n, err) < 0)
    return berth_error_ret (err);
  if (*len + n + 2 > MAX_CA_BLOB)
    return berth_error_make (err, EFBIG, "%s: too many CA certificates", path);
  *blob = xrealloc (*blob, *len + n + 2);
  memcpy (*blob + *len, data, n);
  *len += n;
  (*blob)[(*len)++] = '\n';
  (*blob)[*len] = '\0';
  return 0;
}

static char *system_bundle;
static pthread_once_t system_bundle_once = PTHREAD_ONCE_INIT;

/* where this libcurl looks for the system's CAs by default */
static void
find_system_bundle (void)
{
  CURL *curl = curl_easy_init ();
  char *path = NULL;

#if LIBCURL_VERSION_NUM >= 0x075400
  if (curl != NULL)
    curl_easy_getinfo (curl, CURLINFO_CAINFO, &path);
#endif
  system_bundle = xstrdup (path != NULL ? path : SYSTEM_CA_FALLBACK);
  if (curl != NULL)
    curl_easy_cleanup (curl);
}

static const char *
system_ca_bundle (void)
{
  pthread_once (&system_bundle_once, find_system_bundle);
  return system_bundle;
}

/* The .crt files (CAs) and .cert + .key pairs of dir; a missing dir is no error. */
static int
load_certs_dir (const char *dir, struct registry_tls *t, berth_error_t *err)
{
  struct dirent **names = NULL;
  int n, r = 0;

  n = scandir (dir, &names, NULL, alphasort);
  if (n < 0)
    return errno == ENOENT || errno == ENOTDIR ? 0 : berth_error_errno (err, errno, "cannot read %s", dir);
  for (int i = 0; i < n; i++)
    {
      const char *name = names[i]->d_name;
      cleanup_free char *path = xasprintf ("%s/%s", dir, name);

      if (r < 0)
        continue;
      if (has_suffix (name, ".crt"))
        {
          if (t->ca_blob == NULL && access (system_ca_bundle (), R_OK) == 0
              && append_file (system_ca_bundle (), &t->ca_blob, &t->ca_blob_len, err) < 0)
            r = berth_error_ret (err);
          if (r == 0 && append_file (path, &t->ca_blob, &t->ca_blob_len, err) < 0)
            r = berth_error_ret (err);
        }
      else if (has_suffix (name, ".cert"))
        {
          cleanup_free char *key = xasprintf ("%.*s.key", (int)(strlen (path) - 5), path);
          if (access (key, R_OK) != 0)
            r = berth_error_make (err, ENOENT,
                                  "missing key %s for client certificate %s (CA certificates must use the "
                                  "extension .crt)",
                                  key, path);
          else if (t->client_cert == NULL)
            {
              t->client_cert = steal_pointer (&path);
              t->client_key = steal_pointer (&key);
            }
        }
      else if (has_suffix (name, ".key"))
        {
          cleanup_free char *cert = xasprintf ("%.*s.cert", (int)(strlen (path) - 4), path);
          if (access (cert, R_OK) != 0)
            r = berth_error_make (err, ENOENT, "missing client certificate %s for key %s", cert, path);
        }
    }
  for (int i = 0; i < n; i++)
    free (names[i]);
  free (names);
  return r;
}

int
registry_tls_for_host (const char *host, struct registry_tls *ret, berth_error_t *err)
{
  cleanup_free char *name = host_name_only (host);
  cleanup_strv char **entries = NULL;
  cleanup_free char *dir = NULL;
  size_t n = 0;

  memset (ret, 0, sizeof (*ret));
  pthread_mutex_lock (&settings_lock);
  while (insecure_entries != NULL && insecure_entries[n] != NULL)
    n++;
  entries = xmalloc0 ((n + 1) * sizeof (char *));
  for (size_t i = 0; i < n; i++)
    entries[i] = xstrdup (insecure_entries[i]);
  dir = xstrdup (certs_dir != NULL ? certs_dir : REGISTRY_DEFAULT_CERTS_DIR);
  pthread_mutex_unlock (&settings_lock);

  ret->insecure = is_loopback (name);
  for (char **e = entries; *e && !ret->insecure; e++)
    ret->insecure = strcmp (*e, host) == 0;
  if (!ret->insecure)
    ret->insecure = in_insecure_range (name, entries);
  ret->certs_dir = xasprintf ("%s/%s", dir, host);
  if (load_certs_dir (ret->certs_dir, ret, err) < 0)
    {
      registry_tls_clear (ret);
      return berth_error_wrap (err, "TLS settings for registry %s", host);
    }
  return 0;
}

void
registry_tls_clear (struct registry_tls *t)
{
  free (t->ca_blob);
  free (t->client_cert);
  free (t->client_key);
  free (t->certs_dir);
  memset (t, 0, sizeof (*t));
}

void
registry_tls_apply (const struct registry_tls *t, CURL *curl)
{
  if (t->insecure)
    {
      curl_easy_setopt (curl, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt (curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
  if (t->ca_blob != NULL)
    {
      struct curl_blob blob = { .data = t->ca_blob, .len = t->ca_blob_len, .flags = CURL_BLOB_NOCOPY };
      curl_easy_setopt (curl, CURLOPT_CAINFO_BLOB, &blob);
    }
  if (t->client_cert != NULL)
    {
      curl_easy_setopt (curl, CURLOPT_SSLCERT, t->client_cert);
      curl_easy_setopt (curl, CURLOPT_SSLCERTTYPE, "PEM");
      curl_easy_setopt (curl, CURLOPT_SSLKEY, t->client_key);
    }
}

bool
registry_tls_failure (CURLcode rc)
{
  switch (rc)
    {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
      return true;
    default:
      return false;
    }
}

char *
registry_tls_explain (const struct registry_tls *t, const char *host, CURLcode rc, const char *detail)
{
  if (rc == CURLE_PEER_FAILED_VERIFICATION)
    return xasprintf ("tls: cannot verify the certificate of registry %s: %s (put the CA certificate that signed it "
                      "in %s/ca.crt, or list %s in insecure-registries)",
                      host, detail, t->certs_dir, host);
  return xasprintf ("tls: handshake with registry %s failed: %s", host, detail);
}
