/* Directory trees of volumes: filling a new volume from the image, and the
   space a volume takes.  Every step is fd-relative and never follows a
   symlink (symlinks are copied as symlinks), so content from an untrusted
   image cannot make the daemon read or write outside the two trees. */
#ifndef BERTH_VOLUME_TREE_H
#define BERTH_VOLUME_TREE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/lib/error.h"

/* Copy what is inside the directory src_fd into the directory dst_fd:
   files, directories, symlinks, device nodes, fifos and hard links, with
   owner, mode, times and extended attributes; then give dst_fd the owner
   and mode of src_fd (moby's copyExistingContents + copyOwnership). */
int tree_copy (int src_fd, int dst_fd, berth_error_t *err);
/* true when the directory at fd has no entries */
bool tree_dir_empty (int fd);
/* Bytes allocated under path (du), 0 when unreadable. */
int64_t tree_disk_usage (const char *path);

#endif
