#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/daemon/events.h"
#include "core/daemon/filters.h"
#include "core/daemon/volumes.h"
#include "core/config/config.h"
#include "core/lib/mem.h"
#include "core/volume/service.h"

static void
publish (void *ud, const char *name, const char *action, json_object *attrs)
{
  if (ud != NULL)
    berth_events_publish (ud, "volume", action, name, attrs);
}

int
berth_volumes_open (struct berthd *d, berth_error_t *err)
{
  if (volume_service_open (d->cfg->data_root, d->plugins, &d->volumes, err) < 0)
    return berth_error_wrap (err, "cannot open the volumes");
  volume_service_set_events (d->volumes, publish, d->events);
  return 0;
}

void
berth_volumes_close (struct berthd *d)
{
  volume_service_close (d->volumes);
  d->volumes = NULL;
}

char *
berth_init_program_path (void)
{
  const char *env = getenv ("BERTH_INIT");
  char self[PATH_MAX];
  ssize_t n;

  if (env != NULL && env[0] != '\0')
    return xstrdup (env);
  n = readlink ("/proc/self/exe", self, sizeof (self) - 1);
  if (n > 0)
    {
      char *slash;
      self[n] = '\0';
      slash = strrchr (self, '/');
      if (slash != NULL)
        {
          char *p;
          *slash = '\0';
          p = xasprintf ("%s/berth-init", self);
          if (access (p, X_OK) == 0)
            return p;
          free (p);
        }
    }
  return xstrdup (BERTH_PKGLIBEXECDIR "/berth-init");
}

/* --- filters --- */

static bool
labels_match (json_object *vol, char *const *want)
{
  json_object *labels = json_object_object_get (vol, "Labels");

  for (size_t i = 0; want != NULL && want[i] != NULL; i++)
    {
      const char *eq = strchr (want[i], '=');
      cleanup_free char *key = eq != NULL ? xstrndup (want[i], (size_t) (eq - want[i])) : xstrdup (want[i]);
      json_object *v = NULL;
      if (!json_object_object_get_ex (labels, key, &v))
        return false;
      if (eq != NULL && strcmp (json_object_get_string (v), eq + 1) != 0)
        return false;
    }
  return true;
}

static bool
in_use (struct berthd *d, const char *name)
{
  cleanup_strv char **users = volume_service_users (d->volumes, name);
  return users != NULL && users[0] != NULL;
}

static bool
list_keep (struct berthd *d, struct berth_filters *f, int dangling, json_object *vol)
{
  const char *name = json_object_get_string (json_object_object_get (vol, "Name"));
  const char *driver = json_object_get_string (json_object_object_get (vol, "Driver"));
  char *const *names = berth_filters_get (f, "name");
  char *const *drivers = berth_filters_get (f, "driver");

  if (names != NULL)
    {
      bool any = false;
      for (size_t i = 0; names[i]; i++)
        any = any || strstr (name, names[i]) != NULL;
      if (!any)
        return false;
    }
  if (drivers != NULL)
    {
      bool any = false;
      for (size_t i = 0; drivers[i]; i++)
        any = any || strcmp (driver, drivers[i]) == 0;
      if (!any)
        return false;
    }
  if (!labels_match (vol, berth_filters_get (f, "label")))
    return false;
  if (dangling >= 0 && in_use (d, name) == (dangling == 1))
    return false;
  return true;
}

/* --- routes --- */

static int
handle_list (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  static const char *const accepted[] = { "dangling", "name", "driver", "label", NULL };
  struct berth_filters *f = NULL;
  json_object *all, *out, *o;
  int dangling = -1;

  if (berth_filters_parse (req, accepted, &f, err) < 0)
    return berth_error_ret (err);
  if (berth_filters_bool (f, "dangling", &dangling, err) < 0)
    {
      berth_filters_free (f);
      return berth_error_ret (err);
    }
  all = volume_service_list (d->volumes, false);
  out = json_object_new_array ();
  for (size_t i = 0; i < json_object_array_length (all); i++)
    {
      json_object *v = json_object_array_get_idx (all, i);
      if (list_keep (d, f, dangling, v))
        json_object_array_add (out, json_object_get (v));
    }
  json_object_put (all);
  berth_filters_free (f);
  o = json_object_new_object ();
  json_object_object_add (o, "Volumes", out);
  json_object_object_add (o, "Warnings", json_object_new_array ());
  berth_response_json (resp, 200, o);
  return 0;
}

static const char *
body_string (json_object *body, const char *key, berth_error_t *err)
{
  json_object *v = NULL;

  if (!json_object_object_get_ex (body, key, &v) || json_object_is_type (v, json_type_null))
    return "";
  if (!json_object_is_type (v, json_type_string))
    {
      berth_error_make (err, EINVAL, "%s: expected a string", key);
      return NULL;
    }
  return json_object_get_string (v);
}

static int
handle_create (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  json_object *body = req->json, *vol = NULL;
  const char *name, *driver;

  if (body != NULL && !json_object_is_type (body, json_type_object))
    return berth_error_make (err, EINVAL, "invalid JSON: expected an object");
  name = body ? body_string (body, "Name", err) : "";
  driver = name && body ? body_string (body, "Driver", err) : "";
  if (name == NULL || driver == NULL)
    return berth_error_ret (err);
  if (body != NULL && json_object_object_get_ex (body, "ClusterVolumeSpec", NULL)
      && !json_object_is_type (json_object_object_get (body, "ClusterVolumeSpec"), json_type_null))
    return berth_error_make (err, EINVAL, "cluster volumes are not supported by berth");
  if (volume_service_create (d->volumes, name, driver, body ? json_object_object_get (body, "DriverOpts") : NULL,
                             body ? json_object_object_get (body, "Labels") : NULL, &vol, err)
      < 0)
    return berth_error_ret (err);
  berth_response_json (resp, 201, vol);
  return 0;
}

static int
handle_inspect (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  json_object *vol = NULL;

  if (volume_service_inspect (d->volumes, berth_request_capture (req, "name"), &vol, err) < 0)
    return berth_error_ret (err);
  berth_response_json (resp, 200, vol);
  return 0;
}

static int
handle_delete (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  if (volume_service_remove (d->volumes, berth_request_capture (req, "name"), berth_request_query_bool (req, "force"),
                             err)
      < 0)
    return berth_error_ret (err);
  berth_response_text (resp, 204, "text/plain; charset=utf-8", "");
  return 0;
}

struct prune_ctx
{
  struct berth_filters *f;
  bool all;
};

static bool
prune_keep (void *ud, json_object *vol)
{
  struct prune_ctx *p = ud;
  char *const *neg = berth_filters_get (p->f, "label!");
  json_object *labels = json_object_object_get (vol, "Labels");

  /* Docker 23+: only anonymous volumes unless all=true */
  if (!p->all && !json_object_object_get_ex (labels, VOLUME_ANONYMOUS_LABEL, NULL))
    return true;
  if (!labels_match (vol, berth_filters_get (p->f, "label")))
    return true;
  for (size_t i = 0; neg != NULL && neg[i] != NULL; i++)
    {
      char *const one[] = { neg[i], NULL };
      if (labels_match (vol, one))
        return true;
    }
  return false;
}

static int
handle_prune (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  static const char *const accepted[] = { "label", "label!", "all", NULL };
  struct prune_ctx p = { 0 };
  json_object *names = NULL, *o;
  int64_t reclaimed = 0;
  int all = -1, r;

  if (berth_filters_parse (req, accepted, &p.f, err) < 0)
    return berth_error_ret (err);
  r = berth_filters_bool (p.f, "all", &all, err);
  p.all = all == 1;
  if (r == 0)
    r = volume_service_prune (d->volumes, prune_keep, &p, &names, &reclaimed, err);
  berth_filters_free (p.f);
  if (r < 0)
    return r;
  o = json_object_new_object ();
  if (json_object_array_length (names) == 0)
    {
      json_object_put (names);
      names = NULL;
    }
  json_object_object_add (o, "VolumesDeleted", names);
  json_object_object_add (o, "SpaceReclaimed", json_object_new_int64 (reclaimed));
  berth_response_json (resp, 200, o);
  return 0;
}

static const struct berth_route volume_routes[] = {
  { "GET", "/volumes", BERTH_BODY_IGNORE, handle_list },
  { "POST", "/volumes/create", BERTH_BODY_JSON, handle_create },
  { "POST", "/volumes/prune", BERTH_BODY_IGNORE, handle_prune },
  { "GET", "/volumes/{name}", BERTH_BODY_IGNORE, handle_inspect },
  { "DELETE", "/volumes/{name}", BERTH_BODY_IGNORE, handle_delete },
};

void
berth_volume_routes (struct berth_router *r)
{
  berth_router_add (r, volume_routes, sizeof (volume_routes) / sizeof (volume_routes[0]));
}
