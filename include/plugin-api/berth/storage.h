/* Storage driver ops (overlay, btrfs, vfs).  Layers are named by the core
   (64-hex ids); the driver decides how they are laid out on disk. */
#ifndef BERTH_PLUGIN_STORAGE_H
#define BERTH_PLUGIN_STORAGE_H

#include <berth/plugin.h>

#define BERTH_STORAGE_CAP_NATIVE_DIFF (1u << 0) /* diff/changes faster than walking two trees */
#define BERTH_STORAGE_CAP_QUOTA (1u << 1)

#define BERTH_LAYER_RW (1u << 0) /* a container's writable layer rather than an image layer */

#define BERTH_MOUNT_RO (1u << 0)

#define BERTH_CHANGE_ADD 0u
#define BERTH_CHANGE_MODIFY 1u
#define BERTH_CHANGE_DELETE 2u

struct berth_layer_opts
{
  uint32_t struct_size;
  uint32_t flags; /* BERTH_LAYER_* */
  int64_t quota_bytes;            /* 0 = none */
  const struct berth_cfg *driver_opts;
};

struct berth_mount_opts
{
  uint32_t struct_size;
  uint32_t flags; /* BERTH_MOUNT_* */
  const char *mount_label;
};

typedef int (*berth_change_fn) (void *ud, const char *path, uint32_t kind /* BERTH_CHANGE_* */);

struct berth_storage_ops
{
  struct berth_driver_lifecycle life;
  /* mandatory */
  int (*create) (void *drv, const char *id, const char *parent /* NULL = empty base */,
                 const struct berth_layer_opts *o, struct berth_error **err);
  int (*remove) (void *drv, const char *id, struct berth_error **err);
  int (*exists) (void *drv, const char *id); /* 1, 0, or -errno */
  /* the core reference-counts mounts: mount is called once per first user */
  int (*mount) (void *drv, const char *id, const struct berth_mount_opts *o, char *ret_path, size_t ret_len,
                struct berth_error **err);
  int (*unmount) (void *drv, const char *id, struct berth_error **err);
  /* optional */
  int (*list) (void *drv, berth_str_fn emit, void *ud, struct berth_error **err);
  int (*metadata) (void *drv, const char *id, berth_kv_fn emit, void *ud, struct berth_error **err);
  /* optional accelerations; NULL = the core works generically through mount() and tar */
  int (*diff) (void *drv, const char *id, const char *parent, int out_fd, struct berth_error **err);
  int (*changes) (void *drv, const char *id, const char *parent, berth_change_fn emit, void *ud,
                  struct berth_error **err);
  int (*apply_diff) (void *drv, const char *id, const char *parent, int tar_fd, int64_t *ret_size,
                     struct berth_error **err);
  int (*diff_size) (void *drv, const char *id, const char *parent, int64_t *ret_size, struct berth_error **err);
  int (*disk_usage) (void *drv, const char *id, int64_t *ret_bytes, struct berth_error **err);
  /* optional: the directory holding only this layer's own changes (overlay's
     upper dir).  When present the core applies layer tars there, writing
     whiteouts in overlayfs format (0/0 char devices, trusted.overlay.opaque),
     and diffs a container by walking it; when NULL the core applies into the
     mounted layer, deleting whited-out paths, and diffs against the parent. */
  int (*diff_dir) (void *drv, const char *id, char *ret_path, size_t ret_len, struct berth_error **err);
};

#endif
