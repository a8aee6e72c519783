/* Which namespaces a container gets: new ones through the clone flags, joined
   ones through fds opened by the runtime before the clone. */
#ifndef BERTH_RUNTIME_NAMESPACES_H
#define BERTH_RUNTIME_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/lib/error.h"
#include "core/runtime/spec.h"

struct berth_ns_plan
{
  int clone_flags;                /* CLONE_NEW* created by clone() itself */
  int unshare_flags;              /* created by the child with unshare() */
  int join_fds[BERTH_NS__COUNT];  /* -1 when not joined */
  bool new_userns;
  bool new_cgroupns;
};

int berth_ns_plan_build (const struct berth_spec *spec, struct berth_ns_plan *plan, berth_error_t *err);
void berth_ns_plan_close (struct berth_ns_plan *plan);
/* In the child: join the user namespace first when one is given. */
int berth_ns_join_user (struct berth_ns_plan *plan, berth_error_t *err);
/* In the child: unshare what clone could not create, then join the rest. */
int berth_ns_join_others (struct berth_ns_plan *plan, berth_error_t *err);
/* From the parent: uid_map and gid_map of the child. */
int berth_ns_write_id_maps (pid_t pid, const struct berth_spec *spec, berth_error_t *err);

#endif
