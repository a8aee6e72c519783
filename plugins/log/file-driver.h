/* What the log drivers that write files (json-file, local) share besides
 * their options: the driver state (only what the host gave at init; each
 * container's stream holds the rest) and whole writes. */
#ifndef BERTH_LOG_FILE_DRIVER_H
#define BERTH_LOG_FILE_DRIVER_H

#include <berth/log.h>
#include <stddef.h>

struct log_file_driver
{
  const struct berth_host_api *h;
  struct berth_host_ctx *ctx;
};

/* The body of a driver's init; `driver` names it in errors. */
int log_file_driver_new (const struct berth_host_api *h, struct berth_host_ctx *ctx, const char *driver, void **ret_drv,
                         struct berth_error **err);
/* A driver's shutdown. */
void log_file_driver_free (void *drv);

/* All of buf, through EINTR and short writes: 0, or -errno. */
int log_file_write_all (int fd, const void *buf, size_t len);

#endif
