/* Start berth-shim for a container: fork, new session, fork again (so the
   shim is nobody's child in the daemon and survives it), exec.  The shim's
   first words come over a pipe on its fd 3: the container's pid, or why the
   container could not start. */
#ifndef BERTH_CONTAINER_SHIM_LAUNCH_H
#define BERTH_CONTAINER_SHIM_LAUNCH_H

#include <sys/types.h>

#include "core/config/tree.h"
#include "core/container/container.h"

struct shim_launch_opts
{
  const char *shim_path;
  const struct container *c;
  const char *bundle;
  const char *runtime_root;
  const char *data_root;
  const char *log_plugin;            /* the log driver's .so */
  const struct berth_cfg *log_opts;  /* map of scalars; may be NULL */
  const int *attach_fds;             /* pre-connected attach clients (fds 4.. of the shim) */
  size_t n_attach_fds;
  char *const *argv;                 /* when set, the shim's command line (exec mode); then only bundle
                                        (for shim.log) and the attach fds are used */
};

struct shim_launch_result
{
  pid_t pid;      /* the container's init */
  pid_t shim_pid;
  unsigned long long shim_start;
  char *error;    /* the container did not start: the runtime's message */
  int error_code; /* its errno (ENOENT: not found, EACCES: not executable) */
};

/* <0 when the shim itself could not run; 0 with res->error set when the
   container did not start. */
int shim_launch (const struct shim_launch_opts *o, struct shim_launch_result *res, berth_error_t *err);
void shim_launch_result_clear (struct shim_launch_result *res);

#endif
