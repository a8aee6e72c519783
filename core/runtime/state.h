/* The state directory of a container: <root>/<id>/ with state.json (written
   atomically once create has finished), config.json (the spec as created),
   and exec.fifo while the container waits for `start`. */
#ifndef BERTH_RUNTIME_STATE_H
#define BERTH_RUNTIME_STATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/lib/error.h"
#include "core/runtime/cgroup.h"
#include "core/runtime/spec.h"

#define BERTH_RUNTIME_DEFAULT_ROOT "/run/berth-runtime"

enum berth_status
{
  BERTH_STATUS_CREATING,
  BERTH_STATUS_CREATED,
  BERTH_STATUS_RUNNING,
  BERTH_STATUS_PAUSED,
  BERTH_STATUS_STOPPED,
};

struct berth_state
{
  char *id;
  char *bundle;
  char *rootfs;
  char *created; /* RFC 3339 with nanoseconds, UTC */
  char *owner;
  pid_t pid;
  unsigned long long pid_start; /* /proc/<pid>/stat starttime: guards against pid reuse */
  int cgroup_mode;               /* enum berth_cgroup_mode, 0 = none */
  char *cgroup_path;
  bool detached_run;             /* created by `run`: never had an exec.fifo */
  struct berth_spec_kv *annotations;
  size_t n_annotations;
};

/* [A-Za-z0-9][A-Za-z0-9_.+-]*, at most 1024 bytes */
int berth_state_check_id (const char *id, berth_error_t *err);
char *berth_state_dir (const char *root, const char *id);
/* mkdir <root>/<id> (root created 0700 when missing); EEXIST is reported as
   "container already exists". */
int berth_state_dir_create (const char *root, const char *id, berth_error_t *err);
int berth_state_save (const char *root, const struct berth_state *st, berth_error_t *err);
struct berth_state *berth_state_load (const char *root, const char *id, berth_error_t *err);
void berth_state_free (struct berth_state *st);
int berth_state_remove (const char *root, const char *id, berth_error_t *err);
/* Live status from the process, the fifo and the freezer. */
enum berth_status berth_state_status (const char *root, const struct berth_state *st);
const char *berth_status_name (enum berth_status s);
/* The OCI state document. */
char *berth_state_to_oci_json (const struct berth_state *st, enum berth_status status);
/* Sorted container ids under root (NULL-terminated). */
char **berth_state_list (const char *root, berth_error_t *err);
/* starttime of a process, 0 when it is gone or a zombie */
unsigned long long berth_proc_start_time (pid_t pid);
/* now as RFC 3339 with nanoseconds */
char *berth_rfc3339_now (void);

#define cleanup_state __attribute__ ((cleanup (berth_state_freep)))
void berth_state_freep (struct berth_state **st);

#endif
