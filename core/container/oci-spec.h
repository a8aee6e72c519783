/* A container's OCI runtime config (config.json for the runtime library)
   with Docker's defaults (COMPAT.md §6.1): 14 capabilities, masked and
   read-only paths, the default mounts, namespaces mount/uts/pid/ipc/network,
   PATH + HOSTNAME (+ TERM with a tty) + image and user Env, the device
   cgroup rules, and /etc/hostname, /etc/hosts, /etc/resolv.conf bound from
   the container's directory. */
#ifndef BERTH_CONTAINER_OCI_SPEC_H
#define BERTH_CONTAINER_OCI_SPEC_H

#include <json-c/json.h>

#include "core/container/container.h"
#include "core/container/user.h"
#include "core/lib/error.h"

struct oci_spec_input
{
  const struct container *c;
  const char *rootfs;               /* absolute, mounted */
  const struct container_user *user;
  json_object *seccomp;             /* linux.seccomp (borrowed), NULL = none */
  const char *cgroup_parent;        /* e.g. "/berth" */
  bool no_new_privileges;           /* --security-opt no-new-privileges */
  const char *netns_path;           /* a network namespace to join (bridge), NULL = a new one */
};

/* Docker's 14 default capabilities, NULL-terminated */
extern const char *const container_default_caps[];

json_object *oci_spec_build (const struct oci_spec_input *in, berth_error_t *err);
/* The capability set after HostConfig.CapAdd/CapDrop, NULL-terminated. */
char **oci_spec_caps (json_object *host_config);

#endif
