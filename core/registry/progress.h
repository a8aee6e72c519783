/* Progress of a pull or push, as Docker's JSON message stream has it:
   a status for an id (a layer's short id, or NULL for the whole image),
   with byte counts for "Downloading"/"Pushing" (current < 0: none).
   Calls are serialised by the caller of the callback. */
#ifndef BERTH_REGISTRY_PROGRESS_H
#define BERTH_REGISTRY_PROGRESS_H

#include <stdint.h>

typedef void (*registry_progress_fn) (void *ud, const char *id, const char *status, int64_t current, int64_t total);

#endif
