/* ADD <URL> downloads (see fetch-url.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/build/fetch-url.h"
#include "core/lib/mem.h"

#define ERROR_BODY_MAX 200

struct fetch
{
  CURL *curl;
  int fd;
  struct digest_ctx *digest;
  unsigned long long size, max_size;
  bool too_big;
  int write_errno;
  long status;
  char status_line[128];
  char *disposition;             /* Content-Disposition of the last response */
  char body[ERROR_BODY_MAX + 1]; /* an error response's start */
  size_t body_len;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_init_once (void)
{
  curl_global_init (CURL_GLOBAL_DEFAULT);
}

bool
build_fetch_is_url (const char *s)
{
  return strncasecmp (s, "http://", 7) == 0 || strncasecmp (s, "https://", 8) == 0;
}

static unsigned long long
env_number (const char *name, unsigned long long dflt)
{
  const char *v = getenv (name);
  char *end = NULL;
  unsigned long long n;

  if (v == NULL || v[0] == '\0')
    return dflt;
  n = strtoull (v, &end, 10);
  return *end == '\0' && n > 0 ? n : dflt;
}

static size_t
on_header (char *p, size_t size, size_t n, void *ud)
{
  struct fetch *f = ud;
  size_t len = size * n;

  if (len > 5 && strncmp (p, "HTTP/", 5) == 0)
    {
      /* a new response (after a redirect): forget the previous one's */
      size_t l = len < sizeof (f->status_line) ? len : sizeof (f->status_line) - 1;
      memcpy (f->status_line, p, l);
      f->status_line[l] = '\0';
      f->status_line[strcspn (f->status_line, "\r\n")] = '\0';
      free (f->disposition);
      f->disposition = NULL;
    }
  else if (len > 20 && strncasecmp (p, "Content-Disposition:", 20) == 0)
    {
      free (f->disposition);
      f->disposition = xstrndup (p + 20, len - 20);
      f->disposition[strcspn (f->disposition, "\r\n")] = '\0';
    }
  return len;
}

static size_t
on_body (char *p, size_t size, size_t n, void *ud)
{
  struct fetch *f = ud;
  size_t len = size * n, done = 0;

  /* the status is known before the first byte of the body: an error
     response's body is kept for the message instead of being stored */
  curl_easy_getinfo (f->curl, CURLINFO_RESPONSE_CODE, &f->status);
  if (f->status >= 400)
    {
      size_t room = ERROR_BODY_MAX - f->body_len;
      size_t take = len < room ? len : room;
      memcpy (f->body + f->body_len, p, take);
      f->body_len += take;
      f->body[f->body_len] = '\0';
      /* enough for the message: stop there */
      return take == len ? len : 0;
    }
  if (f->size + len > f->max_size)
    {
      f->too_big = true;
      return 0;
    }
  while (done < len)
    {
      ssize_t w = write (f->fd, p + done, len - done);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        {
          f->write_errno = errno;
          return 0;
        }
      done += (size_t)w;
    }
  digest_ctx_update (f->digest, p, len);
  f->size += len;
  return len;
}

/* the last component of a path, "" for none */
static char *
last_component (const char *path)
{
  size_t len = strlen (path);
  const char *start;

  while (len > 0 && path[len - 1] == '/')
    len--;
  if (len == 0 || path[len] == '/')
    return xstrdup (""); /* Docker: a path ending in '/' names no file */
  start = path + len;
  while (start > path && start[-1] != '/')
    start--;
  return xstrndup (start, (size_t)(path + len - start));
}

static bool
name_usable (const char *s)
{
  return s[0] != '\0' && strcmp (s, ".") != 0 && strcmp (s, "..") != 0 && strchr (s, '/') == NULL;
}

/* filename= of a Content-Disposition value, or NULL */
static char *
disposition_name (const char *v)
{
  const char *p = v;
  char *name, *base;

  while ((p = strcasestr (p, "filename")) != NULL)
    {
      const char *q = p + 8;
      while (*q == ' ')
        q++;
      if (*q != '=')
        {
          p = q;
          continue;
        }
      q++;
      while (*q == ' ')
        q++;
      if (*q == '"')
        {
          const char *e = strchr (q + 1, '"');
          name = e != NULL ? xstrndup (q + 1, (size_t)(e - q - 1)) : xstrdup (q + 1);
        }
      else
        name = xstrndup (q, strcspn (q, "; \t"));
      base = last_component (name);
      free (name);
      if (name_usable (base))
        return base;
      free (base);
      return NULL;
    }
  return NULL;
}

int
build_fetch_url (const char *url, const char *checksum, int dir_fd, char **ret_name, char ret_digest[DIGEST_BUF_SIZE],
                 berth_error_t *err)
{
  struct fetch f = { .fd = -1 };
  cleanup_close int fd = -1;
  cleanup_free char *name = NULL, *proc = NULL;
  char *path = NULL;
  char errbuf[CURL_ERROR_SIZE] = "";
  long timeout = (long)env_number ("BERTH_BUILD_URL_TIMEOUT", BUILD_FETCH_TIMEOUT);
  CURLU *u = NULL;
  CURL *curl = NULL;
  CURLcode rc;
  CURLUcode uc;
  curl_off_t mtime = -1;
  int r = 0;

  *ret_name = NULL;
  if (checksum != NULL && (strncmp (checksum, "sha256:", 7) != 0 || !digest_is_hex64 (checksum + 7)))
    return berth_error_make (err, EINVAL, "ADD --checksum=%s: expected sha256:<64 hex digits>", checksum);
  pthread_once (&curl_once, curl_init_once);
  u = curl_url ();
  uc = curl_url_set (u, CURLUPART_URL, url, 0);
  if (uc == CURLUE_OK)
    uc = curl_url_get (u, CURLUPART_PATH, &path, CURLU_URLDECODE);
  curl_url_cleanup (u);
  if (uc != CURLUE_OK)
    return berth_error_make (err, EINVAL, "ADD %s: invalid URL: %s", url, curl_url_strerror (uc));
  name = last_component (path);
  curl_free (path);

  fd = openat (dir_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    return berth_error_errno (err, errno, "ADD %s: create the download file", url);
  f.fd = fd;
  f.max_size = env_number ("BERTH_BUILD_URL_MAX_SIZE", BUILD_FETCH_MAX_SIZE);
  f.digest = digest_ctx_new (err);
  if (f.digest == NULL)
    return berth_error_ret (err);
  curl = curl_easy_init ();
  if (curl == NULL)
    {
      digest_ctx_free (f.digest);
      return berth_error_make (err, ENOMEM, "ADD %s: cannot set up an HTTP client", url);
    }
  f.curl = curl;
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt (curl, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt (curl, CURLOPT_USERAGENT, "berth-builder/" PACKAGE_VERSION);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT, timeout);
  curl_easy_setopt (curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt (curl, CURLOPT_LOW_SPEED_TIME, timeout);
  curl_easy_setopt (curl, CURLOPT_FILETIME, 1L);
  curl_easy_setopt (curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f.max_size);
  curl_easy_setopt (curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (curl, CURLOPT_HEADERDATA, &f);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, &f);
  rc = curl_easy_perform (curl);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &f.status);
  curl_easy_getinfo (curl, CURLINFO_FILETIME_T, &mtime);
  curl_easy_cleanup (curl);

  while (f.body_len > 0 && (f.body[f.body_len - 1] == '\n' || f.body[f.body_len - 1] == '\r'))
    f.body[--f.body_len] = '\0';
  if (f.status >= 400 || (rc == CURLE_OK && f.status >= 300))
    r = berth_error_make (err, EIO, "ADD %s: failed to GET the file: the server answered \"%s\"%s%s", url,
                          f.status_line[0] != '\0' ? f.status_line : "an error", f.body_len > 0 ? ": " : "", f.body);
  else if (f.too_big || rc == CURLE_FILESIZE_EXCEEDED)
    r = berth_error_make (err, EFBIG, "ADD %s: the file is larger than the limit of %llu bytes", url, f.max_size);
  else if (f.write_errno != 0)
    r = berth_error_errno (err, f.write_errno, "ADD %s: store the download", url);
  else if (rc == CURLE_OPERATION_TIMEDOUT)
    r = berth_error_make (err, ETIMEDOUT, "ADD %s: download timed out (nothing received for %ld s): %s", url, timeout,
                          errbuf[0] != '\0' ? errbuf : curl_easy_strerror (rc));
  else if (rc != CURLE_OK)
    r = berth_error_make (err, rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_CONNECT ? EHOSTUNREACH : EIO,
                          "ADD %s: download failed: %s", url, errbuf[0] != '\0' ? errbuf : curl_easy_strerror (rc));
  if (r == 0)
    r = digest_ctx_final (f.digest, ret_digest, err);
  digest_ctx_free (f.digest);
  if (r == 0 && checksum != NULL && strcmp (checksum, ret_digest) != 0)
    r = berth_error_make (err, EINVAL, "ADD %s: checksum mismatch: expected %s, got %s", url, checksum, ret_digest);
  if (r == 0 && !name_usable (name))
    {
      free (name);
      name = f.disposition != NULL ? disposition_name (f.disposition) : NULL;
    }
  free (f.disposition);
  if (r < 0)
    return r;
  {
    /* Docker: the Last-Modified time, else the zero time (the epoch) */
    struct timespec ts[2] = { { mtime > 0 ? (time_t)mtime : 0, 0 }, { mtime > 0 ? (time_t)mtime : 0, 0 } };
    if (fchmod (fd, 0600) < 0 || futimens (fd, ts) < 0)
      return berth_error_errno (err, errno, "ADD %s: set the download's mode and time", url);
  }
  proc = xasprintf ("/proc/self/fd/%d", fd);
  if (linkat (AT_FDCWD, proc, dir_fd, name != NULL ? name : "download", AT_SYMLINK_FOLLOW) < 0)
    {
      if (errno == EEXIST)
        return berth_error_make (err, EEXIST, "ADD %s: another URL of this ADD gives the same file name \"%s\"", url,
                                 name != NULL ? name : "download");
      return berth_error_errno (err, errno, "ADD %s: store the download", url);
    }
  *ret_name = steal_pointer (&name);
  return 0;
}
