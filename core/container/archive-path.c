/* Paths as docker cp names them, found inside the container's root. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/container/archive-internal.h"
#include "core/image/in-root.h"
#include "core/lib/mem.h"

#define MAX_LINKS 255

/* components of path, "" and "." dropped, ".." popping (never above "/") */
static char **
split_clean (const char *path, size_t *ret_n)
{
  cleanup_free char *copy = xstrdup (path);
  char **v = xmalloc0 (sizeof (char *));
  char *save = NULL, *comp;
  size_t n = 0;

  for (comp = strtok_r (copy, "/", &save); comp; comp = strtok_r (NULL, "/", &save))
    {
      if (strcmp (comp, ".") == 0)
        continue;
      if (strcmp (comp, "..") == 0)
        {
          if (n > 0)
            free (v[--n]);
          v[n] = NULL;
          continue;
        }
      v = xrealloc (v, (n + 2) * sizeof (char *));
      v[n++] = xstrdup (comp);
      v[n] = NULL;
    }
  *ret_n = n;
  return v;
}

static char *
join_abs (char **v, size_t n)
{
  size_t len = 2;
  char *out, *p;

  for (size_t i = 0; i < n; i++)
    len += strlen (v[i]) + 1;
  out = p = xmalloc (len);
  if (n == 0)
    {
      strcpy (out, "/");
      return out;
    }
  for (size_t i = 0; i < n; i++)
    {
      *p++ = '/';
      strcpy (p, v[i]);
      p += strlen (v[i]);
    }
  *p = '\0';
  return out;
}

/* Go's filepath.Base(path) == "." */
static bool
specifies_current_dir (const char *path)
{
  size_t n = strlen (path);

  while (n > 1 && path[n - 1] == '/')
    n--;
  if (n == 1 && path[0] == '.')
    return true;
  return n >= 2 && path[n - 1] == '.' && path[n - 2] == '/';
}

char *
archive_clean_path (const char *path)
{
  size_t n;
  char **v = split_clean (path, &n);
  char *clean = join_abs (v, n);
  size_t len = strlen (path);
  char *out;

  strv_free (v);
  if (specifies_current_dir (path))
    {
      out = xasprintf ("%s%s.", clean, strcmp (clean, "/") == 0 ? "" : "/");
      free (clean);
      return out;
    }
  if (len > 0 && path[len - 1] == '/' && strcmp (clean, "/") != 0)
    {
      out = xasprintf ("%s/", clean);
      free (clean);
      return out;
    }
  return clean;
}

/* Go's filepath.Base of a cleaned absolute path */
static char *
base_name (const char *abs)
{
  size_t n = strlen (abs);
  const char *start;

  while (n > 1 && abs[n - 1] == '/')
    n--;
  if (n == 1 && abs[0] == '/')
    return xstrdup ("/");
  start = abs + n;
  while (start > abs && start[-1] != '/')
    start--;
  return xstrndup (start, (size_t)(abs + n - start));
}

int
archive_target_resolve (int root_fd, const char *path, struct archive_target *ret, berth_error_t *err)
{
  size_t len;

  memset (ret, 0, sizeof (*ret));
  ret->parent_fd = -1;
  ret->abs = archive_clean_path (path);
  ret->as = base_name (ret->abs);
  len = strlen (ret->abs);
  if (ret->abs[len - 1] == '/' || (len >= 2 && strcmp (ret->abs + len - 2, "/.") == 0))
    {
      /* ".../." and ".../": the directory itself, symlinks followed */
      ret->base = xstrdup (".");
      ret->parent_fd = in_root_open_dir (root_fd, ret->abs, false, 0, err);
    }
  else
    {
      const char *slash = strrchr (ret->abs, '/');
      cleanup_free char *parent = xstrndup (ret->abs, (size_t)(slash - ret->abs));
      ret->base = xstrdup (slash + 1);
      ret->parent_fd = in_root_open_dir (root_fd, parent, false, 0, err);
    }
  if (ret->parent_fd < 0)
    return berth_error_ret (err);
  if (fstatat (ret->parent_fd, ret->base, &ret->st, AT_SYMLINK_NOFOLLOW) < 0)
    return berth_error_errno (err, errno, "lstat %s", ret->abs);
  return 0;
}

void
archive_target_clear (struct archive_target *t)
{
  if (t->parent_fd >= 0)
    close (t->parent_fd);
  t->parent_fd = -1;
  free (t->base);
  free (t->as);
  free (t->abs);
  t->base = t->as = t->abs = NULL;
}

/* components of path, "" and "." dropped, ".." kept */
static void
push_raw (char ***v, size_t *n, const char *path)
{
  cleanup_free char *copy = xstrdup (path);
  char *save = NULL, *comp;

  for (comp = strtok_r (copy, "/", &save); comp; comp = strtok_r (NULL, "/", &save))
    {
      if (strcmp (comp, ".") == 0)
        continue;
      *v = xrealloc (*v, (*n + 2) * sizeof (char *));
      (*v)[(*n)++] = xstrdup (comp);
      (*v)[*n] = NULL;
    }
}

char *
archive_link_target (int root_fd, const char *abs)
{
  char **todo = NULL, **done = xmalloc0 (sizeof (char *));
  size_t n_todo = 0, n_done = 0, i = 0;
  int links = 0;
  char *out;

  push_raw (&todo, &n_todo, abs);
  /* done never holds a symlink, so each step looks at one new component */
  while (i < n_todo)
    {
      const char *comp = todo[i];
      cleanup_free char *parent = NULL;
      cleanup_close int pfd = -1;
      berth_error_t lerr = NULL;
      struct stat st;
      char target[PATH_MAX];
      ssize_t tn = -1;
      char **next = NULL;
      size_t n_next = 0;

      i++;
      if (strcmp (comp, "..") == 0)
        {
          if (n_done > 0)
            free (done[--n_done]);
          done[n_done] = NULL;
          continue;
        }
      parent = join_abs (done, n_done);
      pfd = in_root_open_dir (root_fd, parent, false, 0, &lerr);
      berth_error_release (&lerr);
      if (pfd >= 0 && fstatat (pfd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK (st.st_mode)
          && ++links <= MAX_LINKS)
        tn = readlinkat (pfd, comp, target, sizeof (target) - 1);
      if (tn < 0)
        {
          /* a plain name, or missing: the rest is taken as it is */
          done = xrealloc (done, (n_done + 2) * sizeof (char *));
          done[n_done++] = xstrdup (comp);
          done[n_done] = NULL;
          continue;
        }
      target[tn] = '\0';
      if (target[0] == '/')
        {
          strv_free (done);
          done = xmalloc0 (sizeof (char *));
          n_done = 0;
        }
      /* the link's target in front of what is left */
      push_raw (&next, &n_next, target);
      for (; i < n_todo; i++)
        {
          next = xrealloc (next, (n_next + 2) * sizeof (char *));
          next[n_next++] = todo[i];
          next[n_next] = NULL;
          todo[i] = NULL;
        }
      if (next == NULL)
        next = xmalloc0 (sizeof (char *));
      for (size_t k = 0; k < n_todo; k++)
        free (todo[k]);
      free (todo);
      todo = next;
      n_todo = n_next;
      i = 0;
    }
  out = join_abs (done, n_done);
  strv_free (done);
  for (size_t k = 0; k < n_todo; k++)
    free (todo[k]);
  free (todo);
  return out;
}
