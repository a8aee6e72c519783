/* POST /build (the legacy builder's API) and POST /build/prune. */
#ifndef BERTH_DAEMON_BUILD_H
#define BERTH_DAEMON_BUILD_H

#include "core/daemon/router.h"

void berth_build_routes (struct berth_router *r);

#endif
