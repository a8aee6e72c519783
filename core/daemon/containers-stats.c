/* GET /containers/{id}/stats: moby's StatsJSON, once (stream=false: two
   samples a second apart so that precpu_stats is filled, or one with
   one-shot=true) or one object per second until the client goes away, the
   container is removed or the daemon stops. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "core/container/stats.h"
#include "core/daemon/containers.h"
#include "core/lib/mem.h"

#define STATS_INTERVAL_MS 1000

/* The previous sample's cpu_stats and read time, or zeros. */
static void
add_previous (json_object *o, json_object *prev)
{
  json_object *cpu = prev != NULL ? json_object_object_get (prev, "cpu_stats") : NULL;
  json_object *read = prev != NULL ? json_object_object_get (prev, "read") : NULL;

  json_object_object_add (o, "preread",
                          read != NULL ? json_object_get (read) : json_object_new_string (container_zero_time));
  json_object_object_add (o, "precpu_stats", cpu != NULL ? json_object_get (cpu) : container_stats_cpu_zero ());
}

/* moby's field order: precpu_stats follows cpu_stats, name and id come last */
static json_object *
ordered (json_object *o)
{
  static const char *const keys[] = { "read",          "preread",   "pids_stats",   "blkio_stats",
                                      "num_procs",     "storage_stats", "cpu_stats", "precpu_stats",
                                      "memory_stats",  "name",      "id",           "networks" };
  json_object *out = json_object_new_object ();
  json_object *v;

  for (size_t i = 0; i < sizeof (keys) / sizeof (keys[0]); i++)
    if (json_object_object_get_ex (o, keys[i], &v))
      json_object_object_add (out, keys[i], json_object_get (v));
  json_object_put (o);
  return out;
}

static char *
to_line (json_object *o)
{
  return xasprintf ("%s\n", json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* false when the wait ended early: removed, or the daemon is stopping */
static bool
pause_interval (struct berthd *d, struct container *c)
{
  berth_error_t err = NULL;
  int code, r = container_manager_wait_timed (d->containers, c, CONTAINER_WAIT_REMOVED, STATS_INTERVAL_MS, &code, &err);

  berth_error_release (&err);
  return r == 0;
}

static int
stats_once (struct berthd *d, struct container *c, bool one_shot, struct berth_response *resp, berth_error_t *err)
{
  json_object *first = NULL, *o = NULL;
  cleanup_free char *line = NULL;
  int r;

  r = container_manager_stats (d->containers, c, &first, err);
  if (r < 0)
    return r;
  if (r == 1 && !one_shot && pause_interval (d, c))
    {
      r = container_manager_stats (d->containers, c, &o, err);
      if (r < 0)
        {
          json_object_put (first);
          return r;
        }
      if (r == 1)
        add_previous (o, first);
      json_object_put (first);
    }
  else
    {
      o = first;
      if (r == 1)
        add_previous (o, NULL);
    }
  o = ordered (o);
  line = to_line (o);
  json_object_put (o);
  berth_response_text (resp, 200, "application/json", line);
  return 0;
}

static int
stats_stream (struct berthd *d, struct container *c, struct berth_request *req, struct berth_response *resp,
              berth_error_t *err)
{
  json_object *prev = NULL;
  int r = 0;

  if (berth_response_stream_begin (req, resp, 200, "application/json", err) < 0)
    return berth_error_ret (err);
  do
    {
      cleanup_error berth_error_t serr = NULL;
      cleanup_free char *line = NULL;
      json_object *o = NULL;
      int live = container_manager_stats (d->containers, c, &o, &serr);

      if (live < 0)
        break; /* removed */
      if (live == 1)
        add_previous (o, prev);
      json_object_put (prev);
      prev = live == 1 ? json_object_get (o) : NULL;
      o = ordered (o);
      line = to_line (o);
      json_object_put (o);
      r = berth_response_stream_write (req, line, strlen (line), err);
    }
  while (r == 0 && pause_interval (d, c));
  json_object_put (prev);
  if (r < 0 && berth_error_code (err) == EPIPE)
    {
      berth_error_release (err);
      r = 0; /* the client went away: the normal end */
    }
  return r;
}

static int
handle_stats (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  const char *s = berth_request_query (req, "stream");
  bool stream = s == NULL || s[0] == '\0' ? true : berth_request_query_bool (req, "stream");
  bool one_shot = berth_request_query_bool (req, "one-shot");
  struct container *c;
  int r;

  if (stream && one_shot)
    return berth_error_make (err, EINVAL, "cannot have stream=true and one-shot=true");
  c = berth_container_get (d, req, err);
  if (c == NULL)
    return berth_error_ret (err);
  r = stream ? stats_stream (d, c, req, resp, err) : stats_once (d, c, one_shot, resp, err);
  container_manager_put (d->containers, c);
  return r;
}

static const struct berth_route stats_routes[] = {
  { "GET", "/containers/{id}/stats", BERTH_BODY_STREAM, handle_stats },
};

void
berth_container_stats_routes (struct berth_router *r)
{
  berth_router_add (r, stats_routes, sizeof (stats_routes) / sizeof (stats_routes[0]));
}
