/* ENOSYS for syscalls newer than the filter's libseccomp, as runc does. */
#ifndef BERTH_RUNTIME_SECCOMP_ENOSYS_H
#define BERTH_RUNTIME_SECCOMP_ENOSYS_H

#include "core/lib/error.h"

#include <linux/filter.h>
#include <seccomp.h>

/* Prepend to PROG, the program libseccomp exported for CTX, a stub that
   returns ENOSYS for numbers above the highest syscall libseccomp knows on
   each architecture of CTX.  PROG->filter is replaced (malloc'd). */
int berth_seccomp_enosys_patch (scmp_filter_ctx ctx, struct sock_fprog *prog, berth_error_t *err);

#endif
