#include "config.h"

#include "core/runtime/cgroup-internal.h"
#include "core/lib/fs.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int
cgroup_write (const char *dir, const char *file, const char *value, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/%s", dir, file);
  cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC);
  size_t len = strlen (value);
  ssize_t n;

  if (fd < 0)
    return berth_error_errno (err, errno, "open `%s`", path);
  do
    n = write (fd, value, len);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return berth_error_errno (err, errno, "write `%s` to `%s`", value, path);
  return 0;
}

int
cgroup_writef (const char *dir, const char *file, berth_error_t *err, const char *fmt, ...)
{
  cleanup_free char *value = NULL;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&value, fmt, ap) < 0)
    oom ();
  va_end (ap);
  return cgroup_write (dir, file, value, err);
}

int
cgroup_read (const char *dir, const char *file, char **out, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/%s", dir, file);
  size_t len;

  if (berth_read_file (path, 1 << 20, out, &len, err) < 0)
    return berth_error_ret (err);
  while (len > 0 && (*out)[len - 1] == '\n')
    (*out)[--len] = '\0';
  return 0;
}

int
cgroup_read_key (const char *dir, const char *file, const char *key, uint64_t *out, berth_error_t *err)
{
  cleanup_free char *text = NULL;
  size_t klen = strlen (key);
  char *line, *save = NULL;

  if (cgroup_read (dir, file, &text, err) < 0)
    return berth_error_ret (err);
  for (line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    if (strncmp (line, key, klen) == 0 && line[klen] == ' ')
      {
        *out = strtoull (line + klen + 1, NULL, 10);
        return 0;
      }
  return berth_error_make (err, ENOENT, "`%s/%s` has no `%s` entry", dir, file, key);
}

int
cgroup_rmdir (const char *dir, berth_error_t *err)
{
  int i;

  /* after SIGKILL the tasks linger briefly until they are reaped */
  for (i = 0; i < 500; i++)
    {
      struct timespec ts = { 0, 2 * 1000 * 1000 };
      if (rmdir (dir) == 0 || errno == ENOENT)
        return 0;
      if (errno != EBUSY)
        return berth_error_errno (err, errno, "remove cgroup `%s`", dir);
      nanosleep (&ts, NULL);
    }
  return berth_error_errno (err, EBUSY, "remove cgroup `%s`", dir);
}

int
cgroup_read_pids (const char *dir, pid_t **pids, size_t *n, berth_error_t *err)
{
  cleanup_free char *text = NULL;
  char *line, *save = NULL;
  size_t count = 0, cap = 16;
  pid_t *v;

  if (cgroup_read (dir, "cgroup.procs", &text, err) < 0)
    return berth_error_ret (err);
  v = xmalloc (cap * sizeof (pid_t));
  for (line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      if (count == cap)
        v = xrealloc (v, (cap *= 2) * sizeof (pid_t));
      v[count++] = (pid_t) strtol (line, NULL, 10);
    }
  *pids = v;
  *n = count;
  return 0;
}
