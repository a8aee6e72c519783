#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "core/daemon/host-info.h"
#include "core/lib/mem.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define CGROUP_ROOT "/sys/fs/cgroup"

/* The v1 controllers we look for, and where each is mounted. */
enum
{
  CG_MEMORY,
  CG_CPU,
  CG_CPUSET,
  CG_PIDS,
  CG_N
};
static const char *const v1_names[CG_N] = { "memory", "cpu", "cpuset", "pids" };

static bool
has_option (const char *opts, const char *name)
{
  size_t len = strlen (name);
  for (const char *p = opts; p != NULL && *p != '\0'; p = strchr (p, ','), p = p ? p + 1 : NULL)
    if (strncmp (p, name, len) == 0 && (p[len] == ',' || p[len] == '\0' || p[len] == '\n'))
      return true;
  return false;
}

/* Mount points of the v1 hierarchies, from /proc/self/mountinfo:
   "id parent maj:min root mountpoint opts ... - fstype source superopts". */
static void
find_v1_mounts (char *mounts[CG_N])
{
  cleanup_file FILE *f = fopen ("/proc/self/mountinfo", "re");
  cleanup_free char *line = NULL;
  size_t cap = 0;

  if (f == NULL)
    return;
  while (getline (&line, &cap, f) > 0)
    {
      char *sep = strstr (line, " - ");
      char mountpoint[4096], fstype[64], source[256], superopts[1024];

      if (sep == NULL || sscanf (line, "%*s %*s %*s %*s %4095s", mountpoint) != 1
          || sscanf (sep + 3, "%63s %255s %1023s", fstype, source, superopts) != 3)
        continue;
      if (strcmp (fstype, "cgroup") != 0)
        continue;
      for (int i = 0; i < CG_N; i++)
        if (mounts[i] == NULL && has_option (superopts, v1_names[i]))
          mounts[i] = xstrdup (mountpoint);
    }
}

static bool
file_in (const char *dir, const char *name)
{
  cleanup_free char *p = NULL;
  if (dir == NULL)
    return false;
  p = xasprintf ("%s/%s", dir, name);
  return access (p, F_OK) == 0;
}

static void
caps_v1 (struct berth_cgroup_caps *caps)
{
  char *mounts[CG_N] = { NULL };

  find_v1_mounts (mounts);
  caps->memory = file_in (mounts[CG_MEMORY], "memory.limit_in_bytes");
  caps->swap = file_in (mounts[CG_MEMORY], "memory.memsw.limit_in_bytes");
  caps->oom_kill_disable = file_in (mounts[CG_MEMORY], "memory.oom_control");
  caps->cpu_cfs_period = file_in (mounts[CG_CPU], "cpu.cfs_period_us");
  caps->cpu_cfs_quota = file_in (mounts[CG_CPU], "cpu.cfs_quota_us");
  caps->cpu_shares = file_in (mounts[CG_CPU], "cpu.shares");
  caps->cpuset = file_in (mounts[CG_CPUSET], "cpuset.cpus");
  caps->pids = mounts[CG_PIDS] != NULL;
  for (int i = 0; i < CG_N; i++)
    free (mounts[i]);
}

static void
caps_v2 (struct berth_cgroup_caps *caps)
{
  cleanup_file FILE *f = fopen (CGROUP_ROOT "/cgroup.controllers", "re");
  char line[1024] = "";
  char *tok, *save = NULL;

  if (f == NULL || fgets (line, sizeof (line), f) == NULL)
    return;
  for (tok = strtok_r (line, " \n", &save); tok != NULL; tok = strtok_r (NULL, " \n", &save))
    {
      if (strcmp (tok, "memory") == 0)
        caps->memory = caps->swap = true;
      else if (strcmp (tok, "cpu") == 0)
        caps->cpu_cfs_period = caps->cpu_cfs_quota = caps->cpu_shares = true;
      else if (strcmp (tok, "cpuset") == 0)
        caps->cpuset = true;
      else if (strcmp (tok, "pids") == 0)
        caps->pids = true;
    }
  /* v2 has no oom_control; memory.oom.group is a different feature. */
  caps->oom_kill_disable = false;
}

void
berth_host_cgroup_caps (struct berth_cgroup_caps *caps)
{
  struct statfs sfs;

  memset (caps, 0, sizeof (*caps));
  /* Only a pure v2 mount at the root counts as v2; hybrid hosts keep their
     controllers on v1, which is where containers get limited. */
  if (statfs (CGROUP_ROOT, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
    {
      caps->version = 2;
      caps_v2 (caps);
    }
  else
    {
      caps->version = 1;
      caps_v1 (caps);
    }
}
