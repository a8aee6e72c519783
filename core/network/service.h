/* The daemon's networks: the default `bridge` network, `host`, `none` and
 * the user-defined networks (netdef.h), their IPAM, the endpoints of
 * containers on them, and the DNS responder of user networks.
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

/* What a network is, for the manager and the API. */
struct network_info
{
  char *id, *name, *driver;
  bool predefined, user_subnet, internal, ipv6;
};
void network_info_clear (struct network_info *i);
/* by full id, name, then unique id prefix (Docker's order); ENOENT
   "network X not found" */
int network_service_find (struct network_service *s, const char *what, struct network_info *ret, berth_error_t *err);

/* --- the networks (the /networks API) --- */

struct network_create_req
{
  const char *name, *driver;            /* driver: "" = bridge */
  const char *subnet, *gateway, *range; /* NULL or "" when not given */
  const char *subnet6, *gateway6;       /* the IPv6 pool (with ipv6), NULL or "" when not given */
  bool internal, attachable, ipv6;
  json_object *labels, *options;        /* borrowed; objects of strings, may be NULL */
};
/* 0 and the new network's id; EEXIST for a name in use */
int network_service_create (struct network_service *s, const struct network_create_req *r, char **ret_id,
                            berth_error_t *err);
/* EPERM for predefined networks and networks with endpoints */
int network_service_remove (struct network_service *s, const char *what, berth_error_t *err);
/* Docker's network objects: predefined first, then by creation; with
   containers, Containers is filled */
json_object *network_service_list (struct network_service *s, bool containers);
int network_service_inspect (struct network_service *s, const char *what, json_object **ret, berth_error_t *err);
/* user networks without endpoints for which keep() says false are removed;
   their names returned (array) */
json_object *network_service_prune (struct network_service *s, bool (*keep) (void *ud, json_object *net), void *ud);

/* --- endpoints (the container manager) --- */

struct network_attach
{
  const char *cid, *name;   /* the container */
  const char *network;      /* id or name */
  const char *static_ip;    /* IPAMConfig.IPv4Address, or NULL */
  const char *static_ip6;   /* IPAMConfig.IPv6Address, or NULL */
  char *const *aliases;     /* NULL-terminated, or NULL */
  json_object *config, *host_config; /* ExposedPorts, PortBindings: when publish */
  bool publish;
};

/* Join a container to a network: an address, its namespace (the first
   endpoint of a container creates it at <exec-root>/netns/<id>, the next
   ones join it as eth1, eth2...), published ports, its names in the
   network's DNS.  ret_netns may be NULL. */
int network_service_attach (struct network_service *s, const struct network_attach *a, char **ret_netns,
                            berth_error_t *err);
/* Undo every endpoint of cid; nothing to do is not an error. */
void network_service_detach (struct network_service *s, const char *cid);
/* Undo cid's endpoint on one network: ENOENT when it has none. */
int network_service_detach_one (struct network_service *s, const char *cid, const char *network, berth_error_t *err);
/* NetworkSettings of cid's endpoints (moby's: the top-level address fields
   are the default bridge's), or NULL when it has none. */
json_object *network_service_settings (struct network_service *s, const char *cid, json_object *config);
/* The address of cid's first endpoint, and the DNS server of its first
   user network (NULL when none); malloc'd, either may be NULL. */
void network_service_addresses (struct network_service *s, const char *cid, char **ret_ip, char **ret_dns);
/* The addresses of cid's endpoints (on network only, when not NULL), eth0's
   first: a NULL-terminated list, empty when none (free with strv_free). */
char **network_service_ips (struct network_service *s, const char *cid, const char *network);
/* rename: cid's endpoints and their records get the new name, and the
   networks' DNS answers it instead of the old one. */
void network_service_rename (struct network_service *s, const char *cid, const char *name);
/* HostConfig.Dns of cid (its endpoints exist): the upstream servers of the
   networks' DNS for its other names (attach does it; restore needs it). */
void network_service_container_dns (struct network_service *s, const char *cid, json_object *host_config);
/* Daemon start: the endpoints of a container that still runs are declared
   to the driver again and their leases kept (the namespace's path
   returned, NULL when it had none); for a container that does not run,
   every trace is removed. */
char *network_service_restore (struct network_service *s, const char *cid, bool running);
/* After every container was restored: endpoints of containers that are
   gone are undone. */
void network_service_restore_done (struct network_service *s);

#endif
