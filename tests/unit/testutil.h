/* Helpers shared by the unit tests. */
#ifndef BERTH_TESTUTIL_H
#define BERTH_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>

/* A fresh directory under $TMPDIR (or /tmp); caller frees the string and removes the tree. */
char *test_mkdtemp (const char *tag);
void test_rm_rf (const char *path);
/* Abort the test (ck_abort) on failure. */
void test_copy_file (const char *from, const char *to);
void test_write_file (const char *path, const char *text);
char *test_read_file (const char *path);
/* $top_builddir/<rel>, falling back to the current directory. */
char *test_builddir_path (const char *rel);

/* Send fd 2 to a temporary file until test_stderr_end, which returns what was written. */
void test_stderr_begin (void);
char *test_stderr_end (void);

/* Messages of the log lines at `level` ("warn", "info"...) in captured stderr, NULL-terminated. */
char **test_log_messages (const char *captured, const char *level);

#endif
