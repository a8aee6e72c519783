/* Path resolution inside a container root, never escaping it.

   Paths are resolved with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS):
   ".." and absolute symlinks stop at the root, so a hostile rootfs cannot
   point a mount target at the host.  Mounts then go onto /proc/self/fd/N of
   the returned O_PATH fd (CVE-2021-30465). */
#ifndef BERTH_RUNTIME_RESOLVE_H
#define BERTH_RUNTIME_RESOLVE_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/lib/error.h"

enum berth_resolve_flags
{
  BERTH_RESOLVE_NO_SYMLINKS = 1 << 0, /* refuse any symlink on the way (for /proc, /sys, /dev) */
};

/* Open PATH (absolute or relative, taken inside rootfd) with OFLAGS. */
int berth_open_in_root (int rootfd, const char *path, int oflags, unsigned int flags, berth_error_t *err);
/* Open PATH inside rootfd as O_PATH, creating missing parents as directories
   (0755) and the last component as a directory or an empty file (mode). */
int berth_open_or_create_in_root (int rootfd, const char *path, bool dir, mode_t mode, unsigned int flags,
                                  berth_error_t *err);
/* "/proc/self/fd/N" into buf (at least 32 bytes) */
const char *berth_fd_path (int fd, char *buf, size_t len);

#endif
