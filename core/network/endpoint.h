/* An endpoint of a container on the default bridge, and its record
   <dir>/<container-id>.json (written atomically). */
#ifndef BERTH_NETWORK_ENDPOINT_H
#define BERTH_NETWORK_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/lib/error.h"
#include "core/network/ports.h"

struct net_endpoint
{
  char *cid;   /* the container */
  char *id;    /* EndpointID: 64 hex */
  uint32_t ip; /* host byte order */
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

int net_endpoint_save (const char *dir, const struct net_endpoint *e, berth_error_t *err);
void net_endpoint_unlink (const char *dir, const char *cid);
/* every readable record; bad ones are logged and skipped */
void net_endpoints_load (const char *dir, struct net_endpoint ***ret, size_t *ret_n);
void net_endpoint_free (struct net_endpoint *e);

#endif
