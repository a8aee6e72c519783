#include "config.h"

#include "core/runtime/namespaces.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
berth_ns_plan_build (const struct berth_spec *spec, struct berth_ns_plan *plan, berth_error_t *err)
{
  const struct berth_spec_namespace *ns = spec->lx.namespaces;
  int k;

  memset (plan, 0, sizeof (*plan));
  for (k = 0; k < BERTH_NS__COUNT; k++)
    plan->join_fds[k] = -1;
  if (ns[BERTH_NS_TIME].present)
    return berth_error_make (err, ENOTSUP, "linux.namespaces: the time namespace is not supported");
  if (!ns[BERTH_NS_MOUNT].present || ns[BERTH_NS_MOUNT].path)
    return berth_error_make (err, EINVAL, "linux.namespaces: a new mount namespace is required");
  if ((spec->hostname || spec->domainname) && !(ns[BERTH_NS_UTS].present && ns[BERTH_NS_UTS].path == NULL))
    return berth_error_make (err, EINVAL, "hostname: setting it needs a new uts namespace");
  for (k = 0; k < BERTH_NS__COUNT; k++)
    {
      if (!ns[k].present)
        continue;
      if (ns[k].path)
        {
          plan->join_fds[k] = open (ns[k].path, O_RDONLY | O_CLOEXEC);
          if (plan->join_fds[k] < 0)
            {
              int e = errno;
              berth_ns_plan_close (plan);
              return berth_error_errno (err, e, "linux.namespaces: open %s namespace `%s`", berth_ns_kind_name (k),
                                        ns[k].path);
            }
          continue;
        }
      if (k == BERTH_NS_CGROUP)
        plan->new_cgroupns = true; /* unshared after the child joined its cgroup */
      else if (ns[BERTH_NS_USER].path && k != BERTH_NS_PID)
        plan->unshare_flags |= berth_ns_kind_clone_flag (k); /* must belong to the joined user namespace */
      else
        plan->clone_flags |= berth_ns_kind_clone_flag (k);
    }
  if (ns[BERTH_NS_USER].path && (plan->clone_flags & CLONE_NEWPID))
    {
      berth_ns_plan_close (plan);
      return berth_error_make (err, ENOTSUP,
                               "linux.namespaces: a new pid namespace together with joining a user namespace is not "
                               "supported");
    }
  plan->new_userns = ns[BERTH_NS_USER].present && ns[BERTH_NS_USER].path == NULL;
  return 0;
}

void
berth_ns_plan_close (struct berth_ns_plan *plan)
{
  int k;

  for (k = 0; k < BERTH_NS__COUNT; k++)
    if (plan->join_fds[k] >= 0)
      {
        close (plan->join_fds[k]);
        plan->join_fds[k] = -1;
      }
}

static int
join (struct berth_ns_plan *plan, int k, berth_error_t *err)
{
  if (plan->join_fds[k] < 0)
    return 0;
  if (setns (plan->join_fds[k], berth_ns_kind_clone_flag (k)) < 0)
    return berth_error_errno (err, errno, "join the %s namespace", berth_ns_kind_name (k));
  close (plan->join_fds[k]);
  plan->join_fds[k] = -1;
  return 0;
}

int
berth_ns_join_user (struct berth_ns_plan *plan, berth_error_t *err)
{
  return join (plan, BERTH_NS_USER, err);
}

int
berth_ns_join_others (struct berth_ns_plan *plan, berth_error_t *err)
{
  static const int order[] = { BERTH_NS_NET, BERTH_NS_IPC, BERTH_NS_UTS, BERTH_NS_CGROUP };
  size_t i;

  if (plan->unshare_flags && unshare (plan->unshare_flags) < 0)
    return berth_error_errno (err, errno, "unshare namespaces");
  for (i = 0; i < sizeof (order) / sizeof (order[0]); i++)
    if (join (plan, order[i], err) < 0)
      return berth_error_ret (err);
  if (plan->new_cgroupns && unshare (CLONE_NEWCGROUP) < 0)
    return berth_error_errno (err, errno, "unshare the cgroup namespace");
  return 0;
}

static int
write_map (pid_t pid, const char *file, const struct berth_spec_id_map *m, size_t n, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("/proc/%d/%s", (int) pid, file);
  char buf[4096];
  size_t len = 0, i;
  cleanup_close int fd = -1;

  for (i = 0; i < n; i++)
    {
      int w = snprintf (buf + len, sizeof (buf) - len, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
      if (w < 0 || (size_t) w >= sizeof (buf) - len)
        return berth_error_make (err, E2BIG, "linux.%s: too many mappings", file);
      len += (size_t) w;
    }
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write (fd, buf, len) != (ssize_t) len)
    return berth_error_errno (err, errno, "write `%s`", path);
  return 0;
}

int
berth_ns_write_id_maps (pid_t pid, const struct berth_spec *spec, berth_error_t *err)
{
  if (write_map (pid, "uid_map", spec->lx.uid_mappings, spec->lx.n_uid_mappings, err) < 0)
    return berth_error_wrap (err, "linux.uidMappings");
  if (write_map (pid, "gid_map", spec->lx.gid_mappings, spec->lx.n_gid_mappings, err) < 0)
    return berth_error_wrap (err, "linux.gidMappings");
  return 0;
}
