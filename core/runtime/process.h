/* The last steps before the container process runs its program: rlimits,
   user and groups, the working directory, the executable lookup on the
   container's PATH, fd hygiene and execve. */
#ifndef BERTH_RUNTIME_PROCESS_H
#define BERTH_RUNTIME_PROCESS_H

#include "core/lib/error.h"
#include "core/runtime/spec.h"

int berth_process_set_rlimits (const struct berth_spec_process *p, berth_error_t *err);
/* setgroups, setresgid, setresuid (capabilities survive only with KEEPCAPS) */
int berth_process_set_user (const struct berth_spec_process *p, berth_error_t *err);
/* chdir, then insist that getcwd() works and is inside the root: a cwd
   reached through a leaked fd has no name here (CVE-2024-21626). */
int berth_process_chdir (const char *cwd, berth_error_t *err);
/* Find args[0] on the PATH from env (or the default PATH).  On failure the
   error code is ENOENT or EACCES, for exit status 127 or 126. */
char *berth_process_find_program (const char *arg0, char *const *env, berth_error_t *err);
/* The environment to exec with: env plus HOME from /etc/passwd when absent. */
char **berth_process_build_env (const struct berth_spec_process *p);
/* Everything from fd 3 + preserve_fds up is closed on exec; the preserved
   ones stay open. */
int berth_process_close_fds (int preserve_fds, berth_error_t *err);

#endif
