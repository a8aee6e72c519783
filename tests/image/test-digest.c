#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/image/digest.h"
#include "core/lib/mem.h"

#define EMPTY_SHA "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ABC_SHA "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

START_TEST (test_buffer)
{
  char out[DIGEST_BUF_SIZE];

  ck_assert_int_eq (digest_buffer ("", 0, out, NULL), 0);
  ck_assert_str_eq (out, EMPTY_SHA);
  ck_assert_int_eq (digest_buffer ("abc", 3, out, NULL), 0);
  ck_assert_str_eq (out, ABC_SHA);
}
END_TEST

START_TEST (test_streaming)
{
  struct digest_ctx *ctx = digest_ctx_new (NULL);
  char out[DIGEST_BUF_SIZE];
  berth_error_t err = NULL;

  ck_assert_ptr_nonnull (ctx);
  digest_ctx_update (ctx, "a", 1);
  digest_ctx_update (ctx, "", 0);
  digest_ctx_update (ctx, "bc", 2);
  ck_assert_uint_eq (digest_ctx_size (ctx), 3);
  ck_assert_int_eq (digest_ctx_final (ctx, out, &err), 0);
  ck_assert_str_eq (out, ABC_SHA);
  /* a second final is refused, not a crash */
  ck_assert_int_lt (digest_ctx_final (ctx, out, &err), 0);
  ck_assert_ptr_nonnull (strstr (berth_error_msg (&err), "already finalised"));
  berth_error_release (&err);
  digest_ctx_free (ctx);
}
END_TEST

START_TEST (test_fd)
{
  char path[] = "/tmp/berth-image-digest-XXXXXX";
  int fd = mkstemp (path);
  char out[DIGEST_BUF_SIZE];
  uint64_t size = 0;

  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (write (fd, "abc", 3), 3);
  lseek (fd, 0, SEEK_SET);
  ck_assert_int_eq (digest_fd (fd, out, &size, NULL), 0);
  ck_assert_str_eq (out, ABC_SHA);
  ck_assert_uint_eq (size, 3);
  close (fd);
  unlink (path);
}
END_TEST

static const struct
{
  const char *in;
  const char *msg; /* NULL = valid */
} validate_cases[] = {
  { EMPTY_SHA, NULL },
  { ABC_SHA, NULL },
  { "", "empty" },
  { "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "missing algorithm" },
  { "sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "unsupported digest algorithm `sha512`" },
  { "md5:d41d8cd98f00b204e9800998ecf8427e", "unsupported digest algorithm `md5`" },
  { "SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "unsupported digest algorithm" },
  { "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "not lowercase hexadecimal" },
  { "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85", "got 63" },
  { "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555", "got 65" },
  { "sha256:", "got 0" },
  { "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85g", "character 64" },
  { "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85 ", "character 64" },
};

START_TEST (test_validate)
{
  berth_error_t err = NULL;
  const char *msg = validate_cases[_i].msg;
  int r = digest_validate (validate_cases[_i].in, &err);

  if (msg == NULL)
    {
      ck_assert_int_eq (r, 0);
      ck_assert (digest_is_valid (validate_cases[_i].in));
    }
  else
    {
      ck_assert_int_lt (r, 0);
      ck_assert_msg (strstr (berth_error_msg (&err), msg) != NULL, "case %d: `%s` lacks `%s`", _i,
                     berth_error_msg (&err), msg);
      ck_assert (!digest_is_valid (validate_cases[_i].in));
    }
  berth_error_release (&err);
}
END_TEST

START_TEST (test_hex)
{
  char out[DIGEST_BUF_SIZE];
  berth_error_t err = NULL;

  ck_assert (digest_is_hex64 (EMPTY_SHA + 7));
  ck_assert (!digest_is_hex64 (EMPTY_SHA));
  ck_assert (!digest_is_hex64 ("abc"));
  ck_assert_str_eq (digest_hex (EMPTY_SHA), EMPTY_SHA + 7);
  ck_assert_int_eq (digest_from_hex (EMPTY_SHA + 7, out, NULL), 0);
  ck_assert_str_eq (out, EMPTY_SHA);
  ck_assert_int_lt (digest_from_hex ("ABC", out, &err), 0);
  berth_error_release (&err);
}
END_TEST

START_TEST (test_chain_id)
{
  char out[DIGEST_BUF_SIZE], expect[DIGEST_BUF_SIZE];
  berth_error_t err = NULL;
  cleanup_free char *joined = xasprintf ("%s %s", EMPTY_SHA, ABC_SHA);

  ck_assert_int_eq (digest_chain_id (NULL, ABC_SHA, out, NULL), 0);
  ck_assert_str_eq (out, ABC_SHA);
  ck_assert_int_eq (digest_chain_id (EMPTY_SHA, ABC_SHA, out, NULL), 0);
  ck_assert_int_eq (digest_buffer (joined, strlen (joined), expect, NULL), 0);
  ck_assert_str_eq (out, expect);
  /* computed independently (python hashlib) */
  ck_assert_str_eq (out, "sha256:a893da35bd22286079f2f3931516d3423eb9b4945f2379e0f8a501ec3d665dd6");
  ck_assert_int_lt (digest_chain_id ("bogus", ABC_SHA, out, &err), 0);
  ck_assert_ptr_nonnull (strstr (berth_error_msg (&err), "parent"));
  berth_error_release (&err);
  ck_assert_int_lt (digest_chain_id (NULL, "sha256:abc", out, &err), 0);
  berth_error_release (&err);
}
END_TEST

static Suite *
digest_suite (void)
{
  Suite *s = suite_create ("digest");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_buffer);
  tcase_add_test (tc, test_streaming);
  tcase_add_test (tc, test_fd);
  tcase_add_loop_test (tc, test_validate, 0, sizeof (validate_cases) / sizeof (validate_cases[0]));
  tcase_add_test (tc, test_hex);
  tcase_add_test (tc, test_chain_id);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (digest_suite ());
  int failed;

  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
