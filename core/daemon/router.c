#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/daemon/router.h"
#include "core/lib/api-version.h"
#include "core/lib/mem.h"

struct berth_router
{
  const struct berth_route **routes;
  size_t n_routes;
};

struct berth_router *
berth_router_new (void)
{
  return xmalloc0 (sizeof (struct berth_router));
}

void
berth_router_free (struct berth_router *r)
{
  if (r == NULL)
    return;
  free (r->routes);
  free (r);
}

void
berth_router_add (struct berth_router *r, const struct berth_route *routes, size_t n)
{
  r->routes = xrealloc (r->routes, (r->n_routes + n) * sizeof (*r->routes));
  for (size_t i = 0; i < n; i++)
    r->routes[r->n_routes++] = &routes[i];
}

static bool
has_captures (const char *pattern)
{
  return strchr (pattern, '{') != NULL;
}

/* Match `path` against `pat`; captures are recorded as (offset, length) in
   `spans`, indexed by their order in the pattern. */
static bool
match_pattern (const char *pat, const char *path, size_t idx, size_t spans[][2], const char *base)
{
  while (*pat != '\0')
    {
      if (*pat == '{')
        {
          const char *close = strchr (pat, '}');
          size_t avail = strlen (path);
          if (close == NULL || idx >= BERTH_HTTP_MAX_CAPTURES)
            return false;
          /* A fixed rest decides the capture's length outright (keeps long
             paths linear); otherwise try the longest first, so a name may
             hold what looks like the suffix. */
          if (strchr (close + 1, '{') == NULL)
            {
              size_t rest = strlen (close + 1);
              if (avail <= rest || strcmp (path + avail - rest, close + 1) != 0)
                return false;
              spans[idx][0] = (size_t)(path - base);
              spans[idx][1] = avail - rest;
              return true;
            }
          for (size_t len = avail; len >= 1; len--)
            if (match_pattern (close + 1, path + len, idx + 1, spans, base))
              {
                spans[idx][0] = (size_t)(path - base);
                spans[idx][1] = len;
                return true;
              }
          return false;
        }
      if (*pat != *path)
        return false;
      pat++;
      path++;
    }
  return *path == '\0';
}

static bool
try_route (const struct berth_route *route, const char *path, struct berth_route_match *m)
{
  size_t spans[BERTH_HTTP_MAX_CAPTURES][2];
  const char *p;
  size_t n = 0;

  if (!match_pattern (route->pattern, path, 0, spans, path))
    return false;
  for (p = route->pattern; (p = strchr (p, '{')) != NULL && n < BERTH_HTTP_MAX_CAPTURES; n++)
    {
      const char *close = strchr (p, '}');
      m->captures[n].name = p + 1;
      m->captures[n].name_len = (size_t)(close - p - 1);
      m->captures[n].value = xstrndup (path + spans[n][0], spans[n][1]);
      p = close + 1;
    }
  m->n_captures = n;
  m->route = route;
  return true;
}

static void
refuse (struct berth_route_match *m, unsigned status, char *message)
{
  m->route = NULL;
  m->status = status;
  m->message = message;
}

void
berth_router_resolve (const struct berth_router *r, const char *method, const char *url, struct berth_route_match *m)
{
  const char *path = url;
  const char *version = NULL;
  size_t version_len = 0;

  memset (m, 0, sizeof (*m));
  /* "/v1.50/containers/json": the prefix is /v[0-9.]+ followed by '/'. */
  if (strncmp (url, "/v", 2) == 0)
    {
      const char *slash = strchr (url + 2, '/');
      if (slash != NULL && berth_api_version_valid (url + 2, (size_t)(slash - url - 2)))
        {
          version = url + 2;
          version_len = (size_t)(slash - url - 2);
          path = slash;
        }
    }
  m->path = xstrdup (path);
  m->api_version = version != NULL ? xstrndup (version, version_len) : xstrdup (BERTH_API_VERSION);

  for (int pass = 0; pass < 2 && m->route == NULL; pass++)
    for (size_t i = 0; i < r->n_routes && m->route == NULL; i++)
      {
        const struct berth_route *route = r->routes[i];
        if (has_captures (route->pattern) != (pass == 1) || strcmp (route->method, method) != 0)
          continue;
        if (pass == 0 ? strcmp (route->pattern, path) == 0 && try_route (route, path, m) : try_route (route, path, m))
          break;
      }
  if (m->route == NULL)
    {
      refuse (m, 404, xstrdup ("page not found"));
      return;
    }
  if (berth_api_version_compare (m->api_version, BERTH_API_MIN_VERSION) < 0)
    refuse (m, 400,
            xasprintf ("client version %s is too old. Minimum supported API version is %s, please upgrade your "
                       "client to a newer version",
                       m->api_version, BERTH_API_MIN_VERSION));
  else if (berth_api_version_compare (m->api_version, BERTH_API_VERSION) > 0)
    refuse (m, 400,
            xasprintf ("client version %s is too new. Maximum supported API version is %s", m->api_version,
                       BERTH_API_VERSION));
}

void
berth_route_match_clear (struct berth_route_match *m)
{
  for (size_t i = 0; i < m->n_captures; i++)
    free (m->captures[i].value);
  free (m->message);
  free (m->api_version);
  free (m->path);
  memset (m, 0, sizeof (*m));
}
