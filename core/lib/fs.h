/* Filesystem helpers shared by every binary. */
#ifndef BERTH_LIB_FS_H
#define BERTH_LIB_FS_H

#include <stddef.h>
#include <sys/types.h>

#include "core/lib/error.h"

/* mkdir -p; existing directories are fine */
int berth_mkdir_p (const char *path, mode_t mode, berth_error_t *err);
/* rm -rf without following symlinks; a missing path is fine */
int berth_rm_rf (const char *path, berth_error_t *err);
/* temp file in the same directory, write, fsync, rename, fsync the directory */
int berth_write_file_atomic (const char *path, const void *data, size_t len, mode_t mode, berth_error_t *err);
/* The same without the two fsyncs: readers never see a half-written file,
   even if the writer is killed, but a machine crash may lose the new
   content.  Only for state that does not outlive a reboot (the exec root:
   bundles, runtime state, pid files) or is rewritten at every start; each
   fsync costs milliseconds on the path of every `run`. */
int berth_write_file_replace (const char *path, const void *data, size_t len, mode_t mode, berth_error_t *err);
/* read a whole file (NUL-terminated); fails beyond max_size bytes */
int berth_read_file (const char *path, size_t max_size, char **ret, size_t *ret_len, berth_error_t *err);

#endif
