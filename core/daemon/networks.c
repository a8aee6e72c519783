#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/container/manager.h"
#include "core/daemon/daemon.h"
#include "core/daemon/events.h"
#include "core/daemon/filters.h"
#include "core/daemon/networks.h"
#include "core/lib/mem.h"
#include "core/network/manager-join.h"
#include "core/network/service.h"

static int
no_networks (struct berthd *d, berth_error_t *err)
{
  if (d->networks == NULL)
    return berth_error_make (err, ENOTSUP, "networking is not available in this daemon");
  return 0;
}

static const char *
get_s (json_object *o, const char *key)
{
  json_object *v = json_object_object_get (o, key);
  return json_object_is_type (v, json_type_string) ? json_object_get_string (v) : NULL;
}

static void
event (struct berthd *d, const char *action, const char *id, const char *name, const char *container)
{
  json_object *attrs = json_object_new_object ();

  json_object_object_add (attrs, "name", json_object_new_string (name ? name : ""));
  json_object_object_add (attrs, "type", json_object_new_string ("bridge"));
  if (container != NULL)
    json_object_object_add (attrs, "container", json_object_new_string (container));
  berth_events_publish (d->events, "network", action, id, attrs);
  json_object_put (attrs);
}

/* --- filters (moby's network filters) --- */

static bool
any_of (char *const *want, bool (*match) (const char *want, const char *have), const char *have)
{
  if (want == NULL)
    return true;
  for (size_t i = 0; want[i] != NULL; i++)
    if (match (want[i], have))
      return true;
  return false;
}

static bool
substr (const char *want, const char *have)
{
  return strstr (have, want) != NULL;
}

static bool
prefix (const char *want, const char *have)
{
  return strncmp (have, want, strlen (want)) == 0;
}

static bool
exact (const char *want, const char *have)
{
  return strcmp (want, have) == 0;
}

static bool
labels_match (json_object *net, char *const *want)
{
  json_object *labels = json_object_object_get (net, "Labels");

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
is_builtin (json_object *net)
{
  const char *name = get_s (net, "Name");
  return strcmp (name, "bridge") == 0 || strcmp (name, "host") == 0 || strcmp (name, "none") == 0;
}

static bool
keep (struct berth_filters *f, json_object *net)
{
  char *const *types = berth_filters_get (f, "type");

  if (!any_of (berth_filters_get (f, "name"), substr, get_s (net, "Name"))
      || !any_of (berth_filters_get (f, "id"), prefix, get_s (net, "Id"))
      || !any_of (berth_filters_get (f, "driver"), exact, get_s (net, "Driver"))
      || !any_of (berth_filters_get (f, "scope"), exact, "local") || !labels_match (net, berth_filters_get (f, "label")))
    return false;
  for (size_t i = 0; types != NULL && types[i] != NULL; i++)
    if ((strcmp (types[i], "builtin") == 0 && is_builtin (net)) || (strcmp (types[i], "custom") == 0 && !is_builtin (net)))
      return true;
  return types == NULL;
}

/* --- routes --- */

static int
handle_list (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  static const char *const accepted[] = { "name", "id", "driver", "label", "type", "scope", "dangling", NULL };
  struct berth_filters *f = NULL;
  json_object *all, *out;
  int dangling = -1;

  if (no_networks (d, err) < 0 || berth_filters_parse (req, accepted, &f, err) < 0)
    return berth_error_ret (err);
  if (berth_filters_get (f, "type") != NULL)
    for (char *const *t = berth_filters_get (f, "type"); *t != NULL; t++)
      if (strcmp (*t, "custom") != 0 && strcmp (*t, "builtin") != 0)
        {
          berth_filters_free (f);
          return berth_error_make (err, EINVAL, "invalid filter: 'type'='%s'", *t);
        }
  if (berth_filters_bool (f, "dangling", &dangling, err) < 0)
    {
      berth_filters_free (f);
      return berth_error_ret (err);
    }
  all = network_service_list (d->networks, dangling >= 0);
  out = json_object_new_array ();
  for (size_t i = 0; i < json_object_array_length (all); i++)
    {
      json_object *n = json_object_array_get_idx (all, i);
      if (!keep (f, n))
        continue;
      if (dangling >= 0)
        {
          bool unused = json_object_object_length (json_object_object_get (n, "Containers")) == 0 && !is_builtin (n);
          if (unused != (dangling == 1))
            continue;
          json_object_object_add (n, "Containers", json_object_new_object ());
        }
      json_object_array_add (out, json_object_get (n));
    }
  json_object_put (all);
  berth_filters_free (f);
  berth_response_json (resp, 200, out);
  return 0;
}

static int
handle_inspect (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  json_object *o = NULL;

  if (no_networks (d, err) < 0
      || network_service_inspect (d->networks, berth_request_capture (req, "id"), &o, err) < 0)
    return berth_error_ret (err);
  berth_response_json (resp, 200, o);
  return 0;
}

static int
string_field (json_object *body, const char *key, const char **ret, berth_error_t *err)
{
  json_object *v = json_object_object_get (body, key);

  *ret = NULL;
  if (v == NULL || json_object_is_type (v, json_type_null))
    return 0;
  if (!json_object_is_type (v, json_type_string))
    return berth_error_make (err, EINVAL, "%s: expected a string", key);
  *ret = json_object_get_string (v);
  return 0;
}

static bool
truthy (json_object *body, const char *key)
{
  return json_object_get_boolean (json_object_object_get (body, key));
}

static bool
non_empty (json_object *v)
{
  return v != NULL && !json_object_is_type (v, json_type_null)
         && !(json_object_is_type (v, json_type_object) && json_object_object_length (v) == 0)
         && !(json_object_is_type (v, json_type_array) && json_object_array_length (v) == 0)
         && !(json_object_is_type (v, json_type_string) && json_object_get_string_len (v) == 0);
}

/* IPAM{Driver,Config[{Subnet,IPRange,Gateway,AuxiliaryAddresses}],Options}: one IPv4 pool and one IPv6 pool */
static int
ipam_request (json_object *ipam, struct network_create_req *r, berth_error_t *err)
{
  json_object *cfg = json_object_object_get (ipam, "Config");
  const char *driver = get_s (ipam, "Driver");

  if (ipam == NULL || json_object_is_type (ipam, json_type_null))
    return 0;
  if (!json_object_is_type (ipam, json_type_object))
    return berth_error_make (err, EINVAL, "IPAM: expected an object");
  if (driver != NULL && driver[0] != '\0' && strcmp (driver, "default") != 0)
    return berth_error_make (err, ENOTSUP, "IPAM driver %s is not supported by berth (only default)", driver);
  if (non_empty (json_object_object_get (ipam, "Options")))
    return berth_error_make (err, ENOTSUP, "IPAM options are not supported by berth");
  if (cfg == NULL || json_object_is_type (cfg, json_type_null))
    return 0;
  if (!json_object_is_type (cfg, json_type_array))
    return berth_error_make (err, EINVAL, "IPAM.Config: expected an array");
  for (size_t i = 0; i < json_object_array_length (cfg); i++)
    {
      json_object *c = json_object_array_get_idx (cfg, i);
      const char *sub = get_s (c, "Subnet");

      if (sub != NULL && strchr (sub, ':') != NULL)
        {
          /* the IPv6 pool of an EnableIPv6 network */
          if (r->subnet6 != NULL)
            return berth_error_make (err, ENOTSUP, "more than one IPv6 pool per network is not supported by berth");
          if (non_empty (json_object_object_get (c, "AuxiliaryAddresses")) || get_s (c, "IPRange") != NULL)
            return berth_error_make (err, ENOTSUP, "an IPv6 IPRange or auxiliary addresses are not supported by berth");
          r->subnet6 = sub;
          r->gateway6 = get_s (c, "Gateway");
          continue;
        }
      if (r->subnet != NULL)
        return berth_error_make (err, ENOTSUP, "more than one IPv4 pool per network is not supported by berth");
      if (non_empty (json_object_object_get (c, "AuxiliaryAddresses")))
        return berth_error_make (err, ENOTSUP, "auxiliary addresses are not supported by berth");
      r->subnet = sub;
      r->range = get_s (c, "IPRange");
      r->gateway = get_s (c, "Gateway");
      if (r->subnet == NULL && (r->range != NULL || r->gateway != NULL))
        return berth_error_make (err, EINVAL, "an IPRange or Gateway needs a Subnet");
    }
  return 0;
}

static int
handle_create (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  json_object *body = req->json, *o;
  struct network_create_req r = { 0 };
  cleanup_free char *id = NULL;
  const char *scope = NULL;

  if (no_networks (d, err) < 0)
    return berth_error_ret (err);
  if (body == NULL || !json_object_is_type (body, json_type_object))
    return berth_error_make (err, EINVAL, "invalid JSON: expected an object");
  if (string_field (body, "Name", &r.name, err) < 0 || string_field (body, "Driver", &r.driver, err) < 0
      || string_field (body, "Scope", &scope, err) < 0 || ipam_request (json_object_object_get (body, "IPAM"), &r, err) < 0)
    return berth_error_ret (err);
  if (r.name == NULL || r.name[0] == '\0')
    return berth_error_make (err, EINVAL, "network name is required");
  if (scope != NULL && scope[0] != '\0' && strcmp (scope, "local") != 0)
    return berth_error_make (err, EINVAL, "scope %s is not supported by berth (only local)", scope);
  if (truthy (body, "Ingress") || truthy (body, "ConfigOnly")
      || non_empty (json_object_object_get (json_object_object_get (body, "ConfigFrom"), "Network")))
    return berth_error_make (err, ENOTSUP, "ingress, config-only and config-from networks are not supported by berth");
  r.internal = truthy (body, "Internal");
  r.attachable = truthy (body, "Attachable");
  r.ipv6 = truthy (body, "EnableIPv6");
  r.labels = json_object_object_get (body, "Labels");
  r.options = json_object_object_get (body, "Options");
  if (network_service_create (d->networks, &r, &id, err) < 0)
    return berth_error_ret (err);
  event (d, "create", id, r.name, NULL);
  o = json_object_new_object ();
  json_object_object_add (o, "Id", json_object_new_string (id));
  json_object_object_add (o, "Warning", json_object_new_string (""));
  berth_response_json (resp, 201, o);
  return 0;
}

static int
handle_delete (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  struct network_info info = { 0 };

  if (no_networks (d, err) < 0 || network_service_find (d->networks, berth_request_capture (req, "id"), &info, err) < 0)
    return berth_error_ret (err);
  if (network_service_remove (d->networks, info.id, err) < 0)
    {
      network_info_clear (&info);
      return berth_error_ret (err);
    }
  event (d, "destroy", info.id, info.name, NULL);
  network_info_clear (&info);
  berth_response_text (resp, 204, "text/plain; charset=utf-8", "");
  return 0;
}

static int
container_field (json_object *body, const char **ret, berth_error_t *err)
{
  if (body == NULL || !json_object_is_type (body, json_type_object))
    return berth_error_make (err, EINVAL, "invalid JSON: expected an object");
  if (string_field (body, "Container", ret, err) < 0)
    return berth_error_ret (err);
  if (*ret == NULL || (*ret)[0] == '\0')
    return berth_error_make (err, EINVAL, "Container: a container is required");
  return 0;
}

static int
handle_connect (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  struct network_info info = { 0 };
  const char *container;
  struct container *c;

  if (no_networks (d, err) < 0 || container_field (req->json, &container, err) < 0
      || network_service_find (d->networks, berth_request_capture (req, "id"), &info, err) < 0)
    return berth_error_ret (err);
  if (container_manager_network_connect (d->containers, container, info.id,
                                         json_object_object_get (req->json, "EndpointConfig"), err)
      < 0)
    {
      network_info_clear (&info);
      return berth_error_ret (err);
    }
  c = container_manager_get (d->containers, container, NULL);
  event (d, "connect", info.id, info.name, c ? c->id : container);
  if (c != NULL)
    container_manager_put (d->containers, c);
  network_info_clear (&info);
  berth_response_text (resp, 200, "text/plain; charset=utf-8", "");
  return 0;
}

static int
handle_disconnect (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  struct network_info info = { 0 };
  const char *container;
  struct container *c;

  if (no_networks (d, err) < 0 || container_field (req->json, &container, err) < 0
      || network_service_find (d->networks, berth_request_capture (req, "id"), &info, err) < 0)
    return berth_error_ret (err);
  if (container_manager_network_disconnect (d->containers, container, info.id, truthy (req->json, "Force"), err) < 0)
    {
      network_info_clear (&info);
      return berth_error_ret (err);
    }
  c = container_manager_get (d->containers, container, NULL);
  event (d, "disconnect", info.id, info.name, c ? c->id : container);
  if (c != NULL)
    container_manager_put (d->containers, c);
  network_info_clear (&info);
  berth_response_text (resp, 200, "text/plain; charset=utf-8", "");
  return 0;
}

struct prune_ctx
{
  struct berth_filters *f;
};

static bool
prune_keep (void *ud, json_object *net)
{
  struct prune_ctx *p = ud;
  char *const *neg = berth_filters_get (p->f, "label!");

  if (!labels_match (net, berth_filters_get (p->f, "label")))
    return true;
  for (size_t i = 0; neg != NULL && neg[i] != NULL; i++)
    {
      char *const one[] = { neg[i], NULL };
      if (labels_match (net, one))
        return true;
    }
  return false;
}

static int
handle_prune (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  static const char *const accepted[] = { "label", "label!", NULL };
  struct prune_ctx p = { 0 };
  json_object *names, *o;

  if (no_networks (d, err) < 0 || berth_filters_parse (req, accepted, &p.f, err) < 0)
    return berth_error_ret (err);
  names = network_service_prune (d->networks, prune_keep, &p);
  berth_filters_free (p.f);
  for (size_t i = 0; i < json_object_array_length (names); i++)
    event (d, "destroy", "", json_object_get_string (json_object_array_get_idx (names, i)), NULL);
  o = json_object_new_object ();
  json_object_object_add (o, "NetworksDeleted", names);
  berth_response_json (resp, 200, o);
  return 0;
}

static const struct berth_route network_routes[] = {
  { "GET", "/networks", BERTH_BODY_IGNORE, handle_list },
  { "POST", "/networks/create", BERTH_BODY_JSON, handle_create },
  { "POST", "/networks/prune", BERTH_BODY_IGNORE, handle_prune },
  { "GET", "/networks/{id}", BERTH_BODY_IGNORE, handle_inspect },
  { "DELETE", "/networks/{id}", BERTH_BODY_IGNORE, handle_delete },
  { "POST", "/networks/{id}/connect", BERTH_BODY_JSON_REQUIRED, handle_connect },
  { "POST", "/networks/{id}/disconnect", BERTH_BODY_JSON_REQUIRED, handle_disconnect },
};

void
berth_network_routes (struct berth_router *r)
{
  berth_router_add (r, network_routes, sizeof (network_routes) / sizeof (network_routes[0]));
}
