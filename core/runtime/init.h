/* Shared by the container init (create) and the exec'd process (exec). */
#ifndef BERTH_RUNTIME_INIT_H
#define BERTH_RUNTIME_INIT_H

#include "core/lib/error.h"
#include "core/runtime/spec.h"

/* Report err to the runtime over sync_fd (or stderr when that is gone), exit. */
__attribute__ ((noreturn)) void berth_init_fail (int sync_fd, berth_error_t *err);
/* Become the spec's process (seccomp_filter from berth_seccomp_prepare, or NULL): rlimits, umask, user, cwd, capabilities, no_new_privs,
   seccomp, fd hygiene, execve.  Only returns through berth_init_fail. */
__attribute__ ((noreturn)) void berth_init_exec_process (const struct berth_spec_process *p, void *seccomp_filter,
                                                          int preserve_fds, int sync_fd);

#endif
