#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config/config.h"
#include "core/daemon/containers.h"
#include "core/daemon/events.h"
#include "core/daemon/volumes.h"
#include "core/image/service.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"

/* --- the manager and the images --- */

static int
resolve_image (void *ud, const char *name, char **ret_image_id, struct image_config **ret_config,
               char **ret_top_chain, char **ret_top_storage, berth_error_t *err)
{
  struct berthd *d = ud;
  cleanup_store_image struct store_image *img = NULL;
  char id[DIGEST_BUF_SIZE];
  struct store_layer l;

  if (image_service_lookup (d->images, name, id, err) < 0)
    return berth_error_ret (err);
  if (store_image_get (image_service_store (d->images), id, &img, err) < 0)
    return berth_error_ret (err);
  if (image_service_config (d->images, id, ret_config, NULL, err) < 0)
    return berth_error_ret (err);
  if (img->top_layer[0] != '\0')
    {
      if (store_layer_get (image_service_store (d->images), img->top_layer, &l, err) < 0)
        {
          image_config_free (*ret_config);
          *ret_config = NULL;
          return berth_error_ret (err);
        }
      *ret_top_storage = xstrdup (l.storage_id);
    }
  else
    *ret_top_storage = xstrdup ("");
  *ret_image_id = xstrdup (id);
  *ret_top_chain = xstrdup (img->top_layer);
  return 0;
}

struct usage
{
  const char *image_id;
  bool found, running;
  char *what;
};

static void
usage_one (void *ud, const struct container *c)
{
  struct usage *u = ud;

  if (strcmp (c->image_id, u->image_id) != 0)
    return;
  if (!u->found || (!u->running && c->status == CONTAINER_RUNNING))
    {
      free (u->what);
      u->what = xasprintf ("%.12s", c->id);
    }
  u->found = true;
  if (c->status == CONTAINER_RUNNING || c->status == CONTAINER_PAUSED)
    u->running = true;
}

static int
image_usage (void *ud, const char *image_id, bool *ret_running, char **ret_what)
{
  struct berthd *d = ud;
  struct usage u = { .image_id = image_id };

  container_manager_each (d->containers, usage_one, &u);
  *ret_running = u.running;
  *ret_what = u.what;
  return u.found ? 1 : 0;
}

/* berth-shim: $BERTH_SHIM, else beside berthd (a build tree), else the
   installed one. */
static char *
shim_path (void)
{
  const char *env = getenv ("BERTH_SHIM");
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
          p = xasprintf ("%s/berth-shim", self);
          if (access (p, X_OK) == 0)
            return p;
          free (p);
        }
    }
  return xstrdup (BERTH_PKGLIBEXECDIR "/berth-shim");
}

int
berth_containers_open (struct berthd *d, berth_error_t *err)
{
  cleanup_free char *shim = shim_path ();
  cleanup_free char *init = berth_init_program_path ();
  struct container_manager_opts o = {
    .data_root = d->cfg->data_root,
    .exec_root = d->cfg->exec_root,
    .storage = d->storage,
    .plugins = d->plugins,
    .default_log_driver = d->cfg->log_driver,
    .default_log_opts = d->cfg->log_opts,
    .shim_path = shim,
    .volumes = d->volumes,
    .init_path = init,
    .networks = d->networks,
  };
  struct container_images images = { .resolve = resolve_image, .ud = d };

  if (container_manager_open (&o, &d->containers, err) < 0)
    return berth_error_wrap (err, "cannot open the containers");
  container_manager_set_images (d->containers, &images);
  image_service_set_usage_hook (d->images, image_usage, d);
  container_manager_set_events (d->containers, berth_events_container, d->events);
  /* as dockerd at boot: containers whose restart policy wants them running */
  container_manager_restart_at_boot (d->containers);
  return 0;
}

void
berth_containers_shutdown (struct berthd *d)
{
  if (d->containers != NULL)
    container_manager_shutdown (d->containers);
}

void
berth_containers_close (struct berthd *d)
{
  if (d->images != NULL)
    image_service_set_usage_hook (d->images, NULL, NULL);
  /* monitor threads may outlive the manager's close: no events after it */
  if (d->containers != NULL)
    container_manager_set_events (d->containers, NULL, NULL);
  container_manager_close (d->containers);
  d->containers = NULL;
}

struct container *
berth_container_get (struct berthd *d, const struct berth_request *req, berth_error_t *err)
{
  const char *id = berth_request_capture (req, "id");

  return container_manager_get (d->containers, id != NULL ? id : "", err);
}

/* ?t=N: -1 when absent */
static int
query_timeout (const struct berth_request *req, int *ret, berth_error_t *err)
{
  const char *t = berth_request_query (req, "t");
  char *end;
  long v;

  *ret = -1;
  if (t == NULL || t[0] == '\0')
    return 0;
  errno = 0;
  v = strtol (t, &end, 10);
  if (*end != '\0' || errno != 0 || v < -1 || v > INT_MAX)
    return berth_error_make (err, EINVAL, "invalid value for t: %s", t);
  *ret = (int) v;
  return 0;
}

/* --- routes --- */

static int
handle_create (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  cleanup_free char *id = NULL;
  json_object *warnings = NULL, *o;
  const char *platform = berth_request_query (req, "platform");

  if (req->json == NULL || !json_object_is_type (req->json, json_type_object))
    return berth_error_make (err, EINVAL, "config cannot be empty in order to create a container");
  if (platform != NULL && platform[0] != '\0' && strcmp (platform, "linux") != 0
      && strncmp (platform, "linux/", 6) != 0)
    return berth_error_make (err, EINVAL, "platform %s is not supported", platform);
  if (container_manager_create (d->containers, berth_request_query (req, "name"), req->json, &id, &warnings, err)
      < 0)
    return berth_error_ret (err);
  o = json_object_new_object ();
  json_object_object_add (o, "Id", json_object_new_string (id));
  json_object_object_add (o, "Warnings", warnings != NULL ? warnings : json_object_new_array ());
  berth_response_json (resp, 201, o);
  return 0;
}

static void
no_content (struct berth_response *resp, unsigned status)
{
  berth_response_text (resp, status, "text/plain; charset=utf-8", "");
}

static int
handle_start (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  struct container *c = berth_container_get (d, req, err);
  const char *cp = berth_request_query (req, "checkpoint");
  int r;

  if (c == NULL)
    return berth_error_ret (err);
  if (cp != NULL && cp[0] != '\0')
    r = berth_error_make (err, EINVAL, "checkpoint restore is not supported");
  else
    r = container_manager_start (d->containers, c, err);
  container_manager_put (d->containers, c);
  if (r < 0 && berth_error_code (err) == EALREADY)
    {
      berth_error_release (err);
      no_content (resp, 304);
      return 0;
    }
  if (r < 0)
    return r;
  no_content (resp, 204);
  return 0;
}

static int
handle_stop (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  struct container *c;
  int t, r;

  if (query_timeout (req, &t, err) < 0)
    return berth_error_ret (err);
  c = berth_container_get (d, req, err);
  if (c == NULL)
    return berth_error_ret (err);
  r = container_manager_stop (d->containers, c, t, berth_request_query (req, "signal"), err);
  container_manager_put (d->containers, c);
  if (r < 0 && berth_error_code (err) == EALREADY)
    {
      berth_error_release (err);
      no_content (resp, 304);
      return 0;
    }
  if (r < 0)
    return r;
  no_content (resp, 204);
  return 0;
}

static int
handle_restart (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  struct container *c;
  int t, r;

  if (query_timeout (req, &t, err) < 0)
    return berth_error_ret (err);
  c = berth_container_get (d, req, err);
  if (c == NULL)
    return berth_error_ret (err);
  r = container_manager_restart (d->containers, c, t, berth_request_query (req, "signal"), err);
  container_manager_put (d->containers, c);
  if (r < 0)
    return r;
  no_content (resp, 204);
  return 0;
}

static int
handle_kill (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  struct container *c = berth_container_get (d, req, err);
  int r;

  if (c == NULL)
    return berth_error_ret (err);
  r = container_manager_kill (d->containers, c, berth_request_query (req, "signal"), err);
  container_manager_put (d->containers, c);
  if (r < 0)
    return r;
  no_content (resp, 204);
  return 0;
}

static int
handle_delete (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  cleanup_strv char **anonymous = NULL;
  struct container *c;
  int r;

  if (berth_request_query_bool (req, "link"))
    return berth_error_make (err, EINVAL, "links are not supported");
  c = berth_container_get (d, req, err);
  if (c == NULL)
    return berth_error_ret (err);
  /* v: its anonymous volumes go after it (those no other container uses) */
  if (berth_request_query_bool (req, "v"))
    anonymous = container_manager_anonymous_volumes (d->containers, c);
  r = container_manager_remove (d->containers, c, berth_request_query_bool (req, "force"), err);
  container_manager_put (d->containers, c);
  if (r < 0)
    return r;
  container_manager_remove_volumes (d->containers, anonymous);
  no_content (resp, 204);
  return 0;
}

/* Streaming: the 200 and headers go out before the wait (the docker CLI
   sends start only once it has them). */
static int
handle_wait (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  const char *cond_s = berth_request_query (req, "condition");
  enum container_wait_condition cond = CONTAINER_WAIT_NOT_RUNNING;
  cleanup_error berth_error_t werr = NULL;
  cleanup_free char *body = NULL;
  struct container *c;
  unsigned exits;
  int code = 0, r;

  if (cond_s == NULL || cond_s[0] == '\0' || strcmp (cond_s, "not-running") == 0)
    cond = CONTAINER_WAIT_NOT_RUNNING;
  else if (strcmp (cond_s, "next-exit") == 0)
    cond = CONTAINER_WAIT_NEXT_EXIT;
  else if (strcmp (cond_s, "removed") == 0)
    cond = CONTAINER_WAIT_REMOVED;
  else
    return berth_error_make (err, EINVAL, "invalid condition: \"%s\"", cond_s);
  c = berth_container_get (d, req, err);
  if (c == NULL)
    return berth_error_ret (err);
  exits = container_manager_exit_count (d->containers, c);
  if (berth_response_stream_begin (req, resp, 200, "application/json", err) < 0)
    {
      container_manager_put (d->containers, c);
      return berth_error_ret (err);
    }
  r = container_manager_wait_from (d->containers, c, cond, exits, -1, &code, &werr);
  container_manager_put (d->containers, c);
  if (r < 0)
    {
      json_object *o = json_object_new_object (), *e = json_object_new_object ();
      json_object_object_add (e, "Message", json_object_new_string (berth_error_msg (&werr)));
      json_object_object_add (o, "StatusCode", json_object_new_int (-1));
      json_object_object_add (o, "Error", e);
      body = xasprintf ("%s\n", json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN));
      json_object_put (o);
    }
  else
    body = xasprintf ("{\"StatusCode\":%d,\"Error\":null}\n", code);
  return berth_response_stream_write (req, body, strlen (body), err);
}

static const struct berth_route container_routes[] = {
  { "POST", "/containers/create", BERTH_BODY_JSON, handle_create },
  { "POST", "/containers/{id}/start", BERTH_BODY_IGNORE, handle_start },
  { "POST", "/containers/{id}/stop", BERTH_BODY_IGNORE, handle_stop },
  { "POST", "/containers/{id}/restart", BERTH_BODY_IGNORE, handle_restart },
  { "POST", "/containers/{id}/kill", BERTH_BODY_IGNORE, handle_kill },
  { "POST", "/containers/{id}/wait", BERTH_BODY_STREAM, handle_wait },
  { "DELETE", "/containers/{id}", BERTH_BODY_IGNORE, handle_delete },
};

void
berth_container_routes (struct berth_router *r)
{
  berth_router_add (r, container_routes, sizeof (container_routes) / sizeof (container_routes[0]));
  berth_container_list_routes (r);
  berth_container_logs_routes (r);
  berth_container_attach_routes (r);
}
