#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "core/cli/signal-pipe.h"

#define MAX_SIGS 16

static int pipe_fds[2] = { -1, -1 };
static int caught[MAX_SIGS];
static struct sigaction previous[MAX_SIGS];
static size_t n_caught;

static void
on_signal (int sig)
{
  int saved = errno;
  unsigned char b = (unsigned char)sig;

  if (write (pipe_fds[1], &b, 1) < 0)
    {
      /* the pipe is full: the signal is dropped, as a busy proxy would */
    }
  errno = saved;
}

int
berth_signal_pipe_open (const int *sigs, size_t n)
{
  if (pipe_fds[0] >= 0 || n > MAX_SIGS)
    return -1;
  if (pipe2 (pipe_fds, O_CLOEXEC | O_NONBLOCK) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      struct sigaction sa;
      memset (&sa, 0, sizeof (sa));
      sa.sa_handler = on_signal;
      sigemptyset (&sa.sa_mask);
      sa.sa_flags = SA_RESTART;
      if (sigaction (sigs[i], &sa, &previous[n_caught]) == 0)
        caught[n_caught++] = sigs[i];
    }
  return pipe_fds[0];
}

int
berth_signal_pipe_next (int fd)
{
  unsigned char b;

  for (;;)
    {
      ssize_t n = read (fd, &b, 1);
      if (n < 0 && errno == EINTR)
        continue;
      return n == 1 ? b : 0;
    }
}

void
berth_signal_pipe_close (void)
{
  for (size_t i = 0; i < n_caught; i++)
    sigaction (caught[i], &previous[i], NULL);
  n_caught = 0;
  if (pipe_fds[0] >= 0)
    {
      close (pipe_fds[0]);
      close (pipe_fds[1]);
      pipe_fds[0] = pipe_fds[1] = -1;
    }
}
