/* A network namespace kept by a bind mount at a path (as `ip netns` and
   podman do), made by the daemon before the container starts: the runtime
   joins it by path, and the daemon configures it before the container's
   process runs; it outlives a daemon restart. */
#ifndef BERTH_NETWORK_NETNS_H
#define BERTH_NETWORK_NETNS_H

#include "core/lib/error.h"

int network_netns_create (const char *path, berth_error_t *err);
/* unmount and unlink; a path that is not there is not an error */
void network_netns_remove (const char *path);

#endif
