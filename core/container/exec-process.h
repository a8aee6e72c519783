/* The OCI process object of a `docker exec`, for berth-shim's exec mode.
   It starts from the container's own process (its bundle's config.json:
   rlimits, noNewPrivileges, oomScoreAdj, capabilities ...), so the exec
   runs as constrained as the container, and replaces what moby's exec
   sets: the command; the environment (PATH, HOSTNAME, TERM=xterm with a
   tty, the container's Config.Env, then the exec's Env); the user, resolved
   in the container's /etc/passwd and /etc/group; the working directory;
   the tty and its size; and, for a privileged exec, every capability (of
   the daemon's bounding set, as moby gives what the host has).
   The seccomp filter is the container's: the runtime takes it from the
   container's state. */
#ifndef BERTH_CONTAINER_EXEC_PROCESS_H
#define BERTH_CONTAINER_EXEC_PROCESS_H

#include <stdbool.h>

#include <json-c/json.h>

#include "core/container/container.h"
#include "core/lib/error.h"

struct exec_process_input
{
  const struct container *c;
  const char *bundle; /* the container's bundle (config.json) */
  const char *rootfs; /* the container's mounted root */
  char **args;        /* the command, NULL-terminated */
  char **env;         /* the exec's Env ("K=V"; a bare "K" removes K) */
  const char *user;   /* "" or NULL: the container's Config.User */
  const char *workdir; /* "" or NULL: the container's */
  bool tty, privileged;
  unsigned height, width; /* the tty's first size; 0: the runtime's default */
};

json_object *exec_process_build (const struct exec_process_input *in, berth_error_t *err);

#endif
