/* core/build: the Dockerfile parser, variable substitution and the
   .dockerignore rules, including malformed input. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/build/expand.h"
#include "core/build/ignore.h"
#include "core/build/parser.h"
#include "core/lib/mem.h"

static struct build_dockerfile *
parse_ok (const char *text)
{
  struct build_dockerfile *df = NULL;
  berth_error_t err = NULL;

  if (build_dockerfile_parse ("Dockerfile", text, strlen (text), &df, &err) < 0)
    ck_abort_msg ("parse failed: %s\n---\n%s", berth_error_msg (&err), text);
  return df;
}

/* the error message, to free */
static char *
parse_fail (const char *text)
{
  struct build_dockerfile *df = NULL;
  berth_error_t err = NULL;
  char *msg;

  if (build_dockerfile_parse ("Dockerfile", text, strlen (text), &df, &err) == 0)
    {
      build_dockerfile_free (df);
      ck_abort_msg ("parse should fail:\n%s", text);
    }
  msg = xstrdup (berth_error_msg (&err));
  berth_error_release (&err);
  return msg;
}

#define ck_assert_fails_with(text, expect)                                                                             \
  do                                                                                                                   \
    {                                                                                                                  \
      char *m_ = parse_fail (text);                                                                                    \
      ck_assert_msg (strstr (m_, expect) != NULL, "error `%s` lacks `%s`", m_, expect);                                \
      free (m_);                                                                                                       \
    }                                                                                                                  \
  while (0)

START_TEST (test_basic)
{
  struct build_dockerfile *df = parse_ok ("# a comment\n"
                                          "FROM busybox AS base\n"
                                          "\n"
                                          "run echo hi\n"
                                          "  # indented comment\n"
                                          "CMD [\"sh\", \"-c\", \"echo x\"]\n"
                                          "ENTRYPOINT [\"a\", 'b']\n");
  ck_assert_uint_eq (df->n, 4);
  ck_assert_str_eq (df->ins[0].cmd, "from");
  ck_assert_uint_eq (df->ins[0].line, 2);
  ck_assert_str_eq (df->ins[0].args, "busybox AS base");
  ck_assert_str_eq (df->ins[1].cmd, "run");
  ck_assert_str_eq (df->ins[1].args, "echo hi");
  ck_assert_str_eq (df->ins[1].text, "run echo hi");
  ck_assert (!df->ins[1].json);
  ck_assert (df->ins[2].json);
  ck_assert_str_eq (df->ins[2].argv[2], "echo x");
  ck_assert_ptr_null (df->ins[2].argv[3]);
  /* single quotes are not JSON: the shell form */
  ck_assert (!df->ins[3].json);
  ck_assert_uint_eq (df->ins[3].line, 7);
  build_dockerfile_free (df);
}
END_TEST

START_TEST (test_continuation)
{
  struct build_dockerfile *df = parse_ok ("FROM busybox\n"
                                          "RUN echo a \\\n"
                                          "# comment inside\n"
                                          "\n"
                                          "    b \\  \n"
                                          "  c\n"
                                          "ENV A=1\n");
  ck_assert_uint_eq (df->n, 3);
  ck_assert_str_eq (df->ins[1].args, "echo a     b   c");
  ck_assert_uint_eq (df->ins[1].line, 2);
  ck_assert_uint_eq (df->ins[2].line, 7);
  build_dockerfile_free (df);
  /* a continuation at the end of the file */
  df = parse_ok ("FROM busybox\nRUN echo \\\n");
  ck_assert_str_eq (df->ins[1].args, "echo");
  build_dockerfile_free (df);
  /* CRLF line ends */
  df = parse_ok ("FROM busybox\r\nRUN echo a \\\r\n b\r\n");
  ck_assert_str_eq (df->ins[1].args, "echo a  b");
  build_dockerfile_free (df);
}
END_TEST

START_TEST (test_directives)
{
  struct build_dockerfile *df = parse_ok ("# syntax=docker/dockerfile:1\n"
                                          "# escape=`\n"
                                          "FROM busybox\n"
                                          "RUN echo a `\n"
                                          " b \\\n"
                                          "COPY a b\n");
  ck_assert_int_eq (df->escape, '`');
  ck_assert_uint_eq (df->n, 3);
  ck_assert_str_eq (df->ins[1].args, "echo a  b \\");
  build_dockerfile_free (df);
  /* after an instruction or comment it is a comment */
  df = parse_ok ("# hello\n# escape=`\nFROM busybox\nRUN a \\\n b\n");
  ck_assert_int_eq (df->escape, '\\');
  ck_assert_uint_eq (df->n, 2);
  build_dockerfile_free (df);
  ck_assert_fails_with ("# escape=x\nFROM busybox\n", "Dockerfile:1: invalid escape token 'x'");
  ck_assert_fails_with ("# escape=`\n# escape=\\\nFROM busybox\n", "Dockerfile:2: only one escape");
  /* a BOM */
  df = parse_ok ("\xef\xbb\xbf# escape=`\nFROM busybox\n");
  ck_assert_int_eq (df->escape, '`');
  build_dockerfile_free (df);
}
END_TEST

START_TEST (test_heredocs)
{
  struct build_dockerfile *df = parse_ok ("FROM busybox\n"
                                          "RUN <<EOF\n"
                                          "echo one\n"
                                          "  echo two\n"
                                          "EOF\n"
                                          "COPY <<-\"END\" <<'X' /dst/\n"
                                          "\t\tfirst $A\n"
                                          "\tEND\n"
                                          "second\n"
                                          "X\n"
                                          "RUN cat <<A > /f && echo done\n"
                                          "a line\n"
                                          "A\n"
                                          "RUN echo '<<NOT' \"<<NOT\" x<<<here\n");
  ck_assert_uint_eq (df->n, 5);
  ck_assert_uint_eq (df->ins[1].n_heredocs, 1);
  ck_assert_str_eq (df->ins[1].heredocs[0].name, "EOF");
  ck_assert_str_eq (df->ins[1].heredocs[0].content, "echo one\n  echo two\n");
  ck_assert (df->ins[1].heredocs[0].expand);
  ck_assert_uint_eq (df->ins[2].n_heredocs, 2);
  ck_assert_str_eq (df->ins[2].heredocs[0].name, "END");
  ck_assert (df->ins[2].heredocs[0].chomp);
  ck_assert (!df->ins[2].heredocs[0].expand);
  ck_assert_str_eq (df->ins[2].heredocs[0].content, "first $A\n");
  ck_assert_str_eq (df->ins[2].heredocs[1].content, "second\n");
  ck_assert_str_eq (df->ins[3].heredocs[0].content, "a line\n");
  ck_assert_uint_eq (df->ins[3].line, 11);
  ck_assert_uint_eq (df->ins[4].n_heredocs, 0);
  ck_assert_uint_eq (df->ins[4].line, 14);
  build_dockerfile_free (df);
  ck_assert_fails_with ("FROM busybox\nRUN <<EOF\necho\n", "Dockerfile:2: unterminated heredoc");
  ck_assert_fails_with ("FROM busybox\nCOPY <<EOF\nx\nEOF\n", "Dockerfile:2: COPY requires a destination");
}
END_TEST

START_TEST (test_flags)
{
  struct build_dockerfile *df = parse_ok ("FROM --platform=linux/amd64 busybox\n"
                                          "COPY --from=base --chown=1:2 --chmod=\"0644\" a /b\n"
                                          "HEALTHCHECK --interval=5s --retries=3 CMD true\n"
                                          "HEALTHCHECK NONE\n");
  ck_assert_str_eq (build_instruction_flag (&df->ins[0], "platform", NULL), "linux/amd64");
  ck_assert_str_eq (build_instruction_flag (&df->ins[1], "from", NULL), "base");
  ck_assert_str_eq (build_instruction_flag (&df->ins[1], "chmod", NULL), "0644");
  ck_assert_str_eq (df->ins[1].args, "a /b");
  ck_assert_str_eq (df->ins[2].args, "CMD true");
  build_dockerfile_free (df);
  ck_assert_fails_with ("FROM busybox\nRUN --mount=type=cache echo\n", "Dockerfile:2: unknown flag --mount for run");
  ck_assert_fails_with ("FROM busybox\nCOPY --nope a b\n", "unknown flag --nope");
  ck_assert_fails_with ("FROM busybox\nCOPY --from=a --from=b a b\n", "duplicate flag --from");
  ck_assert_fails_with ("FROM busybox\nCOPY --chmod=\"644 a b\n", "unterminated quote");
  ck_assert_fails_with ("FROM busybox\nHEALTHCHECK --interval=1s NONE\n", "NONE takes no options");
  ck_assert_fails_with ("FROM busybox\nHEALTHCHECK WHAT\n", "expected NONE or CMD");
}
END_TEST

START_TEST (test_errors)
{
  ck_assert_fails_with ("FROM busybox\nRUN true\nFROB x\n", "Dockerfile:3: unknown instruction: FROB");
  ck_assert_fails_with ("", "empty");
  ck_assert_fails_with ("# just a comment\n\n", "empty");
  ck_assert_fails_with ("FROM\n", "Dockerfile:1: FROM requires either one or three arguments");
  ck_assert_fails_with ("FROM a b\n", "Dockerfile:1: FROM requires either one or three");
  ck_assert_fails_with ("FROM a IS b\n", "expected \"AS\"");
  ck_assert_fails_with ("FROM a\nCOPY onlyone\n", "Dockerfile:2: COPY requires at least two arguments");
  ck_assert_fails_with ("FROM a\nSHELL /bin/sh -c\n", "Dockerfile:2: SHELL requires the arguments to be");
  ck_assert_fails_with ("FROM a\nSHELL []\n", "SHELL requires");
  ck_assert_fails_with ("FROM a\nENV A\n", "Dockerfile:2: ENV requires a name and a value");
  ck_assert_fails_with ("FROM a\nUSER a b\n", "USER requires exactly one argument");
  ck_assert_fails_with ("FROM a\nWORKDIR\n", "WORKDIR requires at least one argument");
  ck_assert_fails_with ("FROM a\nONBUILD ONBUILD RUN x\n", "ONBUILD isn't allowed as an ONBUILD trigger");
  ck_assert_fails_with ("FROM a\nONBUILD FROB x\n", "unknown instruction: FROB");
}
END_TEST

START_TEST (test_nul_and_size)
{
  struct build_dockerfile *df = NULL;
  berth_error_t err = NULL;
  static const char text[] = "FROM a\nRUN a\0b\n";
  char *big;

  ck_assert_int_lt (build_dockerfile_parse ("Dockerfile", text, sizeof (text) - 1, &df, &err), 0);
  ck_assert (strstr (berth_error_msg (&err), "NUL") != NULL);
  berth_error_release (&err);
  big = xmalloc (BUILD_DOCKERFILE_MAX_SIZE + 2);
  memset (big, '#', BUILD_DOCKERFILE_MAX_SIZE + 1);
  ck_assert_int_lt (build_dockerfile_parse ("Dockerfile", big, BUILD_DOCKERFILE_MAX_SIZE + 1, &df, &err), 0);
  ck_assert (strstr (berth_error_msg (&err), "too large") != NULL);
  berth_error_release (&err);
  free (big);
}
END_TEST

/* ---- substitution ---- */

static const char *
lookup (void *ud, const char *name)
{
  (void)ud;
  if (strcmp (name, "A") == 0)
    return "apple";
  if (strcmp (name, "EMPTY") == 0)
    return "";
  if (strcmp (name, "SP") == 0)
    return "x  y";
  if (strcmp (name, "1") == 0)
    return "one";
  return NULL;
}

static const struct build_lex lex = { '\\', lookup, NULL };
static const struct build_lex lex_bt = { '`', lookup, NULL };

static void
word_is (const struct build_lex *lx, const char *in, const char *expect)
{
  char *out = NULL;
  berth_error_t err = NULL;

  if (build_expand_word (lx, in, &out, &err) < 0)
    ck_abort_msg ("expand `%s`: %s", in, berth_error_msg (&err));
  ck_assert_msg (strcmp (out, expect) == 0, "expand `%s`: `%s`, expected `%s`", in, out, expect);
  free (out);
}

static void
word_fails (const char *in, const char *expect)
{
  char *out = NULL;
  berth_error_t err = NULL;

  ck_assert_msg (build_expand_word (&lex, in, &out, &err) < 0, "expand `%s` should fail", in);
  ck_assert_msg (strstr (berth_error_msg (&err), expect) != NULL, "`%s`: %s", in, berth_error_msg (&err));
  berth_error_release (&err);
}

START_TEST (test_expand)
{
  word_is (&lex, "$A", "apple");
  word_is (&lex, "${A}s", "apples");
  word_is (&lex, "$As", "");
  word_is (&lex, "x$NOPE-y", "x-y");
  word_is (&lex, "${NOPE:-def}", "def");
  word_is (&lex, "${EMPTY:-def}", "def");
  word_is (&lex, "${EMPTY-def}", "");
  word_is (&lex, "${NOPE-def}", "def");
  word_is (&lex, "${A:-def}", "apple");
  word_is (&lex, "${A:+alt}", "alt");
  word_is (&lex, "${EMPTY:+alt}", "");
  word_is (&lex, "${EMPTY+alt}", "alt");
  word_is (&lex, "${NOPE+alt}", "");
  word_is (&lex, "${NOPE:-${A:-x}}", "apple");
  word_is (&lex, "${NOPE:-a b}", "a b");
  word_is (&lex, "${NOPE:-'$A'}", "$A");
  word_is (&lex, "'$A'", "$A");
  word_is (&lex, "\"$A\"", "apple");
  word_is (&lex, "\\$A", "$A");
  word_is (&lex, "\"\\$A \\\" \\x\"", "$A \" \\x");
  word_is (&lex, "a\\ b", "a b");
  word_is (&lex, "$", "$");
  word_is (&lex, "$ x", "$ x");
  word_is (&lex, "$1x", "onex");
  word_is (&lex, "trail\\", "trail");
  word_is (&lex_bt, "`$A `` \\", "$A ` \\");
  word_is (&lex, "${A:?no}", "apple");
  word_fails ("${NOPE:?must be set}", "NOPE: must be set");
  word_is (&lex, "${EMPTY?}", "");
  word_fails ("${EMPTY:?}", "EMPTY: is not allowed to be unset");
  word_fails ("${NOPE?}", "NOPE: is not allowed to be unset");
  word_fails ("${A", "missing '}'");
  word_fails ("${A:-x", "missing '}'");
  word_fails ("${}", "bad substitution");
  word_fails ("${A/x/y}", "unsupported modifier (/)");
  word_fails ("'open", "single-quote");
  word_fails ("\"open", "double-quote");
}
END_TEST

START_TEST (test_expand_words)
{
  char **v = NULL;
  char *s = NULL;
  berth_error_t err = NULL;

  ck_assert_int_eq (build_expand_words (&lex, "  a \"b c\" $SP '' \"$SP\" d\\ e ", &v, &err), 0);
  ck_assert_str_eq (v[0], "a");
  ck_assert_str_eq (v[1], "b c");
  ck_assert_str_eq (v[2], "x");
  ck_assert_str_eq (v[3], "y");
  ck_assert_str_eq (v[4], "");
  ck_assert_str_eq (v[5], "x  y");
  ck_assert_str_eq (v[6], "d e");
  ck_assert_ptr_null (v[7]);
  strv_free (v);
  ck_assert_int_eq (build_expand_words (&lex, "   ", &v, &err), 0);
  ck_assert_ptr_null (v[0]);
  strv_free (v);
  ck_assert_int_eq (build_expand_raw (&lex, "say \"$A\" '${NOPE:-d}' \\$A \\n\n", &s, &err), 0);
  ck_assert_str_eq (s, "say \"apple\" 'd' $A \\n\n");
  free (s);
  ck_assert_int_eq (build_split_words_raw ("A=\"a b\" B='c d' C=e\\ f", '\\', &v, &err), 0);
  ck_assert_str_eq (v[0], "A=\"a b\"");
  ck_assert_str_eq (v[1], "B='c d'");
  ck_assert_str_eq (v[2], "C=e\\ f");
  ck_assert_ptr_null (v[3]);
  strv_free (v);
  ck_assert_int_lt (build_split_words_raw ("A=\"open", '\\', &v, &err), 0);
  berth_error_release (&err);
}
END_TEST

START_TEST (test_expand_deep)
{
  /* nesting beyond the bound is an error, not a crash */
  size_t n = 200;
  char *s = xmalloc0 (n * 6 + 8);
  char *out = NULL;
  berth_error_t err = NULL;

  for (size_t i = 0; i < n; i++)
    strcat (s, "${X:-");
  strcat (s, "v");
  for (size_t i = 0; i < n; i++)
    strcat (s, "}");
  ck_assert_int_lt (build_expand_word (&lex, s, &out, &err), 0);
  berth_error_release (&err);
  free (s);
}
END_TEST

/* ---- .dockerignore ---- */

START_TEST (test_ignore)
{
  static const char text[] = "# comment\n"
                             "\n"
                             "*.log\n"
                             "/build/\n"
                             "secret\n"
                             "**/*.tmp\n"
                             "docs\n"
                             "!docs/keep.md\n"
                             "!important.log\n"
                             "  ./sub/../other  \n"
                             "a?c\n"
                             "[xy].bin\n";
  struct build_ignore *ig = NULL;
  berth_error_t err = NULL;

  ck_assert_int_eq (build_ignore_parse (text, strlen (text), &ig, &err), 0);
  ck_assert (build_ignore_has_exceptions (ig));
  ck_assert (build_ignore_excluded (ig, "x.log"));
  ck_assert (!build_ignore_excluded (ig, "sub/x.log")); /* *.log is the top level only */
  ck_assert (!build_ignore_excluded (ig, "important.log"));
  ck_assert (build_ignore_excluded (ig, "build"));
  ck_assert (build_ignore_excluded (ig, "build/out/a.o")); /* a parent matches */
  ck_assert (build_ignore_excluded (ig, "./secret"));
  ck_assert (build_ignore_excluded (ig, "secret/inner"));
  ck_assert (build_ignore_excluded (ig, "a.tmp"));
  ck_assert (build_ignore_excluded (ig, "deep/er/b.tmp"));
  ck_assert (build_ignore_excluded (ig, "docs/a.md"));
  ck_assert (!build_ignore_excluded (ig, "docs/keep.md"));
  ck_assert (build_ignore_excluded (ig, "other"));
  ck_assert (build_ignore_excluded (ig, "abc"));
  ck_assert (!build_ignore_excluded (ig, "abbc"));
  ck_assert (build_ignore_excluded (ig, "x.bin"));
  ck_assert (!build_ignore_excluded (ig, "z.bin"));
  ck_assert (!build_ignore_excluded (ig, "Dockerfile"));
  ck_assert (!build_ignore_excluded (ig, ""));
  build_ignore_free (ig);
  ck_assert (!build_ignore_excluded (NULL, "x"));
}
END_TEST

static Suite *
suite (void)
{
  Suite *s = suite_create ("build-parser");
  TCase *tc = tcase_create ("parser");

  tcase_add_test (tc, test_basic);
  tcase_add_test (tc, test_continuation);
  tcase_add_test (tc, test_directives);
  tcase_add_test (tc, test_heredocs);
  tcase_add_test (tc, test_flags);
  tcase_add_test (tc, test_errors);
  tcase_add_test (tc, test_nul_and_size);
  tcase_add_test (tc, test_expand);
  tcase_add_test (tc, test_expand_words);
  tcase_add_test (tc, test_expand_deep);
  tcase_add_test (tc, test_ignore);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (suite ());
  int failed;

  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
