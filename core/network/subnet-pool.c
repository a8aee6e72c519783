#include "config.h"

#include <errno.h>

#include "core/network/subnet-pick.h"
#include "core/network/subnet-pool.h"

bool
net_subnets_overlap (uint32_t a, unsigned ap, uint32_t b, unsigned bp)
{
  unsigned p = ap < bp ? ap : bp;
  uint32_t mask = p == 0 ? 0 : 0xffffffffu << (32 - p);

  return (a & mask) == (b & mask);
}

static bool
usable (const struct net_subnet *taken, size_t n, uint32_t sub, unsigned prefix)
{
  for (size_t i = 0; i < n; i++)
    if (net_subnets_overlap (taken[i].addr, taken[i].prefix, sub, prefix))
      return false;
  return !network_subnet_routed (NULL, sub, prefix);
}

int
network_pool_pick (const struct net_subnet *taken, size_t n_taken, uint32_t *ret_subnet, unsigned *ret_prefix,
                   berth_error_t *err)
{
  for (uint32_t b = 17; b <= 31; b++)
    if (usable (taken, n_taken, (172u << 24) | (b << 16), 16))
      {
        *ret_subnet = (172u << 24) | (b << 16);
        *ret_prefix = 16;
        return 0;
      }
  for (uint32_t c = 0; c < 256; c += 16)
    if (usable (taken, n_taken, (192u << 24) | (168u << 16) | (c << 8), 20))
      {
        *ret_subnet = (192u << 24) | (168u << 16) | (c << 8);
        *ret_prefix = 20;
        return 0;
      }
  return berth_error_make (err, ENOSPC,
                           "all predefined address pools have been fully subnetted (172.17-31.0.0/16 and "
                           "192.168.x.0/20 overlap routes of the host or other networks): give --subnet");
}
