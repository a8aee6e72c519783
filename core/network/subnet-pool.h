/* A subnet for a user-defined network created without --subnet: Docker's
   pool (172.17.0.0/16 ... 172.31.0.0/16, then 192.168.0.0/20 ...
   192.168.240.0/20), the first that overlaps no route of the host and no
   subnet of another network of this daemon (whose bridge may not be up). */
#ifndef BERTH_NETWORK_SUBNET_POOL_H
#define BERTH_NETWORK_SUBNET_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/lib/error.h"

struct net_subnet
{
  uint32_t addr;
  unsigned prefix;
};

bool net_subnets_overlap (uint32_t a, unsigned ap, uint32_t b, unsigned bp);
int network_pool_pick (const struct net_subnet *taken, size_t n_taken, uint32_t *ret_subnet, unsigned *ret_prefix,
                       berth_error_t *err);

#endif
