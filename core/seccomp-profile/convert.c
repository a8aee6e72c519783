#include "config.h"

#include "core/seccomp-profile/seccomp-profile.h"
#include "core/seccomp-profile/arch.h"
#include "core/seccomp-profile/profile.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <string.h>
#include <sys/utsname.h>

struct resolved_target
{
  const char *const *caps;
  struct seccomp_native_arch arch;
  struct seccomp_kernel_version kernel;
};

static bool
has_cap (const char *const *caps, const char *cap)
{
  size_t i;

  for (i = 0; caps && caps[i]; i++)
    if (strcmp (caps[i], cap) == 0)
      return true;
  return false;
}

static bool
has_arch (const char **arches, const char *go_name)
{
  size_t i;

  for (i = 0; arches[i]; i++)
    if (strcmp (arches[i], go_name) == 0)
      return true;
  return false;
}

/* moby's rules: every included cap held, the arch listed, the kernel new
   enough; no excluded cap held, the arch not listed, the kernel older. */
static bool
rule_applies (const struct seccomp_profile_rule *r, const struct resolved_target *t)
{
  const struct seccomp_profile_filter *in = &r->includes, *ex = &r->excludes;
  size_t i;

  if (ex->arches[0] && has_arch (ex->arches, t->arch.go_name))
    return false;
  for (i = 0; ex->caps[i]; i++)
    if (has_cap (t->caps, ex->caps[i]))
      return false;
  if (ex->has_min_kernel && seccomp_kernel_version_cmp (&t->kernel, &ex->min_kernel) >= 0)
    return false;
  if (in->arches[0] && !has_arch (in->arches, t->arch.go_name))
    return false;
  for (i = 0; in->caps[i]; i++)
    if (!has_cap (t->caps, in->caps[i]))
      return false;
  if (in->has_min_kernel && seccomp_kernel_version_cmp (&t->kernel, &in->min_kernel) < 0)
    return false;
  return true;
}

static json_object *
strv_to_json (const char *const *v)
{
  json_object *arr = json_object_new_array ();
  size_t i;

  for (i = 0; v[i]; i++)
    json_object_array_add (arr, json_object_new_string (v[i]));
  return arr;
}

static json_object *
architectures_json (const struct seccomp_profile *p, const struct resolved_target *t)
{
  json_object *arr;
  size_t i;

  if (p->architectures[0])
    return strv_to_json (p->architectures);
  arr = json_object_new_array ();
  /* only the native entry: its subarchitectures are the ABIs this kernel
     runs besides the native one (i386 and x32 on x86_64) */
  for (i = 0; i < p->n_arch_map; i++)
    if (strcmp (p->arch_map[i].arch, t->arch.token) == 0)
      {
        size_t k;
        json_object_array_add (arr, json_object_new_string (p->arch_map[i].arch));
        for (k = 0; p->arch_map[i].sub_arches[k]; k++)
          json_object_array_add (arr, json_object_new_string (p->arch_map[i].sub_arches[k]));
      }
  return arr;
}

static json_object *
rule_json (const struct seccomp_profile_rule *r)
{
  json_object *o = json_object_new_object ();
  size_t i;

  json_object_object_add (o, "names", strv_to_json ((const char *const *)r->names));
  json_object_object_add (o, "action", json_object_new_string (r->action));
  if (r->has_errno_ret)
    json_object_object_add (o, "errnoRet", json_object_new_int64 (r->errno_ret));
  if (r->n_args)
    {
      json_object *args = json_object_new_array ();
      for (i = 0; i < r->n_args; i++)
        {
          json_object *a = json_object_new_object ();
          json_object_object_add (a, "index", json_object_new_int64 (r->args[i].index));
          json_object_object_add (a, "value", json_object_new_uint64 (r->args[i].value));
          json_object_object_add (a, "valueTwo", json_object_new_uint64 (r->args[i].value_two));
          json_object_object_add (a, "op", json_object_new_string (r->args[i].op));
          json_object_array_add (args, a);
        }
      json_object_object_add (o, "args", args);
    }
  return o;
}

static json_object *
profile_to_oci (const struct seccomp_profile *p, const struct resolved_target *t)
{
  json_object *o = json_object_new_object ();
  json_object *syscalls = json_object_new_array ();
  size_t i;

  json_object_object_add (o, "defaultAction", json_object_new_string (p->default_action));
  if (p->has_default_errno_ret)
    json_object_object_add (o, "defaultErrnoRet", json_object_new_int64 (p->default_errno_ret));
  json_object_object_add (o, "architectures", architectures_json (p, t));
  if (p->flags[0])
    json_object_object_add (o, "flags", strv_to_json ((const char *const *)p->flags));
  for (i = 0; i < p->n_rules; i++)
    if (rule_applies (&p->rules[i], t))
      json_object_array_add (syscalls, rule_json (&p->rules[i]));
  json_object_object_add (o, "syscalls", syscalls);
  return o;
}

static int
resolve_target (const struct seccomp_target *in, struct resolved_target *t, berth_error_t *err)
{
  struct utsname u;
  const char *kernel = in->kernel;

  t->caps = in->caps;
  if (seccomp_native_arch_resolve (in->arch, &t->arch, err) < 0)
    return berth_error_ret (err);
  if (kernel == NULL)
    {
      if (uname (&u) < 0)
        return berth_error_errno (err, errno, "uname");
      kernel = u.release;
    }
  if (seccomp_kernel_version_parse (kernel, false, &t->kernel) < 0)
    return berth_error_make (err, EINVAL, "seccomp: `%s` is not a kernel version", kernel);
  return 0;
}

int
seccomp_profile_to_oci_target (const char *profile_json, size_t len, const struct seccomp_target *target,
                               json_object **ret, berth_error_t *err)
{
  struct seccomp_profile *p = NULL;
  struct resolved_target t;

  if (resolve_target (target, &t, err) < 0 || seccomp_profile_parse (profile_json, len, &p, err) < 0)
    return berth_error_ret (err);
  *ret = profile_to_oci (p, &t);
  seccomp_profile_free (p);
  return 0;
}

int
seccomp_profile_to_oci (const char *profile_json, size_t len, const char *const *caps, const char *arch,
                        json_object **ret, berth_error_t *err)
{
  struct seccomp_target t = { .caps = caps, .arch = arch, .kernel = NULL };

  return seccomp_profile_to_oci_target (profile_json, len, &t, ret, err);
}
