/* What berth_seccomp_prepare hands to berth_seccomp_load (seccomp.c), also
   written to and read from files by seccomp-file.c. */
#ifndef BERTH_RUNTIME_SECCOMP_INTERNAL_H
#define BERTH_RUNTIME_SECCOMP_INTERNAL_H

#include <linux/filter.h>

/* the final BPF program and the seccomp(2) flags libseccomp would have used */
struct berth_seccomp_filter
{
  struct sock_fprog prog;
  unsigned int flags;
};

#endif
