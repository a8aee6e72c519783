/* OCI hooks: each runs with the container state JSON on its stdin. */
#ifndef BERTH_RUNTIME_HOOKS_H
#define BERTH_RUNTIME_HOOKS_H

#include "core/lib/error.h"
#include "core/runtime/spec.h"

/* Run the hooks of one kind in order; the first failure stops them. */
int berth_hooks_run (const struct berth_spec *spec, enum berth_hook_kind kind, const char *state_json,
                     berth_error_t *err);

#endif
