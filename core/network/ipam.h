/* IPv4 address management for one subnet: which addresses are leased.
   The gateway, the network and the broadcast address are never handed out;
   allocation continues after the last address given (as Docker's), so an
   address just released is not reused at once.  Not thread-safe: the
   network service holds its lock around every call. */
#ifndef BERTH_NETWORK_IPAM_H
#define BERTH_NETWORK_IPAM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/lib/error.h"

struct ipam4;

/* "a.b.c.d/n" (host bits must be zero when strict) */
int ipam4_parse_cidr (const char *s, bool strict, uint32_t *ret_addr, unsigned *ret_prefix, berth_error_t *err);
int ipam4_parse_addr (const char *s, uint32_t *ret, berth_error_t *err);
/* host byte order in, dotted quad out (malloc'd) */
char *ipam4_format (uint32_t addr);

/* prefix 8..30; gateway inside the subnet */
struct ipam4 *ipam4_new (uint32_t subnet, unsigned prefix, uint32_t gateway);
void ipam4_free (struct ipam4 *p);
/* ipam4_alloc picks only from range/prefix (--ip-range, inside the
   subnet); reserve takes any address of the subnet (a static --ip) */
void ipam4_set_range (struct ipam4 *p, uint32_t range, unsigned prefix);
/* -ENOSPC when every address is leased */
int ipam4_alloc (struct ipam4 *p, uint32_t *ret, berth_error_t *err);
/* a lease kept across a daemon restart: -EEXIST when taken, -EINVAL outside */
int ipam4_reserve (struct ipam4 *p, uint32_t addr, berth_error_t *err);
void ipam4_release (struct ipam4 *p, uint32_t addr);
bool ipam4_leased (const struct ipam4 *p, uint32_t addr);

#endif
