#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/container/container.h"
#include "core/container/stats.h"
#include "core/lib/fs.h"
#include "core/lib/mem.h"
#include "core/runtime/cgroup.h"
#include "core/runtime/state.h"

#define NS_PER_SEC 1000000000ULL
#define FILE_MAX (1 << 20)

/* where each controller of the container's cgroup lives */
struct cg_dirs
{
  char *cpu, *cpuacct, *memory, *blkio, *pids;
  char *unified; /* v2 only */
};

static void
cg_dirs_clear (struct cg_dirs *d)
{
  free (d->cpu);
  free (d->cpuacct);
  free (d->memory);
  free (d->blkio);
  free (d->pids);
  free (d->unified);
}

static void
set_dir (char **slot, const char *dir)
{
  free (*slot);
  *slot = xstrdup (dir);
}

static int
collect_dir (void *opaque, const char *name, const char *host_dir, const char *link_target, berth_error_t *err)
{
  struct cg_dirs *d = opaque;
  cleanup_free char *names = NULL;
  char *save = NULL;

  (void) link_target;
  (void) err;
  if (host_dir == NULL)
    return 0;
  if (name[0] == '\0')
    {
      set_dir (&d->unified, host_dir);
      return 0;
    }
  /* co-mounted controllers: "cpu,cpuacct" */
  names = xstrdup (name);
  for (char *t = strtok_r (names, ",", &save); t != NULL; t = strtok_r (NULL, ",", &save))
    {
      if (strcmp (t, "cpu") == 0)
        set_dir (&d->cpu, host_dir);
      else if (strcmp (t, "cpuacct") == 0)
        set_dir (&d->cpuacct, host_dir);
      else if (strcmp (t, "memory") == 0)
        set_dir (&d->memory, host_dir);
      else if (strcmp (t, "blkio") == 0)
        set_dir (&d->blkio, host_dir);
      else if (strcmp (t, "pids") == 0)
        set_dir (&d->pids, host_dir);
    }
  return 0;
}

/* --- reading cgroup files --- */

static char *
read_text (const char *dir, const char *file)
{
  cleanup_free char *path = NULL;
  char *text = NULL;
  size_t len;

  if (dir == NULL)
    return NULL;
  path = xasprintf ("%s/%s", dir, file);
  if (berth_read_file (path, FILE_MAX, &text, &len, NULL) < 0)
    return NULL;
  return text;
}

/* a single number; false when missing or "max" */
static bool
read_u64 (const char *dir, const char *file, uint64_t *ret)
{
  cleanup_free char *text = read_text (dir, file);
  char *end;

  if (text == NULL)
    return false;
  errno = 0;
  *ret = strtoull (text, &end, 10);
  return end != text && errno == 0;
}

/* "key value" lines (memory.stat, cpu.stat, cpuacct.stat) */
static bool
keyed (const char *text, const char *key, uint64_t *ret)
{
  size_t kl = strlen (key);

  for (const char *p = text; p != NULL && *p != '\0';)
    {
      const char *nl = strchr (p, '\n');
      if (strncmp (p, key, kl) == 0 && p[kl] == ' ')
        {
          *ret = strtoull (p + kl + 1, NULL, 10);
          return true;
        }
      p = nl != NULL ? nl + 1 : NULL;
    }
  return false;
}

static json_object *
keyed_object (const char *text)
{
  json_object *o = json_object_new_object ();

  for (const char *p = text; p != NULL && *p != '\0';)
    {
      const char *nl = strchr (p, '\n');
      const char *sp = strchr (p, ' ');
      if (sp != NULL && (nl == NULL || sp < nl))
        {
          cleanup_free char *key = xstrndup (p, (size_t) (sp - p));
          json_object_object_add (o, key, json_object_new_uint64 (strtoull (sp + 1, NULL, 10)));
        }
      p = nl != NULL ? nl + 1 : NULL;
    }
  return o;
}

static void
add_u64_nonzero (json_object *o, const char *key, uint64_t v)
{
  if (v != 0)
    json_object_object_add (o, key, json_object_new_uint64 (v));
}

uint64_t
container_stats_machine_memory (void)
{
  cleanup_free char *text = NULL;
  uint64_t kb = 0;
  const char *p;
  size_t len;

  if (berth_read_file ("/proc/meminfo", FILE_MAX, &text, &len, NULL) < 0)
    return 0;
  p = strstr (text, "MemTotal:");
  if (p != NULL)
    kb = strtoull (p + strlen ("MemTotal:"), NULL, 10);
  return kb * 1024;
}

/* moby's getSystemCPUUsage: the first line of /proc/stat (user nice system
   idle iowait irq softirq) in nanoseconds, and the number of cpuN lines */
static void
system_cpu (uint64_t *usage, uint32_t *online)
{
  cleanup_free char *text = NULL;
  long hz = sysconf (_SC_CLK_TCK);
  size_t len;

  *usage = 0;
  *online = 0;
  if (berth_read_file ("/proc/stat", FILE_MAX, &text, &len, NULL) < 0)
    return;
  for (const char *p = text; p != NULL && *p != '\0';)
    {
      const char *nl = strchr (p, '\n');
      if (strncmp (p, "cpu ", 4) == 0)
        {
          char *q = (char *) p + 4;
          uint64_t ticks = 0;
          for (int i = 0; i < 7; i++)
            ticks += strtoull (q, &q, 10);
          *usage = ticks * (NS_PER_SEC / (uint64_t) (hz > 0 ? hz : 100));
        }
      else if (strncmp (p, "cpu", 3) == 0 && p[3] >= '0' && p[3] <= '9')
        (*online)++;
      p = nl != NULL ? nl + 1 : NULL;
    }
}

/* --- the parts of a sample --- */

static json_object *
cpu_json (uint64_t total, json_object *percpu, uint64_t kernel, uint64_t user, bool with_system, uint64_t periods,
          uint64_t throttled_periods, uint64_t throttled_time)
{
  json_object *o = json_object_new_object (), *u = json_object_new_object (), *t = json_object_new_object ();

  json_object_object_add (u, "total_usage", json_object_new_uint64 (total));
  if (percpu != NULL)
    json_object_object_add (u, "percpu_usage", percpu);
  json_object_object_add (u, "usage_in_kernelmode", json_object_new_uint64 (kernel));
  json_object_object_add (u, "usage_in_usermode", json_object_new_uint64 (user));
  json_object_object_add (o, "cpu_usage", u);
  if (with_system)
    {
      uint64_t sys;
      uint32_t online;
      system_cpu (&sys, &online);
      add_u64_nonzero (o, "system_cpu_usage", sys);
      add_u64_nonzero (o, "online_cpus", online);
    }
  json_object_object_add (t, "periods", json_object_new_uint64 (periods));
  json_object_object_add (t, "throttled_periods", json_object_new_uint64 (throttled_periods));
  json_object_object_add (t, "throttled_time", json_object_new_uint64 (throttled_time));
  json_object_object_add (o, "throttling_data", t);
  return o;
}

json_object *
container_stats_cpu_zero (void)
{
  return cpu_json (0, NULL, 0, 0, false, 0, 0, 0);
}

static json_object *
cpu_v1 (const struct cg_dirs *d)
{
  cleanup_free char *percpu_text = read_text (d->cpuacct, "cpuacct.usage_percpu");
  cleanup_free char *acct = read_text (d->cpuacct, "cpuacct.stat");
  cleanup_free char *stat = read_text (d->cpu, "cpu.stat");
  uint64_t total = 0, user = 0, sys = 0, periods = 0, nthr = 0, thr_time = 0;
  uint64_t hz = (uint64_t) sysconf (_SC_CLK_TCK);
  json_object *percpu = NULL;

  read_u64 (d->cpuacct, "cpuacct.usage", &total);
  if (percpu_text != NULL)
    {
      char *p = percpu_text, *end;
      percpu = json_object_new_array ();
      for (;;)
        {
          uint64_t v = strtoull (p, &end, 10);
          if (end == p)
            break;
          json_object_array_add (percpu, json_object_new_uint64 (v));
          p = end;
        }
    }
  /* cpuacct.stat counts USER_HZ ticks */
  if (hz == 0)
    hz = 100;
  if (keyed (acct, "user", &user))
    user = user * NS_PER_SEC / hz;
  if (keyed (acct, "system", &sys))
    sys = sys * NS_PER_SEC / hz;
  keyed (stat, "nr_periods", &periods);
  keyed (stat, "nr_throttled", &nthr);
  keyed (stat, "throttled_time", &thr_time);
  return cpu_json (total, percpu, sys, user, true, periods, nthr, thr_time);
}

static json_object *
cpu_v2 (const struct cg_dirs *d)
{
  cleanup_free char *stat = read_text (d->unified, "cpu.stat");
  uint64_t total = 0, user = 0, sys = 0, periods = 0, nthr = 0, thr_time = 0;

  keyed (stat, "usage_usec", &total);
  keyed (stat, "user_usec", &user);
  keyed (stat, "system_usec", &sys);
  keyed (stat, "nr_periods", &periods);
  keyed (stat, "nr_throttled", &nthr);
  keyed (stat, "throttled_usec", &thr_time);
  return cpu_json (total * 1000, NULL, sys * 1000, user * 1000, true, periods, nthr, thr_time * 1000);
}

/* an unlimited cgroup reports a huge limit: moby shows the machine's memory */
static uint64_t
memory_limit (const char *dir, const char *file)
{
  uint64_t machine = container_stats_machine_memory (), limit = 0;

  if (!read_u64 (dir, file, &limit) || (machine > 0 && limit > machine))
    limit = machine;
  return limit;
}

static json_object *
memory_json (const char *dir, const char *usage_file, const char *max_file, const char *failcnt_file,
             const char *limit_file)
{
  json_object *o = json_object_new_object ();
  cleanup_free char *stat = read_text (dir, "memory.stat");
  uint64_t v;

  if (read_u64 (dir, usage_file, &v))
    add_u64_nonzero (o, "usage", v);
  if (max_file != NULL && read_u64 (dir, max_file, &v))
    add_u64_nonzero (o, "max_usage", v);
  if (stat != NULL)
    json_object_object_add (o, "stats", keyed_object (stat));
  if (failcnt_file != NULL && read_u64 (dir, failcnt_file, &v))
    add_u64_nonzero (o, "failcnt", v);
  add_u64_nonzero (o, "limit", memory_limit (dir, limit_file));
  return o;
}

static json_object *
pids_json (const char *dir)
{
  json_object *o = json_object_new_object ();
  uint64_t v;

  if (read_u64 (dir, "pids.current", &v))
    add_u64_nonzero (o, "current", v);
  if (read_u64 (dir, "pids.max", &v))
    add_u64_nonzero (o, "limit", v);
  return o;
}

static json_object *
blkio_entry (unsigned major, unsigned minor, const char *op, uint64_t value)
{
  json_object *e = json_object_new_object ();

  json_object_object_add (e, "major", json_object_new_uint64 (major));
  json_object_object_add (e, "minor", json_object_new_uint64 (minor));
  json_object_object_add (e, "op", json_object_new_string (op));
  json_object_object_add (e, "value", json_object_new_uint64 (value));
  return e;
}

/* "8:0 Read 4096" lines, or "8:0 4096" (sectors, time); "Total N" skipped */
static json_object *
blkio_v1_file (const char *dir, const char *file)
{
  cleanup_free char *text = read_text (dir, file);
  json_object *a = json_object_new_array ();

  for (char *p = text; p != NULL && *p != '\0';)
    {
      char *nl = strchr (p, '\n');
      unsigned major, minor;
      char op[32];
      unsigned long long value;
      if (nl != NULL)
        *nl = '\0';
      if (sscanf (p, "%u:%u %31s %llu", &major, &minor, op, &value) == 4)
        json_object_array_add (a, blkio_entry (major, minor, op, value));
      else if (sscanf (p, "%u:%u %llu", &major, &minor, &value) == 3)
        json_object_array_add (a, blkio_entry (major, minor, "", value));
      p = nl != NULL ? nl + 1 : NULL;
    }
  return a;
}

static json_object *
blkio_v1 (const char *dir)
{
  static const char *const keys[][2] = {
    { "io_service_bytes_recursive", "blkio.io_service_bytes_recursive" },
    { "io_serviced_recursive", "blkio.io_serviced_recursive" },
    { "io_queue_recursive", "blkio.io_queued_recursive" },
    { "io_service_time_recursive", "blkio.io_service_time_recursive" },
    { "io_wait_time_recursive", "blkio.io_wait_time_recursive" },
    { "io_merged_recursive", "blkio.io_merged_recursive" },
    { "io_time_recursive", "blkio.time_recursive" },
    { "sectors_recursive", "blkio.sectors_recursive" },
  };
  json_object *o = json_object_new_object ();
  cleanup_free char *probe = dir != NULL ? xasprintf ("%s/blkio.io_serviced_recursive", dir) : NULL;
  /* without CFQ/BFQ accounting only the throttle files count I/O */
  bool cfq = probe != NULL && access (probe, F_OK) == 0;

  for (size_t i = 0; i < sizeof (keys) / sizeof (keys[0]); i++)
    {
      const char *file = keys[i][1];
      if (!cfq)
        file = i == 0 ? "blkio.throttle.io_service_bytes_recursive"
               : i == 1 ? "blkio.throttle.io_serviced_recursive"
                        : NULL;
      json_object_object_add (o, keys[i][0], file != NULL ? blkio_v1_file (dir, file) : json_object_new_array ());
    }
  return o;
}

static void
add_null_blkio (json_object *o)
{
  static const char *const rest[] = { "io_serviced_recursive", "io_queue_recursive", "io_service_time_recursive",
                                      "io_wait_time_recursive", "io_merged_recursive", "io_time_recursive",
                                      "sectors_recursive" };
  for (size_t i = 0; i < sizeof (rest) / sizeof (rest[0]); i++)
    json_object_object_add (o, rest[i], NULL);
}

/* io.stat: "8:0 rbytes=N wbytes=N rios=N ..."; moby reports bytes only */
static json_object *
blkio_v2 (const char *dir)
{
  cleanup_free char *text = read_text (dir, "io.stat");
  json_object *o = json_object_new_object (), *a = NULL;

  for (char *p = text; p != NULL && *p != '\0';)
    {
      char *nl = strchr (p, '\n');
      unsigned major, minor;
      const char *r, *w;
      if (nl != NULL)
        *nl = '\0';
      if (sscanf (p, "%u:%u", &major, &minor) == 2)
        {
          r = strstr (p, " rbytes=");
          w = strstr (p, " wbytes=");
          if (a == NULL)
            a = json_object_new_array ();
          json_object_array_add (a, blkio_entry (major, minor, "read", r ? strtoull (r + 8, NULL, 10) : 0));
          json_object_array_add (a, blkio_entry (major, minor, "write", w ? strtoull (w + 8, NULL, 10) : 0));
        }
      p = nl != NULL ? nl + 1 : NULL;
    }
  json_object_object_add (o, "io_service_bytes_recursive", a);
  add_null_blkio (o);
  return o;
}

/* --- samples --- */

json_object *
container_stats_sample (const char *runtime_root, const char *id, berth_error_t *err)
{
  cleanup_state struct berth_state *st = berth_state_load (runtime_root, id, err);
  cleanup_cgroup struct berth_cgroup *cg = NULL;
  struct cg_dirs d = { 0 };
  cleanup_free char *read = NULL;
  const char *probe;
  json_object *o;

  if (st == NULL)
    return NULL;
  if (st->cgroup_mode == 0 || st->cgroup_path == NULL || st->cgroup_path[0] == '\0')
    {
      berth_error_make (err, ENOENT, "container %s has no cgroup", id);
      return NULL;
    }
  cg = berth_cgroup_load ((enum berth_cgroup_mode) st->cgroup_mode, st->cgroup_path, err);
  if (cg == NULL)
    return NULL;
  if (berth_cgroup_foreach_dir (cg, collect_dir, &d, err) < 0)
    {
      cg_dirs_clear (&d);
      return NULL;
    }
  probe = d.unified != NULL ? d.unified : d.memory;
  if (probe == NULL || access (probe, F_OK) < 0)
    {
      berth_error_make (err, ENOENT, "the cgroup of container %s is gone", id);
      cg_dirs_clear (&d);
      return NULL;
    }
  read = container_now_rfc3339 (NULL);
  o = json_object_new_object ();
  json_object_object_add (o, "read", json_object_new_string (read));
  if (d.unified != NULL)
    {
      json_object_object_add (o, "pids_stats", pids_json (d.unified));
      json_object_object_add (o, "blkio_stats", blkio_v2 (d.unified));
    }
  else
    {
      json_object_object_add (o, "pids_stats", pids_json (d.pids));
      json_object_object_add (o, "blkio_stats", blkio_v1 (d.blkio));
    }
  json_object_object_add (o, "num_procs", json_object_new_int (0));
  json_object_object_add (o, "storage_stats", json_object_new_object ());
  if (d.unified != NULL)
    {
      json_object_object_add (o, "cpu_stats", cpu_v2 (&d));
      json_object_object_add (o, "memory_stats", memory_json (d.unified, "memory.current", NULL, NULL, "memory.max"));
    }
  else
    {
      json_object_object_add (o, "cpu_stats", cpu_v1 (&d));
      json_object_object_add (o, "memory_stats",
                              memory_json (d.memory, "memory.usage_in_bytes", "memory.max_usage_in_bytes",
                                           "memory.failcnt", "memory.limit_in_bytes"));
    }
  cg_dirs_clear (&d);
  return o;
}

json_object *
container_stats_empty (const char *name, const char *id)
{
  json_object *o = json_object_new_object (), *blkio = json_object_new_object ();
  cleanup_free char *slashed = xasprintf ("/%s", name);

  json_object_object_add (o, "read", json_object_new_string (container_zero_time));
  json_object_object_add (o, "preread", json_object_new_string (container_zero_time));
  json_object_object_add (o, "pids_stats", json_object_new_object ());
  json_object_object_add (blkio, "io_service_bytes_recursive", NULL);
  add_null_blkio (blkio);
  json_object_object_add (o, "blkio_stats", blkio);
  json_object_object_add (o, "num_procs", json_object_new_int (0));
  json_object_object_add (o, "storage_stats", json_object_new_object ());
  json_object_object_add (o, "cpu_stats", container_stats_cpu_zero ());
  json_object_object_add (o, "precpu_stats", container_stats_cpu_zero ());
  json_object_object_add (o, "memory_stats", json_object_new_object ());
  json_object_object_add (o, "name", json_object_new_string (slashed));
  json_object_object_add (o, "id", json_object_new_string (id));
  return o;
}
