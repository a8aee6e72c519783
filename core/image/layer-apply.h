/* Apply a layer (a tar stream: gzip, zstd, xz or uncompressed, detected from
 * the data) to a directory, streaming, while hashing the uncompressed bytes
 * (the diff id) and the compressed bytes.
 *
 * Every entry path is resolved inside the target (see in-root.h); entries
 * with ".." components are refused, absolute names are taken relative to the
 * target, hard links must point inside the target, and metadata is never set
 * through a symlink.  A refused entry stops the apply with an error naming it;
 * the target is then partly written and must be discarded by the caller.
 *
 * Whiteouts (".wh.NAME", ".wh..wh..opq") are applied in one of two modes:
 *   flatten - the target already holds the parent layers (vfs, btrfs): the
 *             whited-out path is deleted; an opaque dir loses the content it
 *             had before this layer.
 *   overlay - the target is an empty overlayfs upper dir: a whiteout becomes
 *             a 0/0 character device, an opaque dir gets
 *             trusted.overlay.opaque=y.
 * Other ".wh..wh.*" names (AUFS metadata) are skipped.
 */
#ifndef BERTH_IMAGE_LAYER_APPLY_H
#define BERTH_IMAGE_LAYER_APPLY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/image/digest.h"
#include "core/lib/error.h"

#define LAYER_APPLY_OVERLAY (1u << 0) /* overlay whiteouts; default is flatten */
/* For `cp` (a plain untar, as moby's archive.Untar), not for layers: */
#define LAYER_APPLY_PLAIN (1u << 1)          /* no whiteouts: ".wh.*" names are ordinary entries;
                                                no digests (the result's are not meaningful) */
#define LAYER_APPLY_NO_CHOWN (1u << 2)       /* owners left as created (an unprivileged client) */
#define LAYER_APPLY_OWNER (1u << 3)          /* every entry gets opts->uid:gid instead of its own */
#define LAYER_APPLY_NO_DIR_REPLACE (1u << 4) /* a directory and a non-directory never replace each
                                                other: EEXIST (noOverwriteDirNonDir) */
#define LAYER_APPLY_NO_PSEUDO_FS (1u << 5)   /* refuse entries below proc, sysfs, cgroup & co (the
                                                mounts of a running container) */
/* The caller has checked the bytes already (the image service's kept layer
   tars): no hashing; the result's digests are empty and expected_* unused. */
#define LAYER_APPLY_VERIFIED (1u << 6)

struct layer_apply_opts
{
  unsigned flags;                  /* LAYER_APPLY_* */
  uint64_t max_uncompressed;       /* bytes of uncompressed tar; 0 = no limit */
  const char *expected_diff_id;    /* checked at the end when not NULL */
  const char *expected_compressed; /* checked at the end when not NULL */
  uid_t uid;                       /* LAYER_APPLY_OWNER */
  gid_t gid;
  /* when set: entry names (and hard link targets) `rebase_from` and
     `rebase_from/...` become `rebase_to[/...]` (cp to a new name), compared
     once cleaned; "", "." or "/" as rebase_from puts rebase_to in front of
     every name */
  const char *rebase_from;
  const char *rebase_to;
};

struct layer_apply_result
{
  char diff_id[DIGEST_BUF_SIZE];           /* sha256 of the uncompressed tar */
  char compressed_digest[DIGEST_BUF_SIZE]; /* sha256 of the bytes read from the fd */
  uint64_t uncompressed_size;
  uint64_t compressed_size;
  uint64_t content_size; /* sum of regular file sizes written */
  uint64_t entries;
};

/* Reads tar_fd to its end.  result may be NULL. */
int layer_apply (int tar_fd, const char *target_dir, const struct layer_apply_opts *opts,
                 struct layer_apply_result *result, berth_error_t *err);
int layer_apply_at (int tar_fd, int target_dirfd, const struct layer_apply_opts *opts,
                    struct layer_apply_result *result, berth_error_t *err);

#endif
