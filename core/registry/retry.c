/* Retrying registry requests: see retry.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/registry/retry.h"

bool
registry_status_transient (long status)
{
  return status == 429 || status == 502 || status == 503 || status == 504;
}

bool
registry_error_transient (int code, bool unreachable_too)
{
  return code == EIO || (unreachable_too && code == EHOSTUNREACH);
}

long
registry_retry_after (const struct registry_reply *rp)
{
  const char *v = rp != NULL ? rp->retry_after : NULL;
  struct tm tm;
  char *end;
  long n;

  if (v == NULL || v[0] == '\0')
    return -1;
  errno = 0;
  n = strtol (v, &end, 10);
  if (v[0] >= '0' && v[0] <= '9' && *end == '\0' && errno == 0)
    return n;
  memset (&tm, 0, sizeof (tm));
  end = strptime (v, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end != NULL && *end == '\0')
    {
      time_t at = timegm (&tm), now = time (NULL);
      return at > now ? (long)(at - now) : 0;
    }
  return -1;
}

int
registry_retry_delay (const struct registry_reply *rp, int attempt)
{
  long after = registry_retry_after (rp);
  int delay = 1 << (attempt - 1 < 4 ? attempt - 1 : 4);

  if (after > REGISTRY_RETRY_AFTER_MAX)
    return -1;
  return after > delay ? (int)after : delay;
}

bool
registry_sleep (int seconds, atomic_bool *cancel)
{
  for (int i = 0; i < seconds * 10; i++)
    {
      struct timespec ts = { 0, 100000000L };
      if (cancel != NULL && atomic_load (cancel))
        return true;
      nanosleep (&ts, NULL);
    }
  return cancel != NULL && atomic_load (cancel);
}

int
registry_do_retry (struct registry_client *c, const struct registry_request *rq, struct registry_reply *rp,
                   bool unreachable_too, atomic_bool *cancel, berth_error_t *err)
{
  for (int attempt = 1;; attempt++)
    {
      berth_error_t e = NULL;
      int delay;

      if (registry_do (c, rq, rp, &e) == 0)
        {
          if (!registry_status_transient (rp->status) || attempt >= REGISTRY_ATTEMPTS)
            return 0;
          delay = registry_retry_delay (rp, attempt);
          if (delay < 0)
            return 0; /* the caller says how long the registry wants */
          log_warn ("%s %s: HTTP %ld, retrying in %d s", rq->method, rq->url, rp->status, delay);
          registry_reply_clear (rp);
        }
      else
        {
          if (!registry_error_transient (berth_error_code (&e), unreachable_too) || attempt >= REGISTRY_ATTEMPTS)
            {
              *err = e;
              if (attempt > 1)
                berth_error_wrap (err, "after %d attempts", attempt);
              return -1;
            }
          delay = registry_retry_delay (NULL, attempt);
          log_warn ("%s, retrying in %d s", berth_error_msg (&e), delay);
          berth_error_release (&e);
        }
      if (registry_sleep (delay, cancel))
        return berth_error_make (err, ECANCELED, "%s %s: cancelled", rq->method, rq->url);
    }
}

char *
registry_status_text (const struct registry_reply *rp)
{
  cleanup_free char *text = registry_reply_error_text (rp);
  long after = registry_retry_after (rp);

  switch (rp->status)
    {
    case 401:
      return xasprintf ("HTTP 401 Unauthorized (credentials needed): %s", text);
    case 403:
      return xasprintf ("HTTP 403 Forbidden (access denied): %s", text);
    case 404:
      return xasprintf ("HTTP 404 Not Found: %s", text);
    case 429:
      if (after > REGISTRY_RETRY_AFTER_MAX)
        return xasprintf ("HTTP 429 Too Many Requests: the registry asks to retry after %ld s (berth waits at most "
                          "%d s): %s",
                          after, REGISTRY_RETRY_AFTER_MAX, text);
      return xasprintf ("HTTP 429 Too Many Requests (still after %d attempts): %s", REGISTRY_ATTEMPTS, text);
    default:
      if (rp->status >= 500)
        return xasprintf ("HTTP %ld: the registry failed (server error): %s", rp->status, text);
      return xasprintf ("HTTP %ld: %s", rp->status, text);
    }
}
