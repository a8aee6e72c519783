#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/lib/mem.h"
#include "core/network/subnet-pick.h"

static uint32_t
mask_of (unsigned prefix)
{
  return prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
}

/* /proc/net/route: Iface Destination Gateway Flags RefCnt Use Metric Mask ...,
   addresses in hex, in network byte order read as a little-endian word */
bool
network_subnet_routed (const char *ignore_dev, uint32_t subnet, unsigned prefix)
{
  cleanup_file FILE *f = fopen ("/proc/net/route", "re");
  char line[512];

  if (f == NULL)
    return false;
  while (fgets (line, sizeof (line), f) != NULL)
    {
      char dev[64];
      unsigned dst, gw, flags, refcnt, use, metric, mask;
      uint32_t d, m, common;

      if (sscanf (line, "%63s %x %x %x %u %u %u %x", dev, &dst, &gw, &flags, &refcnt, &use, &metric, &mask) != 8)
        continue; /* the header */
      if (mask == 0 || (ignore_dev != NULL && strcmp (dev, ignore_dev) == 0))
        continue; /* the default route overlaps everything */
      d = __builtin_bswap32 (dst);
      m = __builtin_bswap32 (mask);
      common = m & mask_of (prefix);
      if ((d & common) == (subnet & common))
        return true;
    }
  return false;
}

int
network_pick_subnet (const char *ignore_dev, uint32_t *ret_subnet, unsigned *ret_prefix, berth_error_t *err)
{
  for (uint32_t b = 17; b <= 31; b++)
    if (!network_subnet_routed (ignore_dev, (172u << 24) | (b << 16), 16))
      {
        *ret_subnet = (172u << 24) | (b << 16);
        *ret_prefix = 16;
        return 0;
      }
  for (uint32_t c = 0; c < 256; c += 16)
    if (!network_subnet_routed (ignore_dev, (192u << 24) | (168u << 16) | (c << 8), 20))
      {
        *ret_subnet = (192u << 24) | (168u << 16) | (c << 8);
        *ret_prefix = 20;
        return 0;
      }
  return berth_error_make (err, ENOSPC,
                           "no free private subnet for the default bridge (172.17-31.0.0/16 and 192.168.x.0/20 all "
                           "overlap the host's routes): set network-opts: subnet");
}
