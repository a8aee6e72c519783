/* Times as the docker CLI takes them for --since/--until (events, logs):
   unix seconds with an optional fraction ("1700000000.5"), RFC 3339 and its
   shorter forms ("2006-01-02T15:04:05[.999999999][Z07:00]",
   "2006-01-02[Z07:00]"; no zone = local time), or a Go duration ("10m",
   "1h30m", "1.5s") counted back from now. */
#ifndef BERTH_LIB_TIMESTAMP_H
#define BERTH_LIB_TIMESTAMP_H

#include <stdint.h>

#include "core/lib/error.h"

/* *ret_ns: nanoseconds since the epoch.  Returns 1 for a time, 0 (and
   *ret_ns 0) for NULL or "": "0" is a time (the epoch), absence is not.
   now_ns is what a duration counts back from.  EINVAL naming `what` for
   anything else. */
int berth_timestamp_parse (const char *s, int64_t now_ns, const char *what, int64_t *ret_ns, berth_error_t *err);
/* A Go duration ("1h2m3.5s", "-10m"), in nanoseconds; <0 on syntax error. */
int berth_duration_parse (const char *s, int64_t *ret_ns);
/* CLOCK_REALTIME in nanoseconds */
int64_t berth_now_ns (void);

#endif
