/* `--network container:<name|id>` (HostConfig.NetworkMode
 * "container:<id>"): a container that runs in another running container's
 * network namespace, as moby does it: no endpoint of its own (empty
 * NetworkSettings), the other container's hostname and domain name, and
 * its /etc/hosts, /etc/resolv.conf and /etc/hostname (the same files). */
#ifndef BERTH_NETWORK_CONTAINER_MODE_H
#define BERTH_NETWORK_CONTAINER_MODE_H

#include "core/container/manager-internal.h"

/* Start, manager lock held: c->netns_path is the other container's
   namespace; refused as moby does when it is c itself, is missing or does
   not run. */
int container_mode_start (struct container_manager *m, struct container *c, const char *target,
                          berth_error_t *err);

#endif
