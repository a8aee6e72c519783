/* /dev inside the container: the default nodes, the spec's linux.devices,
   the usual symlinks, and the device cgroup allow-list that goes with them. */
#ifndef BERTH_RUNTIME_DEVICES_H
#define BERTH_RUNTIME_DEVICES_H

#include <stdbool.h>

#include "core/lib/error.h"
#include "core/runtime/spec.h"

/* Populate ROOT/dev (rootfd: the container root, before pivot_root).
   bind: bind-mount the host nodes instead of mknod (inside a user namespace). */
int berth_devices_create (int rootfd, const struct berth_spec *spec, bool bind, berth_error_t *err);
/* The device cgroup rules to apply: the spec's, then allow rules for the
   default devices and for every linux.devices entry.  *out is malloc'd. */
size_t berth_devices_cgroup_rules (const struct berth_spec *spec, struct berth_spec_device_rule **out);

#endif
