/* A container's resource usage as moby reports it (GET
   /containers/{id}/stats), read from its cgroup: cgroup v1 controllers
   (cpu, cpuacct, memory, blkio, pids; separate or co-mounted) or the v2
   unified tree. */
#ifndef BERTH_CONTAINER_STATS_H
#define BERTH_CONTAINER_STATS_H

#include <stdint.h>

#include <json-c/json.h>

#include "core/lib/error.h"

/* One sample of the container known to the runtime under runtime_root as id:
   an object with "read", "pids_stats", "blkio_stats", "num_procs",
   "storage_stats", "cpu_stats" and "memory_stats" (moby's field names and
   units).  The caller adds "preread", "precpu_stats", "name" and "id". */
json_object *container_stats_sample (const char *runtime_root, const char *id, berth_error_t *err);

/* moby's StatsJSON of a container that is not running: every counter
   zero, times "0001-01-01T00:00:00Z"; name with its leading '/'. */
json_object *container_stats_empty (const char *name, const char *id);

/* The cpu_stats of no sample (moby's zero CPUStats). */
json_object *container_stats_cpu_zero (void);

/* MemTotal of /proc/meminfo in bytes, 0 when unknown. */
uint64_t container_stats_machine_memory (void);

#endif
