/* Retrying registry requests: a dropped connection, an unreachable
 * registry (once it was reached), 429 Too Many Requests (its Retry-After
 * honoured up to REGISTRY_RETRY_AFTER_MAX seconds) and 502/503/504 are
 * retried, REGISTRY_ATTEMPTS tries in all, 1, 2, 4 s apart.  Other
 * answers (401, 403, 404, 500, ...) are final. */
#ifndef BERTH_REGISTRY_RETRY_H
#define BERTH_REGISTRY_RETRY_H

#include <stdatomic.h>
#include <stdbool.h>

#include "core/registry/transport.h"

#define REGISTRY_ATTEMPTS 4
#define REGISTRY_RETRY_AFTER_MAX 10

bool registry_status_transient (long status);
/* an error code of registry_do worth another try */
bool registry_error_transient (int code, bool unreachable_too);
/* The Retry-After of a reply in seconds (delta or HTTP date), -1 when none. */
long registry_retry_after (const struct registry_reply *rp);
/* Seconds to wait after failed try number `attempt` (from 1); rp (may be
   NULL) may ask for longer with Retry-After: -1 when that is more than
   REGISTRY_RETRY_AFTER_MAX. */
int registry_retry_delay (const struct registry_reply *rp, int attempt);
/* Sleep, waking every 100 ms to look at *cancel (may be NULL); true when
   cancelled. */
bool registry_sleep (int seconds, atomic_bool *cancel);

/* registry_do, retried as above.  On a final transient status the last
   reply is returned (0) for the caller to turn into its message. */
int registry_do_retry (struct registry_client *c, const struct registry_request *rq, struct registry_reply *rp,
                       bool unreachable_too, atomic_bool *cancel, berth_error_t *err);

/* "HTTP 429 Too Many Requests (…)" style text for a final status, naming
   what the registry said: allocated. */
char *registry_status_text (const struct registry_reply *rp);

#endif
