/* Loaded driver plugins, by kind and name.
 *
 * berth_plugins_load() dlopens every *.so in the configured plugin
 * directories.  A plugin that cannot be used is refused with one log line
 * naming the file and the reason, and loading goes on with the rest.  Each
 * accepted driver is validated, probed and initialised with its host context;
 * its ops table is copied into a zeroed table of the core's size, so ops a
 * plugin predates read as NULL. */
#ifndef BERTH_PLUGIN_REGISTRY_H
#define BERTH_PLUGIN_REGISTRY_H

#include <stddef.h>

#include <berth/log.h>
#include <berth/network.h>
#include <berth/plugin.h>
#include <berth/storage.h>
#include <berth/volume.h>

#include "core/lib/error.h"

struct berth_config;

struct berth_driver
{
  uint32_t kind;
  char *name;
  char *version;
  char *description;
  char *path; /* the .so it came from */
  union
  {
    struct berth_driver_lifecycle life; /* common first member */
    struct berth_storage_ops storage;
    struct berth_network_ops network;
    struct berth_volume_ops volume;
    struct berth_log_ops log;
  } ops;
  void *drv; /* the instance returned by init */
  struct berth_host_ctx *ctx;
  void *dl_handle; /* dlclose'd by berth_plugins_free, after shutdown */
};

struct berth_plugins;

/* The host services table given to every driver. */
const struct berth_host_api *berth_host_api (void);

/* Load every plugin found.  Fails only on errors that stop the daemon
   (e.g. the data root cannot be created); a bad plugin is logged and skipped. */
int berth_plugins_load (const struct berth_config *cfg, struct berth_plugins **ret, berth_error_t *err);
void berth_plugins_free (struct berth_plugins *p); /* shuts every driver down */

struct berth_driver *berth_plugins_find (struct berth_plugins *p, uint32_t kind, const char *name);
/* As find, but a missing driver is an error naming it and the loaded ones:
   "storage driver `zfs` is not loaded (available: overlay, vfs)". */
int berth_plugins_require (struct berth_plugins *p, uint32_t kind, const char *name, struct berth_driver **ret,
                           berth_error_t *err);
/* Drivers of one kind, in name order; returns the count.  *ret is a
   malloc'd array (NULL when the count is 0): free() it, not the drivers. */
size_t berth_plugins_list (struct berth_plugins *p, uint32_t kind, struct berth_driver ***ret);

const char *berth_kind_name (uint32_t kind); /* "storage", "network", "volume", "log" */

/* The storage driver for this daemon: cfg->storage_driver, or for "auto" the
   driver that already holds data under the data root, else overlay where its
   probe passes, else vfs.  Naming a driver other than the one holding data is
   an error (switching would hide every image and container). */
int berth_plugins_select_storage (struct berth_plugins *p, const struct berth_config *cfg, struct berth_driver **ret,
                                  berth_error_t *err);

/* Options the loader hands a driver's validate and init: storage-opts for the
   configured storage driver (for every storage driver when it is "auto"),
   NULL otherwise.  Log, network and volume drivers get their per-object
   options at open/create time. */
const struct berth_cfg *berth_plugins_driver_opts (const struct berth_config *cfg, uint32_t kind, const char *name);

#endif
