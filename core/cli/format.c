#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/cli/cli.h"

struct json_object *
berth_json_get (struct json_object *o, const char *key)
{
  struct json_object *v = NULL;
  if (o == NULL || !json_object_is_type (o, json_type_object) || !json_object_object_get_ex (o, key, &v))
    return NULL;
  return v;
}

const char *
berth_json_str (struct json_object *o, const char *key)
{
  struct json_object *v = berth_json_get (o, key);
  return v != NULL && json_object_is_type (v, json_type_string) ? json_object_get_string (v) : "";
}

int64_t
berth_json_int (struct json_object *o, const char *key)
{
  struct json_object *v = berth_json_get (o, key);
  return v != NULL && json_object_is_type (v, json_type_int) ? json_object_get_int64 (v) : 0;
}

bool
berth_json_bool (struct json_object *o, const char *key)
{
  struct json_object *v = berth_json_get (o, key);
  return v != NULL && json_object_is_type (v, json_type_boolean) && json_object_get_boolean (v);
}

void
berth_format_bytes (int64_t n, char *buf, size_t len)
{
  static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
  double size = (double)n;
  size_t i = 0;

  while (size >= 1024.0 && i + 1 < sizeof (units) / sizeof (units[0]))
    {
      size /= 1024.0;
      i++;
    }
  snprintf (buf, len, "%.4g%s", size, units[i]);
}

const char *
berth_format_build_time (const char *rfc3339, char *buf, size_t len)
{
  struct tm tm;
  const char *rest;

  memset (&tm, 0, sizeof (tm));
  rest = strptime (rfc3339, "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == NULL || strftime (buf, len, "%a %b %e %H:%M:%S %Y", &tm) == 0)
    {
      snprintf (buf, len, "%s", rfc3339);
      return buf;
    }
  return buf;
}
