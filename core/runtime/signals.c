#include "config.h"

#include "core/runtime/signals.h"

#include <ctype.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct
{
  const char *name;
  int sig;
} table[] = {
  { "HUP", SIGHUP },       { "INT", SIGINT },       { "QUIT", SIGQUIT },     { "ILL", SIGILL },
  { "TRAP", SIGTRAP },     { "ABRT", SIGABRT },     { "IOT", SIGIOT },       { "BUS", SIGBUS },
  { "FPE", SIGFPE },       { "KILL", SIGKILL },     { "USR1", SIGUSR1 },     { "SEGV", SIGSEGV },
  { "USR2", SIGUSR2 },     { "PIPE", SIGPIPE },     { "ALRM", SIGALRM },     { "TERM", SIGTERM },
  { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },     { "CONT", SIGCONT },     { "STOP", SIGSTOP },
  { "TSTP", SIGTSTP },     { "TTIN", SIGTTIN },     { "TTOU", SIGTTOU },     { "URG", SIGURG },
  { "XCPU", SIGXCPU },     { "XFSZ", SIGXFSZ },     { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
  { "WINCH", SIGWINCH },   { "IO", SIGIO },         { "POLL", SIGPOLL },     { "PWR", SIGPWR },
  { "SYS", SIGSYS },
};

static int
parse_number (const char *s)
{
  char *end;
  long v;

  if (!isdigit ((unsigned char) *s))
    return -1;
  v = strtol (s, &end, 10);
  if (*end || v < 0 || v > SIGRTMAX)
    return -1;
  return (int) v;
}

int
berth_signal_parse (const char *s)
{
  size_t i;

  if (s == NULL || *s == '\0')
    return -1;
  if (isdigit ((unsigned char) *s))
    return parse_number (s);
  if (strncasecmp (s, "SIG", 3) == 0)
    s += 3;
  for (i = 0; i < sizeof (table) / sizeof (table[0]); i++)
    if (strcasecmp (s, table[i].name) == 0)
      return table[i].sig;
  if (strncasecmp (s, "RTMIN", 5) == 0)
    {
      int off = s[5] == '\0' ? 0 : s[5] == '+' ? parse_number (s + 6) : -1;
      if (off >= 0 && SIGRTMIN + off <= SIGRTMAX)
        return SIGRTMIN + off;
    }
  if (strncasecmp (s, "RTMAX", 5) == 0)
    {
      int off = s[5] == '\0' ? 0 : s[5] == '-' ? parse_number (s + 6) : -1;
      if (off >= 0 && SIGRTMAX - off >= SIGRTMIN)
        return SIGRTMAX - off;
    }
  return -1;
}

const char *
berth_signal_name (int sig)
{
  static const char *const names[] = {
    [SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",   [SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
    [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT", [SIGBUS] = "SIGBUS",   [SIGFPE] = "SIGFPE",
    [SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
    [SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM", [SIGCHLD] = "SIGCHLD",
    [SIGCONT] = "SIGCONT", [SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP", [SIGWINCH] = "SIGWINCH",
  };

  if (sig <= 0 || (size_t) sig >= sizeof (names) / sizeof (names[0]))
    return NULL;
  return names[sig];
}
