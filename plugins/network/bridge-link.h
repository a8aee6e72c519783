/* Links and addresses of the bridge driver, through libnl-route-3: the
   bridge itself, one veth pair per endpoint (the peer created directly in
   the container's network namespace as eth0), and the peer's address and
   default route, set from a thread that entered that namespace.

   Every function returns 0 or a negative errno with a message in msg. */
#ifndef BERTH_BRIDGE_LINK_H
#define BERTH_BRIDGE_LINK_H

#include <stddef.h>
#include <stdint.h>

#define BLINK_MSG 256

/* The bridge `name` exists (created when missing, with a random MAC of
   its own, 02:42:...; an existing link of another type is an error), is up, has mtu and the address gw_cidr, and
   gw6_cidr too unless NULL (without duplicate address detection: a bridge
   with no port has no carrier, and its address would stay tentative). */
int blink_bridge_ensure (const char *name, uint32_t mtu, const char *gw_cidr, const char *gw6_cidr,
                         char msg[BLINK_MSG]);

/* One endpoint's interfaces, all from one thread: a veth pair, host_name
   enslaved to bridge, up and in hairpin mode, its peer `peer_name` (eth0,
   eth1, ...) in the namespace netns_fd with the MAC mac, both with mtu;
   then, inside netns_fd, lo and peer_name up, cidr on peer_name and a
   default route via gateway unless gateway is NULL.  IPv6: with cidr6,
   peer_name takes no router advertisements and does no duplicate address
   detection (the address is usable at once), gets cidr6 and a default
   route via gateway6 unless that is NULL; without cidr6, IPv6 is disabled
   on peer_name (as Docker does on an IPv4-only network).  On failure the
   veth pair is deleted. */
int blink_endpoint_setup (const char *host_name, const char *bridge, int netns_fd, const char *peer_name,
                          const uint8_t mac[6], uint32_t mtu, const char *cidr, const char *gateway,
                          const char *cidr6, const char *gateway6, char msg[BLINK_MSG]);

/* Delete the link `name`; a link that is not there is not an error. */
int blink_delete (const char *name, char msg[BLINK_MSG]);

/* blink_delete on a worker thread: returns at once (0), or deletes here
   when no worker can be started.  Failures go to the report function of
   blink_reaper_init (called with msg). */
int blink_delete_later (const char *name, char msg[BLINK_MSG]);

/* Wait until no deletion of `name` (any name for NULL) is queued or running. */
void blink_delete_settle (const char *name);

void blink_reaper_init (void (*report) (void *ud, const char *msg), void *ud);

/* Finish the queued deletions and end the worker (before the plugin is unloaded). */
void blink_reaper_stop (void);

/* Write 1 to /proc/sys/<path>; *changed tells whether it was something else. */
int blink_sysctl_on (const char *path, int *changed, char msg[BLINK_MSG]);
/* Write value ('0' or '1') to /proc/sys/<path> when it differs; the
   namespace is the calling thread's. */
int blink_sysctl_put (const char *path, char value, int *changed, char msg[BLINK_MSG]);

/* Hairpin mode on the bridge port `port` (a veth): with br_netfilter, a
   container's packet to a published port of its own is DNATed at the
   bridge and must go back out of the port it came in by. */
int blink_port_hairpin (const char *port, char msg[BLINK_MSG]);

#endif
