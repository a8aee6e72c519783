/* The spec's seccomp filter: built with libseccomp for exactly the listed
   ABIs (others meet libseccomp's bad-arch kill), with an ENOSYS stub in
   front for syscalls newer than libseccomp (seccomp-enosys.c), and loaded
   with seccomp(2). */
#ifndef BERTH_RUNTIME_SECCOMP_H
#define BERTH_RUNTIME_SECCOMP_H

#include "core/lib/error.h"
#include "core/runtime/spec.h"

/* Build the filter (errors show up here, at create time) ... */
int berth_seccomp_prepare (const struct berth_spec_seccomp *sc, void **filter, berth_error_t *err);
/* ... and load it just before exec.  The filter is released either way. */
int berth_seccomp_load (void *filter, berth_error_t *err);
/* Release a prepared filter that will not be loaded (NULL is fine). */
void berth_seccomp_release (void *filter);

#endif
