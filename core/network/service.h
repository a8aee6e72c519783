/* The daemon's networks: for now the default `bridge` network, its IPAM and
 * the endpoints of containers on it.
 *
 * At open the bridge driver creates the network (bridge interface, gateway
 * address, nftables table) from network-opts (bridge, subnet, mtu,
 * nft-table; the subnet is chosen and remembered in <data-root>/network/
 * bridge.json when not configured).  attach gives a starting container an
 * address, a network namespace (<exec-root>/netns/<id>) configured by the
 * driver, and its published ports; detach undoes all of it.  Every endpoint
 * is recorded in <data-root>/network/endpoints/<container-id>.json (written
 * atomically before anything is configured), so after a crash restore keeps
 * the lease of a container still running and undoes the rest.
 *
 * Thread-safe (one lock).  The JSON returned is NetworkSettings as moby
 * shows it in container inspect. */
#ifndef BERTH_NETWORK_SERVICE_H
#define BERTH_NETWORK_SERVICE_H

#include <stdbool.h>

#include <json-c/json.h>

#include "core/lib/error.h"

struct berth_plugins;
struct berth_cfg;
struct network_service;

/* The name of the default network, as Docker's. */
#define NETWORK_DEFAULT_NAME "bridge"

struct network_service_opts
{
  const char *data_root, *exec_root;
  struct berth_plugins *plugins;
  const struct berth_cfg *opts; /* network-opts of berth.yaml, may be NULL */
};

/* Fails on a bad network-opts; a bridge that cannot be set up is logged and
   reported by every attach instead (containers on none/host still run). */
int network_service_open (const struct network_service_opts *o, struct network_service **ret, berth_error_t *err);
void network_service_close (struct network_service *s);

/* Join container cid to the default bridge.  host_config: PortBindings,
   PublishAllPorts; config: ExposedPorts.  Returns NetworkSettings and the
   network namespace's path (for the runtime to join). */
int network_service_attach (struct network_service *s, const char *cid, json_object *config, json_object *host_config,
                            json_object **ret_settings, char **ret_netns, berth_error_t *err);
/* Undo attach (or a restored endpoint); nothing to do is not an error. */
void network_service_detach (struct network_service *s, const char *cid);
/* Daemon start: the endpoint of a container that still runs is declared to
   the driver again and its lease kept (settings returned, NULL when it had
   none); for a container that does not run, every trace is removed. */
json_object *network_service_restore (struct network_service *s, const char *cid, json_object *config, bool running,
                                      char **ret_netns);
/* After every container was restored: endpoints of containers that are
   gone are undone. */
void network_service_restore_done (struct network_service *s);

#endif
