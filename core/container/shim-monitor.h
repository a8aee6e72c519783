/* Waiting for a berth-shim (a container's or an exec's) to exit: a small
 * detached thread per shim, polling its pidfd. */
#ifndef BERTH_CONTAINER_SHIM_MONITOR_H
#define BERTH_CONTAINER_SHIM_MONITOR_H

#include <sys/types.h>

#include "core/lib/error.h"

typedef void (*shim_monitor_fn) (void *ctx, void *obj);

/* Calls on_exit (ctx, obj) from a new detached thread once process `pid` has
   exited.  `what` names the process in errors ("the exec shim").  0, or
   negative with *err, and then on_exit is never called. */
int shim_monitor_start (pid_t pid, const char *what, shim_monitor_fn on_exit, void *ctx, void *obj, berth_error_t *err);

#endif
