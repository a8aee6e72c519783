#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/lib/fs-synced.h"
#include "core/lib/mem.h"

int
berth_write_file_synced (const char *path, const void *data, size_t len, mode_t mode, berth_error_t *err)
{
  cleanup_free char *tmp = xasprintf ("%s.tmp-XXXXXX", path);
  cleanup_close int fd = mkostemp (tmp, O_CLOEXEC);
  const char *p = data;
  int e;

  if (fd < 0)
    return berth_error_errno (err, errno, "create temporary file for `%s`", path);
  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        goto fail;
      p += n;
      len -= (size_t) n;
    }
  /* data before name: a crash never leaves a truncated file at path */
  if (fchmod (fd, mode) < 0 || fdatasync (fd) < 0 || rename (tmp, path) < 0)
    goto fail;
  return 0;

fail:
  e = errno;
  unlink (tmp);
  return berth_error_errno (err, e, "write `%s`", path);
}

int
berth_sync_dir (const char *path, berth_error_t *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return berth_error_errno (err, errno, "open `%s`", path);
  if (fsync (fd) < 0)
    return berth_error_errno (err, errno, "sync `%s`", path);
  return 0;
}
