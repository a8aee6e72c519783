#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>

#include "core/container/oci-spec.h"
#include "core/container/security-opt.h"
#include "core/lib/mem.h"
#include "core/runtime/caps.h"
#include "core/runtime/cgroup.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define DEFAULT_SHM_SIZE (64LL * 1024 * 1024)

const char *const container_default_caps[] = {
  "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",      "CAP_MKNOD",
  "CAP_NET_RAW", "CAP_SETGID",      "CAP_SETUID",           "CAP_SETFCAP",     "CAP_SETPCAP",
  "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",     "CAP_AUDIT_WRITE", NULL,
};

static const char *const masked_paths[] = {
  "/proc/asound",     "/proc/acpi",       "/proc/interrupts", "/proc/kcore",   "/proc/keys",
  "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
  "/sys/firmware",    "/sys/devices/virtual/powercap", NULL,
};

static const char *const readonly_paths[] = {
  "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static json_object *
str (const char *s)
{
  return json_object_new_string (s);
}

static json_object *
strv (const char *const *v)
{
  json_object *a = json_object_new_array ();

  for (size_t i = 0; v && v[i]; i++)
    json_object_array_add (a, str (v[i]));
  return a;
}

static bool
strv_has (char **v, const char *s)
{
  for (size_t i = 0; v && v[i]; i++)
    if (strcmp (v[i], s) == 0)
      return true;
  return false;
}

static void
strv_push (char ***v, size_t *n, const char *s)
{
  *v = xrealloc (*v, (*n + 2) * sizeof (char *));
  (*v)[(*n)++] = xstrdup (s);
  (*v)[*n] = NULL;
}

static char **
json_strv (json_object *a)
{
  size_t n = json_object_is_type (a, json_type_array) ? json_object_array_length (a) : 0;
  char **v = xmalloc0 ((n + 1) * sizeof (char *));

  for (size_t i = 0; i < n; i++)
    v[i] = xstrdup (json_object_get_string (json_object_array_get_idx (a, i)));
  return v;
}

char **
oci_spec_caps (json_object *host_config)
{
  cleanup_strv char **add = json_strv (json_object_object_get (host_config, "CapAdd"));
  cleanup_strv char **drop = json_strv (json_object_object_get (host_config, "CapDrop"));
  char **out = xmalloc0 (sizeof (char *));
  size_t n = 0;
  char buf[64];

  if (strv_has (add, "ALL"))
    {
      for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
        if (berth_cap_name (cap, buf, sizeof (buf)) && !strv_has (drop, buf))
          strv_push (&out, &n, buf);
      return out;
    }
  if (!strv_has (drop, "ALL"))
    for (size_t i = 0; container_default_caps[i]; i++)
      if (!strv_has (drop, container_default_caps[i]))
        strv_push (&out, &n, container_default_caps[i]);
  for (size_t i = 0; add[i]; i++)
    if (!strv_has (out, add[i]))
      strv_push (&out, &n, add[i]);
  return out;
}

static void
add_mount (json_object *mounts, const char *dest, const char *type, const char *src, const char *const *opts)
{
  json_object *m = json_object_new_object ();

  json_object_object_add (m, "destination", str (dest));
  json_object_object_add (m, "type", str (type));
  json_object_object_add (m, "source", str (src));
  json_object_object_add (m, "options", strv (opts));
  json_object_array_add (mounts, m);
}

static json_object *
default_mounts (const struct container *c, int64_t shm_size)
{
  static const char *const proc_o[] = { "nosuid", "noexec", "nodev", NULL };
  static const char *const dev_o[] = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
  static const char *const pts_o[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL };
  static const char *const sys_o[] = { "nosuid", "noexec", "nodev", "ro", NULL };
  static const char *const cg_o[] = { "ro", "nosuid", "noexec", "nodev", NULL };
  static const char *const mq_o[] = { "nosuid", "noexec", "nodev", NULL };
  static const char *const bind_o[] = { "rbind", "rprivate", NULL };
  json_object *m = json_object_new_array ();
  char shm_size_opt[64];
  const char *shm_o[] = { "nosuid", "noexec", "nodev", "mode=1777", shm_size_opt, NULL };
  static const char *const files[] = { "resolv.conf", "hostname", "hosts" };

  snprintf (shm_size_opt, sizeof (shm_size_opt), "size=%lld", (long long) shm_size);
  add_mount (m, "/proc", "proc", "proc", proc_o);
  add_mount (m, "/dev", "tmpfs", "tmpfs", dev_o);
  add_mount (m, "/dev/pts", "devpts", "devpts", pts_o);
  add_mount (m, "/sys", "sysfs", "sysfs", sys_o);
  add_mount (m, "/sys/fs/cgroup", "cgroup", "cgroup", cg_o);
  add_mount (m, "/dev/mqueue", "mqueue", "mqueue", mq_o);
  add_mount (m, "/dev/shm", "tmpfs", "shm", shm_o);
  for (size_t i = 0; i < sizeof (files) / sizeof (files[0]); i++)
    {
      cleanup_free char *src = xasprintf ("%s/%s", c->dir, files[i]);
      cleanup_free char *dst = xasprintf ("/etc/%s", files[i]);
      add_mount (m, dst, "bind", src, bind_o);
    }
  return m;
}

static json_object *
masked (void)
{
  json_object *a = strv (masked_paths);
  cleanup_dir DIR *d = opendir ("/sys/devices/system/cpu");
  struct dirent *de;

  /* every cpuN/thermal_throttle that exists on this host */
  while (d && (de = readdir (d)) != NULL)
    {
      cleanup_free char *p = NULL;
      if (strncmp (de->d_name, "cpu", 3) != 0 || de->d_name[3] < '0' || de->d_name[3] > '9')
        continue;
      p = xasprintf ("/sys/devices/system/cpu/%s/thermal_throttle", de->d_name);
      if (access (p, F_OK) == 0)
        json_object_array_add (a, str (p));
    }
  return a;
}

static json_object *
device_rule (bool allow, const char *type, int64_t major, int64_t minor, const char *access)
{
  json_object *r = json_object_new_object ();

  json_object_object_add (r, "allow", json_object_new_boolean (allow));
  if (type)
    json_object_object_add (r, "type", str (type));
  if (major >= 0)
    json_object_object_add (r, "major", json_object_new_int64 (major));
  if (minor >= 0)
    json_object_object_add (r, "minor", json_object_new_int64 (minor));
  json_object_object_add (r, "access", str (access));
  return r;
}

static json_object *
resources (json_object *host)
{
  static const int64_t allowed[][2] = { { 1, 5 }, { 1, 3 }, { 1, 9 }, { 1, 8 }, { 5, 0 }, { 5, 1 } };
  json_object *r = json_object_new_object ();
  json_object *dev = json_object_new_array ();
  int64_t mem = json_object_get_int64 (json_object_object_get (host, "Memory"));
  int64_t nano = json_object_get_int64 (json_object_object_get (host, "NanoCpus"));
  int64_t shares = json_object_get_int64 (json_object_object_get (host, "CpuShares"));
  int64_t pids = json_object_get_int64 (json_object_object_get (host, "PidsLimit"));

  json_object_array_add (dev, device_rule (false, NULL, -1, -1, "rwm"));
  for (size_t i = 0; i < sizeof (allowed) / sizeof (allowed[0]); i++)
    json_object_array_add (dev, device_rule (true, "c", allowed[i][0], allowed[i][1], "rwm"));
  json_object_array_add (dev, device_rule (false, "c", 10, 229, "rwm"));
  json_object_object_add (r, "devices", dev);
  if (mem > 0)
    {
      json_object *m = json_object_new_object ();
      int64_t swap = json_object_get_int64 (json_object_object_get (host, "MemorySwap"));
      json_object_object_add (m, "limit", json_object_new_int64 (mem));
      /* memory + swap, as cgroup v1's memsw; -1 unlimited */
      if (swap != 0)
        json_object_object_add (m, "swap", json_object_new_int64 (swap));
      json_object_object_add (r, "memory", m);
    }
  if (nano > 0 || shares > 0)
    {
      json_object *c = json_object_new_object ();
      if (shares > 0)
        json_object_object_add (c, "shares", json_object_new_int64 (shares));
      if (nano > 0)
        {
          json_object_object_add (c, "period", json_object_new_int64 (100000));
          json_object_object_add (c, "quota", json_object_new_int64 (nano / 10000));
        }
      json_object_object_add (r, "cpu", c);
    }
  if (pids != 0)
    {
      json_object *p = json_object_new_object ();
      json_object_object_add (p, "limit", json_object_new_int64 (pids > 0 ? pids : -1));
      json_object_object_add (r, "pids", p);
    }
  return r;
}

static void
env_set (json_object *env, const char *kv)
{
  const char *eq = strchr (kv, '=');
  size_t kl = eq ? (size_t) (eq - kv) : strlen (kv);

  for (size_t i = 0; i < json_object_array_length (env); i++)
    {
      const char *have = json_object_get_string (json_object_array_get_idx (env, i));
      if (strncmp (have, kv, kl) == 0 && (have[kl] == '=' || have[kl] == '\0'))
        {
          /* A bare NAME removes the variable, as moby does. */
          if (eq == NULL)
            json_object_array_del_idx (env, i, 1);
          else
            json_object_array_put_idx (env, i, str (kv));
          return;
        }
    }
  if (eq != NULL)
    json_object_array_add (env, str (kv));
}

static json_object *
process (const struct oci_spec_input *in, const char *hostname)
{
  const struct container *c = in->c;
  json_object *p = json_object_new_object ();
  json_object *user = json_object_new_object ();
  json_object *env = json_object_new_array ();
  json_object *args = json_object_new_array ();
  json_object *caps = json_object_new_object ();
  json_object *cfg_env = json_object_object_get (c->config, "Env");
  json_object *cs = json_object_object_get (c->host_config, "ConsoleSize");
  const char *wd = json_object_get_string (json_object_object_get (c->config, "WorkingDir"));
  cleanup_strv char **capset = oci_spec_caps (c->host_config);
  cleanup_free char *hn = xasprintf ("HOSTNAME=%s", hostname);
  bool tty = container_tty (c);

  json_object_object_add (p, "terminal", json_object_new_boolean (tty));
  if (tty && json_object_is_type (cs, json_type_array) && json_object_array_length (cs) == 2
      && json_object_get_int (json_object_array_get_idx (cs, 0)) > 0)
    {
      json_object *size = json_object_new_object ();
      json_object_object_add (size, "height", json_object_new_int (json_object_get_int (json_object_array_get_idx (cs, 0))));
      json_object_object_add (size, "width", json_object_new_int (json_object_get_int (json_object_array_get_idx (cs, 1))));
      json_object_object_add (p, "consoleSize", size);
    }
  json_object_object_add (user, "uid", json_object_new_int64 (in->user->uid));
  json_object_object_add (user, "gid", json_object_new_int64 (in->user->gid));
  if (in->user->n_groups > 0)
    {
      json_object *g = json_object_new_array ();
      for (size_t i = 0; i < in->user->n_groups; i++)
        json_object_array_add (g, json_object_new_int64 (in->user->groups[i]));
      json_object_object_add (user, "additionalGids", g);
    }
  json_object_object_add (p, "user", user);
  json_object_array_add (args, str (c->path));
  for (size_t i = 0; c->args && c->args[i]; i++)
    json_object_array_add (args, str (c->args[i]));
  json_object_object_add (p, "args", args);
  /* moby: PATH, HOSTNAME, TERM, then Config.Env replacing or appending */
  json_object_array_add (env, str (DEFAULT_PATH));
  json_object_array_add (env, str (hn));
  if (tty)
    json_object_array_add (env, str ("TERM=xterm"));
  for (size_t i = 0; json_object_is_type (cfg_env, json_type_array) && i < json_object_array_length (cfg_env); i++)
    env_set (env, json_object_get_string (json_object_array_get_idx (cfg_env, i)));
  json_object_object_add (p, "env", env);
  json_object_object_add (p, "cwd", str (wd && wd[0] ? wd : "/"));
  json_object_object_add (caps, "bounding", strv ((const char *const *) capset));
  json_object_object_add (caps, "effective", strv ((const char *const *) capset));
  json_object_object_add (caps, "permitted", strv ((const char *const *) capset));
  json_object_object_add (caps, "inheritable", json_object_new_array ());
  json_object_object_add (caps, "ambient", json_object_new_array ());
  json_object_object_add (p, "capabilities", caps);
  json_object_object_add (p, "noNewPrivileges", json_object_new_boolean (in->no_new_privileges));
  {
    json_object *rl = ulimits_to_oci (json_object_object_get (c->host_config, "Ulimits"));
    if (rl != NULL)
      json_object_object_add (p, "rlimits", rl);
  }
  return p;
}

static json_object *
namespaces (json_object *host, const char *netns_path)
{
  const char *net = json_object_get_string (json_object_object_get (host, "NetworkMode"));
  const char *cgns = json_object_get_string (json_object_object_get (host, "CgroupnsMode"));
  const char *kinds[] = { "pid", "network", "ipc", "uts", "mount", "cgroup" };
  json_object *a = json_object_new_array ();
  /* Docker's default: a private cgroup namespace on a v2 host, the host's on v1 */
  bool private_cgns = cgns && *cgns ? strcmp (cgns, "private") == 0 : berth_cgroup_detect () == BERTH_CGROUP_V2;

  for (size_t i = 0; i < sizeof (kinds) / sizeof (kinds[0]); i++)
    {
      json_object *ns;
      if (strcmp (kinds[i], "network") == 0 && net && strcmp (net, "host") == 0)
        continue;
      if (strcmp (kinds[i], "cgroup") == 0 && !private_cgns)
        continue;
      ns = json_object_new_object ();
      json_object_object_add (ns, "type", str (kinds[i]));
      if (strcmp (kinds[i], "network") == 0 && netns_path != NULL)
        json_object_object_add (ns, "path", str (netns_path));
      json_object_array_add (a, ns);
    }
  return a;
}

json_object *
oci_spec_build (const struct oci_spec_input *in, berth_error_t *err)
{
  const struct container *c = in->c;
  json_object *spec = json_object_new_object ();
  json_object *root = json_object_new_object ();
  json_object *lx = json_object_new_object ();
  json_object *sysctl = json_object_new_object ();
  const char *hostname = json_object_get_string (json_object_object_get (c->config, "Hostname"));
  const char *domain = json_object_get_string (json_object_object_get (c->config, "Domainname"));
  const char *net = json_object_get_string (json_object_object_get (c->host_config, "NetworkMode"));
  int64_t shm = json_object_get_int64 (json_object_object_get (c->host_config, "ShmSize"));
  cleanup_free char *short_id = xstrndup (c->id, CONTAINER_SHORT_ID_LEN);
  cleanup_free char *cgroup = xasprintf ("%s/%s", in->cgroup_parent, c->id);
  bool host_net = net && strcmp (net, "host") == 0;

  (void) err;
  if (hostname == NULL || hostname[0] == '\0')
    hostname = short_id;
  json_object_object_add (spec, "ociVersion", str ("1.2.0"));
  json_object_object_add (root, "path", str (in->rootfs));
  json_object_object_add (root, "readonly",
                          json_object_new_boolean (json_object_get_boolean (json_object_object_get (c->host_config, "ReadonlyRootfs"))));
  json_object_object_add (spec, "root", root);
  json_object_object_add (spec, "hostname", str (hostname));
  if (domain && domain[0])
    json_object_object_add (spec, "domainname", str (domain));
  json_object_object_add (spec, "process", process (in, hostname));
  json_object_object_add (spec, "mounts", default_mounts (c, shm > 0 ? shm : DEFAULT_SHM_SIZE));
  json_object_object_add (lx, "namespaces", namespaces (c->host_config, in->netns_path));
  json_object_object_add (lx, "cgroupsPath", str (cgroup));
  json_object_object_add (lx, "resources", resources (c->host_config));
  json_object_object_add (lx, "maskedPaths", masked ());
  json_object_object_add (lx, "readonlyPaths", strv (readonly_paths));
  if (!host_net)
    {
      json_object_object_add (sysctl, "net.ipv4.ip_unprivileged_port_start", str ("0"));
      json_object_object_add (sysctl, "net.ipv4.ping_group_range", str ("0 2147483647"));
    }
  json_object_object_add (lx, "sysctl", sysctl);
  if (in->seccomp)
    json_object_object_add (lx, "seccomp", json_object_get (in->seccomp));
  json_object_object_add (spec, "linux", lx);
  return spec;
}
