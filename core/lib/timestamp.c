#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/lib/timestamp.h"

#define NS_PER_SEC 1000000000LL

int64_t
berth_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

/* the unit at *p (advanced past it), in nanoseconds; 0 when none */
static int64_t
duration_unit (const char **p)
{
  static const struct
  {
    const char *name;
    int64_t ns;
  } units[] = {
    /* longest first: "ms" before "m", "ns" before ... */
    { "ns", 1 },         { "us", 1000LL },    { "\xc2\xb5s", 1000LL },  { "\xce\xbcs", 1000LL },
    { "ms", 1000000LL }, { "s", NS_PER_SEC }, { "m", 60 * NS_PER_SEC }, { "h", 3600 * NS_PER_SEC },
  };

  for (size_t i = 0; i < sizeof (units) / sizeof (units[0]); i++)
    {
      size_t n = strlen (units[i].name);
      if (strncmp (*p, units[i].name, n) == 0)
        {
          *p += n;
          return units[i].ns;
        }
    }
  return 0;
}

int
berth_duration_parse (const char *s, int64_t *ret_ns)
{
  const char *p = s;
  bool neg = false;
  double total = 0;

  if (*p == '-' || *p == '+')
    neg = *p++ == '-';
  if (strcmp (p, "0") == 0)
    {
      *ret_ns = 0;
      return 0;
    }
  if (*p == '\0')
    return -1;
  while (*p != '\0')
    {
      double v = 0, scale = 1;
      bool digits = false;
      int64_t unit;

      for (; isdigit ((unsigned char)*p); p++, digits = true)
        v = v * 10 + (*p - '0');
      if (*p == '.')
        for (p++; isdigit ((unsigned char)*p); p++, digits = true)
          v += (*p - '0') * (scale /= 10);
      if (!digits)
        return -1;
      unit = duration_unit (&p);
      if (unit == 0)
        return -1;
      total += v * (double)unit;
    }
  if (total > 9.2e18)
    return -1;
  *ret_ns = (int64_t)(neg ? -total : total);
  return 0;
}

/* up to 9 fraction digits at *p (after the '.') into nanoseconds */
static int64_t
fraction_ns (const char **p)
{
  int64_t ns = 0;
  int digits = 0;

  for (; isdigit ((unsigned char)**p); (*p)++)
    if (digits < 9)
      {
        ns = ns * 10 + (**p - '0');
        digits++;
      }
  while (digits++ < 9)
    ns *= 10;
  return ns;
}

static bool
take_int (const char **p, int width, int *ret)
{
  int v = 0;

  for (int i = 0; i < width; i++, (*p)++)
    {
      if (!isdigit ((unsigned char)**p))
        return false;
      v = v * 10 + (**p - '0');
    }
  *ret = v;
  return true;
}

/* "2006-01-02[T15:04:05[.999999999]][Z|±07:00]"; false when s is not one */
static bool
parse_date (const char *s, int64_t *ret_ns)
{
  const char *p = s;
  struct tm tm = { 0 };
  int64_t ns = 0, off = 0;
  bool zone = false;
  time_t t;

  if (!take_int (&p, 4, &tm.tm_year) || *p++ != '-' || !take_int (&p, 2, &tm.tm_mon) || *p++ != '-'
      || !take_int (&p, 2, &tm.tm_mday))
    return false;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  if (*p == 'T')
    {
      p++;
      if (!take_int (&p, 2, &tm.tm_hour) || *p++ != ':' || !take_int (&p, 2, &tm.tm_min) || *p++ != ':'
          || !take_int (&p, 2, &tm.tm_sec))
        return false;
      if (*p == '.')
        {
          p++;
          if (!isdigit ((unsigned char)*p))
            return false;
          ns = fraction_ns (&p);
        }
    }
  if (*p == 'Z' || *p == 'z')
    {
      zone = true;
      p++;
    }
  else if (*p == '+' || *p == '-')
    {
      int hh, mm, sign = *p++ == '-' ? -1 : 1;
      if (!take_int (&p, 2, &hh) || *p++ != ':' || !take_int (&p, 2, &mm))
        return false;
      zone = true;
      off = sign * (hh * 3600 + mm * 60);
    }
  if (*p != '\0' || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23
      || tm.tm_min > 59 || tm.tm_sec > 60)
    return false;
  if (zone)
    t = timegm (&tm) - off;
  else
    {
      tm.tm_isdst = -1;
      t = mktime (&tm);
    }
  *ret_ns = (int64_t)t * NS_PER_SEC + ns;
  return true;
}

/* "seconds[.fraction]" */
static bool
parse_unix (const char *s, int64_t *ret_ns)
{
  const char *p = s;
  char *end;
  long long sec;
  int64_t ns = 0;

  if (*p == '-')
    p++;
  if (!isdigit ((unsigned char)*p))
    return false;
  errno = 0;
  sec = strtoll (s, &end, 10);
  if (errno != 0)
    return false;
  p = end;
  if (*p == '.')
    {
      p++;
      ns = fraction_ns (&p);
    }
  if (*p != '\0' || sec > INT64_MAX / NS_PER_SEC - 1 || sec < INT64_MIN / NS_PER_SEC + 1)
    return false;
  *ret_ns = (int64_t)sec * NS_PER_SEC + (sec < 0 ? -ns : ns);
  return true;
}

int
berth_timestamp_parse (const char *s, int64_t now_ns, const char *what, int64_t *ret_ns, berth_error_t *err)
{
  int64_t d;

  *ret_ns = 0;
  if (s == NULL || s[0] == '\0')
    return 0;
  if (parse_unix (s, ret_ns) || parse_date (s, ret_ns))
    return 1;
  if (berth_duration_parse (s, &d) == 0)
    {
      *ret_ns = now_ns - d;
      return 1;
    }
  return berth_error_make (err, EINVAL, "invalid value for %s: \"%s\" is not a timestamp, a date or a duration", what,
                           s);
}
