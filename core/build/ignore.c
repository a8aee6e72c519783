/* .dockerignore matching (see ignore.h). */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "core/build/ignore.h"
#include "core/lib/mem.h"

struct pattern
{
  char **parts; /* components of the cleaned pattern */
  bool exception;
};

struct build_ignore
{
  struct pattern *p;
  size_t n;
  bool exceptions;
};

/* Split a '/'-path into cleaned components: "." dropped, ".." pops. */
static char **
split_clean (const char *path)
{
  size_t n = 0, cap = 8;
  char **v = xmalloc0 (cap * sizeof (char *));

  while (*path != '\0')
    {
      size_t len = strcspn (path, "/");
      if (len == 0 || (len == 1 && path[0] == '.'))
        ;
      else if (len == 2 && path[0] == '.' && path[1] == '.')
        {
          if (n > 0)
            free (v[--n]);
          v[n] = NULL;
        }
      else
        {
          if (n + 2 > cap)
            {
              cap *= 2;
              v = xrealloc (v, cap * sizeof (char *));
            }
          v[n++] = xstrndup (path, len);
          v[n] = NULL;
        }
      path += len;
      if (*path == '/')
        path++;
    }
  return v;
}

void
build_ignore_free (struct build_ignore *ig)
{
  if (ig == NULL)
    return;
  for (size_t i = 0; i < ig->n; i++)
    strv_free (ig->p[i].parts);
  free (ig->p);
  free (ig);
}

int
build_ignore_parse (const char *text, size_t len, struct build_ignore **ret, berth_error_t *err)
{
  struct build_ignore *ig = xmalloc0 (sizeof (*ig));
  size_t cap = 0;

  (void)err;
  for (size_t start = 0; start < len;)
    {
      const char *nl = memchr (text + start, '\n', len - start);
      size_t end = nl != NULL ? (size_t)(nl - text) : len;
      cleanup_free char *line = xstrndup (text + start, end - start);
      char *s = line, *e;
      bool exc = false;

      start = end + 1;
      while (*s == ' ' || *s == '\t' || *s == '\r')
        s++;
      e = s + strlen (s);
      while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        *--e = '\0';
      if (*s == '\0' || *s == '#')
        continue;
      if (*s == '!')
        {
          exc = true;
          s++;
          while (*s == ' ' || *s == '\t')
            s++;
        }
      if (ig->n == cap)
        {
          cap = cap * 2 + 8;
          ig->p = xrealloc (ig->p, cap * sizeof (*ig->p));
        }
      ig->p[ig->n].parts = split_clean (s);
      ig->p[ig->n].exception = exc;
      ig->exceptions |= exc;
      ig->n++;
    }
  *ret = ig;
  return 0;
}

/* pattern components against path components, "**" spanning any number */
static bool
match_parts (char *const *pat, char *const *path)
{
  if (pat[0] == NULL)
    return path[0] == NULL;
  if (strcmp (pat[0], "**") == 0)
    {
      for (size_t skip = 0;; skip++)
        {
          if (match_parts (pat + 1, path + skip))
            return true;
          if (path[skip] == NULL)
            return false;
        }
    }
  if (path[0] == NULL)
    return false;
  if (fnmatch (pat[0], path[0], 0) != 0)
    return false;
  return match_parts (pat + 1, path + 1);
}

bool
build_ignore_excluded (const struct build_ignore *ig, const char *path)
{
  cleanup_strv char **parts = NULL;
  size_t n = 0;
  bool excluded = false;

  if (ig == NULL || ig->n == 0)
    return false;
  parts = split_clean (path);
  while (parts[n] != NULL)
    n++;
  if (n == 0)
    return false; /* the root itself */
  for (size_t i = 0; i < ig->n; i++)
    {
      bool m = false;
      if (ig->p[i].parts[0] == NULL)
        continue;
      /* the path or one of its parents */
      for (size_t k = n; k >= 1 && !m; k--)
        {
          char *saved = parts[k];
          parts[k] = NULL;
          m = match_parts (ig->p[i].parts, parts);
          parts[k] = saved;
        }
      if (m)
        excluded = !ig->p[i].exception;
    }
  return excluded;
}

bool
build_ignore_has_exceptions (const struct build_ignore *ig)
{
  return ig != NULL && ig->exceptions;
}
