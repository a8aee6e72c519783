/* An endpoint of a container on a network, and its record (written
   atomically): <dir>/<container-id>.json on the default bridge (as before
   user networks), <dir>/<container-id>-<network-id>.json on the others. */
#ifndef BERTH_NETWORK_ENDPOINT_H
#define BERTH_NETWORK_ENDPOINT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/lib/error.h"
#include "core/network/ports.h"

struct net_endpoint
{
  char *cid;    /* the container */
  char *net_id; /* the network */
  char *id;     /* EndpointID: 64 hex */
  char *name;   /* the container's name (DNS, network inspect) */
  char **aliases; /* --network-alias (NULL-terminated, may be NULL) */
  char *static_ip; /* IPAMConfig.IPv4Address asked, or NULL */
  char *static_ip6; /* IPAMConfig.IPv6Address asked, or NULL */
  unsigned ifnum; /* eth<ifnum> in the container */
  uint32_t ip; /* host byte order */
  bool has_ip6; /* on a network with IPv6 */
  struct in6_addr ip6;
  uint8_t mac[6];
  char *netns; /* the namespace's bind mount */
  struct net_port *ports;
  size_t n_ports;
  /* in memory only */
  bool declared; /* the driver knows it, in this daemon's life */
  bool joined;   /* its interfaces were made, in this daemon's life */
  bool claimed;  /* restore found its container */
};

/* Docker's: 02:42 and the four bytes of the address */
void net_endpoint_mac (uint32_t ip, uint8_t mac[6]);
char *net_endpoint_mac_text (const uint8_t mac[6]);

/* default_net: the default bridge's id (its records keep the old name) */
int net_endpoint_save (const char *dir, const char *default_net, const struct net_endpoint *e, berth_error_t *err);
void net_endpoint_unlink (const char *dir, const char *default_net, const struct net_endpoint *e);
/* every readable record; bad ones are logged and skipped */
void net_endpoints_load (const char *dir, const char *default_net, struct net_endpoint ***ret, size_t *ret_n);
void net_endpoint_free (struct net_endpoint *e);

#endif
