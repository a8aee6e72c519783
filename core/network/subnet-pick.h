/* The default bridge's subnet when the configuration names none: the first
   of 172.17.0.0/16 ... 172.31.0.0/16, then 192.168.0.0/20 ... 192.168.240.0/20,
   that overlaps no route of the host (other than routes through `ignore_dev`,
   the bridge itself, so a restart keeps its own subnet). */
#ifndef BERTH_NETWORK_SUBNET_PICK_H
#define BERTH_NETWORK_SUBNET_PICK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/lib/error.h"

int network_pick_subnet (const char *ignore_dev, uint32_t *ret_subnet, unsigned *ret_prefix, berth_error_t *err);
/* whether subnet/prefix overlaps a route of the host (except via ignore_dev) */
bool network_subnet_routed (const char *ignore_dev, uint32_t subnet, unsigned prefix);

#endif
