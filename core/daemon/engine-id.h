/* The daemon's ID (docker info "ID"): a UUID generated once and kept in
   <data-root>/engine-id. */
#ifndef BERTH_DAEMON_ENGINE_ID_H
#define BERTH_DAEMON_ENGINE_ID_H

#include "core/lib/error.h"

int berth_engine_id_load (const char *data_root, char **ret, berth_error_t *err);

#endif
