#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/cli/cli.h"
#include "core/lib/mem.h"

void
berth_format_human_size (int64_t n, char *buf, size_t len)
{
  berth_format_human_size_prec (n, 3, buf, len);
}

void
berth_format_human_size_prec (int64_t n, int precision, char *buf, size_t len)
{
  static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB" };
  double size = (double)n;
  size_t i = 0;

  while (size >= 1000.0 && i + 1 < sizeof (units) / sizeof (units[0]))
    {
      size /= 1000.0;
      i++;
    }
  snprintf (buf, len, "%.*g%s", precision, size, units[i]);
}

/* go-units HumanDuration */
void
berth_format_duration (int64_t seconds, char *buf, size_t len)
{
  int64_t minutes = seconds / 60;
  int64_t hours = (seconds + 1800) / 3600; /* int(d.Hours() + 0.5) */

  if (seconds < 1)
    snprintf (buf, len, "Less than a second");
  else if (seconds == 1)
    snprintf (buf, len, "1 second");
  else if (seconds < 60)
    snprintf (buf, len, "%lld seconds", (long long)seconds);
  else if (minutes == 1)
    snprintf (buf, len, "About a minute");
  else if (minutes < 60)
    snprintf (buf, len, "%lld minutes", (long long)minutes);
  else if (hours == 1)
    snprintf (buf, len, "About an hour");
  else if (hours < 48)
    snprintf (buf, len, "%lld hours", (long long)hours);
  else if (hours < 24 * 7 * 2)
    snprintf (buf, len, "%lld days", (long long)(hours / 24));
  else if (hours < 24 * 30 * 2)
    snprintf (buf, len, "%lld weeks", (long long)(hours / 24 / 7));
  else if (hours < 24 * 365 * 2)
    snprintf (buf, len, "%lld months", (long long)(hours / 24 / 30));
  else
    snprintf (buf, len, "%lld years", (long long)(seconds / 3600 / 24 / 365));
}

const char *
berth_short_id (const char *id, char buf[13])
{
  const char *hex = strncmp (id, "sha256:", 7) == 0 ? id + 7 : id;
  snprintf (buf, 13, "%.12s", hex);
  return buf;
}

/* formatter.Ellipsis: at most n runes, the last one "…" */
char *
berth_ellipsis (const char *s, size_t n)
{
  size_t runes = 0;
  const char *p;

  for (p = s; *p; p++)
    if (((unsigned char)*p & 0xc0) != 0x80)
      runes++;
  if (runes <= n)
    return xstrdup (s);
  runes = 0;
  for (p = s; *p; p++)
    if (((unsigned char)*p & 0xc0) != 0x80 && ++runes == n)
      break;
  return xasprintf ("%.*s…", (int)(p - s), s);
}
