#include "config.h"

#include <errno.h>
#include <string.h>

#include "core/container/etc-files.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/network/manager-network.h"
#include "core/network/service.h"

bool
manager_network_on_bridge (const struct container *c)
{
  const char *mode = json_object_get_string (json_object_object_get (c->host_config, "NetworkMode"));

  return mode == NULL || mode[0] == '\0' || strcmp (mode, "default") == 0 || strcmp (mode, NETWORK_DEFAULT_NAME) == 0;
}

int
manager_network_start (struct container_manager *m, struct container *c, berth_error_t *err)
{
  json_object *settings = NULL;
  char *netns = NULL;

  if (!manager_network_on_bridge (c))
    return 0;
  if (m->networks == NULL)
    return berth_error_make (err, ENETUNREACH, "networking is not available in this daemon");
  manager_network_stop (m, c); /* a previous run's, if its exit was missed */
  if (network_service_attach (m->networks, c->id, c->config, c->host_config, &settings, &netns, err) < 0)
    return berth_error_ret (err);
  c->network_settings = settings;
  c->netns_path = netns;
  if (container_etc_hosts_write (c, json_object_get_string (json_object_object_get (settings, "IPAddress")), err) < 0)
    {
      manager_network_stop (m, c);
      return berth_error_ret (err);
    }
  return 0;
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
  c->network_settings = network_service_restore (m->networks, c->id, c->config, manager_running (c), &c->netns_path);
}

void
manager_network_restore_done (struct container_manager *m)
{
  if (m->networks != NULL)
    network_service_restore_done (m->networks);
}
