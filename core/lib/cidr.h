/* CIDR ranges ("10.0.0.0/8", "fd00::/8"): parsing and matching. */
#ifndef BERTH_LIB_CIDR_H
#define BERTH_LIB_CIDR_H

#include <stdbool.h>

struct berth_cidr
{
  int family; /* AF_INET or AF_INET6 */
  unsigned char addr[16];
  int prefix;
};

/* false when s is not ADDRESS/PREFIX with a prefix that fits the family */
bool berth_cidr_parse (const char *s, struct berth_cidr *ret);
/* addr: 4 or 16 bytes of the given family */
bool berth_cidr_contains (const struct berth_cidr *c, int family, const unsigned char *addr);

#endif
