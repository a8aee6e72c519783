/* GET /containers/json and GET /containers/{id}/json. */
#include "config.h"

#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/config/config.h"
#include "core/container/inspect.h"
#include "core/daemon/containers.h"
#include "core/daemon/filters.h"
#include "core/image/service.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"

static const char *
log_driver_name (struct berthd *d, const struct container *c)
{
  return container_log_driver (c, d->cfg->log_driver);
}

struct inspect_ctx
{
  struct berthd *d;
  json_object *out;
};

static void
inspect_one (void *ud, const struct container *c)
{
  struct inspect_ctx *x = ud;
  struct container_json_ctx ctx = { .log_driver = log_driver_name (x->d, c), .now = time (NULL) };

  x->out = container_inspect_json (c, &ctx);
}

/* size=1: SizeRw (what the container wrote) and SizeRootFs (its image's
   layers plus SizeRw); a size that cannot be read is logged and 0, as moby */
static void
add_sizes (struct berthd *d, struct container *c, json_object *o)
{
  cleanup_store_image struct store_image *img = NULL;
  berth_error_t serr = NULL;
  int64_t rw = 0, image = 0;

  if (container_manager_size (d->containers, c, &rw, &serr) < 0)
    {
      log_warn ("container %.12s: size: %s", c->id, berth_error_msg (&serr));
      berth_error_release (&serr);
      rw = 0;
    }
  if (store_image_get (image_service_store (d->images), c->image_id, &img, NULL) == 0)
    image = image_service_image_size (d->images, img);
  json_object_object_add (o, "SizeRw", json_object_new_int64 (rw));
  json_object_object_add (o, "SizeRootFs", json_object_new_int64 (image + rw));
}

static int
handle_inspect (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  struct container *c = berth_container_get (d, req, err);
  struct inspect_ctx x = { .d = d };

  if (c == NULL)
    return berth_error_ret (err);
  container_manager_with (d->containers, c, inspect_one, &x);
  if (berth_request_query_bool (req, "size"))
    add_sizes (d, c, x.out);
  container_manager_put (d->containers, c);
  berth_response_json (resp, 200, x.out);
  return 0;
}

/* --- list --- */

static const char *const list_filters[] = { "id", "name", "label", "status", "ancestor", "exited", NULL };

struct list_ctx
{
  struct berthd *d;
  const struct berth_filters *f;
  char **ancestor_ids; /* the ancestor filter's values resolved to image ids */
  regex_t *names;
  size_t n_names;
  bool all;
  long limit;
  time_t now;
  json_object *rows;
  berth_error_t *err;
};

static bool
any_prefix (char *const *values, const char *s)
{
  for (size_t i = 0; values[i] != NULL; i++)
    if (strncmp (s, values[i], strlen (values[i])) == 0)
      return true;
  return false;
}

static bool
label_matches (const struct container *c, char *const *values)
{
  json_object *labels = json_object_object_get (c->config, "Labels");

  for (size_t i = 0; values[i] != NULL; i++)
    {
      const char *eq = strchr (values[i], '=');
      cleanup_free char *key = eq ? xstrndup (values[i], (size_t) (eq - values[i])) : xstrdup (values[i]);
      json_object *v;
      if (!json_object_object_get_ex (labels, key, &v))
        return false;
      if (eq != NULL && strcmp (json_object_get_string (v), eq + 1) != 0)
        return false;
    }
  return true;
}

static bool
in_list (char *const *values, const char *s)
{
  for (size_t i = 0; values[i] != NULL; i++)
    if (strcmp (values[i], s) == 0)
      return true;
  return false;
}

static bool
matches (struct list_ctx *x, const struct container *c)
{
  char *const *v;
  bool is_running = c->status == CONTAINER_RUNNING || c->status == CONTAINER_PAUSED
                    || c->status == CONTAINER_RESTARTING;

  if ((v = berth_filters_get (x->f, "id")) != NULL && !any_prefix (v, c->id))
    return false;
  if (x->n_names > 0)
    {
      cleanup_free char *slashed = xasprintf ("/%s", c->name);
      bool ok = false;
      for (size_t i = 0; i < x->n_names && !ok; i++)
        ok = regexec (&x->names[i], slashed, 0, NULL, 0) == 0;
      if (!ok)
        return false;
    }
  if ((v = berth_filters_get (x->f, "label")) != NULL && !label_matches (c, v))
    return false;
  if ((v = berth_filters_get (x->f, "status")) != NULL && !in_list (v, container_status_name (c->status)))
    return false;
  if ((v = berth_filters_get (x->f, "exited")) != NULL)
    {
      char code[16];
      snprintf (code, sizeof (code), "%d", c->exit_code);
      if (c->status != CONTAINER_EXITED || !in_list (v, code))
        return false;
    }
  if ((v = berth_filters_get (x->f, "ancestor")) != NULL)
    {
      bool ok = in_list (v, c->image);
      for (size_t i = 0; !ok && x->ancestor_ids != NULL && x->ancestor_ids[i] != NULL; i++)
        ok = strcmp (x->ancestor_ids[i], c->image_id) == 0;
      if (!ok)
        return false;
    }
  /* a status or exited filter shows stopped containers without -a, as moby */
  if (!x->all && !is_running && berth_filters_get (x->f, "status") == NULL
      && berth_filters_get (x->f, "exited") == NULL)
    return false;
  return true;
}

static void
list_one (void *ud, const struct container *c)
{
  struct list_ctx *x = ud;
  struct container_json_ctx ctx = { .log_driver = log_driver_name (x->d, c), .now = x->now };

  if (x->limit > 0 && (long) json_object_array_length (x->rows) >= x->limit)
    return;
  if (!matches (x, c))
    return;
  json_object_array_add (x->rows, container_summary_json (c, &ctx));
}

static int
handle_list (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  struct berth_filters *f = NULL;
  struct list_ctx x = { .d = d, .now = time (NULL), .err = err };
  const char *limit = berth_request_query (req, "limit");
  char *const *v;
  int r = 0;

  if (berth_filters_parse (req, list_filters, &f, err) < 0)
    return berth_error_ret (err);
  x.f = f;
  x.all = berth_request_query_bool (req, "all");
  if (limit != NULL && limit[0] != '\0')
    {
      char *end;
      x.limit = strtol (limit, &end, 10);
      if (*end != '\0')
        {
          berth_filters_free (f);
          return berth_error_make (err, EINVAL, "invalid limit: %s", limit);
        }
      if (x.limit > 0)
        x.all = true;
    }
  if ((v = berth_filters_get (f, "status")) != NULL)
    for (size_t i = 0; v[i] != NULL && r == 0; i++)
      if (strcmp (v[i], "created") != 0 && strcmp (v[i], "running") != 0 && strcmp (v[i], "paused") != 0
          && strcmp (v[i], "restarting") != 0 && strcmp (v[i], "removing") != 0 && strcmp (v[i], "exited") != 0
          && strcmp (v[i], "dead") != 0)
        r = berth_error_make (err, EINVAL, "invalid filter 'status=%s'", v[i]);
  if ((v = berth_filters_get (f, "name")) != NULL)
    {
      for (x.n_names = 0; v[x.n_names] != NULL; x.n_names++)
        ;
      x.names = xmalloc0 (x.n_names * sizeof (regex_t));
      for (size_t i = 0; i < x.n_names; i++)
        if (r == 0 && regcomp (&x.names[i], v[i], REG_EXTENDED | REG_NOSUB) != 0)
          {
            r = berth_error_make (err, EINVAL, "invalid name filter: %s", v[i]);
            x.n_names = i;
          }
    }
  if (r == 0 && (v = berth_filters_get (f, "ancestor")) != NULL)
    {
      size_t n = 0;
      for (size_t i = 0; v[i] != NULL; i++)
        {
          char id[DIGEST_BUF_SIZE];
          berth_error_t lerr = NULL;
          if (image_service_lookup (d->images, v[i], id, &lerr) < 0)
            {
              berth_error_release (&lerr);
              continue;
            }
          x.ancestor_ids = xrealloc (x.ancestor_ids, (n + 2) * sizeof (char *));
          x.ancestor_ids[n++] = xstrdup (id);
          x.ancestor_ids[n] = NULL;
        }
    }
  if (r == 0)
    {
      x.rows = json_object_new_array ();
      container_manager_each (d->containers, list_one, &x);
      /* outside the manager's lock: sizes walk the writable layers */
      if (berth_request_query_bool (req, "size"))
        for (size_t i = 0; i < json_object_array_length (x.rows); i++)
          {
            json_object *row = json_object_array_get_idx (x.rows, i);
            berth_error_t gerr = NULL;
            struct container *c = container_manager_get (
                d->containers, json_object_get_string (json_object_object_get (row, "Id")), &gerr);
            berth_error_release (&gerr);
            if (c != NULL)
              add_sizes (d, c, row);
            container_manager_put (d->containers, c);
          }
      berth_response_json (resp, 200, x.rows);
    }
  for (size_t i = 0; i < x.n_names; i++)
    regfree (&x.names[i]);
  free (x.names);
  strv_free (x.ancestor_ids);
  berth_filters_free (f);
  return r;
}

static const struct berth_route list_routes[] = {
  { "GET", "/containers/json", BERTH_BODY_IGNORE, handle_list },
  { "GET", "/containers/{id}/json", BERTH_BODY_IGNORE, handle_inspect },
};

void
berth_container_list_routes (struct berth_router *r)
{
  berth_router_add (r, list_routes, sizeof (list_routes) / sizeof (list_routes[0]));
}
