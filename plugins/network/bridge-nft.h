/* nftables rules of the bridge driver (libnftables), all in one table of
   the driver's own (`table ip berth` by default); no other table is ever
   read, changed or flushed.

   Per network: masquerade for the subnet leaving through any other
   interface, forwarding accepted for established connections back in,
   and two DNAT maps for published ports, consulted in prerouting (traffic
   from outside) and output (the host's own, loopback included; the bridge
   gets route_localnet and such connections are masqueraded to the gateway
   so the container can answer). */
#ifndef BERTH_BRIDGE_NFT_H
#define BERTH_BRIDGE_NFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BNFT_MSG 512

/* The table built afresh (an old one of the same name is replaced whole).
   Forwarding into the bridge from elsewhere (another network, a routed
   outsider) is dropped except answers and published ports; internal: no
   masquerade, and nothing from the bridge is forwarded elsewhere.
   subnet6 (NULL: none): a `table ip6` of the same name with the same
   masquerade and forwarding rules for IPv6, and a DNAT map for ports
   published on every address (bnft_port6); without it, an ip6 table of
   that name is removed.  One transaction. */
int bnft_table_setup (const char *table, const char *bridge, const char *subnet, const char *subnet6, bool internal,
                      char msg[BNFT_MSG]);
/* both families' tables of that name */
int bnft_table_remove (const char *table, char msg[BNFT_MSG]);

/* One published port: host_ip NULL or "0.0.0.0" is every local address.
   add fails with -EEXIST when the host port is taken by another rule. */
int bnft_port (const char *table, bool add, const char *host_ip, uint16_t proto, uint16_t host_port,
               const char *container_ip, uint16_t container_port, char msg[BNFT_MSG]);

/* A port published on every address (-p HOSTPORT:PORT), over IPv6, to the
   container's v6 address: the ip6 table's map, consulted for the host's
   addresses but ::1 (a packet from ::1 cannot be routed to a container). */
int bnft_port6 (const char *table, bool add, uint16_t proto, uint16_t host_port, const char *container_ip6,
                uint16_t container_port, char msg[BNFT_MSG]);

/* [a-zA-Z0-9_-], 1..63 characters: safe inside an nft command */
bool bnft_name_ok (const char *name);

#endif
