/* Network routes: GET /networks, GET and DELETE /networks/{id},
   POST /networks/create, /networks/{id}/connect, /networks/{id}/disconnect
   and /networks/prune (the service: core/network/service.h). */
#ifndef BERTH_DAEMON_NETWORKS_H
#define BERTH_DAEMON_NETWORKS_H

#include "core/daemon/router.h"

void berth_network_routes (struct berth_router *r);

#endif
