/* A seccomp profile in Docker's format, parsed and checked.

   Docker's format is the OCI linux.seccomp object plus `archMap` (the
   native architecture and the ABIs that come with it) and, per syscall
   rule, `includes`/`excludes` conditions on capabilities, architecture
   (Go names) and kernel version, and `comment`.  Unknown keys, actions,
   operators and architectures are errors naming the entry: a typo must not
   silently widen or narrow the filter.  Action, operator and architecture
   strings below point into static tables (canonical spelling). */
#ifndef BERTH_SECCOMP_PROFILE_PROFILE_H
#define BERTH_SECCOMP_PROFILE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/lib/error.h"

struct seccomp_kernel_version
{
  unsigned int major;
  unsigned int minor;
};

struct seccomp_profile_filter
{
  char **caps;         /* NULL-terminated "CAP_X" names, never NULL */
  const char **arches; /* NULL-terminated Go names, never NULL */
  bool has_min_kernel;
  struct seccomp_kernel_version min_kernel;
};

struct seccomp_profile_arg
{
  unsigned int index;
  uint64_t value;
  uint64_t value_two;
  const char *op; /* "SCMP_CMP_*" */
};

struct seccomp_profile_rule
{
  char **names;       /* NULL-terminated, at least one */
  const char *action; /* "SCMP_ACT_*" */
  bool has_errno_ret;
  uint32_t errno_ret;
  struct seccomp_profile_arg *args;
  size_t n_args;
  struct seccomp_profile_filter includes;
  struct seccomp_profile_filter excludes;
};

struct seccomp_profile_arch_map
{
  const char *arch;        /* "SCMP_ARCH_*" */
  const char **sub_arches; /* NULL-terminated, never NULL */
};

struct seccomp_profile
{
  const char *default_action;
  bool has_default_errno_ret;
  uint32_t default_errno_ret;
  const char **architectures; /* legacy list, NULL-terminated, never NULL */
  struct seccomp_profile_arch_map *arch_map;
  size_t n_arch_map;
  char **flags; /* NULL-terminated, never NULL */
  struct seccomp_profile_rule *rules;
  size_t n_rules;
};

/* Parse and check profile text.  *ret is set only on success. */
int seccomp_profile_parse (const char *json, size_t len, struct seccomp_profile **ret, berth_error_t *err);
void seccomp_profile_free (struct seccomp_profile *p);

/* "X.Y" (strict = true: nothing after) or a uname release "6.1.0-13-amd64". */
int seccomp_kernel_version_parse (const char *s, bool strict, struct seccomp_kernel_version *ret);
int seccomp_kernel_version_cmp (const struct seccomp_kernel_version *a, const struct seccomp_kernel_version *b);

#endif
