#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/image/reference.h"
#include "core/lib/mem.h"

#define D "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define HEX64 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* Expected values from Docker's distribution/reference (ParseNormalizedNamed +
   TagNameOnly) and FamiliarString. */
static const struct
{
  const char *in;
  const char *full;     /* image_ref_string with IMAGE_REF_DEFAULT_TAG; NULL = error */
  const char *familiar; /* familiar string, or the expected error substring */
  const char *domain;
  const char *path;
} cases[] = {
  { "busybox", "docker.io/library/busybox:latest", "busybox:latest", "docker.io", "library/busybox" },
  { "busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36", "docker.io", "library/busybox" },
  { "library/busybox", "docker.io/library/busybox:latest", "busybox:latest", "docker.io", "library/busybox" },
  { "docker.io/library/busybox", "docker.io/library/busybox:latest", "busybox:latest", "docker.io", "library/busybox" },
  { "index.docker.io/library/busybox", "docker.io/library/busybox:latest", "busybox:latest", "docker.io",
    "library/busybox" },
  { "docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest", "docker.io", "library/busybox" },
  { "user/x", "docker.io/user/x:latest", "user/x:latest", "docker.io", "user/x" },
  { "user/x/y", "docker.io/user/x/y:latest", "user/x/y:latest", "docker.io", "user/x/y" },
  { "library/a/b", "docker.io/library/a/b:latest", "library/a/b:latest", "docker.io", "library/a/b" },
  { "host:5000/x/y:tag", "host:5000/x/y:tag", "host:5000/x/y:tag", "host:5000", "x/y" },
  { "host.example.com/x", "host.example.com/x:latest", "host.example.com/x:latest", "host.example.com", "x" },
  { "localhost/x", "localhost/x:latest", "localhost/x:latest", "localhost", "x" },
  { "localhost:5000/x", "localhost:5000/x:latest", "localhost:5000/x:latest", "localhost:5000", "x" },
  { "localhost", "docker.io/library/localhost:latest", "localhost:latest", "docker.io", "library/localhost" },
  { "localhost:5000", "docker.io/library/localhost:5000", "localhost:5000", "docker.io", "library/localhost" },
  { "127.0.0.1:5000/x", "127.0.0.1:5000/x:latest", "127.0.0.1:5000/x:latest", "127.0.0.1:5000", "x" },
  { "[::1]:5000/x", "[::1]:5000/x:latest", "[::1]:5000/x:latest", "[::1]:5000", "x" },
  { "Foo/bar", "Foo/bar:latest", "Foo/bar:latest", "Foo", "bar" },
  { "x@" D, "docker.io/library/x@" D, "x@" D, "docker.io", "library/x" },
  { "x:tag@" D, "docker.io/library/x:tag@" D, "x:tag@" D, "docker.io", "library/x" },
  { "host:5000/x@" D, "host:5000/x@" D, "host:5000/x@" D, "host:5000", "x" },
  { "ab-c__d---e/f_g.h", "docker.io/ab-c__d---e/f_g.h:latest", "ab-c__d---e/f_g.h:latest", "docker.io",
    "ab-c__d---e/f_g.h" },
  /* a first component with '.' is a registry, and "a_b.com" is not a valid one */
  { "a_b.com/x", NULL, "invalid reference format", NULL, NULL },
  { "x:_Tag.1-2", "docker.io/library/x:_Tag.1-2", "x:_Tag.1-2", "docker.io", "library/x" },
  /* errors */
  { "", NULL, "at least one component", NULL, NULL },
  { "Busybox", NULL, "invalid reference format: repository name (library/Busybox) must be lowercase", NULL, NULL },
  { "user/X", NULL, "repository name (user/X) must be lowercase", NULL, NULL },
  { "host:5000/Upper", NULL, "repository name (Upper) must be lowercase", NULL, NULL },
  { HEX64, NULL, "cannot specify 64-byte hexadecimal strings", NULL, NULL },
  { "busybox:", NULL, "invalid reference format", NULL, NULL },
  { "busybox:.bad", NULL, "invalid reference format", NULL, NULL },
  { "busybox:-bad", NULL, "invalid reference format", NULL, NULL },
  { "busybox@sha256:abc", NULL, "invalid reference format", NULL, NULL },
  { "busybox@md5:d41d8cd98f00b204e9800998ecf8427e", NULL, "unsupported digest algorithm", NULL, NULL },
  { "busybox@sha256:" HEX64 "00", NULL, "invalid reference format", NULL, NULL },
  { "bad_/x", NULL, "invalid reference format", NULL, NULL },
  { "-x", NULL, "invalid reference format", NULL, NULL },
  { "x-", NULL, "invalid reference format", NULL, NULL },
  { "x___y", NULL, "invalid reference format", NULL, NULL },
  { "x//y", NULL, "invalid reference format", NULL, NULL },
  { "x/", NULL, "invalid reference format", NULL, NULL },
  { "host:/x", NULL, "invalid reference format", NULL, NULL },
  { "host:port/x", NULL, "invalid reference format", NULL, NULL },
  { "-host.com/x", NULL, "invalid reference format", NULL, NULL },
  { "host..com/x", NULL, "invalid reference format", NULL, NULL },
  { "x y", NULL, "invalid reference format", NULL, NULL },
  { "x:tag:tag", NULL, "invalid reference format", NULL, NULL },
};

START_TEST (test_parse_table)
{
  struct image_ref *ref = NULL;
  berth_error_t err = NULL;
  int r = image_ref_parse (cases[_i].in, IMAGE_REF_DEFAULT_TAG, &ref, &err);

  if (cases[_i].full == NULL)
    {
      ck_assert_msg (r < 0, "case `%s` should fail", cases[_i].in);
      ck_assert_msg (strstr (berth_error_msg (&err), cases[_i].familiar) != NULL, "case `%s`: `%s` lacks `%s`",
                     cases[_i].in, berth_error_msg (&err), cases[_i].familiar);
      berth_error_release (&err);
      return;
    }
  ck_assert_msg (r == 0, "case `%s`: %s", cases[_i].in, err ? berth_error_msg (&err) : "");
  {
    cleanup_free char *full = image_ref_string (ref);
    cleanup_free char *fam = image_ref_familiar_string (ref);
    ck_assert_str_eq (full, cases[_i].full);
    ck_assert_str_eq (fam, cases[_i].familiar);
    ck_assert_str_eq (ref->domain, cases[_i].domain);
    ck_assert_str_eq (ref->path, cases[_i].path);
  }
  image_ref_free (ref);
}
END_TEST

START_TEST (test_no_default_tag)
{
  cleanup_image_ref struct image_ref *ref = NULL;
  cleanup_free char *full = NULL, *name = NULL, *fname = NULL;

  ck_assert_int_eq (image_ref_parse ("busybox", 0, &ref, NULL), 0);
  ck_assert_ptr_null (ref->tag);
  ck_assert_ptr_null (ref->digest);
  full = image_ref_string (ref);
  ck_assert_str_eq (full, "docker.io/library/busybox");
  name = image_ref_name (ref);
  ck_assert_str_eq (name, "docker.io/library/busybox");
  fname = image_ref_familiar_name (ref);
  ck_assert_str_eq (fname, "busybox");
  ck_assert_str_eq (image_ref_registry_host (ref), "registry-1.docker.io");
}
END_TEST

START_TEST (test_registry_host_and_dup)
{
  cleanup_image_ref struct image_ref *ref = NULL;
  cleanup_image_ref struct image_ref *copy = NULL;
  cleanup_free char *a = NULL, *b = NULL;

  ck_assert_int_eq (image_ref_parse ("localhost:5000/a/b:c@" D, 0, &ref, NULL), 0);
  ck_assert_str_eq (image_ref_registry_host (ref), "localhost:5000");
  copy = image_ref_dup (ref);
  a = image_ref_string (ref);
  b = image_ref_string (copy);
  ck_assert_str_eq (a, b);
}
END_TEST

START_TEST (test_name_too_long)
{
  char buf[400];
  struct image_ref *ref = NULL;
  berth_error_t err = NULL;

  memset (buf, 'a', sizeof (buf) - 1);
  buf[sizeof (buf) - 1] = '\0';
  ck_assert_int_lt (image_ref_parse (buf, 0, &ref, &err), 0);
  ck_assert_ptr_nonnull (strstr (berth_error_msg (&err), "255"));
  berth_error_release (&err);
}
END_TEST

START_TEST (test_tag_valid)
{
  char tag[200];

  ck_assert (image_ref_tag_valid ("latest"));
  ck_assert (image_ref_tag_valid ("_"));
  ck_assert (image_ref_tag_valid ("A.b-C_1"));
  ck_assert (!image_ref_tag_valid (""));
  ck_assert (!image_ref_tag_valid (".x"));
  ck_assert (!image_ref_tag_valid ("x/y"));
  ck_assert (!image_ref_tag_valid ("x+y"));
  memset (tag, 'a', 128);
  tag[128] = '\0';
  ck_assert (image_ref_tag_valid (tag));
  tag[128] = 'a';
  tag[129] = '\0';
  ck_assert (!image_ref_tag_valid (tag));
  {
    struct image_ref *ref = NULL;
    berth_error_t err = NULL;
    cleanup_free char *s = xasprintf ("busybox:%s", tag);
    ck_assert_int_lt (image_ref_parse (s, 0, &ref, &err), 0);
    ck_assert_ptr_nonnull (strstr (berth_error_msg (&err), "invalid reference format"));
    berth_error_release (&err);
    tag[128] = '\0';
    free (s);
    s = xasprintf ("busybox:%s", tag);
    ck_assert_int_eq (image_ref_parse (s, 0, &ref, &err), 0);
    image_ref_free (ref);
  }
  ck_assert (image_ref_path_valid ("a/b-c/d.e"));
  ck_assert (!image_ref_path_valid ("a/B"));
}
END_TEST

static Suite *
reference_suite (void)
{
  Suite *s = suite_create ("reference");
  TCase *tc = tcase_create ("core");

  tcase_add_loop_test (tc, test_parse_table, 0, sizeof (cases) / sizeof (cases[0]));
  tcase_add_test (tc, test_no_default_tag);
  tcase_add_test (tc, test_registry_host_and_dup);
  tcase_add_test (tc, test_name_too_long);
  tcase_add_test (tc, test_tag_valid);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (reference_suite ());
  int failed;

  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
