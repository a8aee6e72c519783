#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/daemon/daemon.h"
#include "core/daemon/events.h"
#include "core/daemon/filters.h"
#include "core/image/reference.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/lib/timestamp.h"

#define NS_PER_SEC 1000000000LL

struct event
{
  int refs; /* under the bus's lock */
  int64_t time_nano;
  char *type, *action, *id;
  char **attrs; /* key, value, key, value, ..., NULL; sorted by key */
  char *line;   /* the JSON message and "\n" */
};

struct berth_events
{
  pthread_mutex_t lock;
  pthread_cond_t changed;
  struct event *ring[BERTH_EVENTS_KEEP]; /* event number n at n % KEEP */
  uint64_t next;                         /* the number of the next event */
  bool closing;
};

static void
event_unref_locked (struct event *e)
{
  if (--e->refs > 0)
    return;
  free (e->type);
  free (e->action);
  free (e->id);
  strv_free (e->attrs);
  free (e->line);
  free (e);
}

struct berth_events *
berth_events_new (void)
{
  struct berth_events *ev = xmalloc0 (sizeof (*ev));

  pthread_mutex_init (&ev->lock, NULL);
  pthread_cond_init (&ev->changed, NULL);
  return ev;
}

void
berth_events_shutdown (struct berth_events *ev)
{
  if (ev == NULL)
    return;
  pthread_mutex_lock (&ev->lock);
  ev->closing = true;
  pthread_cond_broadcast (&ev->changed);
  pthread_mutex_unlock (&ev->lock);
}

void
berth_events_free (struct berth_events *ev)
{
  if (ev == NULL)
    return;
  for (size_t i = 0; i < BERTH_EVENTS_KEEP; i++)
    if (ev->ring[i] != NULL)
      event_unref_locked (ev->ring[i]);
  pthread_cond_destroy (&ev->changed);
  pthread_mutex_destroy (&ev->lock);
  free (ev);
}

static int
cmp_keys (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

/* attrs as a sorted key, value vector */
static char **
attr_vector (json_object *attrs)
{
  size_t n = json_object_is_type (attrs, json_type_object) ? (size_t)json_object_object_length (attrs) : 0, i = 0;
  char **keys = xmalloc0 ((n + 1) * sizeof (char *));
  char **v = xmalloc0 ((2 * n + 1) * sizeof (char *));

  if (n > 0)
    {
      json_object_object_foreach (attrs, k, val)
      {
        (void)val;
        keys[i++] = k;
      }
      qsort (keys, n, sizeof (char *), cmp_keys);
    }
  for (i = 0; i < n; i++)
    {
      json_object *val = json_object_object_get (attrs, keys[i]);
      v[2 * i] = xstrdup (keys[i]);
      v[2 * i + 1] = xstrdup (val != NULL ? json_object_get_string (val) : "");
    }
  free (keys);
  return v;
}

static char *
render (const struct event *e, const char *from)
{
  json_object *o = json_object_new_object (), *actor = json_object_new_object (), *a = json_object_new_object ();
  char *line;

  /* the legacy fields moby still sends: status, id, from (containers) */
  json_object_object_add (o, "status", json_object_new_string (e->action));
  json_object_object_add (o, "id", json_object_new_string (e->id));
  if (from != NULL)
    json_object_object_add (o, "from", json_object_new_string (from));
  json_object_object_add (o, "Type", json_object_new_string (e->type));
  json_object_object_add (o, "Action", json_object_new_string (e->action));
  json_object_object_add (actor, "ID", json_object_new_string (e->id));
  for (size_t i = 0; e->attrs[i] != NULL; i += 2)
    json_object_object_add (a, e->attrs[i], json_object_new_string (e->attrs[i + 1]));
  json_object_object_add (actor, "Attributes", a);
  json_object_object_add (o, "Actor", actor);
  json_object_object_add (o, "scope", json_object_new_string ("local"));
  json_object_object_add (o, "time", json_object_new_int64 (e->time_nano / NS_PER_SEC));
  json_object_object_add (o, "timeNano", json_object_new_int64 (e->time_nano));
  line
      = xasprintf ("%s\n", json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (o);
  return line;
}

static void
publish (struct berth_events *ev, const char *type, const char *action, const char *actor_id, json_object *attrs,
         const char *from)
{
  struct event *e = xmalloc0 (sizeof (*e));
  struct event **slot;

  e->refs = 1;
  e->type = xstrdup (type);
  e->action = xstrdup (action);
  e->id = xstrdup (actor_id != NULL ? actor_id : "");
  e->attrs = attr_vector (attrs);
  pthread_mutex_lock (&ev->lock);
  /* numbered and stamped under the lock: the ring is in time order */
  e->time_nano = berth_now_ns ();
  e->line = render (e, from);
  slot = &ev->ring[ev->next % BERTH_EVENTS_KEEP];
  if (*slot != NULL)
    event_unref_locked (*slot);
  *slot = e;
  ev->next++;
  pthread_cond_broadcast (&ev->changed);
  pthread_mutex_unlock (&ev->lock);
}

void
berth_events_publish (struct berth_events *ev, const char *type, const char *action, const char *actor_id,
                      json_object *attrs)
{
  if (ev != NULL)
    publish (ev, type, action, actor_id, attrs, NULL);
}

void
berth_events_container (void *ud, const struct container *c, const char *action, json_object *attrs)
{
  json_object *a = json_object_new_object ();
  json_object *labels = c->config != NULL ? json_object_object_get (c->config, "Labels") : NULL;

  if (json_object_is_type (labels, json_type_object))
    {
      json_object_object_foreach (labels, k, v)
          json_object_object_add (a, k, json_object_new_string (json_object_get_string (v)));
    }
  json_object_object_add (a, "image", json_object_new_string (c->image != NULL ? c->image : ""));
  json_object_object_add (a, "name", json_object_new_string (c->name != NULL ? c->name : ""));
  if (json_object_is_type (attrs, json_type_object))
    {
      json_object_object_foreach (attrs, k, v)
          json_object_object_add (a, k, json_object_new_string (json_object_get_string (v)));
    }
  if (ud != NULL)
    publish (ud, "container", action, c->id, a, c->image != NULL ? c->image : "");
  json_object_put (a);
}

void
berth_events_image (struct berth_events *ev, const char *action, const char *image_id, const char *name)
{
  json_object *a = json_object_new_object ();

  if (name != NULL)
    json_object_object_add (a, "name", json_object_new_string (name));
  berth_events_publish (ev, "image", action, image_id, a);
  json_object_put (a);
}

void
berth_events_image_removed (struct berth_events *ev, const char *image_id, json_object *items)
{
  size_t n = json_object_is_type (items, json_type_array) ? json_object_array_length (items) : 0;

  for (size_t i = 0; i < n; i++)
    {
      json_object *v = json_object_object_get (json_object_array_get_idx (items, i), "Untagged");
      if (v != NULL)
        berth_events_image (ev, "untag", image_id, json_object_get_string (v));
    }
  for (size_t i = 0; i < n; i++)
    {
      json_object *v = json_object_object_get (json_object_array_get_idx (items, i), "Deleted");
      if (v != NULL && strcmp (json_object_get_string (v), image_id) == 0)
        berth_events_image (ev, "delete", image_id, image_id);
    }
}

/* --- GET /events --- */

static const char *
attr (const struct event *e, const char *key)
{
  for (size_t i = 0; e->attrs[i] != NULL; i += 2)
    if (strcmp (e->attrs[i], key) == 0)
      return e->attrs[i + 1];
  return NULL;
}

/* moby's filters.Args.ExactMatch: true without values for key */
static bool
exact (const struct berth_filters *f, const char *key, const char *s)
{
  char *const *v = berth_filters_get (f, key);

  if (v == NULL || v[0] == NULL)
    return true;
  for (size_t i = 0; s != NULL && v[i] != NULL; i++)
    if (strcmp (v[i], s) == 0)
      return true;
  return false;
}

/* ... and FuzzyMatch: a value may be a prefix */
static bool
fuzzy (const struct berth_filters *f, const char *key, const char *s)
{
  char *const *v = berth_filters_get (f, key);

  if (v == NULL || v[0] == NULL)
    return true;
  for (size_t i = 0; s != NULL && v[i] != NULL; i++)
    if (strncmp (s, v[i], strlen (v[i])) == 0)
      return true;
  return false;
}

static bool
only_when_set (const struct berth_filters *f, const char *key)
{
  char *const *v = berth_filters_get (f, key);
  return v != NULL && v[0] != NULL;
}

/* the name of an object of `type`: its Actor.ID or name attribute */
static bool
match_name (const struct berth_filters *f, const struct event *e, const char *type)
{
  if (!only_when_set (f, type))
    return true;
  return fuzzy (f, type, e->id) || fuzzy (f, type, attr (e, "name"));
}

/* an image reference without its tag or digest, familiar ("busybox") */
static char *
strip_tag (const char *s)
{
  cleanup_image_ref struct image_ref *ref = NULL;

  if (s == NULL || image_ref_parse (s, 0, &ref, NULL) < 0)
    return s != NULL ? xstrdup (s) : NULL;
  return image_ref_familiar_name (ref);
}

static bool
match_image (const struct berth_filters *f, const struct event *e)
{
  const char *name = attr (e, strcmp (e->type, "image") == 0 ? "name" : "image");
  cleanup_free char *id_bare = NULL, *name_bare = NULL;

  if (!only_when_set (f, "image"))
    return true;
  if (exact (f, "image", e->id) || (name != NULL && exact (f, "image", name)))
    return true;
  id_bare = strip_tag (e->id);
  name_bare = strip_tag (name);
  return exact (f, "image", id_bare) || (name_bare != NULL && exact (f, "image", name_bare));
}

/* moby's MatchKVList: every label=key[=value] must hold */
static bool
match_labels (const struct berth_filters *f, const struct event *e)
{
  char *const *v = berth_filters_get (f, "label");

  for (size_t i = 0; v != NULL && v[i] != NULL; i++)
    {
      const char *eq = strchr (v[i], '=');
      cleanup_free char *key = eq != NULL ? xstrndup (v[i], (size_t)(eq - v[i])) : xstrdup (v[i]);
      const char *have = attr (e, key);
      if (have == NULL || (eq != NULL && strcmp (have, eq + 1) != 0))
        return false;
    }
  return true;
}

static bool
match_event (const struct berth_filters *f, const struct event *e)
{
  char *const *v = berth_filters_get (f, "event");

  /* "exec_start" also matches "exec_start: sh -c ..." (moby #25798) */
  for (size_t i = 0; v != NULL && v[i] != NULL; i++)
    if (strcmp (v[i], "exec_create") == 0 || strcmp (v[i], "exec_start") == 0 || strcmp (v[i], "health_status") == 0)
      return fuzzy (f, "event", e->action);
  return exact (f, "event", e->action);
}

static bool
include (const struct berth_filters *f, const struct event *e)
{
  static const char *const by_name[]
      = { "daemon", "container", "plugin", "volume", "network", "service", "node", "secret", "config" };

  if (!match_event (f, e) || !exact (f, "type", e->type) || !exact (f, "scope", "local"))
    return false;
  for (size_t i = 0; i < sizeof (by_name) / sizeof (by_name[0]); i++)
    if (!match_name (f, e, by_name[i]))
      return false;
  return match_image (f, e) && match_labels (f, e);
}

struct subscriber
{
  struct berth_events *ev;
  struct berth_filters *filters;
  int64_t since, until; /* ns; until 0: none */
  bool has_since, has_until;
};

/* Send the events numbered [*from, ev->next) that pass; *from moves on.
   Called with the lock held; drops it while writing. */
static int
send_new_locked (struct subscriber *s, struct berth_request *req, uint64_t *from, bool replay, berth_error_t *err)
{
  struct berth_events *ev = s->ev;
  uint64_t oldest = ev->next > BERTH_EVENTS_KEEP ? ev->next - BERTH_EVENTS_KEEP : 0;
  uint64_t first = *from > oldest ? *from : oldest, end = ev->next;
  struct event **batch;
  size_t n = 0;
  int r = 0;

  if (first >= end)
    {
      *from = end;
      return 0;
    }
  batch = xmalloc ((end - first) * sizeof (*batch));
  for (uint64_t i = first; i < end; i++)
    {
      struct event *e = ev->ring[i % BERTH_EVENTS_KEEP];
      if (replay && (e->time_nano < s->since || (s->has_until && e->time_nano > s->until)))
        continue;
      if (!replay && s->has_until && e->time_nano > s->until)
        continue;
      e->refs++;
      batch[n++] = e;
    }
  *from = end;
  pthread_mutex_unlock (&ev->lock);
  for (size_t i = 0; i < n && r == 0; i++)
    if (include (s->filters, batch[i]))
      r = berth_response_stream_write (req, batch[i]->line, strlen (batch[i]->line), err);
  pthread_mutex_lock (&ev->lock);
  for (size_t i = 0; i < n; i++)
    event_unref_locked (batch[i]);
  free (batch);
  return r;
}

static void
deadline_of (int64_t ns, struct timespec *ts)
{
  ts->tv_sec = (time_t)(ns / NS_PER_SEC);
  ts->tv_nsec = (long)(ns % NS_PER_SEC);
}

static const char *const event_filters[]
    = { "config", "container", "daemon", "event",   "image", "label",  "network", "node",
        "plugin", "scope",     "secret", "service", "type",  "volume", NULL };

static int
handle_events (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  struct subscriber s = { .ev = d->events };
  const char *since = berth_request_query (req, "since"), *until = berth_request_query (req, "until");
  int64_t now = berth_now_ns ();
  uint64_t cursor;
  int r;

  if (s.ev == NULL)
    return berth_error_make (err, ENOTSUP, "events are not available in this daemon");
  if ((r = berth_timestamp_parse (since, now, "since", &s.since, err)) < 0)
    return r;
  s.has_since = r > 0;
  if ((r = berth_timestamp_parse (until, now, "until", &s.until, err)) < 0)
    return r;
  s.has_until = r > 0;
  if (s.has_until && s.until < s.since)
    return berth_error_make (err, EINVAL, "`since` time (%s) cannot be after `until` time (%s)", since, until);
  if (berth_filters_parse (req, event_filters, &s.filters, err) < 0)
    return berth_error_ret (err);
  if (berth_response_stream_begin (req, resp, 200, "application/json", err) < 0)
    {
      berth_filters_free (s.filters);
      return berth_error_ret (err);
    }

  pthread_mutex_lock (&s.ev->lock);
  /* the ring first (moby replays only when since or until is given) */
  cursor = 0;
  if (s.has_since || s.has_until)
    r = send_new_locked (&s, req, &cursor, true, err);
  else
    cursor = s.ev->next;
  /* an until in the past: the replay was all */
  while (r == 0 && !s.ev->closing && !(s.has_until && berth_now_ns () >= s.until))
    {
      if (cursor == s.ev->next)
        {
          if (s.has_until)
            {
              struct timespec dl;
              deadline_of (s.until, &dl);
              pthread_cond_timedwait (&s.ev->changed, &s.ev->lock, &dl);
            }
          else
            pthread_cond_wait (&s.ev->changed, &s.ev->lock);
          continue;
        }
      r = send_new_locked (&s, req, &cursor, false, err);
    }
  pthread_mutex_unlock (&s.ev->lock);
  berth_filters_free (s.filters);
  if (r < 0 && berth_error_code (err) == EPIPE)
    {
      /* the client left: that is how a stream without until ends */
      berth_error_release (err);
      r = 0;
    }
  return r;
}

static const struct berth_route event_routes[] = {
  { "GET", "/events", BERTH_BODY_STREAM, handle_events },
};

void
berth_event_routes (struct berth_router *r)
{
  berth_router_add (r, event_routes, sizeof (event_routes) / sizeof (event_routes[0]));
}
