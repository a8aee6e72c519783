/* cgroup v1: one hierarchy per directory under /sys/fs/cgroup (a directory
   named "cpu,cpuacct" holds both).  In hybrid mode the v2 tree at
   /sys/fs/cgroup/unified is joined too, and holds hugetlb limits there. */
#include "config.h"

#include "core/runtime/cgroup-internal.h"
#include "core/lib/fs.h"
#include "core/lib/mem.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* "cpu,cpuacct" has "cpu" */
static bool
hier_has (const char *hier, const char *ctrl)
{
  size_t len = strlen (ctrl);
  const char *p = hier;

  while ((p = strstr (p, ctrl)) != NULL)
    {
      if ((p == hier || p[-1] == ',') && (p[len] == '\0' || p[len] == ','))
        return true;
      p += len;
    }
  return false;
}

static bool
is_controller_dir (const struct dirent *de)
{
  /* "unified" is the v2 tree; name=systemd carries no controller */
  return de->d_type == DT_DIR && de->d_name[0] != '.' && strcmp (de->d_name, "unified") != 0
         && strcmp (de->d_name, "systemd") != 0;
}

typedef int (*hier_fn) (struct berth_cgroup *cg, const char *hier, const char *dir, void *opaque,
                        berth_error_t *err);

static int
foreach_hier (struct berth_cgroup *cg, hier_fn fn, void *opaque, berth_error_t *err)
{
  cleanup_dir DIR *d = opendir (CGROUP_ROOT);
  struct dirent *de;

  if (d == NULL)
    return berth_error_errno (err, errno, "open `%s`", CGROUP_ROOT);
  while ((de = readdir (d)) != NULL)
    {
      cleanup_free char *dir = NULL;
      if (!is_controller_dir (de))
        continue;
      dir = xasprintf ("%s/%s%s", CGROUP_ROOT, de->d_name, cg->path);
      if (fn (cg, de->d_name, dir, opaque, err) < 0)
        return berth_error_ret (err);
    }
  return 0;
}

static char *
hier_dir (struct berth_cgroup *cg, const char *ctrl)
{
  cleanup_dir DIR *d = opendir (CGROUP_ROOT);
  struct dirent *de;

  if (d == NULL)
    return NULL;
  while ((de = readdir (d)) != NULL)
    if (is_controller_dir (de) && hier_has (de->d_name, ctrl))
      return xasprintf ("%s/%s%s", CGROUP_ROOT, de->d_name, cg->path);
  return NULL;
}

/* a new cpuset cgroup starts empty and refuses tasks: copy the parent's */
static int
init_cpuset (const char *hier_root, const char *path, berth_error_t *err)
{
  cleanup_free char *cur = xstrdup (hier_root);
  cleanup_free char *copy = xstrdup (path);
  char *comp, *save = NULL;

  for (comp = strtok_r (copy, "/", &save); comp; comp = strtok_r (NULL, "/", &save))
    {
      char *next = xasprintf ("%s/%s", cur, comp);
      const char *files[] = { "cpuset.cpus", "cpuset.mems" };
      size_t i;

      for (i = 0; i < 2; i++)
        {
          cleanup_free char *mine = NULL;
          cleanup_free char *parent = NULL;
          if (cgroup_read (next, files[i], &mine, err) < 0)
            {
              free (next);
              return berth_error_ret (err);
            }
          if (*mine)
            continue;
          if (cgroup_read (cur, files[i], &parent, err) < 0 || cgroup_write (next, files[i], parent, err) < 0)
            {
              free (next);
              return berth_error_ret (err);
            }
        }
      free (cur);
      cur = next;
    }
  return 0;
}

static const char *
limit_str (int64_t v, char *buf, size_t len)
{
  if (v < 0)
    return "-1";
  snprintf (buf, len, "%lld", (long long) v);
  return buf;
}

static int
apply_memory (const char *dir, const struct berth_spec_resources *r, berth_error_t *err)
{
  char lbuf[32], sbuf[32];

  if (r->has_memory_swap)
    {
      cleanup_free char *memsw = xasprintf ("%s/memory.memsw.limit_in_bytes", dir);
      if (access (memsw, F_OK) < 0)
        {
          if (r->memory_swap != -1)
            return berth_error_make (err, ENOTSUP, "memory.swap: this kernel has no swap accounting");
        }
      else
        {
          /* memsw must stay >= limit at every step: order the writes */
          berth_error_t tmp = NULL;
          if (cgroup_write (dir, "memory.memsw.limit_in_bytes", limit_str (r->memory_swap, sbuf, sizeof (sbuf)),
                            &tmp)
              < 0)
            {
              berth_error_release (&tmp);
              if (r->has_memory_limit
                  && cgroup_write (dir, "memory.limit_in_bytes", limit_str (r->memory_limit, lbuf, sizeof (lbuf)),
                                   err)
                         < 0)
                return berth_error_wrap (err, "memory.limit");
              if (cgroup_write (dir, "memory.memsw.limit_in_bytes", sbuf, err) < 0)
                return berth_error_wrap (err, "memory.swap");
              goto rest;
            }
        }
    }
  if (r->has_memory_limit
      && cgroup_write (dir, "memory.limit_in_bytes", limit_str (r->memory_limit, lbuf, sizeof (lbuf)), err) < 0)
    return berth_error_wrap (err, "memory.limit");
rest:
  if (r->has_memory_reservation
      && cgroup_write (dir, "memory.soft_limit_in_bytes", limit_str (r->memory_reservation, lbuf, sizeof (lbuf)), err)
             < 0)
    return berth_error_wrap (err, "memory.reservation");
  if (r->has_memory_swappiness
      && cgroup_writef (dir, "memory.swappiness", err, "%llu", (unsigned long long) r->memory_swappiness) < 0)
    return berth_error_wrap (err, "memory.swappiness");
  if (r->disable_oom_killer && cgroup_write (dir, "memory.oom_control", "1", err) < 0)
    return berth_error_wrap (err, "memory.disableOOMKiller");
  return 0;
}

static int
apply_cpu (const char *dir, const struct berth_spec_resources *r, berth_error_t *err)
{
  if (r->has_cpu_shares && cgroup_writef (dir, "cpu.shares", err, "%llu", (unsigned long long) r->cpu_shares) < 0)
    return berth_error_wrap (err, "cpu.shares");
  if (r->has_cpu_period
      && cgroup_writef (dir, "cpu.cfs_period_us", err, "%llu", (unsigned long long) r->cpu_period) < 0)
    return berth_error_wrap (err, "cpu.period");
  if (r->has_cpu_quota && cgroup_writef (dir, "cpu.cfs_quota_us", err, "%lld", (long long) r->cpu_quota) < 0)
    return berth_error_wrap (err, "cpu.quota");
  if (r->has_cpu_burst && cgroup_writef (dir, "cpu.cfs_burst_us", err, "%llu", (unsigned long long) r->cpu_burst) < 0)
    return berth_error_wrap (err, "cpu.burst");
  if (r->has_cpu_idle && cgroup_writef (dir, "cpu.idle", err, "%lld", (long long) r->cpu_idle) < 0)
    return berth_error_wrap (err, "cpu.idle");
  return 0;
}

static int
write_throttle (const char *dir, const char *file, const struct berth_spec_throttle *t, size_t n, berth_error_t *err)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (cgroup_writef (dir, file, err, "%lld:%lld %llu", (long long) t[i].major, (long long) t[i].minor,
                       (unsigned long long) t[i].rate)
        < 0)
      return berth_error_wrap (err, "blockIO");
  return 0;
}

static int
apply_blkio (const char *dir, const struct berth_spec_resources *r, berth_error_t *err)
{
  if (r->has_blkio_weight)
    {
      cleanup_free char *plain = xasprintf ("%s/blkio.weight", dir);
      const char *file = access (plain, F_OK) == 0 ? "blkio.weight" : "blkio.bfq.weight";
      if (cgroup_writef (dir, file, err, "%u", (unsigned) r->blkio_weight) < 0)
        return berth_error_wrap (err, "blockIO.weight");
    }
  if (write_throttle (dir, "blkio.throttle.read_bps_device", r->throttle_read_bps, r->n_throttle_read_bps, err) < 0
      || write_throttle (dir, "blkio.throttle.write_bps_device", r->throttle_write_bps, r->n_throttle_write_bps, err)
             < 0
      || write_throttle (dir, "blkio.throttle.read_iops_device", r->throttle_read_iops, r->n_throttle_read_iops, err)
             < 0
      || write_throttle (dir, "blkio.throttle.write_iops_device", r->throttle_write_iops, r->n_throttle_write_iops,
                         err)
             < 0)
    return berth_error_ret (err);
  return 0;
}

static void
format_rule (char *buf, size_t len, char type, int64_t major, int64_t minor, const char *access)
{
  char ma[24], mi[24];

  if (major < 0)
    strcpy (ma, "*");
  else
    snprintf (ma, sizeof (ma), "%lld", (long long) major);
  if (minor < 0)
    strcpy (mi, "*");
  else
    snprintf (mi, sizeof (mi), "%lld", (long long) minor);
  if (type == 'a')
    snprintf (buf, len, "a");
  else
    snprintf (buf, len, "%c %s:%s %s", type, ma, mi, access);
}

static int
apply_devices (const char *dir, const struct berth_spec_resources *r, berth_error_t *err)
{
  size_t i;

  for (i = 0; i < r->n_devices; i++)
    {
      const struct berth_spec_device_rule *d = &r->devices[i];
      char rule[80];
      format_rule (rule, sizeof (rule), d->type, d->major, d->minor, d->access);
      if (cgroup_write (dir, d->allow ? "devices.allow" : "devices.deny", rule, err) < 0)
        return berth_error_wrap (err, "linux.resources.devices[%zu]", i);
    }
  return 0;
}

static int
apply_hier (struct berth_cgroup *cg, const char *hier, const char *dir, void *opaque, berth_error_t *err)
{
  const struct berth_spec_resources *r = opaque;

  if (hier_has (hier, "memory") && apply_memory (dir, r, err) < 0)
    return berth_error_ret (err);
  if (hier_has (hier, "cpu") && apply_cpu (dir, r, err) < 0)
    return berth_error_ret (err);
  if (hier_has (hier, "cpuset"))
    {
      if (r->cpuset_cpus && cgroup_write (dir, "cpuset.cpus", r->cpuset_cpus, err) < 0)
        return berth_error_wrap (err, "cpu.cpus");
      if (r->cpuset_mems && cgroup_write (dir, "cpuset.mems", r->cpuset_mems, err) < 0)
        return berth_error_wrap (err, "cpu.mems");
    }
  if (hier_has (hier, "pids") && r->has_pids_limit && r->pids_limit != 0)
    {
      int ret = r->pids_limit < 0 ? cgroup_write (dir, "pids.max", "max", err)
                                  : cgroup_writef (dir, "pids.max", err, "%lld", (long long) r->pids_limit);
      if (ret < 0)
        return berth_error_wrap (err, "pids.limit");
    }
  if (hier_has (hier, "blkio") && apply_blkio (dir, r, err) < 0)
    return berth_error_ret (err);
  if (hier_has (hier, "devices") && apply_devices (dir, r, err) < 0)
    return berth_error_ret (err);
  return 0;
}

static int
create_hier (struct berth_cgroup *cg, const char *hier, const char *dir, void *opaque, berth_error_t *err)
{
  if (berth_mkdir_p (dir, 0755, err) < 0)
    return berth_error_wrap (err, "create cgroup");
  if (hier_has (hier, "cpuset"))
    {
      cleanup_free char *root = xasprintf ("%s/%s", CGROUP_ROOT, hier);
      if (init_cpuset (root, cg->path, err) < 0)
        return berth_error_ret (err);
    }
  return 0;
}

static bool
wants_hugetlb (const struct berth_spec_resources *r)
{
  return r && r->n_hugepage_limits > 0;
}

static int
v1_update (struct berth_cgroup *cg, const struct berth_spec_resources *r, berth_error_t *err)
{
  if (r == NULL)
    return 0;
  if (foreach_hier (cg, apply_hier, (void *) r, err) < 0)
    return berth_error_ret (err);
  if (wants_hugetlb (r))
    {
      cleanup_free char *dir = hier_dir (cg, "hugetlb");
      if (dir)
        {
          size_t i;
          for (i = 0; i < r->n_hugepage_limits; i++)
            {
              cleanup_free char *file = xasprintf ("hugetlb.%s.limit_in_bytes", r->hugepage_limits[i].key);
              if (cgroup_write (dir, file, r->hugepage_limits[i].value, err) < 0)
                return berth_error_wrap (err, "hugepageLimits");
            }
        }
      else if (cg->mode == BERTH_CGROUP_HYBRID)
        {
          cleanup_free char *udir = xasprintf ("%s%s", CGROUP_UNIFIED_ROOT, cg->path);
          if (cgroup_v2_apply_hugetlb (udir, r, err) < 0)
            return berth_error_ret (err);
        }
      else
        return berth_error_make (err, ENOTSUP, "hugepageLimits: no hugetlb controller is mounted");
    }
  return 0;
}

static int
v1_create (struct berth_cgroup *cg, const struct berth_spec_resources *r, berth_error_t *err)
{
  if (foreach_hier (cg, create_hier, NULL, err) < 0)
    return berth_error_ret (err);
  if (cg->mode == BERTH_CGROUP_HYBRID
      && cgroup_v2_create_at (CGROUP_UNIFIED_ROOT, cg->path, r, wants_hugetlb (r), err) < 0)
    return berth_error_ret (err);
  return v1_update (cg, r, err);
}

static int
enter_hier (struct berth_cgroup *cg, const char *hier, const char *dir, void *opaque, berth_error_t *err)
{
  return cgroup_writef (dir, "cgroup.procs", err, "%d", *(pid_t *) opaque);
}

static int
v1_enter (struct berth_cgroup *cg, pid_t pid, berth_error_t *err)
{
  if (foreach_hier (cg, enter_hier, &pid, err) < 0)
    return berth_error_wrap (err, "join cgroup");
  if (cg->mode == BERTH_CGROUP_HYBRID)
    {
      cleanup_free char *udir = xasprintf ("%s%s", CGROUP_UNIFIED_ROOT, cg->path);
      if (cgroup_writef (udir, "cgroup.procs", err, "%d", pid) < 0)
        return berth_error_wrap (err, "join cgroup");
    }
  return 0;
}

static char *
v1_procs_dir (struct berth_cgroup *cg)
{
  char *dir = hier_dir (cg, "pids");

  if (dir == NULL)
    dir = hier_dir (cg, "memory");
  if (dir == NULL)
    dir = hier_dir (cg, "freezer");
  return dir;
}

static int
kill_hier (struct berth_cgroup *cg, const char *hier, const char *dir, void *opaque, berth_error_t *err)
{
  int round;

  for (round = 0; round < 100; round++)
    {
      cleanup_free pid_t *pids = NULL;
      berth_error_t tmp = NULL;
      size_t n, i;
      struct timespec ts = { 0, 1000 * 1000 };

      if (cgroup_read_pids (dir, &pids, &n, &tmp) < 0)
        {
          berth_error_release (&tmp);
          return 0; /* gone already */
        }
      if (n == 0)
        return 0;
      for (i = 0; i < n; i++)
        kill (pids[i], SIGKILL);
      nanosleep (&ts, NULL);
    }
  return berth_error_make (err, EBUSY, "processes in `%s` do not die", dir);
}

static int
rmdir_hier (struct berth_cgroup *cg, const char *hier, const char *dir, void *opaque, berth_error_t *err)
{
  return cgroup_rmdir (dir, err);
}

static int
v1_destroy (struct berth_cgroup *cg, berth_error_t *err)
{
  cleanup_free char *procs = v1_procs_dir (cg);

  /* a frozen cgroup would keep SIGKILLed tasks alive: thaw first */
  {
    cleanup_free char *fz = hier_dir (cg, "freezer");
    berth_error_t tmp = NULL;
    if (fz && access (fz, F_OK) == 0 && cgroup_write (fz, "freezer.state", "THAWED", &tmp) < 0)
      berth_error_release (&tmp);
  }
  if (procs && kill_hier (cg, NULL, procs, NULL, err) < 0)
    return berth_error_ret (err);
  if (foreach_hier (cg, rmdir_hier, NULL, err) < 0)
    return berth_error_ret (err);
  if (cg->mode == BERTH_CGROUP_HYBRID && cgroup_v2_destroy_at (CGROUP_UNIFIED_ROOT, cg->path, err) < 0)
    return berth_error_ret (err);
  return 0;
}

static int
v1_is_frozen (struct berth_cgroup *cg, berth_error_t *err)
{
  cleanup_free char *dir = hier_dir (cg, "freezer");
  cleanup_free char *state = NULL;

  if (dir == NULL)
    return berth_error_make (err, ENOTSUP, "no freezer cgroup controller is mounted");
  if (cgroup_read (dir, "freezer.state", &state, err) < 0)
    return berth_error_ret (err);
  return strcmp (state, "FROZEN") == 0;
}

static int
v1_freeze (struct berth_cgroup *cg, bool freeze, berth_error_t *err)
{
  cleanup_free char *dir = hier_dir (cg, "freezer");
  int i;

  if (dir == NULL)
    return berth_error_make (err, ENOTSUP, "no freezer cgroup controller is mounted");
  if (!freeze)
    return cgroup_write (dir, "freezer.state", "THAWED", err);
  /* FREEZING can linger while tasks are in uninterruptible sleep: retry */
  for (i = 0; i < 1000; i++)
    {
      cleanup_free char *state = NULL;
      struct timespec ts = { 0, 1000 * 1000 };

      if (cgroup_write (dir, "freezer.state", "FROZEN", err) < 0 || cgroup_read (dir, "freezer.state", &state, err) < 0)
        return berth_error_ret (err);
      if (strcmp (state, "FROZEN") == 0)
        return 0;
      nanosleep (&ts, NULL);
    }
  cgroup_write (dir, "freezer.state", "THAWED", NULL);
  return berth_error_make (err, EBUSY, "the container did not freeze");
}

static int
v1_oom_kills (struct berth_cgroup *cg, uint64_t *count, berth_error_t *err)
{
  cleanup_free char *dir = hier_dir (cg, "memory");

  if (dir == NULL)
    return berth_error_make (err, ENOTSUP, "no memory cgroup controller is mounted");
  return cgroup_read_key (dir, "memory.oom_control", "oom_kill", count, err);
}

static int
v1_foreach_dir (struct berth_cgroup *cg, berth_cgroup_dir_fn fn, void *opaque, berth_error_t *err)
{
  cleanup_dir DIR *d = opendir (CGROUP_ROOT);
  struct dirent *de;

  if (d == NULL)
    return berth_error_errno (err, errno, "open `%s`", CGROUP_ROOT);
  while ((de = readdir (d)) != NULL)
    {
      cleanup_free char *dir = NULL;
      if (de->d_type == DT_LNK)
        {
          char target[256];
          cleanup_free char *lpath = xasprintf ("%s/%s", CGROUP_ROOT, de->d_name);
          ssize_t n = readlink (lpath, target, sizeof (target) - 1);
          if (n <= 0 || memchr (target, '/', (size_t) n))
            continue;
          target[n] = '\0';
          if (fn (opaque, de->d_name, NULL, target, err) < 0)
            return berth_error_ret (err);
          continue;
        }
      if (!is_controller_dir (de) && !(cg->mode == BERTH_CGROUP_HYBRID && strcmp (de->d_name, "unified") == 0))
        continue;
      dir = xasprintf ("%s/%s%s", CGROUP_ROOT, de->d_name, cg->path);
      if (fn (opaque, de->d_name, dir, NULL, err) < 0)
        return berth_error_ret (err);
    }
  return 0;
}

const struct berth_cgroup_ops berth_cgroup_v1_ops = {
  .create = v1_create,
  .enter = v1_enter,
  .update = v1_update,
  .destroy = v1_destroy,
  .freeze = v1_freeze,
  .is_frozen = v1_is_frozen,
  .procs_dir = v1_procs_dir,
  .oom_kills = v1_oom_kills,
  .foreach_dir = v1_foreach_dir,
};
