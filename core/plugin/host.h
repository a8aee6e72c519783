/* The host side of a loaded driver: its context (name, log tag, state
   directory) and the services table of <berth/plugin.h>.  Internal to
   core/plugin. */
#ifndef BERTH_PLUGIN_HOST_H
#define BERTH_PLUGIN_HOST_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct berth_host_ctx
{
  uint32_t kind;
  char *name;
  char *tag;       /* "[storage/vfs]", prefixed to the driver's log lines */
  char *state_dir; /* <data-root>/<kind>/<name>, created on first request */
  bool state_dir_made;
  pthread_mutex_t lock;
};

struct berth_host_ctx *berth_host_ctx_new (uint32_t kind, const char *name, const char *data_root);
void berth_host_ctx_free (struct berth_host_ctx *ctx);

#endif
