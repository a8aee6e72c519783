/* Architecture names in seccomp profiles: SCMP_ARCH_* tokens (archMap,
   architectures) and the Go names Docker uses in includes/excludes.arches
   ("amd64", "arm64", ...).  Tables only: no libseccomp needed. */
#ifndef BERTH_SECCOMP_PROFILE_ARCH_H
#define BERTH_SECCOMP_PROFILE_ARCH_H

#include "core/lib/error.h"

/* The canonical (static) SCMP_ARCH_* string for name, or NULL when unknown. */
const char *seccomp_arch_token (const char *name);
/* The canonical (static) Go arch name for name, or NULL when unknown. */
const char *seccomp_arch_go_name (const char *name);

/* A target architecture: its SCMP_ARCH_* token and its Go name. */
struct seccomp_native_arch
{
  const char *token;
  const char *go_name;
};

/* name: a uname machine ("x86_64"), a Go name ("amd64") or a token
   ("SCMP_ARCH_X86_64"); NULL means this host (uname). */
int seccomp_native_arch_resolve (const char *name, struct seccomp_native_arch *ret, berth_error_t *err);

#endif
