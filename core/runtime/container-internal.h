/* Shared by the lifecycle files (internal). */
#ifndef BERTH_RUNTIME_CONTAINER_INTERNAL_H
#define BERTH_RUNTIME_CONTAINER_INTERNAL_H

#include <signal.h>

#include "core/runtime/container.h"

/* The spec saved at create time (<root>/<id>/config.json). */
struct berth_spec *container_load_spec (const char *root, const struct berth_state *st, berth_error_t *err);
/* Kill what is left, remove the cgroup, run poststop hooks (spec NULL: load
   the saved one), remove the state. */
int container_cleanup (const char *root, const struct berth_state *st, const struct berth_spec *spec,
                       berth_error_t *err);
/* Signals the foreground runtime forwards to the container. */
void container_forward_set (sigset_t *set);
/* Wait for pid, forwarding signals from sfd and copying between our stdio
   and master (when >= 0).  Returns the exit status (128+n for signal n). */
int container_wait_forwarding (pid_t pid, int sfd, int master, berth_error_t *err);
int container_write_pid_file (const char *path, pid_t pid, berth_error_t *err);

#endif
