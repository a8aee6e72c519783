/* The `filters` query parameter: JSON, {"key":{"value":true,...}} (or the
   legacy {"key":["value",...]}), validated against the keys a route
   accepts as moby's filters.Validate does. */
#ifndef BERTH_DAEMON_FILTERS_H
#define BERTH_DAEMON_FILTERS_H

#include <stdbool.h>

#include "core/daemon/http.h"

struct berth_filters;

/* The request's filters (none when the parameter is absent or empty);
   EINVAL "invalid filter 'x'" for a key not in accepted (NULL-terminated). */
int berth_filters_parse (const struct berth_request *req, const char *const *accepted, struct berth_filters **ret,
                         berth_error_t *err);
void berth_filters_free (struct berth_filters *f);
bool berth_filters_has (const struct berth_filters *f, const char *key);
/* the values of key (NULL-terminated, borrowed; NULL when absent) */
char *const *berth_filters_get (const struct berth_filters *f, const char *key);
/* moby's ExactMatch-free boolean: the key's single value is "true"/"1" (1),
   "false"/"0" (0); -1 when absent; EINVAL otherwise */
int berth_filters_bool (const struct berth_filters *f, const char *key, int *ret, berth_error_t *err);

#endif
