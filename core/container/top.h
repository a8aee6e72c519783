/* `docker top`: the host's ps(1) with the caller's arguments, keeping the
   rows of the container's processes, as moby does. */
#ifndef BERTH_CONTAINER_TOP_H
#define BERTH_CONTAINER_TOP_H

#include <stddef.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "core/lib/error.h"

/* moby's check: "-o x=PID" style renames of the PID column are refused
   (EINVAL) but for "pid=..." */
int container_top_check_args (const char *ps_args, berth_error_t *err);

/* Parse ps output: {"Titles":[...],"Processes":[[...],...]} for the rows
   whose PID column is in pids; the last column takes the rest of the line.
   EINVAL when there is no PID column or a PID is not a number. */
json_object *container_top_parse (const char *output, const pid_t *pids, size_t n, berth_error_t *err);

/* Run ps with ps_args (split on spaces; "" = "-ef") and parse it.  As moby:
   first with "-q PID,PID..." appended, and if ps refuses that combination
   without it.  ENOENT when ps is not installed. */
json_object *container_top (const char *ps_args, const pid_t *pids, size_t n, berth_error_t *err);

#endif
