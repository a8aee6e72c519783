/* Check suite: precompiled seccomp filters (core/runtime/seccomp-file.c).
   The program read back from a file is byte for byte the one
   berth_seccomp_prepare builds for the same linux.seccomp (ENOSYS stub and
   flags included); a file built from another profile, a torn or foreign
   file, a missing one, or a spec that joins a mount namespace make
   berth_seccomp_prepare_spec compile instead. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/lib/error.h"
#include "core/lib/fs.h"
#include "core/lib/mem.h"
#include "core/runtime/seccomp-file.h"
#include "core/runtime/seccomp-internal.h"
#include "core/runtime/seccomp.h"
#include "core/runtime/spec-internal.h"
#include "core/seccomp-profile/seccomp-profile.h"

static const char *const default_caps[]
    = { "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",     "CAP_MKNOD",
        "CAP_NET_RAW", "CAP_SETGID",       "CAP_SETUID",           "CAP_SETFCAP",    "CAP_SETPCAP",
        "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE", NULL };
static const char *const admin_caps[]
    = { "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",           "CAP_MKNOD",      "CAP_NET_RAW",
        "CAP_SETGID",  "CAP_SETUID",       "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
        "CAP_KILL",    "CAP_AUDIT_WRITE",  "CAP_SYS_ADMIN", NULL };

static char dir[] = "/tmp/berth-seccomp-file.XXXXXX";

/* linux.seccomp as berthd writes it, and as the runtime parses it back
   from config.json (a round trip through the text, as in a bundle) */
static json_object *
profile (const char *const *caps)
{
  berth_error_t err = NULL;
  json_object *o = NULL, *back;

  ck_assert_msg (seccomp_builtin_to_oci (caps, &o, &err) == 0, "%s", berth_error_msg (&err));
  back = json_tokener_parse (json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN));
  json_object_put (o);
  return back;
}

static struct berth_spec_seccomp *
parsed (json_object *o)
{
  struct berth_spec_seccomp *sc = NULL;
  berth_error_t err = NULL;

  ck_assert_msg (spec_parse_seccomp (o, &sc, &err) == 0, "%s", berth_error_msg (&err));
  return sc;
}

static void
assert_same (void *a, void *b)
{
  struct berth_seccomp_filter *x = a, *y = b;

  ck_assert_uint_eq (x->flags, y->flags);
  ck_assert_uint_eq (x->prog.len, y->prog.len);
  ck_assert (memcmp (x->prog.filter, y->prog.filter, x->prog.len * sizeof (struct sock_filter)) == 0);
}

static char *
build (const char *name, json_object *o)
{
  berth_error_t err = NULL;
  char *path = xasprintf ("%s/%s", dir, name);

  ck_assert_msg (berth_seccomp_file_build (path, o, &err) == 0, "%s", berth_error_msg (&err));
  return path;
}

START_TEST (test_same_program)
{
  const char *const *caps[] = { default_caps, admin_caps };

  for (size_t i = 0; i < 2; i++)
    {
      json_object *o = profile (caps[i]);
      struct berth_spec_seccomp *sc = parsed (o);
      cleanup_free char *path = build ("p.bpf", o);
      void *compiled = NULL, *read = NULL;
      berth_error_t err = NULL;

      ck_assert_int_eq (berth_seccomp_prepare (sc, &compiled, &err), 0);
      ck_assert_msg (berth_seccomp_file_read (path, sc->json, &read, &err) == 0, "%s", berth_error_msg (&err));
      assert_same (compiled, read);
      berth_seccomp_release (compiled);
      berth_seccomp_release (read);
      spec_seccomp_free (sc);
      json_object_put (o);
    }
}
END_TEST

START_TEST (test_refused)
{
  json_object *o = profile (default_caps), *other = profile (admin_caps);
  struct berth_spec_seccomp *sc = parsed (o), *sc_other = parsed (other);
  cleanup_free char *path = build ("d.bpf", o), *torn = xasprintf ("%s/torn.bpf", dir);
  cleanup_free char *text = NULL, *missing = xasprintf ("%s/none.bpf", dir);
  void *f = NULL;
  berth_error_t err = NULL;
  size_t len;

  /* another profile (here: another capability set) */
  ck_assert_int_eq (berth_seccomp_file_read (path, sc_other->json, &f, &err) < 0, 1);
  ck_assert_int_eq (berth_error_code (&err), ESTALE);
  berth_error_release (&err);
  /* torn: one byte short; foreign: another magic */
  ck_assert_int_eq (berth_read_file (path, 1 << 22, &text, &len, NULL), 0);
  ck_assert_int_eq (berth_write_file_replace (torn, text, len - 1, 0600, NULL), 0);
  ck_assert_int_eq (berth_seccomp_file_read (torn, sc->json, &f, &err) < 0, 1);
  ck_assert_int_eq (berth_error_code (&err), EINVAL);
  berth_error_release (&err);
  text[0] = 'X';
  ck_assert_int_eq (berth_write_file_replace (torn, text, len, 0600, NULL), 0);
  ck_assert_int_eq (berth_seccomp_file_read (torn, sc->json, &f, &err) < 0, 1);
  ck_assert_int_eq (berth_error_code (&err), EINVAL);
  berth_error_release (&err);
  ck_assert_int_eq (berth_seccomp_file_read (missing, sc->json, &f, &err) < 0, 1);
  berth_error_release (&err);
  spec_seccomp_free (sc);
  spec_seccomp_free (sc_other);
  json_object_put (o);
  json_object_put (other);
}
END_TEST

/* prepare_spec with the annotation: the file's program when it was built
   from the spec's linux.seccomp (a file whose last instruction was
   altered shows which program came back), else the compiled one: a stale
   file, one others may write, a spec that joins a mount namespace. */
START_TEST (test_prepare_spec)
{
  json_object *o = profile (default_caps), *other = profile (admin_caps);
  cleanup_free char *marked = build ("marked.bpf", o), *stale = build ("stale.bpf", other);
  cleanup_free char *text = NULL;
  struct berth_spec spec = { 0 };
  struct berth_spec_kv kv = { .key = (char *) BERTH_SECCOMP_BPF_ANNOTATION };
  struct berth_seccomp_filter *got;
  void *compiled = NULL, *f = NULL;
  berth_error_t err = NULL;
  struct sock_filter last;
  size_t len;

  ck_assert_int_eq (berth_read_file (marked, 1 << 22, &text, &len, NULL), 0);
  memcpy (&last, text + len - sizeof (last), sizeof (last));
  last.k ^= 0x5a5a;
  memcpy (text + len - sizeof (last), &last, sizeof (last));
  ck_assert_int_eq (berth_write_file_replace (marked, text, len, 0600, NULL), 0);

  spec.lx.seccomp = parsed (o);
  spec.annotations = &kv;
  spec.n_annotations = 1;
  ck_assert_int_eq (berth_seccomp_prepare (spec.lx.seccomp, &compiled, &err), 0);

  kv.value = marked;
  ck_assert_int_eq (berth_seccomp_prepare_spec (&spec, &f, &err), 0);
  got = f;
  ck_assert_uint_eq (got->prog.filter[got->prog.len - 1].k, last.k);
  berth_seccomp_release (f);

  for (int variant = 0; variant < 3; variant++)
    {
      kv.value = variant == 0 ? stale : marked;
      chmod (marked, variant == 1 ? 0620 : 0600);
      spec.lx.namespaces[BERTH_NS_MOUNT].path = variant == 2 ? (char *) "/proc/1/ns/mnt" : NULL;
      ck_assert_msg (berth_seccomp_prepare_spec (&spec, &f, &err) == 0, "%s", berth_error_msg (&err));
      assert_same (compiled, f);
      berth_seccomp_release (f);
    }
  spec.lx.namespaces[BERTH_NS_MOUNT].path = NULL;
  berth_seccomp_release (compiled);
  spec_seccomp_free (spec.lx.seccomp);
  json_object_put (o);
  json_object_put (other);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("seccomp-file");
  TCase *tc = tcase_create ("file");
  SRunner *sr;
  int failed;

  if (mkdtemp (dir) == NULL)
    return 99;
  tcase_add_test (tc, test_same_program);
  tcase_add_test (tc, test_refused);
  tcase_add_test (tc, test_prepare_spec);
  tcase_set_timeout (tc, 60);
  suite_add_tcase (s, tc);
  sr = srunner_create (s);
  srunner_set_fork_status (sr, CK_NOFORK);
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  berth_rm_rf (dir, NULL);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
