#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "core/cli/terminal.h"

static struct termios saved;
static int saved_fd = -1;
static volatile sig_atomic_t raw_active;

void
berth_terminal_restore (void)
{
  /* async-signal-safe: also called from the signal handler */
  if (raw_active)
    {
      tcsetattr (saved_fd, TCSADRAIN, &saved);
      raw_active = 0;
    }
}

static void
on_fatal_signal (int sig)
{
  berth_terminal_restore ();
  signal (sig, SIG_DFL);
  raise (sig);
}

int
berth_terminal_raw (int fd)
{
  static bool hooks;
  static const int fatal[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGABRT, SIGSEGV, SIGBUS, SIGPIPE, SIGALRM };
  struct termios t;

  if (!isatty (fd) || tcgetattr (fd, &saved) < 0)
    return 0;
  if (!hooks)
    {
      atexit (berth_terminal_restore);
      for (size_t i = 0; i < sizeof (fatal) / sizeof (fatal[0]); i++)
        {
          struct sigaction sa, old;
          memset (&sa, 0, sizeof (sa));
          sa.sa_handler = on_fatal_signal;
          sigemptyset (&sa.sa_mask);
          sa.sa_flags = SA_RESETHAND;
          /* leave signals the caller already handles or ignores alone */
          if (sigaction (fatal[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL)
            sigaction (fatal[i], &sa, NULL);
        }
      hooks = true;
    }
  t = saved;
  /* as docker's term.MakeRaw (cfmakeraw): the container's pty echoes and
     turns newlines into CRLF, so the local one must do neither */
  t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
  t.c_oflag &= ~(tcflag_t)OPOST;
  t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
  t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
  t.c_cflag |= CS8;
  t.c_cc[VMIN] = 1;
  t.c_cc[VTIME] = 0;
  saved_fd = fd;
  raw_active = 1;
  if (tcsetattr (fd, TCSADRAIN, &t) < 0)
    {
      raw_active = 0;
      return -1;
    }
  return 0;
}

bool
berth_terminal_size (int fd, unsigned *height, unsigned *width)
{
  struct winsize ws;

  if (ioctl (fd, TIOCGWINSZ, &ws) < 0 || ws.ws_row == 0 || ws.ws_col == 0)
    return false;
  *height = ws.ws_row;
  *width = ws.ws_col;
  return true;
}
