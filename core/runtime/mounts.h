/* The container's filesystem: the rootfs bind, the spec's mounts (targets
   resolved inside the rootfs, mounted through /proc/self/fd/N), pivot_root,
   and after it sysctls, masked and read-only paths, the read-only root. */
#ifndef BERTH_RUNTIME_MOUNTS_H
#define BERTH_RUNTIME_MOUNTS_H

#include <stdbool.h>

#include "core/lib/error.h"
#include "core/runtime/cgroup.h"
#include "core/runtime/spec.h"

struct berth_mount_ctx
{
  const struct berth_spec *spec;
  const char *bundle;
  struct berth_cgroup *cgroup; /* for "cgroup" mounts; may be NULL */
  bool new_cgroupns;
  bool in_userns;
  int rootfd; /* set by berth_rootfs_prepare */
};

/* Make "/" private or slave, bind the rootfs onto itself and open it. */
int berth_rootfs_prepare (struct berth_mount_ctx *ctx, berth_error_t *err);
int berth_mounts_apply (struct berth_mount_ctx *ctx, berth_error_t *err);
/* Does the spec mount something (not a bind) on /dev? */
bool berth_mounts_have_dev_tmpfs (const struct berth_spec *spec);
bool berth_mounts_have_dev_bind (const struct berth_spec *spec);
int berth_rootfs_pivot (struct berth_mount_ctx *ctx, berth_error_t *err);
/* After pivot_root: sysctls (through the new /proc), masks, read-only paths,
   rootfs propagation and the read-only root. */
int berth_rootfs_finalize (struct berth_mount_ctx *ctx, berth_error_t *err);

#endif
