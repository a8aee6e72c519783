/* Loaded drivers by kind and name, and the choice of the storage driver. */
#include "config.h"

#include "core/config/config.h"
#include "core/lib/mem.h"
#include "core/plugin/host.h"
#include "core/plugin/registry-internal.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
berth_kind_name (uint32_t kind)
{
  switch (kind)
    {
    case BERTH_KIND_STORAGE:
      return "storage";
    case BERTH_KIND_NETWORK:
      return "network";
    case BERTH_KIND_VOLUME:
      return "volume";
    case BERTH_KIND_LOG:
      return "log";
    }
  return "unknown";
}

void
berth_plugins_add (struct berth_plugins *p, struct berth_driver *d)
{
  p->drivers = xrealloc (p->drivers, (p->n_drivers + 1) * sizeof (*p->drivers));
  p->drivers[p->n_drivers++] = d;
}

void
berth_driver_free (struct berth_driver *d)
{
  if (d == NULL)
    return;
  if (d->drv != NULL && d->ops.life.shutdown != NULL)
    d->ops.life.shutdown (d->drv);
  berth_host_ctx_free (d->ctx);
  /* Nothing of the object is in use any more: its driver is shut down. */
  if (d->dl_handle)
    dlclose (d->dl_handle);
  free (d->name);
  free (d->version);
  free (d->description);
  free (d->path);
  free (d);
}

void
berth_plugins_free (struct berth_plugins *p)
{
  if (p == NULL)
    return;
  /* Reverse load order, like a stack of initialisations. */
  for (size_t i = p->n_drivers; i > 0; i--)
    berth_driver_free (p->drivers[i - 1]);
  free (p->drivers);
  free (p);
}

struct berth_driver *
berth_plugins_find (struct berth_plugins *p, uint32_t kind, const char *name)
{
  if (p == NULL || name == NULL)
    return NULL;
  for (size_t i = 0; i < p->n_drivers; i++)
    if (p->drivers[i]->kind == kind && strcmp (p->drivers[i]->name, name) == 0)
      return p->drivers[i];
  return NULL;
}

static int
cmp_driver_name (const void *a, const void *b)
{
  const struct berth_driver *const *x = a, *const *y = b;
  return strcmp ((*x)->name, (*y)->name);
}

size_t
berth_plugins_list (struct berth_plugins *p, uint32_t kind, struct berth_driver ***ret)
{
  struct berth_driver **v = NULL;
  size_t n = 0;

  for (size_t i = 0; p != NULL && i < p->n_drivers; i++)
    if (p->drivers[i]->kind == kind)
      {
        v = xrealloc (v, (n + 1) * sizeof (*v));
        v[n++] = p->drivers[i];
      }
  if (n > 1)
    qsort (v, n, sizeof (*v), cmp_driver_name);
  *ret = v;
  return n;
}

/* "overlay, vfs", or "none" */
static char *
available_names (struct berth_plugins *p, uint32_t kind)
{
  cleanup_free struct berth_driver **v = NULL;
  size_t n = berth_plugins_list (p, kind, &v);
  char *s = NULL;

  if (n == 0)
    return xstrdup ("none");
  for (size_t i = 0; i < n; i++)
    {
      char *t = xasprintf ("%s%s%s", s ? s : "", s ? ", " : "", v[i]->name);
      free (s);
      s = t;
    }
  return s;
}

int
berth_plugins_require (struct berth_plugins *p, uint32_t kind, const char *name, struct berth_driver **ret,
                       berth_error_t *err)
{
  struct berth_driver *d = berth_plugins_find (p, kind, name);
  cleanup_free char *avail = NULL;

  if (d != NULL)
    {
      *ret = d;
      return 0;
    }
  avail = available_names (p, kind);
  return berth_error_make (err, ENOENT, "%s driver `%s` is not loaded (available: %s)", berth_kind_name (kind),
                           name ? name : "", avail);
}

const struct berth_cfg *
berth_plugins_driver_opts (const struct berth_config *cfg, uint32_t kind, const char *name)
{
  if (kind != BERTH_KIND_STORAGE)
    return NULL;
  if (strcmp (cfg->storage_driver, "auto") == 0 || strcmp (cfg->storage_driver, name) == 0)
    return cfg->storage_opts;
  return NULL;
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

static bool
dir_has_entries (const char *path)
{
  cleanup_dir DIR *d = opendir (path);
  struct dirent *de;

  if (d == NULL)
    return false;
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      return true;
  return false;
}

/* Names of the <data-root>/storage/<name> directories that hold anything, sorted. */
static char **
storage_with_data (const char *storage_root, size_t *ret_n)
{
  cleanup_dir DIR *d = opendir (storage_root);
  struct dirent *de;
  char **v = xmalloc0 (sizeof (char *));
  size_t n = 0;

  while (d != NULL && (de = readdir (d)) != NULL)
    {
      cleanup_free char *path = NULL;
      if (de->d_name[0] == '.')
        continue;
      path = xasprintf ("%s/%s", storage_root, de->d_name);
      if (!dir_has_entries (path))
        continue;
      v = xrealloc (v, (n + 2) * sizeof (char *));
      v[n++] = xstrdup (de->d_name);
      v[n] = NULL;
    }
  if (n > 1) /* qsort's pointer must not be NULL, even for 0 items */
    qsort (v, n, sizeof (char *), cmp_str);
  *ret_n = n;
  return v;
}

static char *
join_names (char **v)
{
  char *s = xstrdup ("");
  for (size_t i = 0; v[i]; i++)
    {
      char *t = xasprintf ("%s%s`%s`", s, i ? ", " : "", v[i]);
      free (s);
      s = t;
    }
  return s;
}

int
berth_plugins_select_storage (struct berth_plugins *p, const struct berth_config *cfg, struct berth_driver **ret,
                              berth_error_t *err)
{
  cleanup_free char *root = xasprintf ("%s/storage", cfg->data_root);
  cleanup_strv char **holding = NULL;
  size_t n_holding = 0;
  const char *want = cfg->storage_driver;

  holding = storage_with_data (root, &n_holding);
  if (strcmp (want, "auto") != 0)
    {
      bool found = false;
      for (size_t i = 0; i < n_holding; i++)
        found |= strcmp (holding[i], want) == 0;
      if (n_holding > 0 && !found)
        return berth_error_make (err, EEXIST,
                                 "storage driver `%s` was chosen, but `%s` already holds data in %s/%s "
                                 "(switching would hide its images and containers: choose `%s`, or remove that "
                                 "directory)",
                                 want, holding[0], root, holding[0], holding[0]);
      return berth_plugins_require (p, BERTH_KIND_STORAGE, want, ret, err);
    }
  if (n_holding > 1)
    {
      cleanup_free char *names = join_names (holding);
      return berth_error_make (
          err, EEXIST, "several storage drivers hold data in %s (%s): choose one with storage-driver", root, names);
    }
  if (n_holding == 1)
    {
      if (berth_plugins_require (p, BERTH_KIND_STORAGE, holding[0], ret, err) < 0)
        return berth_error_wrap (err, "%s/%s holds data", root, holding[0]);
      return 0;
    }
  *ret = berth_plugins_find (p, BERTH_KIND_STORAGE, "overlay");
  if (*ret == NULL)
    *ret = berth_plugins_find (p, BERTH_KIND_STORAGE, "vfs");
  if (*ret == NULL)
    {
      cleanup_free char *avail = available_names (p, BERTH_KIND_STORAGE);
      return berth_error_make (err, ENOENT,
                               "no storage driver for `auto`: neither `overlay` nor `vfs` is loaded "
                               "(available: %s); set storage-driver",
                               avail);
    }
  return 0;
}
