#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "core/container/security-opt.h"
#include "core/lib/fs.h"
#include "core/lib/mem.h"

#define CAP_SYS_RESOURCE_BIT 24

static int
parse_bool (const char *s, bool *ret)
{
  static const char *const yes[] = { "1", "t", "T", "true", "TRUE", "True", NULL };
  static const char *const no[] = { "0", "f", "F", "false", "FALSE", "False", NULL };

  for (size_t i = 0; yes[i] != NULL; i++)
    if (strcmp (s, yes[i]) == 0)
      {
        *ret = true;
        return 0;
      }
  for (size_t i = 0; no[i] != NULL; i++)
    if (strcmp (s, no[i]) == 0)
      {
        *ret = false;
        return 0;
      }
  return -1;
}

int
security_opts_parse (json_object *security_opt, struct security_opts *ret, berth_error_t *err)
{
  size_t n;

  memset (ret, 0, sizeof (*ret));
  if (security_opt == NULL || json_object_is_type (security_opt, json_type_null))
    return 0;
  if (!json_object_is_type (security_opt, json_type_array))
    return berth_error_make (err, EINVAL, "HostConfig.SecurityOpt: expected an array");
  n = json_object_array_length (security_opt);
  for (size_t i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (security_opt, i);
      const char *opt = json_object_get_string (e), *sep, *v;
      cleanup_free char *k = NULL;

      if (!json_object_is_type (e, json_type_string))
        return berth_error_make (err, EINVAL, "HostConfig.SecurityOpt[%zu]: expected a string", i);
      if (strcmp (opt, "no-new-privileges") == 0)
        {
          ret->no_new_privileges = true;
          continue;
        }
      if (strcmp (opt, "disable") == 0)
        continue; /* label disable: no labels here anyway */
      sep = strchr (opt, '=');
      if (sep == NULL)
        sep = strchr (opt, ':');
      if (sep == NULL)
        return berth_error_make (err, EINVAL, "invalid --security-opt 1: \"%s\"", opt);
      k = xstrndup (opt, (size_t)(sep - opt));
      v = sep + 1;
      if (strcmp (k, "no-new-privileges") == 0)
        {
          if (parse_bool (v, &ret->no_new_privileges) < 0)
            return berth_error_make (err, EINVAL, "invalid --security-opt 2: \"%s\"", opt);
        }
      else if (strcmp (k, "seccomp") == 0)
        {
          ret->seccomp_unconfined = strcmp (v, "unconfined") == 0;
          ret->seccomp_profile = ret->seccomp_unconfined || strcmp (v, "builtin") == 0 ? NULL : v;
        }
      else if (strcmp (k, "label") == 0)
        {
          if (strcmp (v, "disable") != 0)
            return berth_error_make (err, EINVAL,
                                     "--security-opt %s: SELinux labels are not supported by berth (only "
                                     "label=disable is accepted: this host has no SELinux)",
                                     opt);
        }
      else if (strcmp (k, "apparmor") == 0)
        {
          if (strcmp (v, "unconfined") != 0)
            return berth_error_make (err, EINVAL,
                                     "--security-opt %s: AppArmor profiles are not supported by berth (only "
                                     "apparmor=unconfined is accepted: this host has no AppArmor)",
                                     opt);
        }
      else if (strcmp (k, "systempaths") == 0 || strcmp (k, "writable-cgroups") == 0)
        return berth_error_make (err, EINVAL, "--security-opt %s is not supported by berth", opt);
      else
        return berth_error_make (err, EINVAL, "invalid --security-opt 2: \"%s\"", opt);
    }
  return 0;
}

static const struct
{
  const char *name;
  int resource;
} rlimits[] = {
  { "core", RLIMIT_CORE },         { "cpu", RLIMIT_CPU },
  { "data", RLIMIT_DATA },         { "fsize", RLIMIT_FSIZE },
  { "locks", RLIMIT_LOCKS },       { "memlock", RLIMIT_MEMLOCK },
  { "msgqueue", RLIMIT_MSGQUEUE }, { "nice", RLIMIT_NICE },
  { "nofile", RLIMIT_NOFILE },     { "nproc", RLIMIT_NPROC },
  { "rss", RLIMIT_RSS },           { "rtprio", RLIMIT_RTPRIO },
  { "rttime", RLIMIT_RTTIME },     { "sigpending", RLIMIT_SIGPENDING },
  { "stack", RLIMIT_STACK },
};

static int
rlimit_of (const char *name)
{
  for (size_t i = 0; i < sizeof (rlimits) / sizeof (rlimits[0]); i++)
    if (strcmp (rlimits[i].name, name) == 0)
      return rlimits[i].resource;
  return -1;
}

static bool
have_cap_sys_resource (void)
{
  cleanup_free char *text = NULL;
  const char *p;
  size_t len;

  if (berth_read_file ("/proc/self/status", 1 << 16, &text, &len, NULL) < 0 || (p = strstr (text, "\nCapEff:")) == NULL)
    return false;
  return (strtoull (p + 8, NULL, 16) >> CAP_SYS_RESOURCE_BIT) & 1;
}

static unsigned long long
nr_open (void)
{
  cleanup_free char *text = NULL;
  size_t len;

  if (berth_read_file ("/proc/sys/fs/nr_open", 64, &text, &len, NULL) < 0)
    return 1048576;
  return strtoull (text, NULL, 10);
}

/* -1: unlimited */
static rlim_t
limit_value (int64_t v)
{
  return v < 0 ? RLIM_INFINITY : (rlim_t)v;
}

int
ulimits_check (json_object *ulimits, berth_error_t *err)
{
  size_t n;

  if (ulimits == NULL || json_object_is_type (ulimits, json_type_null))
    return 0;
  if (!json_object_is_type (ulimits, json_type_array))
    return berth_error_make (err, EINVAL, "HostConfig.Ulimits: expected an array");
  n = json_object_array_length (ulimits);
  for (size_t i = 0; i < n; i++)
    {
      json_object *u = json_object_array_get_idx (ulimits, i);
      json_object *name_v = json_object_object_get (u, "Name"), *soft_v = json_object_object_get (u, "Soft"),
                  *hard_v = json_object_object_get (u, "Hard");
      const char *name = json_object_get_string (name_v);
      int64_t soft = json_object_get_int64 (soft_v), hard = json_object_get_int64 (hard_v);
      struct rlimit have;
      int res;

      if (!json_object_is_type (u, json_type_object) || !json_object_is_type (name_v, json_type_string)
          || (soft_v != NULL && !json_object_is_type (soft_v, json_type_int))
          || (hard_v != NULL && !json_object_is_type (hard_v, json_type_int)))
        return berth_error_make (err, EINVAL,
                                 "HostConfig.Ulimits[%zu]: expected {\"Name\": string, \"Soft\": int, "
                                 "\"Hard\": int}",
                                 i);
      res = rlimit_of (name);
      if (res < 0)
        return berth_error_make (err, EINVAL, "invalid ulimit type: %s", name);
      if (hard != -1 && (soft == -1 || soft > hard))
        return berth_error_make (err, EINVAL, "ulimit soft limit must be less than or equal to hard limit: %lld > %lld",
                                 (long long)soft, (long long)hard);
      if (getrlimit (res, &have) < 0)
        return berth_error_errno (err, errno, "getrlimit %s", name);
      if (res == RLIMIT_NOFILE && (hard < 0 || (unsigned long long)hard > nr_open ()))
        return berth_error_make (err, EINVAL,
                                 "ulimit nofile: the hard limit %s is above this host's maximum %llu (fs.nr_open)",
                                 hard < 0 ? "unlimited" : json_object_get_string (hard_v), nr_open ());
      if (limit_value (hard) > have.rlim_max && !have_cap_sys_resource ())
        {
          char max[32];
          if (have.rlim_max == RLIM_INFINITY)
            snprintf (max, sizeof (max), "unlimited");
          else
            snprintf (max, sizeof (max), "%llu", (unsigned long long)have.rlim_max);
          return berth_error_make (err, EINVAL,
                                   "ulimit %s: the hard limit %s is above %s, the most berthd can grant on this host "
                                   "(raising a hard limit needs CAP_SYS_RESOURCE, which berthd does not have)",
                                   name, hard < 0 ? "unlimited" : json_object_get_string (hard_v), max);
        }
    }
  return 0;
}

json_object *
ulimits_to_oci (json_object *ulimits)
{
  json_object *a;
  size_t n = json_object_is_type (ulimits, json_type_array) ? json_object_array_length (ulimits) : 0;

  if (n == 0)
    return NULL;
  a = json_object_new_array ();
  for (size_t i = 0; i < n; i++)
    {
      json_object *u = json_object_array_get_idx (ulimits, i), *r = json_object_new_object ();
      const char *name = json_object_get_string (json_object_object_get (u, "Name"));
      int64_t soft = json_object_get_int64 (json_object_object_get (u, "Soft"));
      int64_t hard = json_object_get_int64 (json_object_object_get (u, "Hard"));
      cleanup_free char *type = xasprintf ("RLIMIT_%s", name);

      for (char *p = type; *p; p++)
        if (*p >= 'a' && *p <= 'z')
          *p = (char)(*p - 'a' + 'A');
      json_object_object_add (r, "type", json_object_new_string (type));
      json_object_object_add (r, "hard", json_object_new_uint64 ((uint64_t)limit_value (hard)));
      json_object_object_add (r, "soft", json_object_new_uint64 ((uint64_t)limit_value (soft)));
      json_object_array_add (a, r);
    }
  return a;
}
