/* One logging facility: levels, to stderr (default) or syslog.
   Levels match BERTH_LOG_LEVEL_* in <berth/plugin.h>. */
#ifndef BERTH_LIB_LOG_H
#define BERTH_LIB_LOG_H

#include <stdarg.h>

enum berth_log_level
{
  BERTH_LOG_ERROR = 0,
  BERTH_LOG_WARN = 1,
  BERTH_LOG_INFO = 2,
  BERTH_LOG_DEBUG = 3,
};

enum berth_log_target
{
  BERTH_LOG_TARGET_STDERR,
  BERTH_LOG_TARGET_SYSLOG,
};

void berth_log_init (const char *ident, enum berth_log_level level, enum berth_log_target target);
void berth_log_set_level (enum berth_log_level level);
enum berth_log_level berth_log_get_level (void);
/* "debug", "info", "warn"/"warning", "error" -> level; -1 when unknown */
int berth_log_level_parse (const char *s);
const char *berth_log_level_name (enum berth_log_level level);

void berth_logv (enum berth_log_level level, const char *fmt, va_list ap) __attribute__ ((format (printf, 2, 0)));
void berth_log (enum berth_log_level level, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

#define log_error(...) berth_log (BERTH_LOG_ERROR, __VA_ARGS__)
#define log_warn(...) berth_log (BERTH_LOG_WARN, __VA_ARGS__)
#define log_info(...) berth_log (BERTH_LOG_INFO, __VA_ARGS__)
#define log_debug(...) berth_log (BERTH_LOG_DEBUG, __VA_ARGS__)

#endif
