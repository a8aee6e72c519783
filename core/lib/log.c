#include "config.h"

#include "core/lib/log.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

static enum berth_log_level current_level = BERTH_LOG_INFO;
static enum berth_log_target current_target = BERTH_LOG_TARGET_STDERR;
static const char *current_ident = "berth";
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void
berth_log_init (const char *ident, enum berth_log_level level, enum berth_log_target target)
{
  current_ident = ident;
  current_level = level;
  current_target = target;
  if (target == BERTH_LOG_TARGET_SYSLOG)
    openlog (ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
berth_log_set_level (enum berth_log_level level)
{
  current_level = level;
}

enum berth_log_level
berth_log_get_level (void)
{
  return current_level;
}

int
berth_log_level_parse (const char *s)
{
  if (s == NULL)
    return -1;
  for (size_t i = 0; i < sizeof (level_names) / sizeof (level_names[0]); i++)
    if (strcasecmp (s, level_names[i]) == 0)
      return (int) i;
  if (strcasecmp (s, "warning") == 0)
    return BERTH_LOG_WARN;
  return -1;
}

const char *
berth_log_level_name (enum berth_log_level level)
{
  if ((unsigned) level >= sizeof (level_names) / sizeof (level_names[0]))
    return "unknown";
  return level_names[level];
}

void
berth_logv (enum berth_log_level level, const char *fmt, va_list ap)
{
  static const int syslog_prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
  char ts[40];
  struct timespec now;
  struct tm tm;

  if (level > current_level)
    return;
  if (current_target == BERTH_LOG_TARGET_SYSLOG)
    {
      vsyslog (syslog_prio[level], fmt, ap);
      return;
    }
  clock_gettime (CLOCK_REALTIME, &now);
  gmtime_r (&now.tv_sec, &tm);
  strftime (ts, sizeof (ts), "%Y-%m-%dT%H:%M:%S", &tm);
  /* One line per message even with several threads logging. */
  pthread_mutex_lock (&log_lock);
  fprintf (stderr, "%s.%03ldZ %s[%s] ", ts, now.tv_nsec / 1000000, current_ident, level_names[level]);
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
  fflush (stderr);
  pthread_mutex_unlock (&log_lock);
}

void
berth_log (enum berth_log_level level, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  berth_logv (level, fmt, ap);
  va_end (ap);
}
