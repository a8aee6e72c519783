/* Digests of the build context's files, so that an unchanged file is not
 * read again for a COPY/ADD cache key.  Keyed by the file as the daemon
 * sees it: device, inode, size, mtime and ctime (ns).  Any write, rename
 * over it, chmod or touch changes the inode or the ctime, so a changed
 * file misses even when its size and mtime are the same.  The digest is
 * the sha256 of the contents alone.  Not thread-safe: one build at a time
 * uses a table. */
#ifndef BERTH_BUILD_FILE_DIGESTS_H
#define BERTH_BUILD_FILE_DIGESTS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "core/image/digest.h"

struct build_file_digests;

struct build_file_digests *build_file_digests_new (void);
void build_file_digests_free (struct build_file_digests *t);
/* true with ret set when st is the file a digest was recorded for */
bool build_file_digests_get (struct build_file_digests *t, const struct stat *st, char ret[DIGEST_BUF_SIZE]);
void build_file_digests_put (struct build_file_digests *t, const struct stat *st, const char *digest);
/* how many are recorded (files replaced since leave theirs behind) */
size_t build_file_digests_count (const struct build_file_digests *t);

#endif
