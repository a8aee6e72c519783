#include "config.h"

#include "tests/unit/testutil.h"

#include "core/lib/error.h"
#include "core/lib/fs.h"
#include "core/lib/mem.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *
test_mkdtemp (const char *tag)
{
  const char *tmp = getenv ("TMPDIR");
  char *path = xasprintf ("%s/berth-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", tag);

  if (mkdtemp (path) == NULL)
    ck_abort_msg ("mkdtemp %s: %s", path, strerror (errno));
  return path;
}

void
test_rm_rf (const char *path)
{
  cleanup_error berth_error_t err = NULL;

  if (path != NULL && berth_rm_rf (path, &err) < 0)
    ck_abort_msg ("rm -rf %s: %s", path, berth_error_msg (&err));
}

void
test_copy_file (const char *from, const char *to)
{
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *data = NULL;
  size_t len;

  if (berth_read_file (from, 256 << 20, &data, &len, &err) < 0)
    ck_abort_msg ("%s", berth_error_msg (&err));
  if (berth_write_file_atomic (to, data, len, 0755, &err) < 0)
    ck_abort_msg ("%s", berth_error_msg (&err));
}

void
test_write_file (const char *path, const char *text)
{
  cleanup_error berth_error_t err = NULL;

  if (berth_write_file_atomic (path, text, strlen (text), 0644, &err) < 0)
    ck_abort_msg ("%s", berth_error_msg (&err));
}

char *
test_read_file (const char *path)
{
  cleanup_error berth_error_t err = NULL;
  char *data = NULL;

  if (berth_read_file (path, 256 << 20, &data, NULL, &err) < 0)
    ck_abort_msg ("%s", berth_error_msg (&err));
  return data;
}

char *
test_builddir_path (const char *rel)
{
  const char *top = getenv ("top_builddir");
  return xasprintf ("%s/%s", top && *top ? top : ".", rel);
}

static int saved_stderr = -1;
static char *capture_path;

void
test_stderr_begin (void)
{
  int fd;

  capture_path = xstrdup ("/tmp/berth-stderr-XXXXXX");
  fd = mkstemp (capture_path);
  ck_assert_int_ge (fd, 0);
  fflush (stderr);
  saved_stderr = dup (2);
  dup2 (fd, 2);
  close (fd);
}

char *
test_stderr_end (void)
{
  char *text;

  fflush (stderr);
  dup2 (saved_stderr, 2);
  close (saved_stderr);
  saved_stderr = -1;
  text = test_read_file (capture_path);
  unlink (capture_path);
  free (capture_path);
  capture_path = NULL;
  return text;
}

char **
test_log_messages (const char *captured, const char *level)
{
  cleanup_free char *tag = xasprintf ("[%s] ", level);
  char **v = xmalloc0 (sizeof (char *));
  size_t n = 0;
  const char *line = captured;

  while (line && *line)
    {
      const char *end = strchr (line, '\n');
      size_t len = end ? (size_t)(end - line) : strlen (line);
      cleanup_free char *l = xstrndup (line, len);
      char *at = strstr (l, tag);

      if (at != NULL)
        {
          v = xrealloc (v, (n + 2) * sizeof (char *));
          v[n++] = xstrdup (at + strlen (tag));
          v[n] = NULL;
        }
      line = end ? end + 1 : NULL;
    }
  return v;
}
