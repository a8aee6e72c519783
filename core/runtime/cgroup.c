#include "config.h"

#include "core/runtime/cgroup-internal.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>

enum berth_cgroup_mode
berth_cgroup_detect (void)
{
  struct statfs st;

  if (statfs (CGROUP_ROOT, &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
    return BERTH_CGROUP_V2;
  if (statfs (CGROUP_UNIFIED_ROOT, &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
    return BERTH_CGROUP_HYBRID;
  return BERTH_CGROUP_V1;
}

const char *
berth_cgroup_mode_name (enum berth_cgroup_mode mode)
{
  switch (mode)
    {
    case BERTH_CGROUP_V1:
      return "v1";
    case BERTH_CGROUP_HYBRID:
      return "hybrid";
    case BERTH_CGROUP_V2:
      return "v2";
    }
  return "?";
}

static const struct berth_cgroup_ops *
ops_for (enum berth_cgroup_mode mode)
{
  return mode == BERTH_CGROUP_V2 ? &berth_cgroup_v2_ops : &berth_cgroup_v1_ops;
}

/* collapse "//" and a trailing "/" so that paths compare and join cleanly */
static char *
normalize (const char *p)
{
  char *out = xmalloc (strlen (p) + 2);
  char *o = out;

  *o++ = '/';
  while (*p)
    {
      while (*p == '/')
        p++;
      while (*p && *p != '/')
        *o++ = *p++;
      if (*p)
        *o++ = '/';
    }
  while (o > out + 1 && o[-1] == '/')
    o--;
  *o = '\0';
  return out;
}

static bool
has_dotdot (const char *p)
{
  const char *c = p;

  while ((c = strstr (c, "..")) != NULL)
    {
      if ((c == p || c[-1] == '/') && (c[2] == '\0' || c[2] == '/'))
        return true;
      c += 2;
    }
  return false;
}

struct berth_cgroup *
berth_cgroup_new (const char *cgroups_path, const char *id, berth_error_t *err)
{
  cleanup_free char *joined = NULL;

  if (cgroups_path && strchr (cgroups_path, ':') && cgroups_path[0] != '/')
    {
      berth_error_make (err, EINVAL, "linux.cgroupsPath `%s` looks like a systemd slice:prefix:name; the systemd "
                        "cgroup driver is not supported", cgroups_path);
      return NULL;
    }
  if (cgroups_path && cgroups_path[0] == '/')
    joined = xstrdup (cgroups_path);
  else
    /* the runtime-defined place for relative paths */
    joined = xasprintf ("/berth-runtime/%s", cgroups_path && *cgroups_path ? cgroups_path : id);
  return berth_cgroup_load (berth_cgroup_detect (), joined, err);
}

struct berth_cgroup *
berth_cgroup_load (enum berth_cgroup_mode mode, const char *path, berth_error_t *err)
{
  struct berth_cgroup *cg;
  char *norm;

  if (mode < BERTH_CGROUP_V1 || mode > BERTH_CGROUP_V2)
    {
      berth_error_make (err, EINVAL, "unknown cgroup mode %d", (int) mode);
      return NULL;
    }
  norm = normalize (path);
  if (strcmp (norm, "/") == 0 || has_dotdot (norm))
    {
      berth_error_make (err, EINVAL, "cgroup path `%s` is not a container cgroup", path);
      free (norm);
      return NULL;
    }
  cg = xmalloc0 (sizeof (*cg));
  cg->mode = mode;
  cg->path = norm;
  cg->ops = ops_for (mode);
  return cg;
}

void
berth_cgroup_free (struct berth_cgroup *cg)
{
  if (cg == NULL)
    return;
  free (cg->path);
  free (cg);
}

void
berth_cgroup_freep (struct berth_cgroup **cg)
{
  berth_cgroup_free (*cg);
}

enum berth_cgroup_mode
berth_cgroup_mode (const struct berth_cgroup *cg)
{
  return cg->mode;
}

const char *
berth_cgroup_path (const struct berth_cgroup *cg)
{
  return cg->path;
}

int
berth_cgroup_create (struct berth_cgroup *cg, const struct berth_spec_resources *r, berth_error_t *err)
{
  return cg->ops->create (cg, r, err);
}

int
berth_cgroup_enter (struct berth_cgroup *cg, pid_t pid, berth_error_t *err)
{
  return cg->ops->enter (cg, pid, err);
}

int
berth_cgroup_update (struct berth_cgroup *cg, const struct berth_spec_resources *r, berth_error_t *err)
{
  return cg->ops->update (cg, r, err);
}

int
berth_cgroup_destroy (struct berth_cgroup *cg, berth_error_t *err)
{
  return cg->ops->destroy (cg, err);
}

int
berth_cgroup_freeze (struct berth_cgroup *cg, bool freeze, berth_error_t *err)
{
  return cg->ops->freeze (cg, freeze, err);
}

int
berth_cgroup_is_frozen (struct berth_cgroup *cg, berth_error_t *err)
{
  return cg->ops->is_frozen (cg, err);
}

int
berth_cgroup_pids (struct berth_cgroup *cg, pid_t **pids, size_t *n, berth_error_t *err)
{
  cleanup_free char *dir = cg->ops->procs_dir (cg);

  if (dir == NULL)
    return berth_error_make (err, ENOENT, "no cgroup hierarchy lists processes");
  return cgroup_read_pids (dir, pids, n, err);
}

int
berth_cgroup_oom_kills (struct berth_cgroup *cg, uint64_t *count, berth_error_t *err)
{
  return cg->ops->oom_kills (cg, count, err);
}

int
berth_cgroup_kill_all (struct berth_cgroup *cg, int sig, berth_error_t *err)
{
  cleanup_free pid_t *pids = NULL;
  size_t n, i;

  if (berth_cgroup_pids (cg, &pids, &n, err) < 0)
    return berth_error_ret (err);
  for (i = 0; i < n; i++)
    if (kill (pids[i], sig) < 0 && errno != ESRCH)
      return berth_error_errno (err, errno, "kill %d", (int) pids[i]);
  return 0;
}

int
berth_cgroup_foreach_dir (struct berth_cgroup *cg, berth_cgroup_dir_fn fn, void *opaque, berth_error_t *err)
{
  return cg->ops->foreach_dir (cg, fn, opaque, err);
}
