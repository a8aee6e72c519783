/* The tar that `cp` moves: one file or one directory tree, its top entry
 * renamed (moby's TarResourceRebase), uncompressed pax.
 *
 * Written from an fd, never through a path: the tree is walked with
 * openat(..., O_NOFOLLOW), so a symlink is archived as a symlink and never
 * leads the walk anywhere else (a container's `/x -> /` stays a link).
 * Owners are numeric only: no user or group name is ever looked up (NSS
 * would load libraries, CVE-2019-14271).  Hard links inside the tree are
 * kept, sockets are skipped (as moby), the xattr security.capability is
 * kept.  Used by berthd (GET /containers/{id}/archive) and by `berth cp`.
 */
#ifndef BERTH_CONTAINER_ARCHIVE_TAR_H
#define BERTH_CONTAINER_ARCHIVE_TAR_H

#include <stdint.h>

#include "core/lib/error.h"

/* Directories on kernel filesystems (a running container's /proc, /sys,
   cgroups) are archived empty; a file on one is refused. */
#define ARCHIVE_TAR_SKIP_PSEUDO_FS (1u << 0)
/* Every entry owned by 0:0 (`cp` without -a, into a container). */
#define ARCHIVE_TAR_ROOT_OWNER (1u << 1)

/* The file or directory `name` in dir_fd (name "." is dir_fd itself) as
   `as` and, for a directory, `as/...` for its content (as "." gives
   "./..."; as "/" gives "/..." as moby does for the root).  Writes to
   out_fd (*ret_bytes, when not NULL, counts what was written); EPIPE when
   the reader went away. */
int archive_tar_write (int dir_fd, const char *name, const char *as, unsigned flags, int out_fd, uint64_t *ret_bytes,
                       berth_error_t *err);

#endif
