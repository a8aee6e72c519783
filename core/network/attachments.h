/* The networks a container joins when it starts, in order, with the
 * endpoint settings asked (--network, --ip, --network-alias, `network
 * connect` of a container that does not run): <container dir>/networks.json
 * (atomically), [{"NetworkID","Name","Aliases":[...],"IPv4Address","IPv6Address"}].
 * Written at create from HostConfig.NetworkMode and
 * NetworkingConfig.EndpointsConfig; a container without the file (made
 * before user networks) joins its NetworkMode. */
#ifndef BERTH_NETWORK_ATTACHMENTS_H
#define BERTH_NETWORK_ATTACHMENTS_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "core/lib/error.h"

struct network_service;

struct net_attachment
{
  char *net_id, *name;
  char **aliases; /* NULL-terminated, never NULL */
  char *ipv4;     /* or NULL */
  char *ipv6;     /* IPv6Address (--ip6), or NULL */
};

struct net_attachments
{
  struct net_attachment *a;
  size_t n;
};

/* -ENOENT when the file is not there */
int net_attachments_load (const char *dir, struct net_attachments *ret);
int net_attachments_save (const char *dir, const struct net_attachments *l, berth_error_t *err);
void net_attachments_clear (struct net_attachments *l);
/* index of the network (by id), or -1 */
ssize_t net_attachments_find (const struct net_attachments *l, const char *net_id);
void net_attachments_remove (struct net_attachments *l, size_t i);

/* One endpoint config (EndpointConfig of connect, an EndpointsConfig
   value) checked against network `what`: 404 when there is no such
   network, Docker's refusals of --ip and aliases where they do not apply,
   host/none/container networks refused (they are not attachments). */
int net_attachment_make (struct network_service *s, const char *what, json_object *endpoint_config,
                         struct net_attachment *ret, berth_error_t *err);
void net_attachment_clear (struct net_attachment *a);

/* Create: from NetworkMode (a network's name or id; host, none and
   container: have none) and EndpointsConfig. */
int net_attachments_from_create (struct network_service *s, json_object *host_config, json_object *body,
                                 struct net_attachments *ret, berth_error_t *err);

#endif
