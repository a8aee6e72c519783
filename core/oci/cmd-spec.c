/* spec (a default config.json) and features */
#include "config.h"

#include "core/oci/oci.h"
#include "core/runtime/caps.h"
#include "core/lib/fs.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <unistd.h>

static const char default_spec[] =
  "{\n"
  "  \"ociVersion\": \"1.2.0\",\n"
  "  \"process\": {\n"
  "    \"terminal\": true,\n"
  "    \"user\": { \"uid\": 0, \"gid\": 0 },\n"
  "    \"args\": [ \"sh\" ],\n"
  "    \"env\": [ \"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\", \"TERM=xterm\" ],\n"
  "    \"cwd\": \"/\",\n"
  "    \"capabilities\": {\n"
  "      \"bounding\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],\n"
  "      \"effective\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],\n"
  "      \"permitted\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ]\n"
  "    },\n"
  "    \"rlimits\": [ { \"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024 } ],\n"
  "    \"noNewPrivileges\": true\n"
  "  },\n"
  "  \"root\": { \"path\": \"rootfs\", \"readonly\": true },\n"
  "  \"hostname\": \"berth\",\n"
  "  \"mounts\": [\n"
  "    { \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" },\n"
  "    { \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n"
  "      \"options\": [ \"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\" ] },\n"
  "    { \"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\",\n"
  "      \"options\": [ \"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\", \"gid=5\" ] },\n"
  "    { \"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\",\n"
  "      \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\" ] },\n"
  "    { \"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\",\n"
  "      \"options\": [ \"nosuid\", \"noexec\", \"nodev\" ] },\n"
  "    { \"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\",\n"
  "      \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"ro\" ] },\n"
  "    { \"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\",\n"
  "      \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\" ] }\n"
  "  ],\n"
  "  \"linux\": {\n"
  "    \"resources\": { \"devices\": [ { \"allow\": false, \"access\": \"rwm\" } ] },\n"
  "    \"namespaces\": [ { \"type\": \"pid\" }, { \"type\": \"network\" }, { \"type\": \"ipc\" },\n"
  "                    { \"type\": \"uts\" }, { \"type\": \"mount\" } ],\n"
  "    \"maskedPaths\": [ \"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\", \"/proc/latency_stats\",\n"
  "                     \"/proc/timer_list\", \"/proc/timer_stats\", \"/proc/sched_debug\", \"/sys/firmware\",\n"
  "                     \"/proc/scsi\", \"/proc/interrupts\", \"/sys/devices/virtual/powercap\" ],\n"
  "    \"readonlyPaths\": [ \"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", \"/proc/sysrq-trigger\" ]\n"
  "  }\n"
  "}\n";

int
oci_cmd_spec (struct oci_globals *g, int argc, char **argv, berth_error_t *err)
{
  static const struct option opts[] = { { "bundle", required_argument, NULL, 'b' },
                                        { "rootless", no_argument, NULL, 'r' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_free char *path = NULL;
  const char *bundle = ".";
  int c;

  while ((c = getopt_long_only (argc, argv, "+b:", opts, NULL)) != -1)
    {
      if (c == 'b')
        bundle = optarg;
      else if (c == 'r')
        return berth_error_make (err, ENOTSUP, "spec --rootless: rootless mode is not supported");
      else
        return berth_error_make (err, EINVAL, "unknown option `%s`; usage: spec [--bundle DIR]", argv[optind - 1]);
    }
  if (oci_positional (argc, argv, optind, 0, "spec [--bundle DIR]", err) < 0)
    return berth_error_ret (err);
  path = xasprintf ("%s/config.json", bundle);
  if (access (path, F_OK) == 0)
    return berth_error_make (err, EEXIST, "`%s` already exists", path);
  return berth_write_file_atomic (path, default_spec, sizeof (default_spec) - 1, 0644, err);
}

static json_object *
strings (const char *const *v)
{
  json_object *a = json_object_new_array ();

  for (; *v; v++)
    json_object_array_add (a, json_object_new_string (*v));
  return a;
}

static json_object *
capability_list (void)
{
  json_object *a = json_object_new_array ();
  int c, last = (int) cap_max_bits () - 1;

  for (c = 0; c <= last && c < 64; c++)
    {
      char name[64];
      json_object_array_add (a, json_object_new_string (berth_cap_name (c, name, sizeof (name))));
    }
  return a;
}

static json_object *
linux_features (void)
{
  static const char *const ns[] = { "cgroup", "ipc", "mount", "network", "pid", "user", "uts", NULL };
  static const char *const actions[] = { "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
                                         "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP",
                                         NULL };
  static const char *const ops[] = { "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE",
                                     "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE", NULL };
  static const char *const archs[] = { "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64",
                                       "SCMP_ARCH_S390X", "SCMP_ARCH_X32", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64",
                                       NULL };
  static const char *const flags[] = { "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                                       "SECCOMP_FILTER_FLAG_TSYNC", NULL };
  json_object *l = json_object_new_object ();
  json_object *cg = json_object_new_object ();
  json_object *sc = json_object_new_object ();
  json_object *off;

  json_object_object_add (l, "namespaces", strings (ns));
  json_object_object_add (l, "capabilities", capability_list ());
  json_object_object_add (cg, "v1", json_object_new_boolean (1));
  json_object_object_add (cg, "v2", json_object_new_boolean (1));
  json_object_object_add (cg, "systemd", json_object_new_boolean (0));
  json_object_object_add (cg, "systemdUser", json_object_new_boolean (0));
  json_object_object_add (cg, "rdma", json_object_new_boolean (0));
  json_object_object_add (l, "cgroup", cg);
  json_object_object_add (sc, "enabled", json_object_new_boolean (1));
  json_object_object_add (sc, "actions", strings (actions));
  json_object_object_add (sc, "operators", strings (ops));
  json_object_object_add (sc, "archs", strings (archs));
  json_object_object_add (sc, "knownFlags", strings (flags));
  json_object_object_add (sc, "supportedFlags", strings (flags));
  json_object_object_add (l, "seccomp", sc);
  off = json_object_new_object ();
  json_object_object_add (off, "enabled", json_object_new_boolean (0));
  json_object_object_add (l, "apparmor", off);
  off = json_object_new_object ();
  json_object_object_add (off, "enabled", json_object_new_boolean (0));
  json_object_object_add (l, "selinux", off);
  off = json_object_new_object ();
  json_object_object_add (off, "enabled", json_object_new_boolean (0));
  json_object_object_add (l, "intelRdt", off);
  return l;
}

int
oci_cmd_features (struct oci_globals *g, int argc, char **argv, berth_error_t *err)
{
  static const char *const hooks[] = { "prestart", "createRuntime", "createContainer", "startContainer",
                                       "poststart", "poststop", NULL };
  static const char *const mount_options[] = {
    "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "mand", "noatime", "nodev",
    "nodiratime", "noexec", "nomand", "norelatime", "nostrictatime", "nosuid", "nosymfollow", "private", "rbind",
    "relatime", "remount", "ro", "rprivate", "rshared", "rslave", "runbindable", "rw", "shared", "slave", "strictatime",
    "suid", "sync", "unbindable", "rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec",
    "rnoatime", "ratime", "rrelatime", "rnorelatime", "rstrictatime", "rnosymfollow", "rsymfollow", NULL
  };
  static const struct option opts[] = { { NULL, 0, NULL, 0 } };
  json_object *o, *ann;

  if (getopt_long_only (argc, argv, "+", opts, NULL) != -1)
    return berth_error_make (err, EINVAL, "unknown option `%s`; usage: features", argv[optind - 1]);
  if (oci_positional (argc, argv, optind, 0, "features", err) < 0)
    return berth_error_ret (err);
  o = json_object_new_object ();
  json_object_object_add (o, "ociVersionMin", json_object_new_string ("1.0.0"));
  json_object_object_add (o, "ociVersionMax", json_object_new_string ("1.2.0"));
  json_object_object_add (o, "hooks", strings (hooks));
  json_object_object_add (o, "mountOptions", strings (mount_options));
  json_object_object_add (o, "linux", linux_features ());
  ann = json_object_new_object ();
  json_object_object_add (ann, "io.berth.runtime.version", json_object_new_string (PACKAGE_VERSION));
  json_object_object_add (o, "annotations", ann);
  printf ("%s\n", json_object_to_json_string_ext (o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (o);
  return 0;
}
