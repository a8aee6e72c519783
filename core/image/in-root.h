/* Resolve paths inside a directory tree as if it were "/": symlinks are
 * followed but can never lead out (absolute targets restart at the root,
 * ".." stops at the root), magic links are refused.  openat2
 * (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) does it when the kernel has it; an
 * O_PATH walk does the same otherwise, and also creates missing directories.
 *
 * Used by layer extraction; every path of an untrusted archive goes through
 * here, and the last component is then handled with *at(..., NOFOLLOW) calls.
 */
#ifndef BERTH_IMAGE_IN_ROOT_H
#define BERTH_IMAGE_IN_ROOT_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/lib/error.h"

/* O_PATH fd of the directory at path (relative to root_fd, "" = the root).
   With create, missing directories are made with mode (and a dangling symlink
   gets its in-root target created, as containerd's RootPath + MkdirAll does). */
int in_root_open_dir (int root_fd, const char *path, bool create, mode_t mode, berth_error_t *err);

/* rm -rf of name in dir_fd, never following symlinks; a missing name is fine */
int in_root_remove_at (int dir_fd, const char *name, berth_error_t *err);

/* Tests: force the O_PATH walk even when openat2 works. */
void in_root_force_walk (bool on);

#endif
