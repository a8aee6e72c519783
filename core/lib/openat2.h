/* openat2(2) for in-root path resolution. */
#ifndef BERTH_LIB_OPENAT2_H
#define BERTH_LIB_OPENAT2_H

#include <linux/openat2.h>

/* openat2, retried while the kernel answers EAGAIN: with RESOLVE_IN_ROOT or
   RESOLVE_BENEATH it does so whenever a rename or mount anywhere raced the
   lookup, which a busy host (or a hostile container) makes common. */
int berth_openat2 (int dirfd, const char *path, const struct open_how *how);

#endif
