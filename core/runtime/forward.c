/* The foreground runtime (run, exec): wait for the container process while
   forwarding signals to it and, with a terminal, copying its pty. */
#include "config.h"

#include "core/runtime/console.h"
#include "core/runtime/container-internal.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

void
container_forward_set (sigset_t *set)
{
  static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGTERM, SIGCHLD, SIGWINCH,
                              SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGVTALRM, SIGPROF, SIGIO, SIGPWR };
  size_t i;

  sigemptyset (set);
  for (i = 0; i < sizeof (sigs) / sizeof (sigs[0]); i++)
    sigaddset (set, sigs[i]);
}

static int
decode (int status)
{
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return 255;
}

static void
drain (int master)
{
  int flags = fcntl (master, F_GETFL);

  fcntl (master, F_SETFL, flags | O_NONBLOCK);
  while (berth_console_pump (master, 1) > 0)
    ;
}

int
container_wait_forwarding (pid_t pid, int sfd, int master, berth_error_t *err)
{
  struct termios saved;
  bool raw = false, in_open = master >= 0;
  int status = -1;

  if (master >= 0)
    {
      raw = berth_console_raw (0, &saved);
      berth_console_copy_size (0, master);
    }
  while (status < 0)
    {
      struct pollfd p[3] = { { sfd, POLLIN, 0 }, { master, POLLIN, 0 }, { in_open ? 0 : -1, POLLIN, 0 } };
      int r = poll (p, 3, -1);

      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          berth_error_errno (err, errno, "poll");
          break;
        }
      if (p[0].revents & POLLIN)
        {
          struct signalfd_siginfo si;
          if (read (sfd, &si, sizeof (si)) == sizeof (si))
            {
              if (si.ssi_signo == SIGCHLD)
                {
                  int st;
                  pid_t w;
                  while ((w = waitpid (-1, &st, WNOHANG)) > 0)
                    if (w == pid)
                      status = decode (st);
                }
              else if (si.ssi_signo == SIGWINCH && master >= 0)
                berth_console_copy_size (0, master);
              else
                kill (pid, (int) si.ssi_signo);
            }
        }
      if (master >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
        {
          if (berth_console_pump (master, 1) < 0)
            master = -1; /* hung up; the caller closes it */
        }
      if (in_open && master >= 0 && (p[2].revents & (POLLIN | POLLHUP)))
        {
          if (berth_console_pump (0, master) < 0)
            in_open = false;
        }
    }
  if (master >= 0 && status >= 0)
    drain (master);
  if (raw)
    tcsetattr (0, TCSANOW, &saved);
  if (status < 0)
    {
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
      return berth_error_ret (err);
    }
  return status;
}
