/* Writing a streamed archive to -o FILE or standard output. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cli/archive-output.h"
#include "core/lib/mem.h"

bool
berth_cli_archive_output_refused (const char *output)
{
  if (output != NULL || !isatty (STDOUT_FILENO))
    return false;
  fprintf (stderr, "cowardly refusing to save to a terminal. Use the -o flag or redirect\n");
  return true;
}

static int
write_out (void *ud, const char *data, size_t len)
{
  int fd = *(int *)ud;

  while (len > 0)
    {
      ssize_t n = write (fd, data, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      data += n;
      len -= (size_t)n;
    }
  return 0;
}

int
berth_cli_archive_output (struct berth_client *client, const char *path, const char *output, const char *what)
{
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *tmp = NULL;
  int fd = STDOUT_FILENO, status = 0;

  if (output != NULL)
    {
      /* a temp file beside the target, renamed once complete; named after
         the command (the first word of what) */
      cleanup_free char *copy = xstrdup (output);
      tmp = xasprintf ("%s/.berth-%.*s-XXXXXX", dirname (copy), (int)strcspn (what, " "), what);
      fd = mkostemp (tmp, O_CLOEXEC);
      if (fd < 0)
        {
          fprintf (stderr, "failed to %s: create a file in %s: %s\n", what, tmp, strerror (errno));
          return 1;
        }
    }
  if (berth_client_stream (client, "GET", path, -1, NULL, write_out, &fd, &err) < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      status = 1;
    }
  if (output != NULL)
    {
      if (status == 0 && (fchmod (fd, 0644) < 0 || fsync (fd) < 0 || rename (tmp, output) < 0))
        {
          fprintf (stderr, "failed to %s: write %s: %s\n", what, output, strerror (errno));
          status = 1;
        }
      if (status != 0)
        unlink (tmp);
      close (fd);
    }
  return status;
}
