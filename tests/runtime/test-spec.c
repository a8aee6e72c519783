/* Check suite: config.json parsing into struct berth_spec. */
#include "config.h"

#include <check.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "core/runtime/spec.h"

static const char *const good_json
    = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\",\"readonly\":true},\"hostname\":\"h1\","
      "\"process\":{\"terminal\":false,\"cwd\":\"/\",\"args\":[\"sh\",\"-c\",\"true\"],"
      "\"env\":[\"PATH=/bin\",\"A=b=c\"],\"user\":{\"uid\":1000,\"gid\":100,\"umask\":18,\"additionalGids\":[5,6]},"
      "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1024,\"hard\":18446744073709551615}],"
      "\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\"],\"effective\":[\"CAP_KILL\"],\"ambient\":[]},"
      "\"noNewPrivileges\":true,\"oomScoreAdj\":-5},"
      "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
      "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/tmp\",\"options\":[\"rbind\",\"ro\"]}],"
      "\"hooks\":{\"poststop\":[{\"path\":\"/bin/true\",\"args\":[\"true\"],\"timeout\":5}]},"
      "\"annotations\":{\"a\":\"b\"},"
      "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\",\"path\":\"/proc/1/ns/net\"},"
      "{\"type\":\"mount\"}],\"cgroupsPath\":\"/berth-test/x\",\"rootfsPropagation\":\"rslave\","
      "\"maskedPaths\":[\"/proc/kcore\"],\"readonlyPaths\":[\"/proc/sys\"],\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"},"
      "\"devices\":[{\"type\":\"c\",\"path\":\"/dev/fuse\",\"major\":10,\"minor\":229,\"fileMode\":438}],"
      "\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":true,\"type\":\"c\",\"major\":1,"
      "\"minor\":3,\"access\":\"rw\"}],\"memory\":{\"limit\":8388608,\"swap\":16777216},\"pids\":{\"limit\":64},"
      "\"cpu\":{\"shares\":512,\"quota\":50000,\"period\":100000,\"cpus\":\"0\"},\"blockIO\":{\"weight\":300}},"
      "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],"
      "\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13,"
      "\"args\":[{\"index\":1,\"value\":448,\"op\":\"SCMP_CMP_EQ\"}]}]}}}";

START_TEST (test_good)
{
  berth_error_t err = NULL;
  struct berth_spec *s = berth_spec_parse (good_json, strlen (good_json), "/b", &err);

  ck_assert_msg (s != NULL, "%s", err ? err->msg : "");
  ck_assert_str_eq (s->root_path, "/b/rootfs");
  ck_assert (s->root_readonly);
  ck_assert_str_eq (s->hostname, "h1");
  ck_assert_str_eq (s->process->args[2], "true");
  ck_assert_ptr_null (s->process->args[3]);
  ck_assert_uint_eq (s->process->user.uid, 1000);
  ck_assert_uint_eq (s->process->user.n_additional_gids, 2);
  ck_assert_uint_eq (s->process->user.umask, 022);
  ck_assert_uint_eq (s->process->n_rlimits, 1);
  ck_assert_int_eq (s->process->rlimits[0].resource, RLIMIT_NOFILE);
  ck_assert (s->process->rlimits[0].hard == UINT64_MAX);
  ck_assert (s->process->caps.bounding == ((1ULL << 0) | (1ULL << 5)));
  ck_assert (s->process->caps.effective == (1ULL << 5));
  ck_assert (s->process->caps.inheritable == 0);
  ck_assert (s->process->no_new_privileges);
  ck_assert_int_eq (s->process->oom_score_adj, -5);
  ck_assert_uint_eq (s->n_mounts, 2);
  ck_assert_str_eq (s->mounts[1].options[1], "ro");
  ck_assert_ptr_null (s->mounts[0].options[0]);
  ck_assert_uint_eq (s->n_hooks[BERTH_HOOK_POSTSTOP], 1);
  ck_assert_int_eq (s->hooks[BERTH_HOOK_POSTSTOP][0].timeout, 5);
  ck_assert (s->lx.namespaces[BERTH_NS_PID].present);
  ck_assert_ptr_null (s->lx.namespaces[BERTH_NS_PID].path);
  ck_assert_str_eq (s->lx.namespaces[BERTH_NS_NET].path, "/proc/1/ns/net");
  ck_assert (!s->lx.namespaces[BERTH_NS_USER].present);
  ck_assert_uint_eq (s->lx.rootfs_propagation, MS_SLAVE | MS_REC);
  ck_assert_str_eq (s->lx.masked_paths[0], "/proc/kcore");
  ck_assert_str_eq (s->lx.sysctl[0].key, "net.ipv4.ip_forward");
  ck_assert_int_eq (s->lx.devices[0].minor, 229);
  ck_assert_uint_eq (s->lx.devices[0].file_mode, 0666);
  ck_assert_uint_eq (s->lx.resources.n_devices, 2);
  ck_assert (!s->lx.resources.devices[0].allow);
  ck_assert_int_eq (s->lx.resources.devices[0].major, -1);
  ck_assert_str_eq (s->lx.resources.devices[1].access, "rw");
  ck_assert_int_eq (s->lx.resources.memory_limit, 8388608);
  ck_assert_int_eq (s->lx.resources.pids_limit, 64);
  ck_assert_uint_eq (s->lx.resources.cpu_shares, 512);
  ck_assert_str_eq (s->lx.resources.cpuset_cpus, "0");
  ck_assert_uint_eq (s->lx.resources.blkio_weight, 300);
  ck_assert_ptr_nonnull (s->lx.seccomp);
  ck_assert_uint_eq (s->lx.seccomp->default_action, SCMP_ACT_ALLOW);
  ck_assert_uint_eq (s->lx.seccomp->n_arches, 2);
  ck_assert_uint_eq (s->lx.seccomp->arches[1], SCMP_ARCH_X86);
  ck_assert_uint_eq (s->lx.seccomp->rules[0].action, SCMP_ACT_ERRNO (13));
  ck_assert_uint_eq (s->lx.seccomp->rules[0].args[0].value, 448);
  ck_assert_str_eq (s->annotations[0].value, "b");
  berth_spec_free (s);
}
END_TEST

/* each case: a fragment replacing the whole document, and a piece of the expected error */
static const struct
{
  const char *json;
  const char *msg;
} bad_cases[] = {
  { "{", "unexpected end" },
  { "[]", "expected an object" },
  { "{\"ociVersion\":\"1.0.0\"} x", "after JSON" },
  { "{\"root\":{\"path\":\"r\"}}", "ociVersion: required" },
  { "{\"ociVersion\":\"2.0\",\"root\":{\"path\":\"r\"}}", "unsupported version" },
  { "{\"ociVersion\":\"1.0\"}", "root: required" },
  { "{\"ociVersion\":\"1.0\",\"root\":{\"path\":5}}", "root.path: expected a string" },
  { "{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"cwd\":\"rel\",\"args\":[\"a\"]}}",
    "process.cwd: `rel` is not an absolute path" },
  { "{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"cwd\":\"/\",\"args\":[]}}",
    "process.args: must name a program" },
  { "{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"cwd\":\"/\",\"args\":[\"a\"],"
    "\"rlimits\":[{\"type\":\"RLIMIT_FOO\",\"soft\":1,\"hard\":1}]}}",
    "process.rlimits[0].type: unknown rlimit `RLIMIT_FOO`" },
  { "{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"cwd\":\"/\",\"args\":[\"a\"],"
    "\"capabilities\":{\"bounding\":[\"CAP_NOPE\"]}}}",
    "process.capabilities.bounding[0]: unknown capability `CAP_NOPE`" },
  { "{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"cwd\":\"/\",\"args\":[\"a\"],"
    "\"user\":{\"uid\":-1,\"gid\":0}}}",
    "process.user.uid: must not be negative" },
  { "{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"cwd\":\"/\",\"args\":[\"a\"],\"env\":[\"X\"]}}",
    "process.env[0]: `X` is not KEY=VALUE" },
  { "{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"mounts\":[{\"destination\":\"rel\"}]}",
    "mounts[0].destination: `rel` is not an absolute path" },
  { "{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\"}]}}",
    "linux.namespaces[1].type: namespace `pid` listed twice" },
  { "{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"namespaces\":[{\"type\":\"bogus\"}]}}",
    "unknown namespace type `bogus`" },
  { "{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"namespaces\":[{\"type\":\"user\"}]}}",
    "needs uidMappings and gidMappings" },
  { "{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"resources\":{\"memory\":{\"limit\":\"8m\"}}}}",
    "linux.resources.memory.limit: expected an integer" },
  { "{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"resources\":{\"devices\":[{\"allow\":true,"
    "\"access\":\"rwx\"}]}}}",
    "linux.resources.devices[0].access" },
  { "{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_NOPE\"}}}",
    "linux.seccomp.defaultAction: unknown action `SCMP_ACT_NOPE`" },
  { "{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
    "\"architectures\":[\"SCMP_ARCH_VAX\"]}}}",
    "linux.seccomp.architectures[0]: unknown architecture" },
  { "{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
    "\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":9,\"value\":1,"
    "\"op\":\"SCMP_CMP_EQ\"}]}]}}}",
    "linux.seccomp.syscalls[0].args[0].index" },
  { "{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"sysctl\":{\"../../etc/x\":\"1\"}}}",
    "linux.sysctl: invalid key" },
  { "{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"cgroupsPath\":\"/a/../../b\"}}",
    "linux.cgroupsPath" },
  { "{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"hooks\":{\"poststart\":[{\"path\":\"rel\"}]}}",
    "hooks.poststart[0].path" },
};

START_TEST (test_bad)
{
  berth_error_t err = NULL;
  struct berth_spec *s = berth_spec_parse (bad_cases[_i].json, strlen (bad_cases[_i].json), "/b", &err);

  ck_assert_msg (s == NULL, "case %d parsed", _i);
  ck_assert_ptr_nonnull (err);
  ck_assert_msg (strstr (err->msg, bad_cases[_i].msg) != NULL, "case %d: `%s` lacks `%s`", _i, err->msg,
                 bad_cases[_i].msg);
  berth_error_release (&err);
}
END_TEST

START_TEST (test_process_alone)
{
  const char *j = "{\"cwd\":\"/tmp\",\"args\":[\"ls\"],\"terminal\":true,\"consoleSize\":{\"height\":24,\"width\":80}}";
  berth_error_t err = NULL;
  struct berth_spec_process *p = berth_spec_parse_process (j, strlen (j), &err);

  ck_assert_msg (p != NULL, "%s", err ? err->msg : "");
  ck_assert (p->terminal);
  ck_assert_uint_eq (p->console_width, 80);
  ck_assert (!p->has_caps);
  ck_assert_ptr_null (p->env[0]);
  berth_spec_process_free (p);
}
END_TEST

START_TEST (test_resources_alone)
{
  const char *j = "{\"memory\":{\"limit\":-1},\"pids\":{\"limit\":10},\"unified\":{\"memory.high\":\"max\"}}";
  const char *bad = "{\"unified\":{\"../x\":\"1\"}}";
  berth_error_t err = NULL;
  struct berth_spec_resources *r = berth_spec_parse_resources (j, strlen (j), &err);

  ck_assert_msg (r != NULL, "%s", err ? err->msg : "");
  ck_assert_int_eq (r->memory_limit, -1);
  ck_assert_int_eq (r->pids_limit, 10);
  ck_assert_str_eq (r->unified[0].key, "memory.high");
  berth_spec_resources_free (r);
  ck_assert_ptr_null (berth_spec_parse_resources (bad, strlen (bad), &err));
  ck_assert_ptr_nonnull (strstr (err->msg, "invalid file name"));
  berth_error_release (&err);
}
END_TEST

START_TEST (test_names)
{
  ck_assert_int_eq (berth_ns_kind_from_name ("network"), BERTH_NS_NET);
  ck_assert_int_eq (berth_ns_kind_clone_flag (BERTH_NS_MOUNT), CLONE_NEWNS);
  ck_assert_int_eq (berth_rlimit_from_name ("RLIMIT_NPROC"), RLIMIT_NPROC);
  ck_assert_int_eq (berth_rlimit_from_name ("NOFILE"), -1);
  ck_assert_str_eq (berth_hook_kind_name (BERTH_HOOK_CREATE_RUNTIME), "createRuntime");
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("spec");
  TCase *tc = tcase_create ("parse");
  SRunner *sr;
  int failed;

  tcase_add_test (tc, test_good);
  tcase_add_loop_test (tc, test_bad, 0, sizeof (bad_cases) / sizeof (bad_cases[0]));
  tcase_add_test (tc, test_process_alone);
  tcase_add_test (tc, test_resources_alone);
  tcase_add_test (tc, test_names);
  suite_add_tcase (s, tc);
  sr = srunner_create (s);
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? 1 : 0;
}
