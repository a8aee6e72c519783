#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/container/shim-launch.h"
#include "core/lib/mem.h"
#include "core/runtime/state.h"

#define REPORT_MAX 8192

void
shim_launch_result_clear (struct shim_launch_result *res)
{
  free (res->error);
  memset (res, 0, sizeof (*res));
}

static void
push (char ***argv, size_t *n, char *arg)
{
  *argv = xrealloc (*argv, (*n + 2) * sizeof (char *));
  (*argv)[(*n)++] = arg;
  (*argv)[*n] = NULL;
}

static char **
build_argv (const struct shim_launch_opts *o)
{
  const struct container *c = o->c;
  char **argv = NULL;
  size_t n = 0;

  push (&argv, &n, xstrdup (o->shim_path));
  push (&argv, &n, xasprintf ("--id=%s", c->id));
  push (&argv, &n, xasprintf ("--bundle=%s", o->bundle));
  push (&argv, &n, xasprintf ("--runtime-root=%s", o->runtime_root));
  push (&argv, &n, xasprintf ("--state-dir=%s", c->dir));
  push (&argv, &n, xasprintf ("--data-root=%s", o->data_root));
  push (&argv, &n, xasprintf ("--log-plugin=%s", o->log_plugin));
  push (&argv, &n, xasprintf ("--name=%s", c->name));
  push (&argv, &n, xasprintf ("--image=%s", c->image));
  for (size_t i = 0; o->log_opts && i < o->log_opts->n_items; i++)
    {
      const struct berth_cfg *item = o->log_opts->items[i];
      if (item->type == BERTH_CFG_SCALAR && !item->is_null)
        push (&argv, &n, xasprintf ("--log-opt=%s=%s", item->key, item->value));
    }
  if (container_tty (c))
    push (&argv, &n, xstrdup ("--tty"));
  if (container_open_stdin (c))
    push (&argv, &n, xstrdup ("--stdin"));
  if (json_object_get_boolean (json_object_object_get (c->config, "StdinOnce")))
    push (&argv, &n, xstrdup ("--stdin-once"));
  if (o->n_attach_fds > 0)
    push (&argv, &n, xasprintf ("--attach-fds=%zu", o->n_attach_fds));
  return argv;
}

static int
parse_report (char *text, struct shim_launch_result *res, berth_error_t *err)
{
  int pid, shim, code, off = 0;

  if (sscanf (text, "OK %d %d", &pid, &shim) == 2 && pid > 0 && shim > 0)
    {
      res->pid = pid;
      res->shim_pid = shim;
      res->shim_start = berth_proc_start_time (shim);
      return 0;
    }
  if (sscanf (text, "ERR %d %n", &code, &off) == 1 && off > 0)
    {
      size_t len = strlen (text + off);
      while (len > 0 && text[off + len - 1] == '\n')
        len--;
      res->error = xstrndup (text + off, len);
      res->error_code = code;
      return 0;
    }
  return berth_error_make (err, EIO, "berth-shim failed before starting the container (see its log)");
}

int
shim_launch (const struct shim_launch_opts *o, struct shim_launch_result *res, berth_error_t *err)
{
  cleanup_strv char **own_argv = o->argv ? NULL : build_argv (o);
  char *const *argv = o->argv ? o->argv : own_argv;
  cleanup_free char *log_path = xasprintf ("%s/shim.log", o->bundle);
  char buf[REPORT_MAX];
  size_t len = 0;
  int pipefd[2], status, base;
  pid_t child;

  memset (res, 0, sizeof (*res));
  if (access (o->shim_path, X_OK) < 0)
    return berth_error_errno (err, errno, "berth-shim %s", o->shim_path);
  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return berth_error_errno (err, errno, "pipe");
  child = fork ();
  if (child < 0)
    {
      int e = errno;
      close (pipefd[0]);
      close (pipefd[1]);
      return berth_error_errno (err, e, "fork");
    }
  if (child == 0)
    {
      /* only async-signal-safe calls from here: the daemon has threads */
      int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
      int logfd = open (log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      sigset_t none;
      if (null < 0 || setsid () < 0)
        _exit (127);
      if (fork () != 0)
        _exit (0);
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      /* the attach fds park above every fd in play on their way to 4.. */
      base = (int) (4 + o->n_attach_fds);
      if (pipefd[1] > base)
        base = pipefd[1];
      if (null > base)
        base = null;
      if (logfd > base)
        base = logfd;
      for (size_t i = 0; i < o->n_attach_fds; i++)
        if (o->attach_fds[i] > base)
          base = o->attach_fds[i];
      base++;
      for (size_t i = 0; i < o->n_attach_fds; i++)
        if (dup2 (o->attach_fds[i], base + (int) i) < 0)
          _exit (127);
      if (dup2 (null, 0) < 0 || dup2 (null, 1) < 0 || dup2 (logfd >= 0 ? logfd : null, 2) < 0
          || (pipefd[1] == 3 ? fcntl (3, F_SETFD, 0) : dup2 (pipefd[1], 3)) < 0)
        _exit (127);
      for (size_t i = 0; i < o->n_attach_fds; i++)
        if (dup2 (base + (int) i, 4 + (int) i) < 0)
          _exit (127);
      syscall (SYS_close_range, 4U + (unsigned) o->n_attach_fds, ~0U, 0);
      execv (argv[0], argv);
      _exit (127);
    }
  close (pipefd[1]);
  while (waitpid (child, &status, 0) < 0 && errno == EINTR)
    ;
  for (;;)
    {
      ssize_t n = read (pipefd[0], buf + len, sizeof (buf) - 1 - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      len += (size_t) n;
      if (len == sizeof (buf) - 1)
        break;
    }
  close (pipefd[0]);
  buf[len] = '\0';
  return parse_report (buf, res, err);
}
