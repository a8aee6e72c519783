#include "config.h"

#include "core/image/layer-tar.h"
#include "core/lib/mem.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SPOOL_BUF_SIZE (128 * 1024)

struct spool_ctx
{
  int in_fd;
  char *buf;
  struct digest_ctx *cdigest;
  berth_error_t cb_err;
};

static la_ssize_t
spool_read (struct archive *a, void *ud, const void **buf)
{
  struct spool_ctx *c = ud;
  ssize_t n;

  do
    n = read (c->in_fd, c->buf, SPOOL_BUF_SIZE);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      berth_error_errno (&c->cb_err, errno, "read layer stream");
      archive_set_error (a, errno, "read layer stream");
      return -1;
    }
  digest_ctx_update (c->cdigest, c->buf, (size_t)n);
  *buf = c->buf;
  return n;
}

static int
write_all (int fd, const char *data, size_t len, berth_error_t *err)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return berth_error_errno (err, errno, "write layer tar");
      data += n;
      len -= (size_t)n;
    }
  return 0;
}

static int
fail_archive (struct spool_ctx *c, struct archive *a, const char *what, berth_error_t *err)
{
  if (c->cb_err != NULL)
    {
      int r = berth_error_make (err, berth_error_code (&c->cb_err), "%s", berth_error_msg (&c->cb_err));
      berth_error_release (&c->cb_err);
      return r;
    }
  return berth_error_make (err, EINVAL, "%s: %s", what,
                           archive_error_string (a) != NULL ? archive_error_string (a) : "unknown libarchive error");
}

static int
check_digest (const char *what, const char *expected, const char *actual, berth_error_t *err)
{
  if (expected == NULL || strcmp (expected, actual) == 0)
    return 0;
  return berth_error_make (err, EINVAL, "%s mismatch: expected %s, got %s", what, expected, actual);
}

int
layer_tar_spool (int in_fd, int out_fd, uint64_t max_uncompressed, const char *expected_compressed,
                 const char *expected_diff_id, struct layer_tar_result *ret, berth_error_t *err)
{
  struct spool_ctx c = { .in_fd = in_fd };
  struct digest_ctx *udigest = NULL;
  struct archive *a = NULL;
  struct archive_entry *e;
  cleanup_free char *obuf = xmalloc (SPOOL_BUF_SIZE);
  struct layer_tar_result res = { 0 };
  int r;

  c.buf = xmalloc (SPOOL_BUF_SIZE);
  c.cdigest = digest_ctx_new (err);
  if (c.cdigest == NULL || (udigest = digest_ctx_new (err)) == NULL)
    {
      r = berth_error_ret (err);
      goto out;
    }
  a = archive_read_new ();
  if (a == NULL)
    oom ();
  /* only in-process decompressors, never a helper program */
  archive_read_support_filter_gzip (a);
  archive_read_support_filter_zstd (a);
  archive_read_support_filter_xz (a);
  archive_read_support_format_raw (a);
  r = archive_read_open (a, &c, NULL, spool_read, NULL);
  if (r == ARCHIVE_OK)
    r = archive_read_next_header (a, &e);
  if (r == ARCHIVE_EOF || ((r < ARCHIVE_WARN) && c.cb_err == NULL && digest_ctx_size (c.cdigest) == 0))
    {
      r = berth_error_make (err, EINVAL, "layer is empty (no data)");
      goto out;
    }
  if (r < ARCHIVE_WARN)
    {
      r = fail_archive (&c, a, "open layer", err);
      goto out;
    }
  for (;;)
    {
      la_ssize_t n = archive_read_data (a, obuf, SPOOL_BUF_SIZE);
      if (n == 0)
        break;
      if (n < 0)
        {
          r = fail_archive (&c, a, "decompress layer", err);
          goto out;
        }
      if (max_uncompressed != 0 && digest_ctx_size (udigest) + (uint64_t)n > max_uncompressed)
        {
          r = berth_error_make (err, EFBIG,
                                "layer is larger than the limit of %llu bytes uncompressed (max-layer-size)",
                                (unsigned long long)max_uncompressed);
          goto out;
        }
      digest_ctx_update (udigest, obuf, (size_t)n);
      if ((r = write_all (out_fd, obuf, (size_t)n, err)) < 0)
        goto out;
    }
  /* the decompressor may stop before the input's end (trailing padding) */
  for (;;)
    {
      la_ssize_t n = read (in_fd, c.buf, SPOOL_BUF_SIZE);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          r = berth_error_errno (err, errno, "read layer stream");
          goto out;
        }
      if (n == 0)
        break;
      digest_ctx_update (c.cdigest, c.buf, (size_t)n);
    }
  res.uncompressed_size = digest_ctx_size (udigest);
  res.compressed_size = digest_ctx_size (c.cdigest);
  if ((r = digest_ctx_final (udigest, res.diff_id, err)) < 0
      || (r = digest_ctx_final (c.cdigest, res.compressed_digest, err)) < 0)
    goto out;
  if ((r = check_digest ("layer digest", expected_compressed, res.compressed_digest, err)) < 0
      || (r = check_digest ("layer diff id", expected_diff_id, res.diff_id, err)) < 0)
    goto out;
  if (ret != NULL)
    *ret = res;
  r = 0;
out:
  if (a != NULL)
    archive_read_free (a);
  berth_error_release (&c.cb_err);
  digest_ctx_free (c.cdigest);
  digest_ctx_free (udigest);
  free (c.buf);
  return r;
}
