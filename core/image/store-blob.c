#include "config.h"

#include "core/image/store.h"
#include "core/image/store-internal.h"
#include "core/lib/fs.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct store_blob_writer
{
  struct image_store *store;
  char *tmp_path;
  int fd;
  struct digest_ctx *digest;
  char expected[DIGEST_BUF_SIZE];
  uint64_t max_size;
};

char *
store_blob_path (struct image_store *s, const char *digest)
{
  return xasprintf ("%s/%s", s->blobs_dir, digest_hex (digest));
}

void
store_blob_writer_abort (struct store_blob_writer *w)
{
  if (w == NULL)
    return;
  if (w->fd >= 0)
    close (w->fd);
  if (w->tmp_path)
    unlink (w->tmp_path);
  free (w->tmp_path);
  digest_ctx_free (w->digest);
  free (w);
}

int
store_blob_writer_new (struct image_store *s, const char *expected, uint64_t max_size, struct store_blob_writer **ret,
                       berth_error_t *err)
{
  struct store_blob_writer *w;

  if (expected && digest_validate (expected, err) < 0)
    return berth_error_ret (err);
  w = xmalloc0 (sizeof (*w));
  w->store = s;
  w->fd = -1;
  w->max_size = max_size;
  if (expected)
    memcpy (w->expected, expected, DIGEST_BUF_SIZE);
  w->digest = digest_ctx_new (err);
  if (w->digest == NULL)
    {
      store_blob_writer_abort (w);
      return berth_error_ret (err);
    }
  w->tmp_path = xasprintf ("%s/blob-XXXXXX", s->ingest_dir);
  w->fd = mkostemp (w->tmp_path, O_CLOEXEC);
  if (w->fd < 0)
    {
      int e = errno;
      free (steal_pointer (&w->tmp_path));
      store_blob_writer_abort (w);
      return berth_error_errno (err, e, "image store: create ingest file in `%s`", s->ingest_dir);
    }
  *ret = w;
  return 0;
}

int
store_blob_writer_write (struct store_blob_writer *w, const void *data, size_t len, berth_error_t *err)
{
  const char *p = data;

  if (w->max_size && digest_ctx_size (w->digest) + len > w->max_size)
    return berth_error_make (err, EFBIG, "blob%s%s exceeds the size limit of %llu bytes", *w->expected ? " " : "",
                             w->expected, (unsigned long long)w->max_size);
  digest_ctx_update (w->digest, data, len);
  while (len > 0)
    {
      ssize_t n = write (w->fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return berth_error_errno (err, errno, "image store: write `%s`", w->tmp_path);
      p += n;
      len -= (size_t)n;
    }
  return 0;
}

uint64_t
store_blob_writer_size (const struct store_blob_writer *w)
{
  return digest_ctx_size (w->digest);
}

static void
fsync_dir (const char *path)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd >= 0)
    {
      (void)fsync (fd);
      close (fd);
    }
}

int
store_blob_writer_commit (struct store_blob_writer *w, char ret_digest[DIGEST_BUF_SIZE], berth_error_t *err)
{
  char actual[DIGEST_BUF_SIZE];
  cleanup_free char *dest = NULL;
  int ret = -1;

  if (digest_ctx_final (w->digest, actual, err) < 0)
    goto out;
  if (*w->expected && strcmp (actual, w->expected) != 0)
    {
      ret = berth_error_make (err, EILSEQ, "digest mismatch: expected %s, got %s", w->expected, actual);
      goto out;
    }
  if (fchmod (w->fd, 0644) < 0 || fsync (w->fd) < 0)
    {
      ret = berth_error_errno (err, errno, "image store: sync `%s`", w->tmp_path);
      goto out;
    }
  dest = store_blob_path (w->store, actual);
  if (rename (w->tmp_path, dest) < 0)
    {
      ret = berth_error_errno (err, errno, "image store: rename `%s` to `%s`", w->tmp_path, dest);
      goto out;
    }
  free (steal_pointer (&w->tmp_path));
  fsync_dir (w->store->blobs_dir);
  if (ret_digest)
    memcpy (ret_digest, actual, DIGEST_BUF_SIZE);
  ret = 0;
out:
  store_blob_writer_abort (w);
  return ret;
}

int
store_blob_write_fd (struct image_store *s, int fd, const char *expected, uint64_t max_size,
                     char ret_digest[DIGEST_BUF_SIZE], berth_error_t *err)
{
  struct store_blob_writer *w = NULL;
  cleanup_free char *buf = xmalloc (65536);

  if (store_blob_writer_new (s, expected, max_size, &w, err) < 0)
    return berth_error_ret (err);
  for (;;)
    {
      ssize_t n = read (fd, buf, 65536);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          store_blob_writer_abort (w);
          return berth_error_errno (err, errno, "image store: read blob source");
        }
      if (n == 0)
        break;
      if (store_blob_writer_write (w, buf, (size_t)n, err) < 0)
        {
          store_blob_writer_abort (w);
          return berth_error_ret (err);
        }
    }
  return store_blob_writer_commit (w, ret_digest, err);
}

int
store_blob_write_mem (struct image_store *s, const void *data, size_t len, const char *expected,
                      char ret_digest[DIGEST_BUF_SIZE], berth_error_t *err)
{
  struct store_blob_writer *w = NULL;

  if (store_blob_writer_new (s, expected, 0, &w, err) < 0)
    return berth_error_ret (err);
  if (store_blob_writer_write (w, data, len, err) < 0)
    {
      store_blob_writer_abort (w);
      return berth_error_ret (err);
    }
  return store_blob_writer_commit (w, ret_digest, err);
}

int
store_blob_exists (struct image_store *s, const char *digest)
{
  cleanup_free char *path = NULL;
  struct stat st;

  if (!digest_is_valid (digest))
    return -EINVAL;
  path = store_blob_path (s, digest);
  return lstat (path, &st) == 0 && S_ISREG (st.st_mode);
}

int
store_blob_size (struct image_store *s, const char *digest, uint64_t *ret_size, berth_error_t *err)
{
  cleanup_free char *path = NULL;
  struct stat st;

  if (digest_validate (digest, err) < 0)
    return berth_error_ret (err);
  path = store_blob_path (s, digest);
  if (lstat (path, &st) < 0)
    {
      if (errno == ENOENT)
        return berth_error_make (err, ENOENT, "blob %s not found", digest);
      return berth_error_errno (err, errno, "stat `%s`", path);
    }
  *ret_size = (uint64_t)st.st_size;
  return 0;
}

int
store_blob_open (struct image_store *s, const char *digest, berth_error_t *err)
{
  cleanup_free char *path = NULL;
  int fd;

  if (digest_validate (digest, err) < 0)
    return berth_error_ret (err);
  path = store_blob_path (s, digest);
  fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      if (errno == ENOENT)
        return berth_error_make (err, ENOENT, "blob %s not found", digest);
      return berth_error_errno (err, errno, "open `%s`", path);
    }
  return fd;
}

int
store_blob_read (struct image_store *s, const char *digest, size_t max_size, char **ret, size_t *ret_len,
                 berth_error_t *err)
{
  cleanup_free char *path = NULL;
  cleanup_free char *buf = NULL;
  char actual[DIGEST_BUF_SIZE];
  size_t len;

  if (digest_validate (digest, err) < 0)
    return berth_error_ret (err);
  if (store_blob_exists (s, digest) != 1)
    return berth_error_make (err, ENOENT, "blob %s not found", digest);
  path = store_blob_path (s, digest);
  if (berth_read_file (path, max_size, &buf, &len, err) < 0)
    return berth_error_ret (err);
  if (digest_buffer (buf, len, actual, err) < 0)
    return berth_error_ret (err);
  if (strcmp (actual, digest) != 0)
    return berth_error_make (err, EILSEQ, "blob %s is corrupt: its content hashes to %s", digest, actual);
  *ret = steal_pointer (&buf);
  if (ret_len)
    *ret_len = len;
  return 0;
}

int
store_blob_delete (struct image_store *s, const char *digest, berth_error_t *err)
{
  cleanup_free char *path = NULL;

  if (digest_validate (digest, err) < 0)
    return berth_error_ret (err);
  path = store_blob_path (s, digest);
  if (unlink (path) < 0)
    {
      if (errno == ENOENT)
        return berth_error_make (err, ENOENT, "blob %s not found", digest);
      return berth_error_errno (err, errno, "remove `%s`", path);
    }
  return 0;
}
