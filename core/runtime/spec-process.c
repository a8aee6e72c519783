#include "config.h"

#include "core/runtime/spec-internal.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

static int
parse_cap_set (json_object *caps, const char *where, const char *key, uint64_t *out, berth_error_t *err)
{
  cleanup_strv char **names = NULL;
  size_t i;
  int ret = sj_strv (caps, where, key, &names, err);

  if (ret < 0)
    return ret;
  *out = 0;
  for (i = 0; names[i]; i++)
    {
      cap_value_t v;
      if (strncasecmp (names[i], "CAP_", 4) != 0 || cap_from_name (names[i], &v) < 0 || v < 0 || v > 63)
        return berth_error_make (err, EINVAL, "%s.%s[%zu]: unknown capability `%s`", where, key, i, names[i]);
      *out |= (uint64_t) 1 << v;
    }
  return 0;
}

static int
parse_caps (json_object *p, struct berth_spec_process *proc, berth_error_t *err)
{
  json_object *c = sj_get (p, "capabilities");
  const char *w = "process.capabilities";

  if (c == NULL)
    return 0;
  if (sj_expect_object (c, w, err) < 0)
    return berth_error_ret (err);
  proc->has_caps = true;
  if (parse_cap_set (c, w, "bounding", &proc->caps.bounding, err) < 0
      || parse_cap_set (c, w, "effective", &proc->caps.effective, err) < 0
      || parse_cap_set (c, w, "inheritable", &proc->caps.inheritable, err) < 0
      || parse_cap_set (c, w, "permitted", &proc->caps.permitted, err) < 0
      || parse_cap_set (c, w, "ambient", &proc->caps.ambient, err) < 0)
    return berth_error_ret (err);
  return 0;
}

static int
parse_user (json_object *p, const char *where, struct berth_spec_user *u, berth_error_t *err)
{
  cleanup_free char *w = xasprintf ("%s.user", where);
  json_object *o = sj_get (p, "user");
  json_object *arr;
  uint32_t umask_v;
  size_t n, i;
  int ret;

  if (o == NULL)
    return 0; /* root */
  if (sj_expect_object (o, w, err) < 0)
    return berth_error_ret (err);
  if (sj_required (sj_uint32 (o, w, "uid", &u->uid, err), w, "uid", err) < 0
      || sj_required (sj_uint32 (o, w, "gid", &u->gid, err), w, "gid", err) < 0)
    return berth_error_ret (err);
  ret = sj_uint32 (o, w, "umask", &umask_v, err);
  if (ret < 0)
    return ret;
  if (ret > 0)
    {
      if (umask_v > 0777)
        return berth_error_make (err, EINVAL, "%s.umask: %u is not a file mode mask", w, umask_v);
      u->has_umask = true;
      u->umask = (mode_t) umask_v;
    }
  if (sj_array (o, w, "additionalGids", &arr, &n, err) < 0)
    return berth_error_ret (err);
  u->additional_gids = xmalloc0 ((n + 1) * sizeof (uint32_t));
  u->n_additional_gids = n;
  for (i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (arr, i);
      int64_t g = json_object_get_int64 (e);
      if (!json_object_is_type (e, json_type_int) || g < 0 || g > UINT32_MAX)
        return berth_error_make (err, EINVAL, "%s.additionalGids[%zu]: expected a gid", w, i);
      u->additional_gids[i] = (uint32_t) g;
    }
  return 0;
}

static int
parse_rlimits (json_object *p, struct berth_spec_process *proc, berth_error_t *err)
{
  json_object *arr;
  size_t n, i, j;

  if (sj_array (p, "process", "rlimits", &arr, &n, err) < 0)
    return berth_error_ret (err);
  proc->rlimits = xmalloc0 ((n + 1) * sizeof (*proc->rlimits));
  for (i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (arr, i);
      cleanup_free char *w = xasprintf ("process.rlimits[%zu]", i);
      cleanup_free char *type = NULL;
      struct berth_spec_rlimit *r = &proc->rlimits[i];

      if (sj_expect_object (e, w, err) < 0
          || sj_required (sj_string (e, w, "type", &type, err), w, "type", err) < 0
          || sj_required (sj_uint64 (e, w, "soft", &r->soft, err), w, "soft", err) < 0
          || sj_required (sj_uint64 (e, w, "hard", &r->hard, err), w, "hard", err) < 0)
        return berth_error_ret (err);
      r->resource = berth_rlimit_from_name (type);
      if (r->resource < 0)
        return berth_error_make (err, EINVAL, "%s.type: unknown rlimit `%s`", w, type);
      if (r->soft > r->hard)
        return berth_error_make (err, EINVAL, "%s: soft limit %llu is above hard limit %llu", w,
                                 (unsigned long long) r->soft, (unsigned long long) r->hard);
      for (j = 0; j < i; j++)
        if (proc->rlimits[j].resource == r->resource)
          return berth_error_make (err, EINVAL, "%s.type: `%s` given twice", w, type);
      proc->n_rlimits++;
    }
  return 0;
}

static int
parse_env (struct berth_spec_process *proc, berth_error_t *err)
{
  size_t i;

  for (i = 0; proc->env[i]; i++)
    if (strchr (proc->env[i], '=') == NULL)
      return berth_error_make (err, EINVAL, "process.env[%zu]: `%s` is not KEY=VALUE", i, proc->env[i]);
  return 0;
}

int
spec_parse_process (json_object *p, const char *where, struct berth_spec_process **out, berth_error_t *err)
{
  struct berth_spec_process *proc = xmalloc0 (sizeof (*proc));
  json_object *cs;
  int64_t oom;
  int ret;

  *out = proc; /* freed by the caller on error too */
  if (sj_expect_object (p, where, err) < 0)
    return berth_error_ret (err);
  if (sj_bool (p, where, "terminal", &proc->terminal, err) < 0)
    return berth_error_ret (err);
  cs = sj_get (p, "consoleSize");
  if (cs)
    {
      uint32_t h = 0, w = 0;
      cleanup_free char *cw = xasprintf ("%s.consoleSize", where);
      if (sj_expect_object (cs, cw, err) < 0 || sj_uint32 (cs, cw, "height", &h, err) < 0
          || sj_uint32 (cs, cw, "width", &w, err) < 0)
        return berth_error_ret (err);
      proc->console_height = h;
      proc->console_width = w;
    }
  if (sj_required (sj_string (p, where, "cwd", &proc->cwd, err), where, "cwd", err) < 0)
    return berth_error_ret (err);
  if (proc->cwd[0] != '/')
    return berth_error_make (err, EINVAL, "%s.cwd: `%s` is not an absolute path", where, proc->cwd);
  if (sj_strv (p, where, "env", &proc->env, err) < 0 || parse_env (proc, err) < 0)
    return berth_error_ret (err);
  if (sj_strv (p, where, "args", &proc->args, err) < 0)
    return berth_error_ret (err);
  if (proc->args[0] == NULL || proc->args[0][0] == '\0')
    return berth_error_make (err, EINVAL, "%s.args: must name a program", where);
  if (parse_user (p, where, &proc->user, err) < 0 || parse_rlimits (p, proc, err) < 0 || parse_caps (p, proc, err) < 0)
    return berth_error_ret (err);
  if (sj_bool (p, where, "noNewPrivileges", &proc->no_new_privileges, err) < 0)
    return berth_error_ret (err);
  ret = sj_int64 (p, where, "oomScoreAdj", &oom, err);
  if (ret < 0)
    return ret;
  if (ret > 0)
    {
      if (oom < -1000 || oom > 1000)
        return berth_error_make (err, ERANGE, "%s.oomScoreAdj: %lld is outside -1000..1000", where, (long long) oom);
      proc->has_oom_score_adj = true;
      proc->oom_score_adj = (int) oom;
    }
  if (sj_string (p, where, "apparmorProfile", &proc->apparmor_profile, err) < 0
      || sj_string (p, where, "selinuxLabel", &proc->selinux_label, err) < 0)
    return berth_error_ret (err);
  return 0;
}

void
berth_spec_process_free (struct berth_spec_process *p)
{
  if (p == NULL)
    return;
  free (p->cwd);
  strv_free (p->env);
  strv_free (p->args);
  free (p->user.additional_gids);
  free (p->rlimits);
  free (p->apparmor_profile);
  free (p->selinux_label);
  free (p);
}

struct berth_spec_process *
berth_spec_parse_process (const char *json, size_t len, berth_error_t *err)
{
  json_object *root = spec_json_tokenize (json, len, "process", err);
  struct berth_spec_process *p = NULL;

  if (root == NULL)
    return NULL;
  if (spec_parse_process (root, "process", &p, err) < 0)
    {
      berth_spec_process_free (p);
      p = NULL;
    }
  json_object_put (root);
  return p;
}
