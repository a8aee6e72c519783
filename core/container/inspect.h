/* The JSON moby shows for a container: `docker inspect` (GET
   /containers/{id}/json) and one row of `docker ps` (GET /containers/json).
   Pure functions of the record: call them with the manager's lock held
   (container_manager_with / container_manager_each). */
#ifndef BERTH_CONTAINER_INSPECT_H
#define BERTH_CONTAINER_INSPECT_H

#include <stdbool.h>
#include <time.h>

#include <json-c/json.h>

#include "core/container/container.h"

struct container_json_ctx
{
  const char *log_driver; /* the container's log driver name */
  time_t now;
};

json_object *container_inspect_json (const struct container *c, const struct container_json_ctx *ctx);
json_object *container_summary_json (const struct container *c, const struct container_json_ctx *ctx);

/* `docker ps` STATUS: "Up 3 seconds", "Exited (0) 2 minutes ago", "Created" */
char *container_status_text (const struct container *c, time_t now);
/* go-units HumanDuration of a number of seconds */
char *container_human_duration (int64_t seconds);
/* RFC 3339 (UTC, optional fraction) -> unix seconds; 0 when unparsable */
int64_t container_time_unix (const char *rfc3339);

#endif
