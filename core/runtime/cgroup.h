/* Container cgroups on v1, v2 and the hybrid layout (v1 controllers plus a
   v2 tree at /sys/fs/cgroup/unified).  One backend per layout sits behind an
   internal vtable (cgroup-internal.h); this is the interface the lifecycle
   code uses. */
#ifndef BERTH_RUNTIME_CGROUP_H
#define BERTH_RUNTIME_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/lib/error.h"
#include "core/runtime/spec.h"

enum berth_cgroup_mode
{
  BERTH_CGROUP_V1 = 1,
  BERTH_CGROUP_HYBRID = 2,
  BERTH_CGROUP_V2 = 3,
};

struct berth_cgroup;

enum berth_cgroup_mode berth_cgroup_detect (void);
const char *berth_cgroup_mode_name (enum berth_cgroup_mode mode);

/* Path from linux.cgroupsPath (absolute: from the hierarchy root; relative or
   absent: below the caller's own cgroup, the default being the container id). */
struct berth_cgroup *berth_cgroup_new (const char *cgroups_path, const char *id, berth_error_t *err);
/* Rebuild from what berth_cgroup_mode()/berth_cgroup_path() gave (state file). */
struct berth_cgroup *berth_cgroup_load (enum berth_cgroup_mode mode, const char *path, berth_error_t *err);
void berth_cgroup_free (struct berth_cgroup *cg);
enum berth_cgroup_mode berth_cgroup_mode (const struct berth_cgroup *cg);
const char *berth_cgroup_path (const struct berth_cgroup *cg);

/* Create the cgroup and apply resources (r may be NULL). */
int berth_cgroup_create (struct berth_cgroup *cg, const struct berth_spec_resources *r, berth_error_t *err);
/* Move a process in. */
int berth_cgroup_enter (struct berth_cgroup *cg, pid_t pid, berth_error_t *err);
int berth_cgroup_update (struct berth_cgroup *cg, const struct berth_spec_resources *r, berth_error_t *err);
/* Kill whatever is left, then remove the cgroup; a missing one is fine. */
int berth_cgroup_destroy (struct berth_cgroup *cg, berth_error_t *err);
int berth_cgroup_freeze (struct berth_cgroup *cg, bool freeze, berth_error_t *err);
/* 1 when frozen, 0 when not, <0 on error */
int berth_cgroup_is_frozen (struct berth_cgroup *cg, berth_error_t *err);
/* Processes in the cgroup; *pids is NULL-free malloc'd memory. */
int berth_cgroup_pids (struct berth_cgroup *cg, pid_t **pids, size_t *n, berth_error_t *err);
/* How many OOM kills the memory controller has recorded. */
int berth_cgroup_oom_kills (struct berth_cgroup *cg, uint64_t *count, berth_error_t *err);
/* Send sig to every process in the cgroup. */
int berth_cgroup_kill_all (struct berth_cgroup *cg, int sig, berth_error_t *err);

/* For the "cgroup" mount inside the container: call fn for each hierarchy
   with its directory name under /sys/fs/cgroup and the container's directory
   on the host (or, for a symlink such as cpu -> cpu,cpuacct, link_target). */
typedef int (*berth_cgroup_dir_fn) (void *opaque, const char *name, const char *host_dir, const char *link_target,
                                    berth_error_t *err);
int berth_cgroup_foreach_dir (struct berth_cgroup *cg, berth_cgroup_dir_fn fn, void *opaque, berth_error_t *err);

#define cleanup_cgroup __attribute__ ((cleanup (berth_cgroup_freep)))
void berth_cgroup_freep (struct berth_cgroup **cg);

#endif
