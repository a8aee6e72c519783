/* Volume driver ops (local, and third-party drivers). */
#ifndef BERTH_PLUGIN_VOLUME_H
#define BERTH_PLUGIN_VOLUME_H

#include <berth/plugin.h>

#define BERTH_VOL_CAP_GLOBAL_SCOPE (1u << 0)

struct berth_volume_info
{
  uint32_t struct_size;
  uint32_t flags;
  int64_t created_unix;
  char mountpoint[4096];
};

struct berth_volume_ops
{
  struct berth_driver_lifecycle life;
  /* mandatory */
  int (*create) (void *drv, const char *name, const struct berth_cfg *opts, struct berth_error **err);
  int (*remove) (void *drv, const char *name, struct berth_error **err); /* -EBUSY while mounted */
  int (*get) (void *drv, const char *name, struct berth_volume_info *ret, struct berth_error **err); /* -ENOENT */
  int (*list) (void *drv, berth_str_fn emit, void *ud, struct berth_error **err);
  /* caller_id makes reference counts per user (container id) */
  int (*mount) (void *drv, const char *name, const char *caller_id, char *ret_path, size_t ret_len,
                struct berth_error **err);
  int (*unmount) (void *drv, const char *name, const char *caller_id, struct berth_error **err);
  /* optional */
  int (*restore) (void *drv, const char *name, const char *caller_id, struct berth_error **err);
};

#endif
