/* Produce layer tars (the reverse of layer-apply.h), for commit, save and
 * push: uncompressed pax tar, deterministic (entries in byte order of their
 * names, whiteouts first in each directory, numeric owners only, no atime or
 * ctime), hard links kept, xattrs kept except overlayfs's own and
 * security.selinux.  The sha256 of the output (the diff id) is computed while
 * writing.
 */
#ifndef BERTH_IMAGE_LAYER_DIFF_H
#define BERTH_IMAGE_LAYER_DIFF_H

#include <stdint.h>

#include "core/image/digest.h"
#include "core/lib/error.h"

/* the directory is an overlayfs upper dir: 0/0 char devices become ".wh.NAME"
   and trusted.overlay.opaque=y directories get ".wh..wh..opq" */
#define LAYER_DIFF_OVERLAY_UPPER (1u << 0)

struct layer_diff_result
{
  char diff_id[DIGEST_BUF_SIZE];
  uint64_t size; /* bytes written */
  uint64_t entries;
};

/* Everything under dir (a base layer, or an overlay upper dir with the flag). */
int layer_diff_tar_dir (const char *dir, unsigned flags, int out_fd, struct layer_diff_result *result,
                        berth_error_t *err);
/* What changed from lower to upper (two full trees, as vfs or btrfs keep
   them): added and modified entries, ".wh.NAME" for removed ones, and the
   parent directories of every change. */
int layer_diff_changes (const char *lower, const char *upper, int out_fd, struct layer_diff_result *result,
                        berth_error_t *err);

#endif
