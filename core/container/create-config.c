#include "config.h"

#include <errno.h>
#include <glob.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <linux/capability.h>

#include "core/network/net-options.h"
#include "core/network/ports.h"
#include "core/container/create-config.h"
#include "core/container/id.h"
#include "core/container/mount-spec.h"
#include "core/container/oci-spec.h"
#include "core/container/security-opt.h"
#include "core/seccomp-profile/seccomp-profile.h"
#include "core/lib/mem.h"
#include "core/runtime/caps.h"
#include "core/runtime/signals.h"

void
create_config_clear (struct create_config *cc)
{
  if (cc->config != NULL)
    json_object_put (cc->config);
  if (cc->host_config != NULL)
    json_object_put (cc->host_config);
  if (cc->warnings != NULL)
    json_object_put (cc->warnings);
  free (cc->path);
  strv_free (cc->args);
  memset (cc, 0, sizeof (*cc));
}

/* null, false, 0, "", [] and {} are what the docker CLI sends for "not set" */
static bool
is_zero (json_object *v)
{
  if (v == NULL)
    return true;
  switch (json_object_get_type (v))
    {
    case json_type_null:
      return true;
    case json_type_boolean:
      return !json_object_get_boolean (v);
    case json_type_int:
      return json_object_get_int64 (v) == 0;
    case json_type_double:
      return json_object_get_double (v) == 0;
    case json_type_string:
      return json_object_get_string_len (v) == 0;
    case json_type_array:
      return json_object_array_length (v) == 0;
    case json_type_object:
      /* {"/data":{}} sets something: only an empty object is unset */
      return json_object_object_length (v) == 0;
    }
  return false;
}

/* an object whose members are all unset, e.g. {"Name":"","Config":null} */
static bool
all_zero (json_object *v)
{
  if (!json_object_is_type (v, json_type_object))
    return false;
  json_object_object_foreach (v, k, sub)
    {
      (void) k;
      if (!is_zero (sub) && !all_zero (sub))
        return false;
    }
  return true;
}

static bool
is_type (json_object *v, json_type t)
{
  return v != NULL && json_object_is_type (v, t);
}

static int
check_type (const char *where, const char *key, json_object *v, json_type t, berth_error_t *err)
{
  if (v == NULL || json_object_is_type (v, json_type_null) || json_object_is_type (v, t)
      || (t == json_type_double && json_object_is_type (v, json_type_int)))
    return 0;
  return berth_error_make (err, EINVAL, "%s.%s: expected %s, got %s", where, key, json_type_to_name (t),
                           json_type_to_name (json_object_get_type (v)));
}

static int
check_strv (const char *where, const char *key, json_object *v, berth_error_t *err)
{
  if (check_type (where, key, v, json_type_array, err) < 0)
    return berth_error_ret (err);
  for (size_t i = 0; is_type (v, json_type_array) && i < json_object_array_length (v); i++)
    if (!is_type (json_object_array_get_idx (v, i), json_type_string))
      return berth_error_make (err, EINVAL, "%s.%s[%zu]: expected a string", where, key, i);
  return 0;
}

static json_object *
strv_to_json (char **v)
{
  json_object *a;

  if (v == NULL)
    return NULL;
  a = json_object_new_array ();
  for (size_t i = 0; v[i] != NULL; i++)
    json_object_array_add (a, json_object_new_string (v[i]));
  return a;
}

/* Config fields: those berth uses, and those it records but need no action */
static const struct
{
  const char *key;
  json_type type;
} config_fields[] = {
  { "Hostname", json_type_string },    { "Domainname", json_type_string },  { "User", json_type_string },
  { "AttachStdin", json_type_boolean }, { "AttachStdout", json_type_boolean }, { "AttachStderr", json_type_boolean },
  { "Tty", json_type_boolean },         { "OpenStdin", json_type_boolean },  { "StdinOnce", json_type_boolean },
  { "Env", json_type_array },           { "Cmd", json_type_array },          { "Image", json_type_string },
  { "WorkingDir", json_type_string },   { "Entrypoint", json_type_array },   { "Labels", json_type_object },
  { "ExposedPorts", json_type_object }, { "StopSignal", json_type_string },  { "StopTimeout", json_type_int },
  { "ArgsEscaped", json_type_boolean }, { "OnBuild", json_type_array },      { "Shell", json_type_array },
  { "Volumes", json_type_object },      { "Healthcheck", json_type_object }, { "NetworkDisabled", json_type_boolean },
  { "MacAddress", json_type_string },
};

/* Config fields berth cannot honour yet when set */
static const char *const config_unsupported[] = { "MacAddress", NULL };

static int
check_config (json_object *body, berth_error_t *err)
{
  json_object_object_foreach (body, key, v)
    {
      size_t i;
      if (strcmp (key, "HostConfig") == 0 || strcmp (key, "NetworkingConfig") == 0)
        continue;
      for (i = 0; i < sizeof (config_fields) / sizeof (config_fields[0]); i++)
        if (strcmp (key, config_fields[i].key) == 0)
          break;
      if (i == sizeof (config_fields) / sizeof (config_fields[0]))
        {
          if (is_zero (v))
            continue;
          return berth_error_make (err, EINVAL, "Config.%s is not supported by berth", key);
        }
      if (config_fields[i].type == json_type_array)
        {
          if (check_strv ("Config", key, v, err) < 0)
            return berth_error_ret (err);
        }
      else if (check_type ("Config", key, v, config_fields[i].type, err) < 0)
        return berth_error_ret (err);
      for (size_t u = 0; config_unsupported[u] != NULL; u++)
        if (strcmp (key, config_unsupported[u]) == 0 && !is_zero (v))
          return berth_error_make (err, EINVAL, "Config.%s is not supported by berth yet", key);
    }
  return 0;
}

/* HostConfig fields berth acts on; every other field must be at its zero
   value (or one of the listed defaults). */
static const char *const host_supported[] = {
  "AutoRemove",  "LogConfig", "NetworkMode", "RestartPolicy", "ConsoleSize", "CapAdd", "CapDrop", "ReadonlyRootfs",
  "Memory",      "NanoCpus",  "CpuShares",   "PidsLimit",     "ShmSize",     "CpuQuota", "CpuPeriod", "MemorySwap",
  "MemorySwappiness", "CgroupnsMode", "IpcMode", "Isolation", "OomKillDisable", "Init", "Binds", "Mounts", "Tmpfs", "VolumeDriver", "Ulimits", "SecurityOpt",
  "PortBindings", "PublishAllPorts", "Dns", "DnsSearch", "DnsOptions", "ExtraHosts", NULL,
};

static bool
in_list (const char *const *list, const char *s)
{
  for (size_t i = 0; list[i] != NULL; i++)
    if (strcmp (list[i], s) == 0)
      return true;
  return false;
}

char *
container_cap_normalize (const char *name)
{
  char buf[64];
  const char *bare = strncasecmp (name, "CAP_", 4) == 0 ? name + 4 : name;

  if (strcasecmp (bare, "ALL") == 0)
    return xstrdup ("ALL");
  for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
    if (berth_cap_name (cap, buf, sizeof (buf)) != NULL && strcasecmp (buf + 4, bare) == 0)
      return xstrdup (buf);
  return NULL;
}

static int
normalize_caps (json_object *host, const char *key, berth_error_t *err)
{
  json_object *v, *out;

  if (!json_object_object_get_ex (host, key, &v) || is_zero (v))
    return 0;
  if (check_strv ("HostConfig", key, v, err) < 0)
    return berth_error_ret (err);
  out = json_object_new_array ();
  for (size_t i = 0; i < json_object_array_length (v); i++)
    {
      const char *name = json_object_get_string (json_object_array_get_idx (v, i));
      char *norm = container_cap_normalize (name);
      if (norm == NULL)
        {
          json_object_put (out);
          return berth_error_make (err, EINVAL, "HostConfig.%s: unknown capability: \"%s\"", key, name);
        }
      json_object_array_add (out, json_object_new_string (norm));
      free (norm);
    }
  json_object_object_add (host, key, out);
  return 0;
}

static int
check_string_choice (json_object *host, const char *key, const char *const *allowed, berth_error_t *err)
{
  json_object *v;
  const char *s;

  if (!json_object_object_get_ex (host, key, &v) || is_zero (v))
    return 0;
  if (check_type ("HostConfig", key, v, json_type_string, err) < 0)
    return berth_error_ret (err);
  s = json_object_get_string (v);
  if (!in_list (allowed, s))
    return berth_error_make (err, EINVAL, "HostConfig.%s \"%s\" is not supported by berth", key, s);
  return 0;
}

/* NetworkMode: a mode, or the name or id of a user-defined network (whose
   existence the manager checks: core/network/attachments.c) */
static int
check_network_mode (json_object *host, const char *const *modes, berth_error_t *err)
{
  const char *s = json_object_get_string (json_object_object_get (host, "NetworkMode"));

  if (s != NULL && s[0] != '\0' && !in_list (modes, s) && container_name_valid (s)
      && is_type (json_object_object_get (host, "NetworkMode"), json_type_string))
    return 0;
  return check_string_choice (host, "NetworkMode", modes, err);
}

/* Can a cgroup limit swap here?  v1: memory.memsw.*; v2: memory.swap.max
   in the cgroups below the root (the root has none). */
static bool
swap_accounting (void)
{
  glob_t g;
  bool found;

  if (access ("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes", F_OK) == 0)
    return true;
  found = glob ("/sys/fs/cgroup/*/memory.swap.max", GLOB_NOSORT, NULL, &g) == 0 && g.gl_pathc > 0;
  globfree (&g);
  return found;
}

/* moby: Memory must come with a swap limit, swap >= memory, and without
   one the swap limit is twice the memory (-1: unlimited swap) */
static int
check_memory_swap (json_object *host, berth_error_t *err)
{
  int64_t mem = json_object_get_int64 (json_object_object_get (host, "Memory"));
  int64_t swap = json_object_get_int64 (json_object_object_get (host, "MemorySwap"));

  if (swap < -1)
    return berth_error_make (err, EINVAL, "HostConfig.MemorySwap: must be -1 (unlimited), 0 or a size in bytes");
  if (mem == 0 && swap > 0)
    return berth_error_make (err, EINVAL,
                             "You should always set the Memory limit when using Memoryswap limit, see usage");
  if (mem > 0 && swap > 0 && swap < mem)
    return berth_error_make (err, EINVAL, "Minimum memoryswap limit should be larger than memory limit, see usage");
  if (mem > 0 && swap == 0 && swap_accounting ())
    json_object_object_add (host, "MemorySwap", json_object_new_int64 (mem * 2));
  return 0;
}

/* SecurityOpt as security-opt.h says; a seccomp profile is converted now so
   that a bad one is a 400 at create, not a failed start */
static int
check_security_opt (json_object *host, berth_error_t *err)
{
  struct security_opts so;
  json_object *oci = NULL;
  char **caps;
  int r;

  if (security_opts_parse (json_object_object_get (host, "SecurityOpt"), &so, err) < 0)
    return berth_error_ret (err);
  if (so.seccomp_profile == NULL)
    return 0;
  caps = oci_spec_caps (host);
  r = seccomp_profile_to_oci (so.seccomp_profile, strlen (so.seccomp_profile), (const char *const *) caps, NULL, &oci,
                              err);
  strv_free (caps);
  if (oci != NULL)
    json_object_put (oci);
  return r < 0 ? berth_error_wrap (err, "--security-opt seccomp") : 0;
}

/* moby's validateRestartPolicy */
static int
check_restart_policy (json_object *rp, berth_error_t *err)
{
  json_object *name_v = json_object_object_get (rp, "Name"), *max_v = json_object_object_get (rp, "MaximumRetryCount");
  const char *name;
  int64_t max;

  if (check_type ("HostConfig.RestartPolicy", "Name", name_v, json_type_string, err) < 0
      || check_type ("HostConfig.RestartPolicy", "MaximumRetryCount", max_v, json_type_int, err) < 0)
    return berth_error_ret (err);
  name = is_zero (name_v) ? "" : json_object_get_string (name_v);
  max = json_object_get_int64 (max_v);
  if (strcmp (name, "") == 0)
    return 0; /* before Docker 25 the default; any count accepted */
  if (strcmp (name, "on-failure") == 0)
    {
      if (max < 0)
        return berth_error_make (err, EINVAL, "invalid restart policy: maximum retry count cannot be negative");
      return 0;
    }
  if (strcmp (name, "no") == 0 || strcmp (name, "always") == 0 || strcmp (name, "unless-stopped") == 0)
    {
      if (max != 0)
        return berth_error_make (err, EINVAL,
                                 "invalid restart policy: maximum retry count can only be used with 'on-failure'%s",
                                 max < 0 ? " and cannot be negative" : "");
      return 0;
    }
  return berth_error_make (err, EINVAL,
                           "invalid restart policy: unknown policy '%s'; use one of 'no', 'always', 'on-failure', or "
                           "'unless-stopped'",
                           name);
}

static int
check_host_config (json_object *host, berth_error_t *err)
{
  static const char *const network_modes[] = { "default", "bridge", "none", "host", NULL };
  static const char *const cgroupns_modes[] = { "host", "private", NULL };
  static const char *const ipc_modes[] = { "private", "shareable", NULL };
  static const char *const isolation[] = { "default", NULL };
  static const char *const int_fields[] = { "Memory", "NanoCpus", "CpuShares", "PidsLimit", "ShmSize",
                                            "CpuQuota", "CpuPeriod", "MemorySwap", "MemorySwappiness", NULL };
  json_object *v, *sub;

  json_object_object_foreach (host, key, val)
    if (!in_list (host_supported, key) && !is_zero (val) && !all_zero (val))
      return berth_error_make (err, EINVAL, "HostConfig.%s is not supported by berth", key);
  for (size_t i = 0; int_fields[i] != NULL; i++)
    if (json_object_object_get_ex (host, int_fields[i], &v) && check_type ("HostConfig", int_fields[i], v, json_type_int, err) < 0)
      return berth_error_ret (err);
  if (json_object_object_get_ex (host, "Memory", &v) && json_object_get_int64 (v) < 0)
    return berth_error_make (err, EINVAL, "HostConfig.Memory: must not be negative");
  if (json_object_object_get_ex (host, "Memory", &v) && json_object_get_int64 (v) > 0
      && json_object_get_int64 (v) < 6 * 1024 * 1024)
    return berth_error_make (err, EINVAL, "Minimum memory limit allowed is 6MB");
  if (json_object_object_get_ex (host, "NanoCpus", &v) && json_object_get_int64 (v) < 0)
    return berth_error_make (err, EINVAL, "HostConfig.NanoCpus: must not be negative");
  if (json_object_object_get_ex (host, "ShmSize", &v) && json_object_get_int64 (v) < 0)
    return berth_error_make (err, EINVAL, "HostConfig.ShmSize: must not be negative");
  if (json_object_object_get_ex (host, "MemorySwappiness", &v) && !is_zero (v) && json_object_get_int64 (v) != -1)
    return berth_error_make (err, EINVAL, "HostConfig.MemorySwappiness is not supported by berth");
  if (check_memory_swap (host, err) < 0 || ulimits_check (json_object_object_get (host, "Ulimits"), err) < 0
      || check_security_opt (host, err) < 0)
    return berth_error_ret (err);
  if (json_object_object_get_ex (host, "OomKillDisable", &v) && !is_zero (v))
    return berth_error_make (err, EINVAL, "HostConfig.OomKillDisable is not supported by berth");
  if (json_object_object_get_ex (host, "Init", &v)
      && check_type ("HostConfig", "Init", v, json_type_boolean, err) < 0)
    return berth_error_ret (err);
  if (json_object_object_get_ex (host, "VolumeDriver", &v) && !is_zero (v)
      && (!is_type (v, json_type_string) || strcmp (json_object_get_string (v), "local") != 0))
    return berth_error_make (err, EINVAL, "HostConfig.VolumeDriver \"%s\" is not supported by berth (only local)",
                             json_object_get_string (v));
  if (json_object_object_get_ex (host, "CpuQuota", &v) && !is_zero (v))
    return berth_error_make (err, EINVAL, "HostConfig.CpuQuota is not supported by berth (use NanoCpus)");
  if (json_object_object_get_ex (host, "CpuPeriod", &v) && !is_zero (v))
    return berth_error_make (err, EINVAL, "HostConfig.CpuPeriod is not supported by berth (use NanoCpus)");
  if ((strncmp (json_object_get_string (json_object_object_get (host, "NetworkMode")) ?: "", "container", 9) != 0
       && check_network_mode (host, network_modes, err) < 0)
      || check_string_choice (host, "CgroupnsMode", cgroupns_modes, err) < 0
      || check_string_choice (host, "IpcMode", ipc_modes, err) < 0
      || check_string_choice (host, "Isolation", isolation, err) < 0)
    return berth_error_ret (err);
  if (check_type ("HostConfig", "AutoRemove", json_object_object_get (host, "AutoRemove"), json_type_boolean, err) < 0
      || check_type ("HostConfig", "ReadonlyRootfs", json_object_object_get (host, "ReadonlyRootfs"), json_type_boolean,
                     err)
             < 0)
    return berth_error_ret (err);
  if (json_object_object_get_ex (host, "RestartPolicy", &v) && !is_zero (v))
    {
      if (check_type ("HostConfig", "RestartPolicy", v, json_type_object, err) < 0)
        return berth_error_ret (err);
      if (check_restart_policy (v, err) < 0)
        return berth_error_ret (err);
    }
  if (json_object_object_get_ex (host, "LogConfig", &v) && !is_zero (v))
    {
      if (check_type ("HostConfig", "LogConfig", v, json_type_object, err) < 0)
        return berth_error_ret (err);
      if (json_object_object_get_ex (v, "Type", &sub) && check_type ("HostConfig.LogConfig", "Type", sub, json_type_string, err) < 0)
        return berth_error_ret (err);
      if (json_object_object_get_ex (v, "Config", &sub) && !is_zero (sub))
        {
          if (check_type ("HostConfig.LogConfig", "Config", sub, json_type_object, err) < 0)
            return berth_error_ret (err);
          json_object_object_foreach (sub, k, opt)
            if (!is_type (opt, json_type_string))
              return berth_error_make (err, EINVAL, "HostConfig.LogConfig.Config.%s: expected a string", k);
        }
    }
  if (json_object_object_get_ex (host, "ConsoleSize", &v) && !is_zero (v))
    {
      if (!is_type (v, json_type_array) || json_object_array_length (v) != 2
          || !is_type (json_object_array_get_idx (v, 0), json_type_int)
          || !is_type (json_object_array_get_idx (v, 1), json_type_int))
        return berth_error_make (err, EINVAL, "HostConfig.ConsoleSize: expected [height, width]");
    }
  if (normalize_caps (host, "CapAdd", err) < 0 || normalize_caps (host, "CapDrop", err) < 0)
    return berth_error_ret (err);
  return 0;
}

static bool
json_strv_nonempty (json_object *v)
{
  return is_type (v, json_type_array) && json_object_array_length (v) > 0;
}

/* Entrypoint and Cmd after the image merge, as one argv */
static int
resolve_command (json_object *config, const struct image_run_config *img, struct create_config *ret,
                 berth_error_t *err)
{
  json_object *ep = json_object_object_get (config, "Entrypoint");
  json_object *cmd = json_object_object_get (config, "Cmd");
  json_object *argv = json_object_new_array ();
  size_t n;

  if (ep == NULL || json_object_is_type (ep, json_type_null))
    {
      ep = img ? strv_to_json (img->entrypoint) : NULL;
      if (ep != NULL)
        json_object_object_add (config, "Entrypoint", ep);
      if (!json_strv_nonempty (cmd) && img && img->cmd)
        {
          cmd = strv_to_json (img->cmd);
          json_object_object_add (config, "Cmd", cmd);
        }
    }
  else if (json_object_array_length (ep) == 1
           && strcmp (json_object_get_string (json_object_array_get_idx (ep, 0)), "") == 0)
    {
      /* Entrypoint [""]: no entrypoint, not even the image's */
      json_object_object_add (config, "Entrypoint", NULL);
      ep = NULL;
    }
  for (size_t i = 0; ep && i < json_object_array_length (ep); i++)
    json_object_array_add (argv, json_object_get (json_object_array_get_idx (ep, i)));
  for (size_t i = 0; is_type (cmd, json_type_array) && i < json_object_array_length (cmd); i++)
    json_object_array_add (argv, json_object_get (json_object_array_get_idx (cmd, i)));
  n = json_object_array_length (argv);
  if (n == 0)
    {
      json_object_put (argv);
      return berth_error_make (err, EINVAL, "no command specified");
    }
  ret->path = xstrdup (json_object_get_string (json_object_array_get_idx (argv, 0)));
  ret->args = xmalloc0 (n * sizeof (char *));
  for (size_t i = 1; i < n; i++)
    ret->args[i - 1] = xstrdup (json_object_get_string (json_object_array_get_idx (argv, i)));
  json_object_put (argv);
  if (ret->path[0] == '\0')
    return berth_error_make (err, EINVAL, "no command specified");
  return 0;
}

static size_t
env_key_len (const char *kv)
{
  const char *eq = strchr (kv, '=');
  return eq ? (size_t) (eq - kv) : strlen (kv);
}

/* image Env first, then the user's (same key replaces) */
static void
merge_env (json_object *config, const struct image_run_config *img)
{
  json_object *user = json_object_object_get (config, "Env");
  json_object *out = json_object_new_array ();

  for (size_t i = 0; img && img->env && img->env[i]; i++)
    json_object_array_add (out, json_object_new_string (img->env[i]));
  for (size_t i = 0; is_type (user, json_type_array) && i < json_object_array_length (user); i++)
    {
      const char *kv = json_object_get_string (json_object_array_get_idx (user, i));
      size_t kl = env_key_len (kv), j;
      for (j = 0; j < json_object_array_length (out); j++)
        {
          const char *have = json_object_get_string (json_object_array_get_idx (out, j));
          if (env_key_len (have) == kl && strncmp (have, kv, kl) == 0)
            break;
        }
      if (j < json_object_array_length (out))
        json_object_array_put_idx (out, j, json_object_new_string (kv));
      else
        json_object_array_add (out, json_object_new_string (kv));
    }
  json_object_object_add (config, "Env", out);
}

static void
default_string (json_object *config, const char *key, const char *image_value)
{
  json_object *v = json_object_object_get (config, key);

  if (is_zero (v))
    json_object_object_add (config, key, json_object_new_string (image_value ? image_value : ""));
}

static void
merge_labels (json_object *config, const struct image_run_config *img)
{
  json_object *user = json_object_object_get (config, "Labels");
  json_object *out = json_object_new_object ();

  for (size_t i = 0; img && i < img->n_labels; i++)
    json_object_object_add (out, img->labels[i].key, json_object_new_string (img->labels[i].value));
  if (is_type (user, json_type_object))
    {
      json_object_object_foreach (user, k, v)
        {
          if (!is_type (v, json_type_string))
            continue;
          json_object_object_add (out, k, json_object_get (v));
        }
    }
  json_object_object_add (config, "Labels", out);
}

/* "default" (and no mode) is the default bridge network, as moby records
   it; published ports are checked here, used at start (core/network). */
static int
normalize_network (json_object *host, json_object *warnings, berth_error_t *err)
{
  const char *mode = json_object_get_string (json_object_object_get (host, "NetworkMode"));
  json_object *bindings = json_object_object_get (host, "PortBindings"), *v;
  struct net_port *ports = NULL;
  size_t n = 0;
  bool host_mode = mode != NULL && strcmp (mode, "host") == 0;

  if (mode == NULL || mode[0] == '\0' || strcmp (mode, "default") == 0)
    json_object_object_add (host, "NetworkMode", json_object_new_string ("bridge"));
  if (json_object_object_get_ex (host, "PublishAllPorts", &v)
      && check_type ("HostConfig", "PublishAllPorts", v, json_type_boolean, err) < 0)
    return berth_error_ret (err);
  if (net_ports_parse (bindings, NULL, false, &ports, &n, err) < 0)
    return berth_error_ret (err);
  net_ports_free (ports, n);
  if (n > 0 && host_mode)
    json_object_array_add (warnings,
                           json_object_new_string ("Published ports are discarded when using host network mode"));
  return 0;
}

/* moby's merge: the request's Healthcheck wins; an empty Test and zero
   durations are taken from the image's.  Durations are nanoseconds, at
   least 1 ms when set (moby's check). */
static void
healthcheck_default_int (json_object *h, const char *key, int64_t v)
{
  json_object *cur = json_object_object_get (h, key);
  if (v != 0 && (cur == NULL || json_object_get_int64 (cur) == 0))
    json_object_object_add (h, key, json_object_new_int64 (v));
}

static int
merge_healthcheck (json_object *config, const struct image_run_config *img, berth_error_t *err)
{
  static const char *const durations[] = { "Interval", "Timeout", "StartPeriod", "StartInterval", NULL };
  json_object *h = json_object_object_get (config, "Healthcheck"), *test;

  if (img != NULL && img->healthcheck.test != NULL)
    {
      if (!json_object_is_type (h, json_type_object))
        {
          h = json_object_new_object ();
          json_object_object_add (config, "Healthcheck", h);
        }
      test = json_object_object_get (h, "Test");
      if (!json_object_is_type (test, json_type_array) || json_object_array_length (test) == 0)
        json_object_object_add (h, "Test", strv_to_json (img->healthcheck.test));
      healthcheck_default_int (h, "Interval", img->healthcheck.interval);
      healthcheck_default_int (h, "Timeout", img->healthcheck.timeout);
      healthcheck_default_int (h, "StartPeriod", img->healthcheck.start_period);
      healthcheck_default_int (h, "StartInterval", img->healthcheck.start_interval);
      healthcheck_default_int (h, "Retries", img->healthcheck.retries);
    }
  if (!json_object_is_type (h, json_type_object))
    return 0;
  test = json_object_object_get (h, "Test");
  if (test != NULL && !json_object_is_type (test, json_type_array))
    return berth_error_make (err, EINVAL, "Healthcheck.Test must be an array of strings");
  for (size_t i = 0; durations[i]; i++)
    {
      json_object *v = json_object_object_get (h, durations[i]);
      if (v == NULL)
        continue;
      if (!json_object_is_type (v, json_type_int))
        return berth_error_make (err, EINVAL, "Healthcheck.%s must be an integer (nanoseconds)", durations[i]);
      if (json_object_get_int64 (v) != 0 && json_object_get_int64 (v) < 1000000)
        return berth_error_make (err, EINVAL, "%s in Healthcheck cannot be less than 1ms", durations[i]);
    }
  if (json_object_object_get (h, "Retries") != NULL
      && json_object_get_int64 (json_object_object_get (h, "Retries")) < 0)
    return berth_error_make (err, EINVAL, "Retries in Healthcheck cannot be negative");
  return 0;
}

int
create_config_build (json_object *body, const struct image_run_config *img, struct create_config *ret,
                     berth_error_t *err)
{
  json_object *host = NULL, *config;

  memset (ret, 0, sizeof (*ret));
  if (!is_type (body, json_type_object))
    return berth_error_make (err, EINVAL, "config cannot be empty in order to create a container");
  if (check_config (body, err) < 0)
    return berth_error_ret (err);
  if (json_object_object_get_ex (body, "HostConfig", &host) && !is_zero (host)
      && !is_type (host, json_type_object))
    return berth_error_make (err, EINVAL, "HostConfig: expected an object");
  ret->warnings = json_object_new_array ();
  ret->host_config = is_type (host, json_type_object) ? json_tokener_parse (json_object_to_json_string (host))
                                                      : json_object_new_object ();
  if (check_host_config (ret->host_config, err) < 0 || normalize_network (ret->host_config, ret->warnings, err) < 0
      || net_options_check (body, ret->host_config, err) < 0)
    goto fail;
  {
    json_object *ar = json_object_object_get (ret->host_config, "AutoRemove");
    json_object *rp = json_object_object_get (ret->host_config, "RestartPolicy");
    json_object *rpn = rp ? json_object_object_get (rp, "Name") : NULL;
    if (json_object_get_boolean (ar) && rpn && !is_zero (rpn) && strcmp (json_object_get_string (rpn), "no") != 0)
      {
        berth_error_make (err, EINVAL, "can't create 'AutoRemove' container with restart policy");
        goto fail;
      }
  }
  /* the Config is the body minus the host and network parts */
  config = json_object_new_object ();
  ret->config = config;
  json_object_object_foreach (body, key, v)
    if (strcmp (key, "HostConfig") != 0 && strcmp (key, "NetworkingConfig") != 0)
      json_object_object_add (config, key, json_object_get (v));
  if (resolve_command (config, img, ret, err) < 0)
    goto fail;
  merge_env (config, img);
  merge_labels (config, img);
  default_string (config, "User", img ? img->user : NULL);
  default_string (config, "WorkingDir", img ? img->working_dir : NULL);
  if (img && img->stop_signal)
    default_string (config, "StopSignal", img->stop_signal);
  if (json_object_object_get_ex (config, "StopSignal", &host) && !is_zero (host)
      && berth_signal_parse (json_object_get_string (host)) < 0)
    {
      berth_error_make (err, EINVAL, "invalid signal: %s", json_object_get_string (host));
      goto fail;
    }
  {
    json_object *wd = json_object_object_get (config, "WorkingDir");
    const char *s = json_object_get_string (wd);
    if (s && s[0] != '\0' && s[0] != '/')
      {
        berth_error_make (err, EINVAL, "the working directory '%s' is invalid, it needs to be an absolute path", s);
        goto fail;
      }
  }
  if (img && img->volumes && img->volumes[0])
    {
      /* the image's VOLUMEs join Config.Volumes (anonymous volumes), as moby merges them */
      json_object *vols = json_object_object_get (config, "Volumes");
      if (!is_type (vols, json_type_object))
        {
          vols = json_object_new_object ();
          json_object_object_add (config, "Volumes", vols);
        }
      for (size_t i = 0; img->volumes[i]; i++)
        if (!json_object_object_get_ex (vols, img->volumes[i], NULL))
          json_object_object_add (vols, img->volumes[i], json_object_new_object ());
    }
  {
    json_object *points = NULL;
    if (mount_spec_collect (config, ret->host_config, &points, err) < 0)
      goto fail;
    json_object_put (points);
  }
  if (merge_healthcheck (config, img, err) < 0)
    goto fail;
  return 0;
fail:
  create_config_clear (ret);
  return berth_error_ret (err);
}
