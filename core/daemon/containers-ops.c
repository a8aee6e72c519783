/* POST /containers/{id}/pause, /unpause, /rename; GET /containers/{id}/top;
   POST /containers/prune. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "core/daemon/containers.h"
#include "core/daemon/filters.h"
#include "core/lib/mem.h"
#include "core/lib/timestamp.h"

static void
no_content (struct berth_response *resp)
{
  berth_response_text (resp, 204, "text/plain; charset=utf-8", "");
}

typedef int (*container_op) (struct container_manager *m, struct container *c, berth_error_t *err);

static int
simple_op (struct berthd *d, struct berth_request *req, struct berth_response *resp, container_op op,
           berth_error_t *err)
{
  struct container *c = berth_container_get (d, req, err);
  int r;

  if (c == NULL)
    return berth_error_ret (err);
  r = op (d->containers, c, err);
  container_manager_put (d->containers, c);
  if (r < 0)
    return r;
  no_content (resp);
  return 0;
}

static int
handle_pause (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  return simple_op (d, req, resp, container_manager_pause, err);
}

static int
handle_unpause (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  return simple_op (d, req, resp, container_manager_unpause, err);
}

static int
handle_rename (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  struct container *c = berth_container_get (d, req, err);
  int r;

  if (c == NULL)
    return berth_error_ret (err);
  r = container_manager_rename (d->containers, c, berth_request_query (req, "name"), err);
  container_manager_put (d->containers, c);
  if (r < 0)
    return r;
  no_content (resp);
  return 0;
}

static int
handle_top (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  struct container *c = berth_container_get (d, req, err);
  json_object *o = NULL;
  int r;

  if (c == NULL)
    return berth_error_ret (err);
  r = container_manager_top (d->containers, c, berth_request_query (req, "ps_args"), &o, err);
  container_manager_put (d->containers, c);
  if (r < 0)
    return r;
  berth_response_json (resp, 200, o);
  return 0;
}

/* --- prune --- */

struct prune_ctx
{
  struct berth_filters *f;
  int64_t until; /* unix seconds; 0 = none */
};

/* "key" or "key=value" against Config.Labels */
static bool
has_label (const struct container *c, const char *want)
{
  json_object *labels = json_object_object_get (c->config, "Labels");
  const char *eq = strchr (want, '=');
  cleanup_free char *key = eq ? xstrndup (want, (size_t) (eq - want)) : xstrdup (want);
  json_object *v;

  if (!json_object_object_get_ex (labels, key, &v))
    return false;
  return eq == NULL || strcmp (json_object_get_string (v), eq + 1) == 0;
}

static bool
prune_match (void *ud, const struct container *c)
{
  struct prune_ctx *p = ud;
  char *const *v;

  if (p->until != 0 && c->created_unix > p->until)
    return false;
  if ((v = berth_filters_get (p->f, "label")) != NULL)
    for (size_t i = 0; v[i] != NULL; i++)
      if (!has_label (c, v[i]))
        return false;
  if ((v = berth_filters_get (p->f, "label!")) != NULL)
    for (size_t i = 0; v[i] != NULL; i++)
      if (has_label (c, v[i]))
        return false;
  return true;
}

static int
handle_prune (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  static const char *const accepted[] = { "label", "label!", "until", NULL };
  struct prune_ctx p = { NULL, 0 };
  json_object *deleted = NULL, *o;
  int64_t reclaimed = 0, ns;
  char *const *until;
  int r = 0;

  if (berth_filters_parse (req, accepted, &p.f, err) < 0)
    return berth_error_ret (err);
  until = berth_filters_get (p.f, "until");
  if (until != NULL && until[0] != NULL)
    {
      if (until[1] != NULL)
        r = berth_error_make (err, EINVAL, "more than one until filter specified");
      else if (berth_timestamp_parse (until[0], berth_now_ns (), "until", &ns, err) < 0)
        r = berth_error_ret (err);
      else
        p.until = ns / 1000000000LL;
    }
  if (r == 0)
    r = container_manager_prune (d->containers, prune_match, &p, &deleted, &reclaimed, err);
  berth_filters_free (p.f);
  if (r < 0)
    return r;
  o = json_object_new_object ();
  json_object_object_add (o, "ContainersDeleted", deleted);
  json_object_object_add (o, "SpaceReclaimed", json_object_new_int64 (reclaimed));
  berth_response_json (resp, 200, o);
  return 0;
}

static const struct berth_route ops_routes[] = {
  { "POST", "/containers/{id}/pause", BERTH_BODY_IGNORE, handle_pause },
  { "POST", "/containers/{id}/unpause", BERTH_BODY_IGNORE, handle_unpause },
  { "POST", "/containers/{id}/rename", BERTH_BODY_IGNORE, handle_rename },
  { "GET", "/containers/{id}/top", BERTH_BODY_IGNORE, handle_top },
  { "POST", "/containers/prune", BERTH_BODY_IGNORE, handle_prune },
};

void
berth_container_ops_routes (struct berth_router *r)
{
  berth_router_add (r, ops_routes, sizeof (ops_routes) / sizeof (ops_routes[0]));
  berth_container_stats_routes (r);
}
