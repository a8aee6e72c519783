/* Docker Engine API versions berth speaks, shared by berthd and the CLI,
   and build identification for `version` output. */
#ifndef BERTH_LIB_API_VERSION_H
#define BERTH_LIB_API_VERSION_H

#include <stddef.h>

/* docker CLI 28.x speaks 1.50; moby's oldest accepted version is 1.24. */
#define BERTH_API_VERSION "1.50"
#define BERTH_API_MIN_VERSION "1.24"

/* Set by the build (core/daemon/local.mk); fallbacks for other builds. */
#ifndef BERTH_GIT_COMMIT
#define BERTH_GIT_COMMIT "unknown"
#endif
#ifndef BERTH_BUILD_TIME
#define BERTH_BUILD_TIME ""
#endif

/* Compare dotted versions numerically as moby's versions.compare does:
   "1.5" < "1.24"; a missing or non-numeric part counts as 0.
   Returns <0, 0 or >0. */
int berth_api_version_compare (const char *a, const char *b);

/* True when s is a version string as the API path accepts it: [0-9.]+ */
int berth_api_version_valid (const char *s, size_t len);

#endif
