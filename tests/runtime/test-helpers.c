/* Check suite: the runtime's pure helpers (mount options, signal names,
   cgroup paths, the v2 device program, container ids). */
#include "config.h"

#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "core/runtime/cgroup-v2-devices.h"
#include "core/runtime/cgroup.h"
#include "core/runtime/mount-options.h"
#include "core/runtime/signals.h"
#include "core/runtime/state.h"

START_TEST (test_mount_options)
{
  char *opts[] = { "nosuid", "rw", "ro", "noexec", "rbind", "rslave", "mode=755", "size=1k", "x-foo", NULL };
  struct berth_mount_options o;
  berth_error_t err = NULL;

  ck_assert_int_eq (berth_mount_options_parse ("tmpfs", opts, &o, &err), 0);
  ck_assert (o.flags & MS_RDONLY);
  ck_assert (o.flags & MS_NOSUID);
  ck_assert (o.flags & MS_NOEXEC);
  ck_assert (!(o.clear & MS_RDONLY)); /* the later "ro" wins over "rw" */
  ck_assert (o.bind && o.recursive);
  ck_assert_uint_eq (o.propagation, MS_SLAVE | MS_REC);
  ck_assert_str_eq (o.data, "mode=755,size=1k");
  berth_mount_options_clear (&o);
}
END_TEST

START_TEST (test_mount_options_bad)
{
  char *idmap[] = { "idmap", NULL };
  char *comma[] = { "a,b", NULL };
  char *rro[] = { "rro", NULL };
  struct berth_mount_options o;
  berth_error_t err = NULL;

  ck_assert_int_lt (berth_mount_options_parse (NULL, idmap, &o, &err), 0);
  ck_assert_ptr_nonnull (strstr (err->msg, "idmap"));
  berth_error_release (&err);
  ck_assert_int_lt (berth_mount_options_parse (NULL, comma, &o, &err), 0);
  berth_error_release (&err);
  ck_assert_int_eq (berth_mount_options_parse ("bind", rro, &o, &err), 0);
  ck_assert (o.bind && o.recursive && (o.flags & MS_RDONLY));
  berth_mount_options_clear (&o);
}
END_TEST

START_TEST (test_signals)
{
  ck_assert_int_eq (berth_signal_parse ("SIGTERM"), SIGTERM);
  ck_assert_int_eq (berth_signal_parse ("term"), SIGTERM);
  ck_assert_int_eq (berth_signal_parse ("KILL"), SIGKILL);
  ck_assert_int_eq (berth_signal_parse ("9"), 9);
  ck_assert_int_eq (berth_signal_parse ("0"), 0);
  ck_assert_int_eq (berth_signal_parse ("SIGRTMIN+2"), SIGRTMIN + 2);
  ck_assert_int_eq (berth_signal_parse ("SIGNOPE"), -1);
  ck_assert_int_eq (berth_signal_parse ("99999"), -1);
  ck_assert_int_eq (berth_signal_parse ("-1"), -1);
  ck_assert_int_eq (berth_signal_parse (""), -1);
  ck_assert_str_eq (berth_signal_name (SIGWINCH), "SIGWINCH");
}
END_TEST

START_TEST (test_cgroup_paths)
{
  berth_error_t err = NULL;
  struct berth_cgroup *cg = berth_cgroup_load (BERTH_CGROUP_V1, "//a//b/", &err);

  ck_assert_ptr_nonnull (cg);
  ck_assert_str_eq (berth_cgroup_path (cg), "/a/b");
  berth_cgroup_free (cg);
  cg = berth_cgroup_new ("rel/x", "id1", &err);
  ck_assert_ptr_nonnull (cg);
  ck_assert_str_eq (berth_cgroup_path (cg), "/berth-runtime/rel/x");
  berth_cgroup_free (cg);
  cg = berth_cgroup_new (NULL, "id1", &err);
  ck_assert_str_eq (berth_cgroup_path (cg), "/berth-runtime/id1");
  berth_cgroup_free (cg);
  ck_assert_ptr_null (berth_cgroup_load (BERTH_CGROUP_V1, "/a/../..", &err));
  berth_error_release (&err);
  ck_assert_ptr_null (berth_cgroup_load (BERTH_CGROUP_V1, "/", &err));
  berth_error_release (&err);
  ck_assert_ptr_null (berth_cgroup_new ("system.slice:docker:abc", "id", &err));
  ck_assert_ptr_nonnull (strstr (err->msg, "systemd"));
  berth_error_release (&err);
}
END_TEST

START_TEST (test_device_program)
{
  struct berth_spec_device_rule rules[] = {
    { false, 'a', -1, -1, "rwm" },
    { true, 'c', 1, 3, "rwm" },
    { true, 'c', 136, -1, "rw" },
  };
  struct bpf_insn *p = NULL;
  size_t n = berth_devices_bpf_program (rules, 3, &p);

  /* 6 loads, nothing for the wildcard, 7 (with an access test) + 5 for the rules, 2 for the default */
  ck_assert_uint_eq (n, 6 + 7 + 5 + 2);
  /* the default after the wildcard deny is 0 */
  ck_assert_int_eq (p[n - 2].imm, 0);
  ck_assert_uint_eq (p[n - 1].code, BPF_JMP | BPF_EXIT);
  /* the verifier refuses fields an instruction class does not use (both
     mistakes once shipped: tests/runtime/cgroup-v2.sh loads the program) */
  for (size_t i = 0; i < n; i++)
    {
      if (BPF_CLASS (p[i].code) == BPF_ALU || BPF_CLASS (p[i].code) == BPF_ALU64)
        ck_assert_int_eq (p[i].off, 0);
      if (BPF_CLASS (p[i].code) == BPF_LDX)
        ck_assert_int_eq (p[i].imm, 0);
      if (BPF_CLASS (p[i].code) == BPF_JMP && BPF_OP (p[i].code) == BPF_JNE)
        ck_assert_int_lt (i + 1 + (size_t) p[i].off, n);
    }
  ck_assert_int_eq (p[4].off, 4); /* major */
  ck_assert_int_eq (p[5].off, 8); /* minor */
  free (p);
  n = berth_devices_bpf_program (rules + 1, 1, &p);
  ck_assert_int_eq (p[n - 2].imm, 1); /* no wildcard: allow by default */
  free (p);
}
END_TEST

START_TEST (test_ids)
{
  ck_assert_int_eq (berth_state_check_id ("rt-test-1", NULL), 0);
  ck_assert_int_eq (berth_state_check_id ("a.b_c+d", NULL), 0);
  ck_assert_int_lt (berth_state_check_id ("../x", NULL), 0);
  ck_assert_int_lt (berth_state_check_id ("a/b", NULL), 0);
  ck_assert_int_lt (berth_state_check_id ("", NULL), 0);
  ck_assert_int_lt (berth_state_check_id (".hidden", NULL), 0);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("runtime-helpers");
  TCase *tc = tcase_create ("pure");
  SRunner *sr;
  int failed;

  tcase_add_test (tc, test_mount_options);
  tcase_add_test (tc, test_mount_options_bad);
  tcase_add_test (tc, test_signals);
  tcase_add_test (tc, test_cgroup_paths);
  tcase_add_test (tc, test_device_program);
  tcase_add_test (tc, test_ids);
  suite_add_tcase (s, tc);
  sr = srunner_create (s);
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? 1 : 0;
}
