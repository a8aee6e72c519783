/* Load the spec's seccomp filter with libseccomp.  On x86_64 the i386 and
   x32 ABIs are always added so that their syscalls meet the same rules
   instead of slipping past a filter that only knows one ABI. */
#ifndef BERTH_RUNTIME_SECCOMP_H
#define BERTH_RUNTIME_SECCOMP_H

#include "core/lib/error.h"
#include "core/runtime/spec.h"

/* Build the filter (errors show up here, at create time) ... */
int berth_seccomp_prepare (const struct berth_spec_seccomp *sc, void **filter, berth_error_t *err);
/* ... and load it just before exec.  The filter is released either way. */
int berth_seccomp_load (void *filter, berth_error_t *err);

#endif
