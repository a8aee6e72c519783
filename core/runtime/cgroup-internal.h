/* The cgroup backends' vtable (internal to the cgroup*.c family). */
#ifndef BERTH_RUNTIME_CGROUP_INTERNAL_H
#define BERTH_RUNTIME_CGROUP_INTERNAL_H

#include "core/runtime/cgroup.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CGROUP_UNIFIED_ROOT "/sys/fs/cgroup/unified"

struct berth_cgroup_ops
{
  int (*create) (struct berth_cgroup *cg, const struct berth_spec_resources *r, berth_error_t *err);
  int (*enter) (struct berth_cgroup *cg, pid_t pid, berth_error_t *err);
  int (*update) (struct berth_cgroup *cg, const struct berth_spec_resources *r, berth_error_t *err);
  int (*destroy) (struct berth_cgroup *cg, berth_error_t *err);
  int (*freeze) (struct berth_cgroup *cg, bool freeze, berth_error_t *err);
  int (*is_frozen) (struct berth_cgroup *cg, berth_error_t *err);
  /* the directory whose cgroup.procs lists the container's processes */
  char *(*procs_dir) (struct berth_cgroup *cg);
  int (*oom_kills) (struct berth_cgroup *cg, uint64_t *count, berth_error_t *err);
  int (*foreach_dir) (struct berth_cgroup *cg, berth_cgroup_dir_fn fn, void *opaque, berth_error_t *err);
};

struct berth_cgroup
{
  enum berth_cgroup_mode mode;
  char *path; /* absolute within each hierarchy, "/a/b" */
  const struct berth_cgroup_ops *ops;
};

extern const struct berth_cgroup_ops berth_cgroup_v1_ops;
extern const struct berth_cgroup_ops berth_cgroup_v2_ops;

/* helpers shared by the backends (cgroup-files.c) */
int cgroup_write (const char *dir, const char *file, const char *value, berth_error_t *err);
int cgroup_writef (const char *dir, const char *file, berth_error_t *err, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));
/* read a small file; trailing newline removed */
int cgroup_read (const char *dir, const char *file, char **out, berth_error_t *err);
/* value of "key N" in a flat keyed file such as memory.events */
int cgroup_read_key (const char *dir, const char *file, const char *key, uint64_t *out, berth_error_t *err);
/* rmdir, retrying while the kernel still tears down exited tasks */
int cgroup_rmdir (const char *dir, berth_error_t *err);
int cgroup_read_pids (const char *dir, pid_t **pids, size_t *n, berth_error_t *err);

/* v2 operations on a tree rooted at `root` (CGROUP_ROOT, or the hybrid unified tree) */
int cgroup_v2_create_at (const char *root, const char *path, const struct berth_spec_resources *r, bool limits,
                         berth_error_t *err);
int cgroup_v2_apply_at (const char *dir, const struct berth_spec_resources *r, berth_error_t *err);
int cgroup_v2_destroy_at (const char *root, const char *path, berth_error_t *err);
int cgroup_v2_apply_hugetlb (const char *dir, const struct berth_spec_resources *r, berth_error_t *err);

#endif
