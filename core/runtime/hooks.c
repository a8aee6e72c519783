#include "config.h"

#include "core/runtime/hooks.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int
wait_hook (pid_t pid, int timeout, int *status, berth_error_t *err)
{
  cleanup_close int pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  struct pollfd p = { pidfd, POLLIN, 0 };
  int r;

  if (pidfd >= 0 && timeout > 0)
    {
      do
        r = poll (&p, 1, timeout * 1000);
      while (r < 0 && errno == EINTR);
      if (r == 0)
        {
          kill (pid, SIGKILL);
          waitpid (pid, status, 0);
          return berth_error_make (err, ETIMEDOUT, "timed out after %d s", timeout);
        }
    }
  while (waitpid (pid, status, 0) < 0)
    if (errno != EINTR)
      return berth_error_errno (err, errno, "waitpid");
  return 0;
}

static int
run_one (const struct berth_spec_hook *h, const char *state_json, berth_error_t *err)
{
  int pipefd[2];
  pid_t pid;
  int status;
  size_t len = strlen (state_json), off = 0;

  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return berth_error_errno (err, errno, "pipe");
  pid = fork ();
  if (pid < 0)
    {
      close (pipefd[0]);
      close (pipefd[1]);
      return berth_error_errno (err, errno, "fork");
    }
  if (pid == 0)
    {
      char *fallback[] = { h->path, NULL };
      sigset_t none;
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      dup2 (pipefd[0], 0);
      execve (h->path, h->args[0] ? h->args : fallback, h->env);
      _exit (127);
    }
  close (pipefd[0]);
  /* the hook may not read its stdin at all: EPIPE is fine */
  signal (SIGPIPE, SIG_IGN);
  while (off < len)
    {
      ssize_t n = write (pipefd[1], state_json + off, len - off);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      off += (size_t) n;
    }
  close (pipefd[1]);
  signal (SIGPIPE, SIG_DFL);
  if (wait_hook (pid, h->timeout, &status, err) < 0)
    return berth_error_ret (err);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  if (WIFEXITED (status))
    return berth_error_make (err, EIO, "exited with status %d", WEXITSTATUS (status));
  return berth_error_make (err, EIO, "killed by signal %d", WTERMSIG (status));
}

int
berth_hooks_run (const struct berth_spec *spec, enum berth_hook_kind kind, const char *state_json, berth_error_t *err)
{
  size_t i;

  for (i = 0; i < spec->n_hooks[kind]; i++)
    if (run_one (&spec->hooks[kind][i], state_json, err) < 0)
      return berth_error_wrap (err, "hooks.%s[%zu] `%s`", berth_hook_kind_name (kind), i, spec->hooks[kind][i].path);
  return 0;
}
