/* System routes: /_ping, /version, /info. */
#ifndef BERTH_DAEMON_SYSTEM_H
#define BERTH_DAEMON_SYSTEM_H

#include "core/daemon/router.h"

void berth_system_routes (struct berth_router *r);

#endif
