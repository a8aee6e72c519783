/* Check suite: Docker-format seccomp profiles -> OCI linux.seccomp, and the
   shipped default profile evaluated for caps, arches and kernels. */
#include "config.h"

#include <check.h>
#include <json-c/json.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "core/lib/error.h"
#include "core/lib/mem.h"
#include "core/runtime/seccomp.h"
#include "core/runtime/spec.h"
#include "core/seccomp-profile/arch.h"
#include "core/seccomp-profile/seccomp-profile.h"

static const char *const default_caps[] = { "CAP_CHOWN",
                                            "CAP_DAC_OVERRIDE",
                                            "CAP_FSETID",
                                            "CAP_FOWNER",
                                            "CAP_MKNOD",
                                            "CAP_NET_RAW",
                                            "CAP_SETGID",
                                            "CAP_SETUID",
                                            "CAP_SETFCAP",
                                            "CAP_SETPCAP",
                                            "CAP_NET_BIND_SERVICE",
                                            "CAP_SYS_CHROOT",
                                            "CAP_KILL",
                                            "CAP_AUDIT_WRITE",
                                            NULL };

static const char *const admin_caps[] = { "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
                                          "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
                                          "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
                                          "CAP_KILL",    "CAP_AUDIT_WRITE",  "CAP_SYS_ADMIN",        NULL };

static char *
default_profile_path (void)
{
  const char *src = getenv ("top_srcdir");
  return xasprintf ("%s/etc/seccomp/default.json", src ? src : TOP_SRCDIR);
}

static json_object *
convert_default (const char *const *caps, const char *arch, const char *kernel)
{
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *path = default_profile_path ();
  cleanup_free char *text = NULL;
  size_t len;
  json_object *out = NULL;
  struct seccomp_target t = { .caps = caps, .arch = arch, .kernel = kernel };

  ck_assert_msg (seccomp_profile_read (path, &text, &len, &err) == 0, "%s", berth_error_msg (&err));
  ck_assert_msg (seccomp_profile_to_oci_target (text, len, &t, &out, &err) == 0, "%s", berth_error_msg (&err));
  return out;
}

/* The rules naming syscall `name`, as a new array. */
static json_object *
rules_for (json_object *oci, const char *name)
{
  json_object *syscalls = json_object_object_get (oci, "syscalls");
  json_object *found = json_object_new_array ();
  size_t i, k;

  for (i = 0; i < json_object_array_length (syscalls); i++)
    {
      json_object *r = json_object_array_get_idx (syscalls, i);
      json_object *names = json_object_object_get (r, "names");
      for (k = 0; k < json_object_array_length (names); k++)
        if (strcmp (json_object_get_string (json_object_array_get_idx (names, k)), name) == 0)
          json_object_array_add (found, json_object_get (r));
    }
  return found;
}

static size_t
n_rules_for (json_object *oci, const char *name)
{
  json_object *r = rules_for (oci, name);
  size_t n = json_object_array_length (r);
  json_object_put (r);
  return n;
}

/* Allowed without conditions: one SCMP_ACT_ALLOW rule without args. */
static bool
plain_allow (json_object *oci, const char *name)
{
  json_object *r = rules_for (oci, name);
  bool ok = false;
  size_t i;

  for (i = 0; i < json_object_array_length (r); i++)
    {
      json_object *e = json_object_array_get_idx (r, i);
      if (strcmp (json_object_get_string (json_object_object_get (e, "action")), "SCMP_ACT_ALLOW") == 0
          && json_object_object_get (e, "args") == NULL)
        ok = true;
    }
  json_object_put (r);
  return ok;
}

static const char *
str_at (json_object *o, const char *key)
{
  return json_object_get_string (json_object_object_get (o, key));
}

/* The converted object must be what berth-runtime accepts, and libseccomp
   must build a filter from it. */
static void
assert_runtime_accepts (json_object *oci)
{
  cleanup_error berth_error_t err = NULL;
  json_object *cfg = json_object_new_object ();
  json_object *root = json_object_new_object ();
  json_object *lx = json_object_new_object ();
  struct berth_spec *spec;
  const char *text;
  void *filter = NULL;

  json_object_object_add (cfg, "ociVersion", json_object_new_string ("1.2.0"));
  json_object_object_add (root, "path", json_object_new_string ("rootfs"));
  json_object_object_add (cfg, "root", root);
  json_object_object_add (lx, "seccomp", json_object_get (oci));
  json_object_object_add (cfg, "linux", lx);
  text = json_object_to_json_string (cfg);
  spec = berth_spec_parse (text, strlen (text), "/bundle", &err);
  ck_assert_msg (spec != NULL, "runtime refused the converted profile: %s", berth_error_msg (&err));
  ck_assert_ptr_nonnull (spec->lx.seccomp);
  ck_assert_msg (berth_seccomp_prepare (spec->lx.seccomp, &filter, &err) == 0, "libseccomp refused it: %s",
                 berth_error_msg (&err));
  /* prepared but never loaded */
  berth_seccomp_release (filter);
  berth_spec_free (spec);
  json_object_put (cfg);
}

START_TEST (test_default_x86_64)
{
  json_object *oci = convert_default (default_caps, "x86_64", "6.1");
  json_object *arches = json_object_object_get (oci, "architectures");
  json_object *r, *arg;

  ck_assert_str_eq (str_at (oci, "defaultAction"), "SCMP_ACT_ERRNO");
  ck_assert_int_eq (json_object_get_int (json_object_object_get (oci, "defaultErrnoRet")), 1);
  ck_assert_int_eq (json_object_array_length (arches), 3);
  ck_assert_str_eq (json_object_get_string (json_object_array_get_idx (arches, 0)), "SCMP_ARCH_X86_64");
  ck_assert_str_eq (json_object_get_string (json_object_array_get_idx (arches, 1)), "SCMP_ARCH_X86");
  ck_assert_str_eq (json_object_get_string (json_object_array_get_idx (arches, 2)), "SCMP_ARCH_X32");

  /* the unconditional list */
  ck_assert (plain_allow (oci, "read"));
  ck_assert (plain_allow (oci, "execve"));
  ck_assert (plain_allow (oci, "socketpair"));
  ck_assert (plain_allow (oci, "arch_prctl"));
  ck_assert (plain_allow (oci, "modify_ldt"));
  ck_assert (plain_allow (oci, "chroot")); /* CAP_SYS_CHROOT is a default cap */
  ck_assert (plain_allow (oci, "ptrace")); /* kernel >= 4.8 */

  /* never allowed, and cap-gated ones not held */
  static const char *const denied[] = { "keyctl",
                                        "add_key",
                                        "request_key",
                                        "userfaultfd",
                                        "io_uring_setup",
                                        "kexec_load",
                                        "pivot_root",
                                        "swapon",
                                        "mount",
                                        "umount2",
                                        "unshare",
                                        "setns",
                                        "bpf",
                                        "perf_event_open",
                                        "acct",
                                        "open_by_handle_at",
                                        "init_module",
                                        "reboot",
                                        "settimeofday",
                                        "iopl",
                                        "vhangup",
                                        "mbind",
                                        "syslog",
                                        "fsopen",
                                        "s390_runtime_instr",
                                        "set_tls",
                                        NULL };
  for (size_t i = 0; denied[i]; i++)
    ck_assert_msg (n_rules_for (oci, denied[i]) == 0, "%s should have no rule", denied[i]);

  /* clone: only without namespace flags */
  r = rules_for (oci, "clone");
  ck_assert_int_eq (json_object_array_length (r), 1);
  arg = json_object_array_get_idx (json_object_object_get (json_object_array_get_idx (r, 0), "args"), 0);
  ck_assert_int_eq (json_object_get_int (json_object_object_get (arg, "index")), 0);
  ck_assert_uint_eq (json_object_get_uint64 (json_object_object_get (arg, "value")), 0x7E020000);
  ck_assert_uint_eq (json_object_get_uint64 (json_object_object_get (arg, "valueTwo")), 0);
  ck_assert_str_eq (str_at (arg, "op"), "SCMP_CMP_MASKED_EQ");
  json_object_put (r);

  /* clone3: ENOSYS */
  r = rules_for (oci, "clone3");
  ck_assert_int_eq (json_object_array_length (r), 1);
  ck_assert_str_eq (str_at (json_object_array_get_idx (r, 0), "action"), "SCMP_ACT_ERRNO");
  ck_assert_int_eq (json_object_get_int (json_object_object_get (json_object_array_get_idx (r, 0), "errnoRet")), 38);
  json_object_put (r);

  /* socket: not AF_VSOCK */
  r = rules_for (oci, "socket");
  ck_assert_int_eq (json_object_array_length (r), 1);
  arg = json_object_array_get_idx (json_object_object_get (json_object_array_get_idx (r, 0), "args"), 0);
  ck_assert_uint_eq (json_object_get_uint64 (json_object_object_get (arg, "value")), 40);
  ck_assert_str_eq (str_at (arg, "op"), "SCMP_CMP_NE");
  json_object_put (r);

  /* personality: five exact values */
  r = rules_for (oci, "personality");
  ck_assert_int_eq (json_object_array_length (r), 5);
  arg = json_object_array_get_idx (json_object_object_get (json_object_array_get_idx (r, 4), "args"), 0);
  ck_assert_uint_eq (json_object_get_uint64 (json_object_object_get (arg, "value")), 0xffffffffULL);
  json_object_put (r);

  ck_assert_int_ge (n_rules_for (oci, "write"), 1);
  ck_assert_ptr_null (
      json_object_object_get (json_object_array_get_idx (json_object_object_get (oci, "syscalls"), 0), "comment"));
  assert_runtime_accepts (oci);
  json_object_put (oci);
}
END_TEST

START_TEST (test_default_sys_admin)
{
  json_object *oci = convert_default (admin_caps, "amd64", "6.1");
  json_object *r;

  ck_assert (plain_allow (oci, "mount"));
  ck_assert (plain_allow (oci, "unshare"));
  ck_assert (plain_allow (oci, "setns"));
  ck_assert (plain_allow (oci, "clone"));
  ck_assert (plain_allow (oci, "clone3"));
  ck_assert (plain_allow (oci, "bpf"));
  /* neither the masked clone rule nor the ENOSYS clone3 rule */
  ck_assert_int_eq (n_rules_for (oci, "clone"), 1);
  r = rules_for (oci, "clone3");
  ck_assert_int_eq (json_object_array_length (r), 1);
  ck_assert_str_eq (str_at (json_object_array_get_idx (r, 0), "action"), "SCMP_ACT_ALLOW");
  json_object_put (r);
  /* still never */
  ck_assert_int_eq (n_rules_for (oci, "pivot_root"), 0);
  ck_assert_int_eq (n_rules_for (oci, "keyctl"), 0);
  ck_assert_int_eq (n_rules_for (oci, "open_by_handle_at"), 0);
  assert_runtime_accepts (oci);
  json_object_put (oci);
}
END_TEST

START_TEST (test_default_other_caps)
{
  static const char *const caps[] = {
    "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_DAC_READ_SEARCH", "CAP_SYS_MODULE", "CAP_SYS_TIME", "CAP_SYS_NICE", NULL
  };
  json_object *oci = convert_default (caps, "x86_64", "6.1");

  ck_assert (plain_allow (oci, "kcmp"));
  ck_assert (plain_allow (oci, "acct"));
  ck_assert (plain_allow (oci, "open_by_handle_at"));
  ck_assert (plain_allow (oci, "finit_module"));
  ck_assert (plain_allow (oci, "clock_settime"));
  ck_assert (plain_allow (oci, "set_mempolicy"));
  ck_assert_int_eq (n_rules_for (oci, "chroot"), 0); /* CAP_SYS_CHROOT not held here */
  ck_assert_int_eq (n_rules_for (oci, "mount"), 0);
  json_object_put (oci);
  /* no caps at all: still a working profile */
  oci = convert_default (NULL, "x86_64", "6.1");
  ck_assert (plain_allow (oci, "read"));
  ck_assert_int_eq (n_rules_for (oci, "chroot"), 0);
  json_object_put (oci);
}
END_TEST

START_TEST (test_default_old_kernel)
{
  json_object *oci = convert_default (default_caps, "x86_64", "4.4.0-210-generic");

  ck_assert_int_eq (n_rules_for (oci, "ptrace"), 0);
  ck_assert_int_eq (n_rules_for (oci, "process_vm_readv"), 0);
  json_object_put (oci);
  oci = convert_default (default_caps, "x86_64", "4.8");
  ck_assert (plain_allow (oci, "ptrace"));
  json_object_put (oci);
}
END_TEST

START_TEST (test_default_other_arches)
{
  json_object *oci = convert_default (default_caps, "aarch64", "6.1");
  json_object *arches = json_object_object_get (oci, "architectures");
  json_object *r, *arg;

  ck_assert_int_eq (json_object_array_length (arches), 2);
  ck_assert_str_eq (json_object_get_string (json_object_array_get_idx (arches, 0)), "SCMP_ARCH_AARCH64");
  ck_assert_str_eq (json_object_get_string (json_object_array_get_idx (arches, 1)), "SCMP_ARCH_ARM");
  ck_assert_int_eq (n_rules_for (oci, "arch_prctl"), 0);
  ck_assert_int_eq (n_rules_for (oci, "modify_ldt"), 0);
  ck_assert (plain_allow (oci, "set_tls"));
  json_object_put (oci);

  /* s390x takes clone's flags as the second argument */
  oci = convert_default (default_caps, "s390x", "6.1");
  r = rules_for (oci, "clone");
  ck_assert_int_eq (json_object_array_length (r), 1);
  arg = json_object_array_get_idx (json_object_object_get (json_object_array_get_idx (r, 0), "args"), 0);
  ck_assert_int_eq (json_object_get_int (json_object_object_get (arg, "index")), 1);
  json_object_put (r);
  ck_assert (plain_allow (oci, "s390_runtime_instr"));
  json_object_put (oci);

  /* an arch the archMap lacks gets no architectures: the runtime's native one */
  oci = convert_default (default_caps, "ppc64", "6.1");
  ck_assert_int_eq (json_object_array_length (json_object_object_get (oci, "architectures")), 0);
  json_object_put (oci);
}
END_TEST

static json_object *
convert_text (const char *text, const char *const *caps, const char *arch)
{
  cleanup_error berth_error_t err = NULL;
  json_object *out = NULL;
  struct seccomp_target t = { .caps = caps, .arch = arch, .kernel = "5.10" };

  ck_assert_msg (seccomp_profile_to_oci_target (text, strlen (text), &t, &out, &err) == 0, "%s",
                 berth_error_msg (&err));
  return out;
}

START_TEST (test_includes_excludes)
{
  static const char *const text
      = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
        "{\"names\":[\"a\"],\"action\":\"SCMP_ACT_ERRNO\",\"includes\":{\"caps\":[\"CAP_X\",\"CAP_Y\"]}},"
        "{\"names\":[\"b\"],\"action\":\"SCMP_ACT_ERRNO\",\"excludes\":{\"caps\":[\"CAP_X\",\"CAP_Z\"]}},"
        "{\"names\":[\"c\"],\"action\":\"SCMP_ACT_ERRNO\",\"includes\":{\"arches\":[\"arm64\"]}},"
        "{\"names\":[\"d\"],\"action\":\"SCMP_ACT_ERRNO\",\"excludes\":{\"arches\":[\"amd64\"]}},"
        "{\"names\":[\"e\"],\"action\":\"SCMP_ACT_ERRNO\",\"includes\":{\"minKernel\":\"5.11\"}},"
        "{\"names\":[\"f\"],\"action\":\"SCMP_ACT_ERRNO\",\"excludes\":{\"minKernel\":\"5.10\"}},"
        "{\"name\":\"g\",\"action\":\"SCMP_ACT_TRACE\",\"errnoRet\":7,\"comment\":\"old form\"}]}";
  static const char *const only_x[] = { "CAP_X", NULL };
  static const char *const xy[] = { "CAP_Y", "CAP_X", NULL };
  json_object *oci;
  json_object *r;

  oci = convert_text (text, only_x, "x86_64");
  ck_assert_int_eq (n_rules_for (oci, "a"), 0); /* needs both */
  ck_assert_int_eq (n_rules_for (oci, "b"), 0); /* CAP_X excludes */
  ck_assert_int_eq (n_rules_for (oci, "c"), 0);
  ck_assert_int_eq (n_rules_for (oci, "d"), 0);
  ck_assert_int_eq (n_rules_for (oci, "e"), 0); /* 5.10 < 5.11 */
  ck_assert_int_eq (n_rules_for (oci, "f"), 0); /* 5.10 >= 5.10 */
  r = rules_for (oci, "g");
  ck_assert_int_eq (json_object_array_length (r), 1);
  ck_assert_int_eq (json_object_get_int (json_object_object_get (json_object_array_get_idx (r, 0), "errnoRet")), 7);
  json_object_put (r);
  /* no architectures given: none emitted, the runtime adds the native ones */
  ck_assert_int_eq (json_object_array_length (json_object_object_get (oci, "architectures")), 0);
  json_object_put (oci);

  oci = convert_text (text, xy, "arm64");
  ck_assert_int_eq (n_rules_for (oci, "a"), 1);
  ck_assert_int_eq (n_rules_for (oci, "b"), 0);
  ck_assert_int_eq (n_rules_for (oci, "c"), 1);
  ck_assert_int_eq (n_rules_for (oci, "d"), 1);
  json_object_put (oci);

  oci = convert_text (text, NULL, "SCMP_ARCH_X86_64");
  ck_assert_int_eq (n_rules_for (oci, "b"), 1);
  json_object_put (oci);
}
END_TEST

START_TEST (test_legacy_architectures_and_flags)
{
  static const char *const text
      = "{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\",\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],"
        "\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":[{\"names\":[\"read\",\"write\"],"
        "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":18446744073709551615,\"op\":\"SCMP_CMP_LE\"}]}]"
        "}";
  json_object *oci = convert_text (text, NULL, "x86_64");
  json_object *arg;

  ck_assert_int_eq (json_object_array_length (json_object_object_get (oci, "architectures")), 2);
  ck_assert_str_eq (json_object_get_string (json_object_array_get_idx (json_object_object_get (oci, "flags"), 0)),
                    "SECCOMP_FILTER_FLAG_LOG");
  ck_assert_ptr_null (json_object_object_get (oci, "defaultErrnoRet"));
  arg = json_object_array_get_idx (
      json_object_object_get (json_object_array_get_idx (json_object_object_get (oci, "syscalls"), 0), "args"), 0);
  ck_assert_uint_eq (json_object_get_uint64 (json_object_object_get (arg, "value")), UINT64_MAX);
  assert_runtime_accepts (oci);
  json_object_put (oci);
}
END_TEST

static const struct
{
  const char *json;
  const char *msg; /* expected in the error */
} bad_cases[] = {
  { "{", "not valid JSON" },
  { "{} x", "not valid JSON" },
  { "[]", "seccomp profile: expected an object" },
  { "{}", "defaultAction: required field missing" },
  { "{\"defaultAction\":\"SCMP_ACT_DENY\"}", "defaultAction: unknown action `SCMP_ACT_DENY`" },
  { "{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}", "SCMP_ACT_NOTIFY is not supported" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"defaultErrnoRet\":1}", "defaultErrnoRet: only SCMP_ACT_ERRNO" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":5000}", "defaultErrnoRet: 5000 is not an errno" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":-1}", "defaultErrnoRet: must not be negative" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscall\":[]}", "unknown field `syscall`" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"listenerPath\":\"/x\"}", "seccomp notification is not supported" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_VAX\"]}",
    "architectures[0]: unknown architecture `SCMP_ARCH_VAX`" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86\"],"
    "\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\"}]}",
    "both `architectures` and `archMap`" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"archMap\":[{\"architecture\":\"x86_64\"}]}",
    "archMap[0].architecture: unknown architecture `x86_64`" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\","
    "\"subArchitectures\":[\"SCMP_ARCH_X86\",\"X32\"]}]}",
    "archMap[0].subArchitectures[1]: unknown architecture `X32`" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"flags\":[\"SECCOMP_FILTER_FLAG_NEW_LISTENER\"]}", "unsupported flag" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":{}}", "syscalls: expected an array" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[],\"action\":\"SCMP_ACT_ALLOW\"}]}",
    "syscalls[0].names: must name at least one syscall" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"],\"name\":\"b\",\"action\":\"SCMP_ACT_"
    "ALLOW\"}]}",
    "syscalls[0]: use either `name` or `names`" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\",1],\"action\":\"SCMP_ACT_ALLOW\"}]}",
    "syscalls[0].names[1]: expected a string" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"]}]}", "syscalls[0].action: required" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"],\"action\":\"ALLOW\"}]}",
    "syscalls[0].action: unknown action `ALLOW`" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_ALLOW\",\"errnoRet\":"
    "1}]}",
    "syscalls[0].errnoRet: only SCMP_ACT_ERRNO" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_ALLOW\","
    "\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_MASKED\"}]}]}",
    "syscalls[0].args[0].op: unknown operator `SCMP_CMP_MASKED`" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_ALLOW\","
    "\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
    "syscalls[0].args[0].index: 6 is not a syscall argument" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_ALLOW\","
    "\"args\":[{\"index\":0,\"op\":\"SCMP_CMP_EQ\"}]}]}",
    "syscalls[0].args[0].value: required field missing" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_ALLOW\","
    "\"args\":[{\"index\":0,\"value\":\"1\",\"op\":\"SCMP_CMP_EQ\"}]}]}",
    "syscalls[0].args[0].value: expected an integer" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_ALLOW\","
    "\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\",\"valuetwo\":0}]}]}",
    "syscalls[0].args[0]: unknown field `valuetwo`" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_ALLOW\"},"
    "{\"names\":[\"b\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"arches\":[\"x86_64\"]}}]}",
    "syscalls[1].includes.arches[0]: unknown architecture `x86_64`" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_ALLOW\","
    "\"excludes\":{\"caps\":[\"SYS_ADMIN\"]}}]}",
    "syscalls[0].excludes.caps[0]: `SYS_ADMIN` is not a capability name" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_ALLOW\","
    "\"includes\":{\"minKernel\":\"4\"}}]}",
    "syscalls[0].includes.minKernel: `4` is not a kernel version" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_ALLOW\","
    "\"includes\":{\"minkernel\":\"4.8\"}}]}",
    "syscalls[0].includes: unknown field `minkernel`" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_ALLOW\","
    "\"includes\":[]}]}",
    "syscalls[0].includes: expected an object" },
};

START_TEST (test_bad)
{
  cleanup_error berth_error_t err = NULL;
  json_object *out = NULL;
  const char *text = bad_cases[_i].json;

  ck_assert_int_lt (seccomp_profile_to_oci (text, strlen (text), default_caps, "x86_64", &out, &err), 0);
  ck_assert_ptr_null (out);
  ck_assert_msg (strstr (berth_error_msg (&err), bad_cases[_i].msg) != NULL, "case %d: `%s` lacks `%s`", _i,
                 berth_error_msg (&err), bad_cases[_i].msg);
}
END_TEST

START_TEST (test_bad_target)
{
  cleanup_error berth_error_t err = NULL;
  cleanup_error berth_error_t err2 = NULL;
  json_object *out = NULL;
  const char *text = "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}";
  struct seccomp_target t = { .caps = NULL, .arch = "x86_64", .kernel = "six" };
  struct seccomp_native_arch a;

  ck_assert_int_lt (seccomp_profile_to_oci (text, strlen (text), NULL, "vax", &out, &err), 0);
  ck_assert_ptr_nonnull (strstr (berth_error_msg (&err), "unsupported architecture `vax`"));
  ck_assert_int_lt (seccomp_profile_to_oci_target (text, strlen (text), &t, &out, &err2), 0);
  ck_assert_ptr_nonnull (strstr (berth_error_msg (&err2), "`six` is not a kernel version"));
  ck_assert_ptr_null (out);
  ck_assert_int_eq (seccomp_native_arch_resolve ("amd64", &a, NULL), 0);
  ck_assert_str_eq (a.token, "SCMP_ARCH_X86_64");
  ck_assert_int_eq (seccomp_native_arch_resolve ("SCMP_ARCH_AARCH64", &a, NULL), 0);
  ck_assert_str_eq (a.go_name, "arm64");
  /* the host: this suite runs where berth builds */
  ck_assert_int_eq (seccomp_native_arch_resolve (NULL, &a, NULL), 0);
}
END_TEST

START_TEST (test_loader)
{
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *path = default_profile_path ();
  json_object *out = NULL;

  ck_assert_msg (seccomp_default_to_oci (path, default_caps, &out, &err) == 0, "%s", berth_error_msg (&err));
  ck_assert_int_ge (json_object_array_length (json_object_object_get (out, "syscalls")), 10);
  json_object_put (out);
  out = NULL;
  ck_assert_int_lt (seccomp_default_to_oci ("/nonexistent/seccomp.json", default_caps, &out, &err), 0);
  ck_assert_ptr_nonnull (strstr (berth_error_msg (&err), "/nonexistent/seccomp.json"));
  ck_assert_ptr_null (out);
  ck_assert_str_eq (SECCOMP_PROFILE_DEFAULT_PATH, BERTH_SYSCONFDIR "/berth/seccomp/default.json");
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("seccomp-profile");
  TCase *tc = tcase_create ("profile");
  SRunner *sr;
  int failed;

  tcase_add_test (tc, test_default_x86_64);
  tcase_add_test (tc, test_default_sys_admin);
  tcase_add_test (tc, test_default_other_caps);
  tcase_add_test (tc, test_default_old_kernel);
  tcase_add_test (tc, test_default_other_arches);
  tcase_add_test (tc, test_includes_excludes);
  tcase_add_test (tc, test_legacy_architectures_and_flags);
  tcase_add_loop_test (tc, test_bad, 0, sizeof (bad_cases) / sizeof (bad_cases[0]));
  tcase_add_test (tc, test_bad_target);
  tcase_add_test (tc, test_loader);
  suite_add_tcase (s, tc);
  sr = srunner_create (s);
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
