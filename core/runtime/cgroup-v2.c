/* cgroup v2 (the unified hierarchy).  The *_at helpers take the tree's root so
   that the hybrid layout can reuse them for /sys/fs/cgroup/unified. */
#include "config.h"

#include "core/runtime/cgroup-internal.h"
#include "core/runtime/cgroup-v2-devices.h"
#include "core/lib/fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char *
v2_dir (const char *root, const char *path)
{
  return xasprintf ("%s%s", root, path);
}

/* enable the controllers we use in every ancestor's subtree_control */
static int
enable_controllers (const char *root, const char *path, const char *const *want, berth_error_t *err)
{
  cleanup_free char *cur = xstrdup (root);
  cleanup_free char *copy = xstrdup (path);
  cleanup_free char *avail = NULL;
  char *comp, *next_comp, *save = NULL;

  if (cgroup_read (root, "cgroup.controllers", &avail, err) < 0)
    return berth_error_ret (err);
  comp = strtok_r (copy, "/", &save);
  while (comp)
    {
      size_t i;
      next_comp = strtok_r (NULL, "/", &save);
      for (i = 0; want[i]; i++)
        {
          cleanup_free char *sub = NULL;
          size_t len = strlen (want[i]);
          const char *p = avail;
          bool present = false;
          while ((p = strstr (p, want[i])) != NULL)
            {
              if ((p == avail || p[-1] == ' ') && (p[len] == '\0' || p[len] == ' ' || p[len] == '\n'))
                present = true;
              p += len;
            }
          if (!present)
            continue;
          if (cgroup_read (cur, "cgroup.subtree_control", &sub, NULL) == 0 && strstr (sub, want[i]))
            continue;
          if (cgroup_writef (cur, "cgroup.subtree_control", err, "+%s", want[i]) < 0)
            return berth_error_wrap (err, "enable the %s controller", want[i]);
        }
      {
        char *n = xasprintf ("%s/%s", cur, comp);
        free (cur);
        cur = n;
      }
      comp = next_comp;
    }
  return 0;
}

int
cgroup_v2_create_at (const char *root, const char *path, const struct berth_spec_resources *r, bool limits,
                     berth_error_t *err)
{
  static const char *const all[] = { "cpuset", "cpu", "io", "memory", "pids", "hugetlb", NULL };
  static const char *const huge[] = { "hugetlb", NULL };
  cleanup_free char *dir = v2_dir (root, path);
  bool unified = strcmp (root, CGROUP_ROOT) != 0;

  if (limits && enable_controllers (root, path, unified ? huge : all, err) < 0)
    return berth_error_ret (err);
  if (berth_mkdir_p (dir, 0755, err) < 0)
    return berth_error_wrap (err, "create cgroup");
  return 0;
}

int
cgroup_v2_apply_hugetlb (const char *dir, const struct berth_spec_resources *r, berth_error_t *err)
{
  size_t i;

  for (i = 0; i < r->n_hugepage_limits; i++)
    {
      cleanup_free char *file = xasprintf ("hugetlb.%s.max", r->hugepage_limits[i].key);
      if (cgroup_write (dir, file, r->hugepage_limits[i].value, err) < 0)
        return berth_error_wrap (err, "hugepageLimits");
    }
  return 0;
}

static void
fmt_max (char *buf, size_t len, int64_t v)
{
  if (v < 0)
    snprintf (buf, len, "max");
  else
    snprintf (buf, len, "%lld", (long long) v);
}

static int
apply_memory (const char *dir, const struct berth_spec_resources *r, berth_error_t *err)
{
  char buf[32];

  if (r->has_memory_limit)
    {
      fmt_max (buf, sizeof (buf), r->memory_limit);
      if (cgroup_write (dir, "memory.max", buf, err) < 0)
        return berth_error_wrap (err, "memory.limit");
    }
  if (r->has_memory_swap)
    {
      /* the spec gives memory+swap; v2 limits swap alone */
      int64_t swap = r->memory_swap;
      if (swap > 0 && r->has_memory_limit && r->memory_limit > 0)
        swap -= r->memory_limit;
      else if (swap > 0)
        return berth_error_make (err, EINVAL, "memory.swap: needs memory.limit on cgroup v2");
      fmt_max (buf, sizeof (buf), swap);
      if (cgroup_write (dir, "memory.swap.max", buf, err) < 0)
        return berth_error_wrap (err, "memory.swap");
    }
  if (r->has_memory_reservation)
    {
      fmt_max (buf, sizeof (buf), r->memory_reservation);
      if (cgroup_write (dir, "memory.low", buf, err) < 0)
        return berth_error_wrap (err, "memory.reservation");
    }
  if (r->disable_oom_killer)
    return berth_error_make (err, ENOTSUP, "memory.disableOOMKiller: not available on cgroup v2");
  return 0;
}

static int
apply_cpu (const char *dir, const struct berth_spec_resources *r, berth_error_t *err)
{
  if (r->has_cpu_shares && r->cpu_shares > 0)
    {
      /* the conversion runc and crun use: [2, 262144] -> [1, 10000] */
      uint64_t s = r->cpu_shares < 2 ? 2 : r->cpu_shares > 262144 ? 262144 : r->cpu_shares;
      if (cgroup_writef (dir, "cpu.weight", err, "%llu", (unsigned long long) (1 + ((s - 2) * 9999) / 262142)) < 0)
        return berth_error_wrap (err, "cpu.shares");
    }
  if (r->has_cpu_quota || r->has_cpu_period)
    {
      char q[32];
      fmt_max (q, sizeof (q), r->has_cpu_quota ? r->cpu_quota : -1);
      if (cgroup_writef (dir, "cpu.max", err, "%s %llu", q,
                         (unsigned long long) (r->has_cpu_period ? r->cpu_period : 100000))
          < 0)
        return berth_error_wrap (err, "cpu.quota");
    }
  if (r->has_cpu_burst
      && cgroup_writef (dir, "cpu.max.burst", err, "%llu", (unsigned long long) r->cpu_burst) < 0)
    return berth_error_wrap (err, "cpu.burst");
  if (r->has_cpu_idle && cgroup_writef (dir, "cpu.idle", err, "%lld", (long long) r->cpu_idle) < 0)
    return berth_error_wrap (err, "cpu.idle");
  if (r->cpuset_cpus && cgroup_write (dir, "cpuset.cpus", r->cpuset_cpus, err) < 0)
    return berth_error_wrap (err, "cpu.cpus");
  if (r->cpuset_mems && cgroup_write (dir, "cpuset.mems", r->cpuset_mems, err) < 0)
    return berth_error_wrap (err, "cpu.mems");
  return 0;
}

static int
write_io_max (const char *dir, const char *key, const struct berth_spec_throttle *t, size_t n, berth_error_t *err)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (cgroup_writef (dir, "io.max", err, "%lld:%lld %s=%llu", (long long) t[i].major, (long long) t[i].minor, key,
                       (unsigned long long) t[i].rate)
        < 0)
      return berth_error_wrap (err, "blockIO");
  return 0;
}

static int
apply_io (const char *dir, const struct berth_spec_resources *r, berth_error_t *err)
{
  if (r->has_blkio_weight)
    {
      cleanup_free char *bfq = xasprintf ("%s/io.bfq.weight", dir);
      /* io.bfq.weight takes the v1 range; io.weight wants [1, 10000] */
      int ret = access (bfq, F_OK) == 0
                    ? cgroup_writef (dir, "io.bfq.weight", err, "%u", (unsigned) r->blkio_weight)
                    : cgroup_writef (dir, "io.weight", err, "%u", 1 + ((unsigned) r->blkio_weight - 10) * 9999 / 990);
      if (ret < 0)
        return berth_error_wrap (err, "blockIO.weight");
    }
  if (write_io_max (dir, "rbps", r->throttle_read_bps, r->n_throttle_read_bps, err) < 0
      || write_io_max (dir, "wbps", r->throttle_write_bps, r->n_throttle_write_bps, err) < 0
      || write_io_max (dir, "riops", r->throttle_read_iops, r->n_throttle_read_iops, err) < 0
      || write_io_max (dir, "wiops", r->throttle_write_iops, r->n_throttle_write_iops, err) < 0)
    return berth_error_ret (err);
  return 0;
}

int
cgroup_v2_apply_at (const char *dir, const struct berth_spec_resources *r, berth_error_t *err)
{
  size_t i;

  if (r == NULL)
    return 0;
  if (apply_memory (dir, r, err) < 0 || apply_cpu (dir, r, err) < 0 || apply_io (dir, r, err) < 0)
    return berth_error_ret (err);
  if (r->has_pids_limit && r->pids_limit != 0)
    {
      char buf[32];
      fmt_max (buf, sizeof (buf), r->pids_limit);
      if (cgroup_write (dir, "pids.max", buf, err) < 0)
        return berth_error_wrap (err, "pids.limit");
    }
  if (cgroup_v2_apply_hugetlb (dir, r, err) < 0)
    return berth_error_ret (err);
  for (i = 0; i < r->n_unified; i++)
    if (cgroup_write (dir, r->unified[i].key, r->unified[i].value, err) < 0)
      return berth_error_wrap (err, "unified.%s", r->unified[i].key);
  return 0;
}

static int
kill_loop (const char *dir, berth_error_t *err)
{
  int round;

  if (cgroup_write (dir, "cgroup.kill", "1", NULL) == 0)
    return 0;
  for (round = 0; round < 100; round++)
    {
      cleanup_free pid_t *pids = NULL;
      size_t n, i;
      struct timespec ts = { 0, 1000 * 1000 };

      if (cgroup_read_pids (dir, &pids, &n, NULL) < 0 || n == 0)
        return 0;
      for (i = 0; i < n; i++)
        kill (pids[i], SIGKILL);
      nanosleep (&ts, NULL);
    }
  return berth_error_make (err, EBUSY, "processes in `%s` do not die", dir);
}

int
cgroup_v2_destroy_at (const char *root, const char *path, berth_error_t *err)
{
  cleanup_free char *dir = v2_dir (root, path);

  if (access (dir, F_OK) < 0)
    return 0;
  if (kill_loop (dir, err) < 0)
    return berth_error_ret (err);
  return cgroup_rmdir (dir, err);
}

static bool
has_word (const char *list, const char *word)
{
  size_t len = strlen (word);

  for (const char *p = list; (p = strstr (p, word)) != NULL; p += len)
    if ((p == list || p[-1] == ' ') && (p[len] == '\0' || p[len] == ' ' || p[len] == '\n'))
      return true;
  return false;
}

/* Name the missing controller instead of failing later on an absent
   memory.max: a v2 tree may lack controllers still bound to v1. */
static int
check_controllers (const char *dir, const struct berth_spec_resources *r, berth_error_t *err)
{
  struct
  {
    const char *controller, *setting;
    bool wanted;
  } need[] = {
    { "memory", "memory", r->has_memory_limit || r->has_memory_swap || r->has_memory_reservation },
    { "cpu", "cpu.shares/quota/period", r->has_cpu_shares || r->has_cpu_quota || r->has_cpu_period
                                            || r->has_cpu_burst || r->has_cpu_idle },
    { "cpuset", "cpu.cpus/mems", r->cpuset_cpus != NULL || r->cpuset_mems != NULL },
    { "pids", "pids.limit", r->has_pids_limit && r->pids_limit != 0 },
    { "io", "blockIO", r->has_blkio_weight || r->n_throttle_read_bps || r->n_throttle_write_bps
                           || r->n_throttle_read_iops || r->n_throttle_write_iops },
    { "hugetlb", "hugepageLimits", r->n_hugepage_limits > 0 },
  };
  cleanup_free char *avail = NULL;

  if (cgroup_read (dir, "cgroup.controllers", &avail, err) < 0)
    return berth_error_ret (err);
  for (size_t i = 0; i < sizeof (need) / sizeof (need[0]); i++)
    if (need[i].wanted && !has_word (avail, need[i].controller))
      return berth_error_make (err, ENOTSUP,
                               "%s: the %s controller is not available in the cgroup v2 hierarchy (%s has: %s)",
                               need[i].setting, need[i].controller, CGROUP_ROOT, *avail ? avail : "none");
  return 0;
}

static int
v2_create (struct berth_cgroup *cg, const struct berth_spec_resources *r, berth_error_t *err)
{
  cleanup_free char *dir = v2_dir (CGROUP_ROOT, cg->path);

  if (cgroup_v2_create_at (CGROUP_ROOT, cg->path, r, true, err) < 0)
    return berth_error_ret (err);
  if (r != NULL && check_controllers (dir, r, err) < 0)
    return berth_error_ret (err);
  if (cgroup_v2_apply_at (dir, r, err) < 0)
    return berth_error_ret (err);
  if (r && r->n_devices > 0 && berth_cgroup_v2_devices_apply (dir, r->devices, r->n_devices, err) < 0)
    return berth_error_ret (err);
  return 0;
}

static int
v2_update (struct berth_cgroup *cg, const struct berth_spec_resources *r, berth_error_t *err)
{
  cleanup_free char *dir = v2_dir (CGROUP_ROOT, cg->path);

  return cgroup_v2_apply_at (dir, r, err);
}

static int
v2_enter (struct berth_cgroup *cg, pid_t pid, berth_error_t *err)
{
  cleanup_free char *dir = v2_dir (CGROUP_ROOT, cg->path);

  if (cgroup_writef (dir, "cgroup.procs", err, "%d", pid) < 0)
    return berth_error_wrap (err, "join cgroup");
  return 0;
}

static int
v2_destroy (struct berth_cgroup *cg, berth_error_t *err)
{
  return cgroup_v2_destroy_at (CGROUP_ROOT, cg->path, err);
}

static int
v2_is_frozen (struct berth_cgroup *cg, berth_error_t *err)
{
  cleanup_free char *dir = v2_dir (CGROUP_ROOT, cg->path);
  uint64_t frozen = 0;

  if (cgroup_read_key (dir, "cgroup.events", "frozen", &frozen, err) < 0)
    return berth_error_ret (err);
  return frozen == 1;
}

static int
v2_freeze (struct berth_cgroup *cg, bool freeze, berth_error_t *err)
{
  cleanup_free char *dir = v2_dir (CGROUP_ROOT, cg->path);
  int i;

  if (cgroup_write (dir, "cgroup.freeze", freeze ? "1" : "0", err) < 0)
    return berth_error_ret (err);
  for (i = 0; i < 1000; i++)
    {
      struct timespec ts = { 0, 1000 * 1000 };
      int f = v2_is_frozen (cg, err);
      if (f < 0)
        return f;
      if (f == (freeze ? 1 : 0))
        return 0;
      nanosleep (&ts, NULL);
    }
  return berth_error_make (err, EBUSY, "the container did not %s", freeze ? "freeze" : "thaw");
}

static char *
v2_procs_dir (struct berth_cgroup *cg)
{
  return v2_dir (CGROUP_ROOT, cg->path);
}

static int
v2_oom_kills (struct berth_cgroup *cg, uint64_t *count, berth_error_t *err)
{
  cleanup_free char *dir = v2_dir (CGROUP_ROOT, cg->path);

  return cgroup_read_key (dir, "memory.events", "oom_kill", count, err);
}

static int
v2_foreach_dir (struct berth_cgroup *cg, berth_cgroup_dir_fn fn, void *opaque, berth_error_t *err)
{
  cleanup_free char *dir = v2_dir (CGROUP_ROOT, cg->path);

  return fn (opaque, "", dir, NULL, err);
}

const struct berth_cgroup_ops berth_cgroup_v2_ops = {
  .create = v2_create,
  .enter = v2_enter,
  .update = v2_update,
  .destroy = v2_destroy,
  .freeze = v2_freeze,
  .is_frozen = v2_is_frozen,
  .procs_dir = v2_procs_dir,
  .oom_kills = v2_oom_kills,
  .foreach_dir = v2_foreach_dir,
};
