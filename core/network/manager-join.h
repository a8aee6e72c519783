/* The container manager's side of user-defined networks: the networks a
 * container joins at start (attachments.h), the files that follow from
 * them (/etc/hosts with a line per address, edited in place at connect and
 * disconnect of a running container; /etc/resolv.conf pointing at the
 * embedded DNS on a user network), `network connect` and
 * `network disconnect` of a container, running or not. */
#ifndef BERTH_NETWORK_MANAGER_JOIN_H
#define BERTH_NETWORK_MANAGER_JOIN_H

#include <json-c/json.h>

#include "core/container/manager-internal.h"

/* Create (manager.c): networks.json from NetworkMode and EndpointsConfig. */
int manager_network_create (struct container_manager *m, struct container *c, json_object *body, berth_error_t *err);

/* Start, lock held, after manager_network_stop: every network of c joined;
   c->network_settings and c->netns_path set (NULL when it has none). */
int manager_networks_join (struct container_manager *m, struct container *c, berth_error_t *err);

/* POST /networks/{id}/connect: endpoint_config as sent (may be NULL). */
int container_manager_network_connect (struct container_manager *m, const char *container, const char *network,
                                       json_object *endpoint_config, berth_error_t *err);
/* POST /networks/{id}/disconnect */
int container_manager_network_disconnect (struct container_manager *m, const char *container, const char *network,
                                          bool force, berth_error_t *err);

#endif
