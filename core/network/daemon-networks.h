/* The daemon opens its networks (the default bridge) after the plugins and
   before the containers, whose restore needs them. */
#ifndef BERTH_NETWORK_DAEMON_NETWORKS_H
#define BERTH_NETWORK_DAEMON_NETWORKS_H

#include "core/daemon/daemon.h"
#include "core/lib/error.h"

int berth_networks_open (struct berthd *d, berth_error_t *err);
void berth_networks_close (struct berthd *d);

#endif
