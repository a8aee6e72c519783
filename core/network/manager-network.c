#include "config.h"

#include <errno.h>
#include <string.h>

#include "core/container/etc-files.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/network/container-mode.h"
#include "core/network/manager-join.h"
#include "core/network/manager-network.h"
#include "core/network/net-options.h"
#include "core/network/service.h"

bool
manager_network_on_bridge (const struct container *c)
{
  const char *mode = json_object_get_string (json_object_object_get (c->host_config, "NetworkMode"));

  /* the default bridge or a user-defined network (manager-join.c) */
  return mode == NULL || (strcmp (mode, "host") != 0 && strcmp (mode, "none") != 0
                          && net_mode_container_target (mode) == NULL);
}

int
manager_network_start (struct container_manager *m, struct container *c, berth_error_t *err)
{
  const char *target
      = net_mode_container_target (json_object_get_string (json_object_object_get (c->host_config, "NetworkMode")));

  if (target != NULL)
    return container_mode_start (m, c, target, err);
  if (!manager_network_on_bridge (c))
    return 0;
  if (m->networks == NULL)
    return berth_error_make (err, ENETUNREACH, "networking is not available in this daemon");
  manager_network_stop (m, c); /* a previous run's, if its exit was missed */
  return manager_networks_join (m, c, err);
}

void
manager_network_stop (struct container_manager *m, struct container *c)
{
  if (m->networks != NULL)
    network_service_detach (m->networks, c->id);
  json_object_put (c->network_settings);
  c->network_settings = NULL;
  free (c->netns_path);
  c->netns_path = NULL;
}

void
manager_network_restore (struct container_manager *m, struct container *c)
{
  if (m->networks == NULL)
    return;
  json_object_put (c->network_settings);
  free (c->netns_path);
  c->netns_path = NULL;
  c->netns_path = network_service_restore (m->networks, c->id, manager_running (c));
  c->network_settings = c->netns_path ? network_service_settings (m->networks, c->id, c->config) : NULL;
  if (c->netns_path != NULL)
    network_service_container_dns (m->networks, c->id, c->host_config); /* its --dns: its upstreams */
}

void
manager_network_renamed (struct container_manager *m, struct container *c)
{
  if (m->networks == NULL)
    return;
  network_service_rename (m->networks, c->id, c->name);
  if (c->network_settings != NULL)
    {
      json_object_put (c->network_settings);
      c->network_settings = network_service_settings (m->networks, c->id, c->config);
    }
}

void
manager_network_restore_done (struct container_manager *m)
{
  if (m->networks != NULL)
    network_service_restore_done (m->networks);
  net_options_learn_host_gateway (m->networks); /* --add-host NAME:host-gateway */
}
