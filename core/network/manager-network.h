/* The container manager's side of networking: what manager.c calls at
   start, exit, removal and daemon start for a container whose NetworkMode
   is the default bridge ("bridge", or "default"/empty from older
   records).  none and host need nothing here: the OCI spec gives them a
   fresh network namespace or none. */
#ifndef BERTH_NETWORK_MANAGER_NETWORK_H
#define BERTH_NETWORK_MANAGER_NETWORK_H

#include <stdbool.h>

#include "core/container/manager-internal.h"

/* on the default bridge or a user-defined network (not host, none,
   container:) */
bool manager_network_on_bridge (const struct container *c);
/* Start, before the bundle is written: an address, a namespace configured
   by the driver (c->netns_path), published ports, /etc/hosts. */
int manager_network_start (struct container_manager *m, struct container *c, berth_error_t *err);
/* Exit, a start that failed, removal: undo; safe to call twice. */
void manager_network_stop (struct container_manager *m, struct container *c);
/* Daemon start, for every container found (lock held). */
void manager_network_restore (struct container_manager *m, struct container *c);
/* rename (lock held, c->name is the new name): the networks' DNS and
   NetworkSettings follow. */
void manager_network_renamed (struct container_manager *m, struct container *c);
/* Daemon start, after every container: endpoints of gone containers. */
void manager_network_restore_done (struct container_manager *m);

#endif
