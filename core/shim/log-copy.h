/* The stdio-to-log copier: container output cut into log messages at each
   newline and at 16 KiB, written to the container's log driver plugin.  A
   message holds a line without its newline; a chunk that ends without one
   is sent with BERTH_LOG_PARTIAL. */
#ifndef BERTH_SHIM_LOG_COPY_H
#define BERTH_SHIM_LOG_COPY_H

#include <stddef.h>
#include <stdint.h>

#include "core/plugin/registry.h"

#define SHIM_LOG_MAX_LINE (16u * 1024)

struct shim_log_buf
{
  uint32_t stream;
  uint8_t data[SHIM_LOG_MAX_LINE];
  size_t len;
};

struct shim_log
{
  struct berth_driver *driver;
  void *stream; /* the driver's open stream */
  struct shim_log_buf out, err;
  unsigned write_errors;
};

void shim_log_feed (struct shim_log *l, uint32_t stream, const uint8_t *data, size_t len);
/* Write what is left as a partial line. */
void shim_log_flush (struct shim_log *l);

#endif
