/* Mounting and unmounting overlayfs for the overlay storage driver. */
#ifndef BERTH_OVERLAY_MOUNT_H
#define BERTH_OVERLAY_MOUNT_H

#include <berth/storage.h>
#include <stdbool.h>
#include <stddef.h>

struct ovl_mount_spec
{
  const char *const *lower; /* nearest first; at least one, two without upper */
  size_t n_lower;
  const char *upper; /* NULL: a read-only stack of lower dirs */
  const char *work;
  bool read_only;
};

/* Mount overlayfs on target.  Uses one mount(2) when the option string fits
   a page and holds no character it cannot carry; else the mount API (fsopen,
   one "lowerdir+" per layer: Linux 6.8+; paths too long for fsconfig go as
   fds), whose error messages from the kernel end up in *err; else (older
   kernels, valgrind) mount(2) naming every dir as /proc/self/fd/N. */
int ovl_mount (const struct berth_host_api *h, const struct ovl_mount_spec *s, const char *target,
               struct berth_error **err);

/* 1 if path is the root of a mount, 0 if not, -errno. */
int ovl_is_mount_point (const char *path);

/* Detach every mount in a .tmp-/.rm-/.probe- entry below dir (from
   /proc/self/mountinfo), deepest first: what a killed daemon left mounted
   there.  Returns how many, or -errno. */
int ovl_unmount_below (const struct berth_host_api *h, struct berth_host_ctx *ctx, const char *dir,
                       struct berth_error **err);

#endif
