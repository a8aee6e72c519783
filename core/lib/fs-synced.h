/* Writes ordered for crash consistency without a directory fsync each.

   berth_write_file_atomic syncs the file and then its directory: two
   journal commits per write.  A record that is rewritten at every state
   change only needs never to be torn: berth_write_file_synced makes the
   new content durable before the rename makes it visible, so after a
   machine crash the path holds the old content or the new one.  Which of
   the two is settled by the next fsync of the directory (berth_sync_dir,
   or any berth_write_file_atomic in it) or the filesystem's next commit. */
#ifndef BERTH_LIB_FS_SYNCED_H
#define BERTH_LIB_FS_SYNCED_H

#include <stddef.h>
#include <sys/types.h>

#include "core/lib/error.h"

/* temp file in the same directory, write, fsync the file, rename */
int berth_write_file_synced (const char *path, const void *data, size_t len, mode_t mode, berth_error_t *err);
/* fsync a directory: the renames and creations in it become durable */
int berth_sync_dir (const char *path, berth_error_t *err);

#endif
