/* The OCI lifecycle: create, start, run, kill, delete, state, pause, resume,
   update, ps and exec, all working on the state directory under `root`. */
#ifndef BERTH_RUNTIME_CONTAINER_H
#define BERTH_RUNTIME_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/lib/error.h"
#include "core/runtime/spec.h"
#include "core/runtime/state.h"

enum berth_create_mode
{
  BERTH_CREATE,     /* wait on exec.fifo for `start` */
  BERTH_RUN,        /* start at once and wait for the exit status */
  BERTH_RUN_DETACH, /* start at once and return */
};

struct berth_create_opts
{
  const char *bundle; /* absolute */
  const char *pid_file;
  const char *console_socket;
  int preserve_fds;
  bool no_pivot;
  bool keep; /* run: do not delete after exit */
};

/* Returns 0; for BERTH_RUN *exit_status gets the container's status
   (128+n when killed by signal n). */
int berth_container_create (const char *root, const char *id, enum berth_create_mode mode,
                            const struct berth_create_opts *opts, int *exit_status, berth_error_t *err);
int berth_container_start (const char *root, const char *id, berth_error_t *err);
int berth_container_kill (const char *root, const char *id, int sig, bool all, berth_error_t *err);
int berth_container_delete (const char *root, const char *id, bool force, berth_error_t *err);
/* The OCI state JSON of one container. */
char *berth_container_state (const char *root, const char *id, berth_error_t *err);
int berth_container_pause (const char *root, const char *id, bool pause, berth_error_t *err);
int berth_container_update (const char *root, const char *id, const struct berth_spec_resources *r,
                            berth_error_t *err);
int berth_container_pids (const char *root, const char *id, pid_t **pids, size_t *n, berth_error_t *err);

struct berth_exec_opts
{
  struct berth_spec_process *process; /* owned by the caller */
  const char *console_socket;
  const char *pid_file;
  int preserve_fds;
  bool detach;
  /* with detach: a program that cannot start (ENOENT/EACCES) is returned
     as the error instead of being logged (berth-shim's exec mode) */
  bool start_errors;
};

int berth_container_exec (const char *root, const char *id, const struct berth_exec_opts *opts, int *exit_status,
                          berth_error_t *err);
/* The container's own process from its saved config, as the base of
   `exec` without --process. */
struct berth_spec_process *berth_container_process (const char *root, const char *id, berth_error_t *err);

/* Internal: the container side of create and exec (init.c). */
struct berth_ns_plan;
struct berth_cgroup;
struct berth_init_ctx
{
  enum berth_create_mode mode;
  const struct berth_spec *spec;
  const struct berth_create_opts *opts;
  struct berth_cgroup *cgroup;
  struct berth_ns_plan *plan;
  pid_t parent;
  int sync_fd;
  int fifo_fd;    /* BERTH_CREATE: wait here for `start` */
  int console_fd; /* connected console socket, or -1 */
};
__attribute__ ((noreturn)) void berth_init_main (struct berth_init_ctx *ctx);

#endif
