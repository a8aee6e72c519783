/* The driver state and whole writes of the file-writing log drivers. */
#include "config.h"

#include "file-driver.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

int
log_file_driver_new (const struct berth_host_api *h, struct berth_host_ctx *ctx, const char *driver, void **ret_drv,
                     struct berth_error **err)
{
  struct log_file_driver *d = calloc (1, sizeof (*d));

  if (d == NULL)
    return h->error_set (err, ENOMEM, "%s: out of memory", driver);
  d->h = h;
  d->ctx = ctx;
  *ret_drv = d;
  return 0;
}

void
log_file_driver_free (void *drv)
{
  free (drv);
}

int
log_file_write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;

  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -errno;
      p += n;
      len -= (size_t)n;
    }
  return 0;
}
