/* berth-init: the init process of `run --init` containers (Docker's
   docker-init), bind-mounted read-only at /sbin/docker-init and run as
   pid 1 in front of the container's command:

     /sbin/docker-init -- COMMAND [ARG...]

   It starts the command in its own process group (the terminal's foreground
   group when stdin is a terminal), forwards every signal it receives to it,
   reaps every process that gets reparented to it, and exits with the
   command's status (128 + N when signal N killed it) as soon as the command
   is gone.  Statically linked, so it runs in any image; it uses nothing
   from berth's libraries. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROG "berth-init"

/* signals that are raised by a fault in this process: never blocked */
static const int synchronous[] = { SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP, SIGSYS };

static void
usage (void)
{
  fprintf (stderr, "Usage: " PROG " [--] COMMAND [ARG...]\n"
                   "Run COMMAND as the child of a minimal init: signals are forwarded to it,\n"
                   "orphaned processes are reaped, and its exit status is returned.\n");
}

static int
exit_status (int status)
{
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return 1;
}

static void
child (char **argv, const sigset_t *old_mask)
{
  struct sigaction dfl = { .sa_handler = SIG_DFL };
  int e;

  /* its own process group, in the terminal's foreground when there is one,
     so that ^C from a terminal reaches it once (not through us as well) */
  if (setpgid (0, 0) < 0)
    fprintf (stderr, PROG ": setpgid: %s\n", strerror (errno));
  else if (isatty (STDIN_FILENO) && tcsetpgrp (STDIN_FILENO, getpgrp ()) < 0 && errno != ENOTTY)
    fprintf (stderr, PROG ": tcsetpgrp: %s\n", strerror (errno));
  sigaction (SIGTTIN, &dfl, NULL);
  sigaction (SIGTTOU, &dfl, NULL);
  sigprocmask (SIG_SETMASK, old_mask, NULL);
  execvp (argv[0], argv);
  e = errno;
  fprintf (stderr, PROG ": exec %s failed: %s\n", argv[0], strerror (e));
  _exit (e == ENOENT ? 127 : 126);
}

/* Reap every child that exited; 1 with *status when the command did. */
static int
reap (pid_t command, int *status)
{
  int found = 0;

  for (;;)
    {
      int st;
      pid_t p = waitpid (-1, &st, WNOHANG);
      if (p < 0 && errno == EINTR)
        continue;
      if (p <= 0)
        return found;
      if (p == command)
        {
          *status = st;
          found = 1;
        }
    }
}

int
main (int argc, char **argv)
{
  struct sigaction ign = { .sa_handler = SIG_IGN };
  struct timespec tick = { 1, 0 };
  sigset_t all, old_mask;
  char **cmd = argv + 1;
  pid_t pid;
  int status = 0;

  if (argc > 1 && (strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "--help") == 0))
    {
      usage ();
      return 0;
    }
  if (argc > 1 && strcmp (argv[1], "--") == 0)
    cmd++;
  if (*cmd == NULL)
    {
      usage ();
      return 2;
    }
  sigfillset (&all);
  for (size_t i = 0; i < sizeof (synchronous) / sizeof (synchronous[0]); i++)
    sigdelset (&all, synchronous[i]);
  if (sigprocmask (SIG_SETMASK, &all, &old_mask) < 0)
    {
      fprintf (stderr, PROG ": sigprocmask: %s\n", strerror (errno));
      return 1;
    }
  /* taking the terminal's foreground for the child must not stop us */
  sigaction (SIGTTIN, &ign, NULL);
  sigaction (SIGTTOU, &ign, NULL);

  pid = fork ();
  if (pid < 0)
    {
      fprintf (stderr, PROG ": fork: %s\n", strerror (errno));
      return 1;
    }
  if (pid == 0)
    child (cmd, &old_mask);

  for (;;)
    {
      siginfo_t si;
      int sig = sigtimedwait (&all, &si, &tick);

      if (sig < 0 && errno != EAGAIN && errno != EINTR)
        {
          fprintf (stderr, PROG ": sigtimedwait: %s\n", strerror (errno));
          return 1;
        }
      if (sig > 0 && sig != SIGCHLD)
        {
          /* the command may already be gone: the next reap will tell */
          if (kill (pid, sig) < 0 && errno != ESRCH)
            fprintf (stderr, PROG ": forward signal %d: %s\n", sig, strerror (errno));
        }
      /* also on timeouts: a SIGCHLD merged with an earlier one is never lost */
      if (reap (pid, &status))
        return exit_status (status);
    }
}
