#include "config.h"

#include <stddef.h>

#include "core/lib/api-version.h"

/* Parse one dot-separated part; advances *s past it and its dot. */
static long
next_part (const char **s)
{
  long v = 0;
  int numeric = 1;

  for (; **s != '\0' && **s != '.'; (*s)++)
    {
      if (**s < '0' || **s > '9')
        numeric = 0;
      else if (numeric && v < 100000000)
        v = v * 10 + (**s - '0');
    }
  if (**s == '.')
    (*s)++;
  return numeric ? v : 0;
}

int
berth_api_version_compare (const char *a, const char *b)
{
  while (*a != '\0' || *b != '\0')
    {
      long x = next_part (&a);
      long y = next_part (&b);
      if (x != y)
        return x < y ? -1 : 1;
    }
  return 0;
}

int
berth_api_version_valid (const char *s, size_t len)
{
  if (len == 0)
    return 0;
  for (size_t i = 0; i < len; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
      return 0;
  return 1;
}
