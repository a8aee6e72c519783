/* Log driver ops (json-file, local, none, ...).  The core copies a
   container's stdio into write(); read() is optional (BERTH_LOG_CAP_READ). */
#ifndef BERTH_PLUGIN_LOG_H
#define BERTH_PLUGIN_LOG_H

#include <berth/plugin.h>

#define BERTH_LOG_CAP_READ (1u << 0)

#define BERTH_LOG_STDOUT 1u
#define BERTH_LOG_STDERR 2u

#define BERTH_LOG_PARTIAL (1u << 0) /* line continues in the next message */
#define BERTH_LOG_FOLLOW (1u << 2)  /* read: keep following new output */

struct berth_log_info
{
  uint32_t struct_size;
  uint32_t n_labels;
  const char *container_id, *container_name, *image;
  const char *log_dir;               /* the container's state directory */
  const char *const *labels;         /* "k=v" */
  const struct berth_cfg *opts;      /* --log-opt values */
};

struct berth_log_msg
{
  uint32_t struct_size;
  uint32_t stream; /* BERTH_LOG_STDOUT / STDERR */
  uint32_t flags;  /* BERTH_LOG_PARTIAL */
  uint32_t reserved;
  int64_t ts_unix_ns;
  const uint8_t *line; /* borrowed for the call */
  size_t len;
};

struct berth_log_read_opts
{
  uint32_t struct_size;
  uint32_t flags;     /* BERTH_LOG_FOLLOW */
  int64_t since_ns;   /* 0 = from the start */
  int64_t until_ns;   /* 0 = no end */
  int64_t tail;       /* -1 = all */
  int cancel_fd;      /* readable = stop following; -1 = none */
  int reserved;
};

typedef int (*berth_log_msg_fn) (void *ud, const struct berth_log_msg *m);

struct berth_log_ops
{
  struct berth_driver_lifecycle life; /* life.validate checks per-container log options */
  /* mandatory */
  int (*open) (void *drv, const struct berth_log_info *info, void **ret_stream, struct berth_error **err);
  int (*write) (void *stream, const struct berth_log_msg *m, struct berth_error **err);
  int (*close) (void *stream, struct berth_error **err);
  /* optional: BERTH_LOG_CAP_READ */
  int (*read) (void *drv, const struct berth_log_info *info, const struct berth_log_read_opts *o,
               berth_log_msg_fn emit, void *ud, struct berth_error **err);
};

#endif
