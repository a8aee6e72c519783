#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/container/id.h"
#include "core/container/name-words.h"
#include "core/lib/mem.h"

static int
random_bytes (void *buf, size_t len, berth_error_t *err)
{
  size_t got = 0;

  while (got < len)
    {
      ssize_t n = getrandom ((char *) buf + got, len - got, 0);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return berth_error_errno (err, errno, "getrandom");
        }
      got += (size_t) n;
    }
  return 0;
}

int
container_id_generate (char ret[CONTAINER_ID_LEN + 1], berth_error_t *err)
{
  static const char hex[] = "0123456789abcdef";
  unsigned char raw[CONTAINER_ID_LEN / 2];

  for (;;)
    {
      bool all_digits = true;
      if (random_bytes (raw, sizeof (raw), err) < 0)
        return berth_error_ret (err);
      for (size_t i = 0; i < sizeof (raw); i++)
        {
          ret[2 * i] = hex[raw[i] >> 4];
          ret[2 * i + 1] = hex[raw[i] & 15];
        }
      ret[CONTAINER_ID_LEN] = '\0';
      /* the short id is the hostname, which must not look like a number */
      for (size_t i = 0; i < CONTAINER_SHORT_ID_LEN; i++)
        if (ret[i] > '9')
          all_digits = false;
      if (!all_digits)
        return 0;
    }
}

bool
container_id_is_full (const char *s)
{
  size_t i;

  for (i = 0; s[i] != '\0'; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return false;
  return i == CONTAINER_ID_LEN;
}

static bool
name_char (char c, bool first)
{
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
    return true;
  return !first && (c == '_' || c == '.' || c == '-');
}

bool
container_name_valid (const char *name)
{
  size_t i;

  if (name == NULL || !name_char (name[0], true))
    return false;
  for (i = 1; name[i] != '\0'; i++)
    if (!name_char (name[i], false))
      return false;
  return i >= 2 && i <= 255;
}

static unsigned
random_below (unsigned n)
{
  unsigned v = 0;

  if (random_bytes (&v, sizeof (v), NULL) < 0)
    v = (unsigned) rand ();
  return v % n;
}

char *
container_name_generate (unsigned attempt)
{
  for (;;)
    {
      const char *adj = container_name_adjectives[random_below ((unsigned) container_name_n_adjectives)];
      const char *sur = container_name_surnames[random_below ((unsigned) container_name_n_surnames)];
      /* a name moby also refuses to produce */
      if (strcmp (adj, "boring") == 0 && strcmp (sur, "wozniak") == 0)
        continue;
      if (attempt == 0)
        return xasprintf ("%s_%s", adj, sur);
      return xasprintf ("%s_%s%u", adj, sur, random_below (10));
    }
}
