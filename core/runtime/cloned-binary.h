/* CVE-2019-5736: a container must never be able to reach the runtime's own
   binary through /proc/<pid>/exe.  Before a command that enters a container,
   the runtime re-executes itself from a sealed memfd copy. */
#ifndef BERTH_RUNTIME_CLONED_BINARY_H
#define BERTH_RUNTIME_CLONED_BINARY_H

#include "core/lib/error.h"

/* Returns 0 when already running from a sealed copy; otherwise execs the copy
   (and returns <0 only when that fails). */
int berth_ensure_cloned_binary (char **argv, berth_error_t *err);
/* 1 when /proc/self/exe is a memfd with the write seals, 0 when not. */
int berth_running_from_sealed_copy (void);

#endif
