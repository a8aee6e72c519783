/* Capabilities through libcap: the bounding set is cut before the user
   switch, the other four sets are set after it. */
#ifndef BERTH_RUNTIME_CAPS_H
#define BERTH_RUNTIME_CAPS_H

#include "core/lib/error.h"
#include "core/runtime/spec.h"

/* Refuse sets asking for capabilities this process does not hold. */
int berth_caps_check (const struct berth_spec_caps *caps, berth_error_t *err);
int berth_caps_drop_bounding (uint64_t keep, berth_error_t *err);
/* effective, permitted and inheritable, then ambient (needs each cap in
   permitted and inheritable; others are skipped, as runc does). */
int berth_caps_apply (const struct berth_spec_caps *caps, berth_error_t *err);
/* "CAP_CHOWN" for a number */
const char *berth_cap_name (int cap, char *buf, size_t len);

#endif
