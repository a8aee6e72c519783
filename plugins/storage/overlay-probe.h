/* Whether overlayfs works on the filesystem of the overlay driver's state
   directory, with the reason when it does not. */
#ifndef BERTH_OVERLAY_PROBE_H
#define BERTH_OVERLAY_PROBE_H

#include <berth/storage.h>
#include <stdbool.h>

/* 0, or -ENOTSUP with the reason ("overlay cannot run on DIR (FS): ..."). */
int ovl_probe_dir (const struct berth_host_api *h, const char *state_dir, struct berth_error **err);

/* A scratch directory a killed probe left behind. */
bool ovl_is_probe_leftover (const char *name);

#endif
