#include "config.h"

#include "core/image/path-set.h"
#include "core/lib/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct path_set
{
  char **slots;
  size_t cap; /* power of two */
  size_t count;
};

static uint64_t
hash (const char *s)
{
  uint64_t h = 1469598103934665603ull; /* FNV-1a */

  for (; *s; s++)
    {
      h ^= (unsigned char)*s;
      h *= 1099511628211ull;
    }
  return h;
}

struct path_set *
path_set_new (void)
{
  struct path_set *s = xmalloc0 (sizeof (*s));

  s->cap = 64;
  s->slots = xmalloc0 (s->cap * sizeof (char *));
  return s;
}

void
path_set_free (struct path_set *s)
{
  size_t i;

  if (s == NULL)
    return;
  for (i = 0; i < s->cap; i++)
    free (s->slots[i]);
  free (s->slots);
  free (s);
}

static size_t
find (char **slots, size_t cap, const char *path)
{
  size_t i = hash (path) & (cap - 1);

  while (slots[i] && strcmp (slots[i], path) != 0)
    i = (i + 1) & (cap - 1);
  return i;
}

bool
path_set_add (struct path_set *s, const char *path)
{
  size_t i;

  if ((s->count + 1) * 2 > s->cap)
    {
      size_t ncap = s->cap * 2, j;
      char **n = xmalloc0 (ncap * sizeof (char *));
      for (j = 0; j < s->cap; j++)
        if (s->slots[j])
          n[find (n, ncap, s->slots[j])] = s->slots[j];
      free (s->slots);
      s->slots = n;
      s->cap = ncap;
    }
  i = find (s->slots, s->cap, path);
  if (s->slots[i])
    return false;
  s->slots[i] = xstrdup (path);
  s->count++;
  return true;
}

bool
path_set_has (const struct path_set *s, const char *path)
{
  return s->slots[find (s->slots, s->cap, path)] != NULL;
}

size_t
path_set_count (const struct path_set *s)
{
  return s->count;
}
