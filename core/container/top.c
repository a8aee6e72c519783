#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/container/top.h"
#include "core/lib/mem.h"

#define PS_OUTPUT_MAX (16 << 20)

extern char **environ;

static bool
is_space (char ch)
{
  return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\v' || ch == '\f' || ch == '\r';
}

/* strings.Fields on ASCII whitespace; a NULL-terminated vector */
static char **
fields (const char *s, size_t len, size_t *ret_n)
{
  char **v = xmalloc0 (sizeof (char *));
  size_t n = 0, i = 0;

  while (i < len)
    {
      size_t start;
      while (i < len && is_space (s[i]))
        i++;
      if (i == len)
        break;
      start = i;
      while (i < len && !is_space (s[i]))
        i++;
      v = xrealloc (v, (n + 2) * sizeof (char *));
      v[n++] = xstrndup (s + start, i - start);
      v[n] = NULL;
    }
  *ret_n = n;
  return v;
}

int
container_top_check_args (const char *ps_args, berth_error_t *err)
{
  for (const char *eq = strchr (ps_args, '='); eq != NULL; eq = strchr (eq + 1, '='))
    {
      const char *k = eq, *v = eq + 1, *vend;
      while (k > ps_args && !is_space (k[-1]))
        k--;
      /* the key must follow whitespace, the value start with PID */
      if (k == ps_args)
        continue;
      while (*v != '\0' && is_space (*v))
        v++;
      if (strncmp (v, "PID", 3) != 0)
        continue;
      for (vend = v; *vend != '\0' && !is_space (*vend); vend++)
        ;
      if ((size_t) (eq - k) == 3 && strncmp (k, "pid", 3) == 0)
        continue;
      return berth_error_make (err, EINVAL, "specifying \"%.*s=%.*s\" is not allowed", (int) (eq - k), k,
                               (int) (vend - v), v);
    }
  return 0;
}

json_object *
container_top_parse (const char *output, const pid_t *pids, size_t n, berth_error_t *err)
{
  const char *line = output, *nl = strchr (output, '\n');
  size_t n_titles, pid_index = (size_t) -1;
  cleanup_strv char **titles = fields (line, nl != NULL ? (size_t) (nl - line) : strlen (line), &n_titles);
  json_object *o, *t, *procs = NULL;

  for (size_t i = 0; i < n_titles; i++)
    if (strcmp (titles[i], "PID") == 0)
      {
        pid_index = i;
        break;
      }
  if (pid_index == (size_t) -1)
    {
      berth_error_make (err, EINVAL, "Couldn't find PID field in ps output");
      return NULL;
    }
  while (nl != NULL)
    {
      size_t nf;
      cleanup_strv char **f = NULL;
      char *end;
      long p;
      bool ours = false;

      line = nl + 1;
      nl = strchr (line, '\n');
      f = fields (line, nl != NULL ? (size_t) (nl - line) : strlen (line), &nf);
      if (nf <= pid_index)
        continue;
      if (strcmp (f[pid_index], "-") == 0)
        p = 0;
      else
        {
          errno = 0;
          p = strtol (f[pid_index], &end, 10);
          if (*end != '\0' || errno != 0)
            {
              json_object_put (procs);
              berth_error_make (err, EINVAL, "Unexpected pid '%s'", f[pid_index]);
              return NULL;
            }
        }
      for (size_t i = 0; i < n && !ours; i++)
        ours = pids[i] == (pid_t) p;
      if (!ours)
        continue;
      {
        json_object *row = json_object_new_array ();
        size_t fixed = nf < n_titles ? nf : n_titles - 1;
        for (size_t i = 0; i < fixed; i++)
          json_object_array_add (row, json_object_new_string (f[i]));
        /* the last title (CMD) takes the rest of the fields */
        if (nf >= n_titles)
          {
            size_t len = 0;
            char *joined, *q;
            for (size_t i = fixed; i < nf; i++)
              len += strlen (f[i]) + 1;
            joined = q = xmalloc (len);
            for (size_t i = fixed; i < nf; i++)
              q = stpcpy (q, f[i]), *q++ = ' ';
            q[-1] = '\0';
            json_object_array_add (row, json_object_new_string (joined));
            free (joined);
          }
        if (procs == NULL)
          procs = json_object_new_array ();
        json_object_array_add (procs, row);
      }
    }
  o = json_object_new_object ();
  t = json_object_new_array ();
  for (size_t i = 0; i < n_titles; i++)
    json_object_array_add (t, json_object_new_string (titles[i]));
  json_object_object_add (o, "Titles", t);
  json_object_object_add (o, "Processes", procs);
  return o;
}

/* Run argv; collect stdout and the first line of stderr.  Returns the exit
   status (or <0 with err set when ps could not run). */
static int
run_ps (char **argv, char **ret_out, char **ret_errline, berth_error_t *err)
{
  posix_spawn_file_actions_t fa;
  int out[2] = { -1, -1 }, er[2] = { -1, -1 }, status, r;
  char *buf[2] = { NULL, NULL };
  size_t len[2] = { 0, 0 };
  struct pollfd pfd[2];
  pid_t pid;

  if (pipe2 (out, O_CLOEXEC) < 0 || pipe2 (er, O_CLOEXEC) < 0)
    {
      r = berth_error_errno (err, errno, "pipe");
      goto fail;
    }
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_adddup2 (&fa, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2 (&fa, er[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen (&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  r = posix_spawnp (&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy (&fa);
  close (out[1]);
  close (er[1]);
  out[1] = er[1] = -1;
  if (r != 0)
    {
      r = r == ENOENT ? berth_error_make (err, ENOENT, "ps: executable file not found in $PATH (install procps)")
                      : berth_error_errno (err, r, "ps");
      goto fail;
    }
  pfd[0] = (struct pollfd) { out[0], POLLIN, 0 };
  pfd[1] = (struct pollfd) { er[0], POLLIN, 0 };
  while (pfd[0].fd >= 0 || pfd[1].fd >= 0)
    {
      if (poll (pfd, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      for (int i = 0; i < 2; i++)
        if (pfd[i].fd >= 0 && pfd[i].revents != 0)
          {
            char chunk[8192];
            ssize_t k = read (pfd[i].fd, chunk, sizeof (chunk));
            if (k <= 0)
              {
                pfd[i].fd = -1;
                continue;
              }
            if (len[i] + (size_t) k > PS_OUTPUT_MAX)
              continue; /* keep draining; the rest is dropped */
            buf[i] = xrealloc (buf[i], len[i] + (size_t) k + 1);
            memcpy (buf[i] + len[i], chunk, (size_t) k);
            len[i] += (size_t) k;
            buf[i][len[i]] = '\0';
          }
    }
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      {
        r = berth_error_errno (err, errno, "wait for ps");
        goto fail;
      }
  close (out[0]);
  close (er[0]);
  *ret_out = buf[0] != NULL ? buf[0] : xstrdup ("");
  if (buf[1] != NULL)
    buf[1][strcspn (buf[1], "\n")] = '\0';
  *ret_errline = buf[1];
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);

fail:
  for (int i = 0; i < 2; i++)
    {
      if (out[i] >= 0)
        close (out[i]);
      if (er[i] >= 0)
        close (er[i]);
      free (buf[i]);
    }
  return r;
}

json_object *
container_top (const char *ps_args, const pid_t *pids, size_t n, berth_error_t *err)
{
  size_t n_args;
  cleanup_strv char **args = NULL;
  char **argv;
  char *q = NULL;
  cleanup_free char *out = NULL, *errline = NULL;
  json_object *o;
  int st;

  if (ps_args == NULL || ps_args[0] == '\0')
    ps_args = "-ef";
  if (container_top_check_args (ps_args, err) < 0)
    return NULL;
  args = fields (ps_args, strlen (ps_args), &n_args);
  argv = xmalloc0 ((n_args + 4) * sizeof (char *));
  argv[0] = (char *) "ps";
  for (size_t i = 0; i < n_args; i++)
    argv[i + 1] = args[i];
  /* -q PID,PID,...: only the container's rows (and a fast ps) */
  {
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
      len += 12;
    q = xmalloc0 (len);
    for (size_t i = 0, off = 0; i < n; i++)
      off += (size_t) snprintf (q + off, len - off, "%s%d", i ? "," : "", (int) pids[i]);
  }
  argv[n_args + 1] = (char *) "-q";
  argv[n_args + 2] = q;
  st = n > 0 ? run_ps (argv, &out, &errline, err) : 1;
  if (st > 0)
    {
      /* some options (f) don't combine with -q: all processes then */
      free (out);
      free (errline);
      out = errline = NULL;
      argv[n_args + 1] = NULL;
      st = run_ps (argv, &out, &errline, err);
    }
  free (q);
  free (argv);
  if (st < 0)
    return NULL;
  if (st > 0)
    {
      if (errline != NULL && errline[0] != '\0')
        berth_error_make (err, EIO, "ps: %s", errline);
      else
        berth_error_make (err, EIO, "ps: exit status %d", st);
      return NULL;
    }
  o = container_top_parse (out, pids, n, err);
  return o;
}
