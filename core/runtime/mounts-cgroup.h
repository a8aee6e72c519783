/* The "cgroup" mount type: the container's own cgroup directories. */
#ifndef BERTH_RUNTIME_MOUNTS_CGROUP_H
#define BERTH_RUNTIME_MOUNTS_CGROUP_H

#include "core/runtime/mount-options.h"
#include "core/runtime/mounts.h"

/* v2 with a cgroup namespace: a cgroup2 mount; v2 without one: a bind of the
   container's directory; v1 and hybrid: a tmpfs holding one bind per
   hierarchy (and the v2 "unified" one), as runc lays it out. */
int berth_mount_cgroup (struct berth_mount_ctx *ctx, const struct berth_spec_mount *m,
                        const struct berth_mount_options *o, berth_error_t *err);

#endif
