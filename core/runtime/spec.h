/* The OCI runtime spec (config.json) as C structs.

   berth_spec_parse() validates while it parses: every error names the field
   ("process.rlimits[1].type: unknown rlimit `RLIMIT_FOO`"), so nothing later
   has to re-check types.  Absent optional values leave has_* false. */
#ifndef BERTH_RUNTIME_SPEC_H
#define BERTH_RUNTIME_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/lib/error.h"

struct berth_spec_kv
{
  char *key;
  char *value;
};

struct berth_spec_id_map
{
  uint32_t container_id;
  uint32_t host_id;
  uint32_t size;
};

struct berth_spec_mount
{
  char *destination;
  char *source;
  char *type;
  char **options; /* NULL-terminated, never NULL */
};

struct berth_spec_rlimit
{
  int resource;
  uint64_t soft;
  uint64_t hard;
};

/* capability sets as bitmasks of CAP_* numbers */
struct berth_spec_caps
{
  uint64_t bounding;
  uint64_t effective;
  uint64_t inheritable;
  uint64_t permitted;
  uint64_t ambient;
};

struct berth_spec_user
{
  uint32_t uid;
  uint32_t gid;
  bool has_umask;
  mode_t umask;
  uint32_t *additional_gids;
  size_t n_additional_gids;
};

struct berth_spec_process
{
  bool terminal;
  unsigned int console_height;
  unsigned int console_width;
  char *cwd;
  char **env;  /* NULL-terminated, never NULL */
  char **args; /* NULL-terminated, at least one */
  struct berth_spec_user user;
  struct berth_spec_rlimit *rlimits;
  size_t n_rlimits;
  bool has_caps; /* no "capabilities" object: caps are left as they are */
  struct berth_spec_caps caps;
  bool no_new_privileges;
  bool has_oom_score_adj;
  int oom_score_adj;
  char *apparmor_profile;
  char *selinux_label;
};

enum berth_ns_kind
{
  BERTH_NS_USER = 0, /* order matters: joined in this order */
  BERTH_NS_PID,
  BERTH_NS_NET,
  BERTH_NS_IPC,
  BERTH_NS_UTS,
  BERTH_NS_CGROUP,
  BERTH_NS_MOUNT,
  BERTH_NS_TIME,
  BERTH_NS__COUNT
};

struct berth_spec_namespace
{
  bool present;
  char *path; /* NULL: create a new one */
};

struct berth_spec_device
{
  char type; /* 'c', 'b', 'u' (= c), 'p' */
  char *path;
  int64_t major;
  int64_t minor;
  bool has_file_mode;
  mode_t file_mode;
  bool has_uid;
  uint32_t uid;
  bool has_gid;
  uint32_t gid;
};

struct berth_spec_device_rule
{
  bool allow;
  char type;     /* 'a', 'c', 'b' */
  int64_t major; /* -1 = any */
  int64_t minor; /* -1 = any */
  char access[4];
};

struct berth_spec_throttle
{
  int64_t major;
  int64_t minor;
  uint64_t rate;
};

struct berth_spec_resources
{
  struct berth_spec_device_rule *devices;
  size_t n_devices;

  bool has_memory_limit;
  int64_t memory_limit;
  bool has_memory_reservation;
  int64_t memory_reservation;
  bool has_memory_swap;
  int64_t memory_swap; /* memory+swap, as in the spec */
  bool has_memory_swappiness;
  uint64_t memory_swappiness;
  bool disable_oom_killer;

  bool has_cpu_shares;
  uint64_t cpu_shares;
  bool has_cpu_quota;
  int64_t cpu_quota;
  bool has_cpu_period;
  uint64_t cpu_period;
  bool has_cpu_burst;
  uint64_t cpu_burst;
  char *cpuset_cpus;
  char *cpuset_mems;
  bool has_cpu_idle;
  int64_t cpu_idle;

  bool has_pids_limit;
  int64_t pids_limit;

  bool has_blkio_weight;
  uint16_t blkio_weight;
  struct berth_spec_throttle *throttle_read_bps;
  size_t n_throttle_read_bps;
  struct berth_spec_throttle *throttle_write_bps;
  size_t n_throttle_write_bps;
  struct berth_spec_throttle *throttle_read_iops;
  size_t n_throttle_read_iops;
  struct berth_spec_throttle *throttle_write_iops;
  size_t n_throttle_write_iops;

  struct berth_spec_kv *hugepage_limits; /* pageSize -> limit (decimal) */
  size_t n_hugepage_limits;
  struct berth_spec_kv *unified;
  size_t n_unified;
};

struct berth_spec_seccomp_arg
{
  unsigned int index;
  uint64_t value;
  uint64_t value_two;
  int op; /* enum scmp_compare */
};

struct berth_spec_seccomp_rule
{
  char **names; /* NULL-terminated */
  uint32_t action;
  struct berth_spec_seccomp_arg *args;
  size_t n_args;
};

struct berth_spec_seccomp
{
  uint32_t default_action;
  uint32_t *arches; /* SCMP_ARCH_* tokens */
  size_t n_arches;
  bool flag_log;
  bool flag_spec_allow;
  struct berth_spec_seccomp_rule *rules;
  size_t n_rules;
  /* the linux.seccomp object as berth_seccomp_json_text writes it: what a
     precompiled filter must have been built from (seccomp-file.c) */
  char *json;
};

struct berth_spec_hook
{
  char *path;
  char **args; /* NULL-terminated, may be empty */
  char **env;  /* NULL-terminated, may be empty */
  int timeout; /* seconds, 0 = none */
};

enum berth_hook_kind
{
  BERTH_HOOK_PRESTART = 0,
  BERTH_HOOK_CREATE_RUNTIME,
  BERTH_HOOK_CREATE_CONTAINER,
  BERTH_HOOK_START_CONTAINER,
  BERTH_HOOK_POSTSTART,
  BERTH_HOOK_POSTSTOP,
  BERTH_HOOK__COUNT
};

struct berth_spec_linux
{
  struct berth_spec_namespace namespaces[BERTH_NS__COUNT];
  struct berth_spec_id_map *uid_mappings;
  size_t n_uid_mappings;
  struct berth_spec_id_map *gid_mappings;
  size_t n_gid_mappings;
  struct berth_spec_device *devices;
  size_t n_devices;
  char *cgroups_path;
  struct berth_spec_resources resources;
  struct berth_spec_kv *sysctl;
  size_t n_sysctl;
  struct berth_spec_seccomp *seccomp; /* NULL: no filter */
  unsigned long rootfs_propagation;  /* MS_* or 0 */
  char **masked_paths;               /* NULL-terminated, never NULL */
  char **readonly_paths;             /* NULL-terminated, never NULL */
};

struct berth_spec
{
  char *oci_version;
  char *root_path; /* absolute (bundle-relative paths are resolved) */
  bool root_readonly;
  char *hostname;
  char *domainname;
  struct berth_spec_mount *mounts;
  size_t n_mounts;
  struct berth_spec_process *process; /* NULL only when absent (create refuses it) */
  struct berth_spec_linux lx; /* "linux" (a predefined macro in GNU C) */
  struct berth_spec_hook *hooks[BERTH_HOOK__COUNT];
  size_t n_hooks[BERTH_HOOK__COUNT];
  struct berth_spec_kv *annotations;
  size_t n_annotations;
};

/* Parse config.json text.  bundle (absolute) resolves a relative root.path. */
struct berth_spec *berth_spec_parse (const char *json, size_t len, const char *bundle, berth_error_t *err);
/* Read and parse BUNDLE/config.json. */
struct berth_spec *berth_spec_load (const char *bundle, berth_error_t *err);
/* Parse a process object alone (exec --process FILE). */
struct berth_spec_process *berth_spec_parse_process (const char *json, size_t len, berth_error_t *err);
/* Parse a resources object alone (update -r FILE). */
struct berth_spec_resources *berth_spec_parse_resources (const char *json, size_t len, berth_error_t *err);
void berth_spec_resources_free (struct berth_spec_resources *r);
void berth_spec_free (struct berth_spec *spec);
void berth_spec_process_free (struct berth_spec_process *p);
void berth_spec_kv_free (struct berth_spec_kv *kv, size_t n);

/* Names used in errors and in `features`. */
const char *berth_ns_kind_name (enum berth_ns_kind kind);
int berth_ns_kind_from_name (const char *name); /* -1 when unknown */
int berth_ns_kind_clone_flag (enum berth_ns_kind kind);
const char *berth_hook_kind_name (enum berth_hook_kind kind);
/* "RLIMIT_NOFILE" -> RLIMIT_NOFILE; -1 when unknown */
int berth_rlimit_from_name (const char *name);

#define cleanup_spec __attribute__ ((cleanup (berth_spec_freep)))
void berth_spec_freep (struct berth_spec **p);

#endif
