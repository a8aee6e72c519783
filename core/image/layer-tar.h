/* Layer tars as the image service keeps them: the uncompressed tar, byte for
 * byte as it arrived, so `save` and `push` can hand out exactly the bytes
 * whose sha256 is the diff id in the image config.
 *
 * layer_tar_spool decompresses a layer stream (gzip, zstd, xz or none,
 * detected from the data, in-process decompressors only) into out_fd while
 * hashing both the bytes read (the compressed digest) and the bytes written
 * (the diff id). */
#ifndef BERTH_IMAGE_LAYER_TAR_H
#define BERTH_IMAGE_LAYER_TAR_H

#include <stdint.h>

#include "core/image/digest.h"
#include "core/lib/error.h"

struct layer_tar_result
{
  char diff_id[DIGEST_BUF_SIZE];
  char compressed_digest[DIGEST_BUF_SIZE];
  uint64_t uncompressed_size;
  uint64_t compressed_size;
};

/* Reads in_fd to its end.  max_uncompressed 0 = no limit.  The expected
   digests may be NULL; a mismatch is EINVAL naming both digests. */
int layer_tar_spool (int in_fd, int out_fd, uint64_t max_uncompressed, const char *expected_compressed,
                     const char *expected_diff_id, struct layer_tar_result *ret, berth_error_t *err);

#endif
