/* Device access control on cgroup v2: an eBPF program of type
   BPF_PROG_TYPE_CGROUP_DEVICE generated from the OCI rules. */
#ifndef BERTH_RUNTIME_CGROUP_V2_DEVICES_H
#define BERTH_RUNTIME_CGROUP_V2_DEVICES_H

#include <linux/bpf.h>
#include <stddef.h>

#include "core/lib/error.h"
#include "core/runtime/spec.h"

/* Translate rules into instructions with v1 semantics: a wildcard rule
   ("a *:* rwm") sets the default and drops what came before it; after that
   the last matching rule wins.  Returns the count; *out is malloc'd. */
size_t berth_devices_bpf_program (const struct berth_spec_device_rule *rules, size_t n, struct bpf_insn **out);
/* Load the program and attach it to the cgroup directory. */
int berth_cgroup_v2_devices_apply (const char *dir, const struct berth_spec_device_rule *rules, size_t n,
                                   berth_error_t *err);

#endif
