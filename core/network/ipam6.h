/* IPv6 address management for one subnet, beside the IPv4 pool of a
   network (ipam.h): which addresses are leased.  Addresses are handed out
   from the start of the subnet (offset 1 on), after the last one given, as
   ipam4 does; the subnet-router anycast address (offset 0) and the gateway
   never are.  Only the first 2^64 addresses of a subnet wider than /64 are
   used.  Not thread-safe: the network service holds its lock. */
#ifndef BERTH_NETWORK_IPAM6_H
#define BERTH_NETWORK_IPAM6_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/lib/error.h"

struct ipam6;

/* "addr/n", n 1..127 (host bits must be zero when strict) */
int ipam6_parse_cidr (const char *s, bool strict, struct in6_addr *ret_addr, unsigned *ret_prefix, berth_error_t *err);
int ipam6_parse_addr (const char *s, struct in6_addr *ret, berth_error_t *err);
/* the canonical text (malloc'd) */
char *ipam6_format (const struct in6_addr *a);
/* the address at offset off of subnet (the low 64 bits added) */
struct in6_addr ipam6_nth (const struct in6_addr *subnet, uint64_t off);
/* whether a is inside subnet/prefix */
bool ipam6_contains (const struct in6_addr *subnet, unsigned prefix, const struct in6_addr *a);
bool ipam6_overlap (const struct in6_addr *a, unsigned ap, const struct in6_addr *b, unsigned bp);
/* zero the host bits */
void ipam6_mask (struct in6_addr *a, unsigned prefix);

/* A unique local /64 for a network given no IPv6 subnet (RFC 4193: fd,
   then a 40-bit global id, here the first 10 hex digits of the network's
   id, then subnet 0), as Docker's default pool gives one. */
int ipam6_ula_of_id (const char *hex_id, struct in6_addr *ret, unsigned *ret_prefix);

struct ipam6 *ipam6_new (const struct in6_addr *subnet, unsigned prefix, const struct in6_addr *gateway);
void ipam6_free (struct ipam6 *p);
/* -ENOSPC when every address is leased */
int ipam6_alloc (struct ipam6 *p, struct in6_addr *ret, berth_error_t *err);
/* -EEXIST when taken, -EINVAL outside */
int ipam6_reserve (struct ipam6 *p, const struct in6_addr *a, berth_error_t *err);
void ipam6_release (struct ipam6 *p, const struct in6_addr *a);
bool ipam6_leased (const struct ipam6 *p, const struct in6_addr *a);

#endif
