/* Test helper: build tar layers in memory with libarchive (pax format). */
#ifndef BERTH_TESTS_TAR_BUILD_H
#define BERTH_TESTS_TAR_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum tarb_compression
{
  TARB_NONE,
  TARB_GZIP,
  TARB_ZSTD,
  TARB_XZ,
};

struct tarb;

struct tarb *tarb_new (enum tarb_compression comp);
/* attributes for the next entry only */
void tarb_owner (struct tarb *t, int64_t uid, int64_t gid);
void tarb_mtime (struct tarb *t, time_t mtime);
void tarb_xattr (struct tarb *t, const char *name, const void *value, size_t len);

void tarb_dir (struct tarb *t, const char *path, mode_t mode);
void tarb_file (struct tarb *t, const char *path, const char *content, mode_t mode);
void tarb_file_data (struct tarb *t, const char *path, const void *data, size_t len, mode_t mode);
/* a file of apparent size `size` holding only `len` bytes of data at offset */
void tarb_sparse (struct tarb *t, const char *path, int64_t size, int64_t offset, const char *data);
void tarb_symlink (struct tarb *t, const char *path, const char *target);
void tarb_hardlink (struct tarb *t, const char *path, const char *target, mode_t mode);
void tarb_node (struct tarb *t, const char *path, mode_t type, unsigned maj, unsigned min, mode_t mode);

/* finish and hand out the bytes (caller frees); t is freed */
void tarb_finish (struct tarb *t, char **ret, size_t *ret_len);
/* a pipe-less fd holding data (memfd), positioned at 0 */
int tarb_memfd (const char *data, size_t len);

#endif
