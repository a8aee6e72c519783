/* The registry's contents, shared by loader.c and registry.c only. */
#ifndef BERTH_PLUGIN_REGISTRY_INTERNAL_H
#define BERTH_PLUGIN_REGISTRY_INTERNAL_H

#include "core/plugin/registry.h"

struct berth_plugins
{
  struct berth_driver **drivers; /* in load order */
  size_t n_drivers;
};

/* Take ownership of a driver that passed every check and initialised. */
void berth_plugins_add (struct berth_plugins *p, struct berth_driver *d);
/* Shut the driver down (if initialised), free it and dlclose its object. */
void berth_driver_free (struct berth_driver *d);

#endif
