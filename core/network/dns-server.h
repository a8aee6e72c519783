/* The embedded DNS responder of user-defined networks: one UDP socket per
   network on its gateway address, port 53, served by one thread.
   A query that comes in on the network's bridge from its subnet is
   answered from that network's names (containers' names, aliases and
   short ids: A records, TTL 600; other types of such a name get an empty
   answer); any other name is relayed to the upstream servers (the asking
   container's --dns servers, else network-opts dns-forward, else the
   host's resolv.conf) from the host's side, and their answer relayed back.  Names of other networks are never answered
   (a query to this address from elsewhere is REFUSED).

   The thread takes only the server's own lock, never the network
   service's, so the service may call in with its lock held. */
#ifndef BERTH_NETWORK_DNS_SERVER_H
#define BERTH_NETWORK_DNS_SERVER_H

#include <stdint.h>

#include "core/lib/error.h"

struct dns_server;

/* upstreams: "ip[:port]" separated by commas or spaces, or NULL for the
   host's resolv.conf (/run/systemd/resolve/resolv.conf first, then
   /etc/resolv.conf; IPv4 nameservers, loopback ones included: the daemon
   reaches them). port: where listeners bind (53). */
int dns_server_new (const char *upstreams, uint16_t port, struct dns_server **ret, berth_error_t *err);
void dns_server_free (struct dns_server *srv);

/* addr: the gateway; ifindex: the bridge (0: any); subnet/prefix: who may ask */
int dns_server_listen (struct dns_server *srv, const char *net_id, uint32_t addr, unsigned ifindex, uint32_t subnet,
                       unsigned prefix, berth_error_t *err);
/* the socket is closed when this returns */
void dns_server_unlisten (struct dns_server *srv, const char *net_id);

/* name resolves to ip on net_id, for container cid (case-insensitive) */
void dns_server_add_name (struct dns_server *srv, const char *net_id, const char *cid, const char *name, uint32_t ip);
void dns_server_remove_names (struct dns_server *srv, const char *net_id, const char *cid);
/* the IPv6 address of cid's names on net_id (added before): AAAA queries
   for them are answered with it (N1: IPv6 networks) */
struct in6_addr;
void dns_server_set_name6 (struct dns_server *srv, const char *net_id, const char *cid, const struct in6_addr *ip6);

/* Other names asked by container cid go to servers ("ip", NULL-terminated:
   its --dns; IPv6 ones are not used yet) instead of the daemon's
   upstreams, from the host's side as those; NULL or none usable: the
   daemon's again. */
void dns_server_set_upstreams (struct dns_server *srv, const char *cid, const char *const *servers);

#endif
