/* The keys of berth.yaml: types, value checks, and where each lands in
   struct berth_config.  Internal to core/config. */
#ifndef BERTH_CONFIG_SCHEMA_H
#define BERTH_CONFIG_SCHEMA_H

#include "core/config/config.h"
#include "core/config/tree.h"

/* Check every key of the document root and store the values set in c
   (which already holds defaults).  Errors name FILE:LINE. */
int berth_config_schema_apply (struct berth_config *c, const struct berth_cfg *root, berth_error_t *err);
/* One command-line override; errors read "--key: ...". */
int berth_config_schema_override (struct berth_config *c, const char *key, const char *value, berth_error_t *err);
/* Re-check the fields the daemon may have replaced by hand. */
int berth_config_schema_check (const struct berth_config *c, berth_error_t *err);

#endif
