/* Volume driver `local`: a volume is a directory on the host.
 *
 * Layout: <state_dir>/<name>/_data is what containers see, and
 * <state_dir>/<name>/opts.json holds {"created": <unix seconds>, "options": {}}
 * written atomically; a directory without opts.json is a crash leftover and
 * does not count as a volume.  Mount reference counts are per caller (a
 * container id) and live in memory: after a daemon restart the core calls
 * restore() for the containers still running.  Mount options (type, device,
 * o), which Docker's local driver passes to mount(2), are not supported yet
 * and are refused. */
#include "config.h"

#include <berth/volume.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_NAME 255

struct caller_ref
{
  char *caller;
  unsigned count;
  struct caller_ref *next;
};

struct mounted
{
  char *name;
  struct caller_ref *refs;
  struct mounted *next;
};

struct local
{
  const struct berth_host_api *h;
  char *root;
  pthread_mutex_t lock;
  struct mounted *mounted;
};

static bool
valid_name (const char *s)
{
  size_t n = s ? strlen (s) : 0;

  if (n < 2 || n > MAX_NAME)
    return false;
  for (size_t i = 0; i < n; i++)
    {
      char c = s[i];
      bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
        return false;
    }
  return true;
}

static int
check_name (struct local *l, const char *name, struct berth_error **err)
{
  if (!valid_name (name))
    return l->h->error_set (err, EINVAL,
                            "local: invalid volume name `%s`: it must match [a-zA-Z0-9][a-zA-Z0-9_.-]+ (2 to %d "
                            "characters)",
                            name ? name : "(null)", MAX_NAME);
  return 0;
}

static char *
path_of (struct local *l, const char *name, const char *leaf)
{
  char *p;
  if (asprintf (&p, "%s/%s%s%s", l->root, name, leaf ? "/" : "", leaf ? leaf : "") < 0)
    return NULL;
  return p;
}

/* 1 when the volume exists (its metadata is there), 0 when not, -errno. */
static int
volume_exists (struct local *l, const char *name)
{
  char *meta = path_of (l, name, "opts.json");
  struct stat st;
  int r;

  if (meta == NULL)
    return -ENOMEM;
  r = stat (meta, &st) == 0 ? 1 : (errno == ENOENT ? 0 : -errno);
  free (meta);
  return r;
}

static struct mounted **
find_mounted (struct local *l, const char *name)
{
  for (struct mounted **pm = &l->mounted; *pm; pm = &(*pm)->next)
    if (strcmp ((*pm)->name, name) == 0)
      return pm;
  return NULL;
}

static int
note_first_key (void *ud, const char *key, const char *value)
{
  *(const char **)ud = key;
  return 1;
}

/* Finish removals a crash interrupted (.rm-<name>, see local_remove). */
static int
sweep_removals (struct local *l, struct berth_error **err)
{
  DIR *d = opendir (l->root);
  struct dirent *de;
  int r = 0;

  if (d == NULL)
    return l->h->error_set (err, errno, "local: read %s: %s", l->root, strerror (errno));
  while (r == 0 && (de = readdir (d)) != NULL)
    {
      char *path;
      if (strncmp (de->d_name, ".rm-", 4) != 0)
        continue;
      if (asprintf (&path, "%s/%s", l->root, de->d_name) < 0)
        {
          r = l->h->error_set (err, ENOMEM, "local: out of memory");
          break;
        }
      r = l->h->rm_rf (path, err);
      free (path);
    }
  closedir (d);
  return r;
}

static void local_shutdown (void *drv);

static int
local_init (const struct berth_host_api *h, struct berth_host_ctx *ctx, const struct berth_cfg *opts, void **ret_drv,
            struct berth_error **err)
{
  const char *dir = h->state_dir (ctx);
  struct local *l;

  if (dir == NULL)
    return h->error_set (err, EIO, "local: no state directory");
  l = calloc (1, sizeof (*l));
  if (l == NULL || (l->root = strdup (dir)) == NULL)
    {
      free (l);
      return h->error_set (err, ENOMEM, "local: out of memory");
    }
  l->h = h;
  pthread_mutex_init (&l->lock, NULL);
  if (sweep_removals (l, err) < 0)
    {
      local_shutdown (l);
      return -EIO;
    }
  *ret_drv = l;
  return 0;
}

static void
local_shutdown (void *drv)
{
  struct local *l = drv;

  while (l->mounted)
    {
      struct mounted *m = l->mounted;
      l->mounted = m->next;
      while (m->refs)
        {
          struct caller_ref *r = m->refs;
          m->refs = r->next;
          free (r->caller);
          free (r);
        }
      free (m->name);
      free (m);
    }
  pthread_mutex_destroy (&l->lock);
  free (l->root);
  free (l);
}

static int
write_metadata (struct local *l, const char *name, struct berth_error **err)
{
  json_object *obj = json_object_new_object ();
  char *meta = path_of (l, name, "opts.json");
  const char *text;
  int r;

  json_object_object_add (obj, "created", json_object_new_int64 ((int64_t)time (NULL)));
  json_object_object_add (obj, "options", json_object_new_object ());
  text = json_object_to_json_string_ext (obj, JSON_C_TO_STRING_PLAIN);
  r = meta ? l->h->write_file_atomic (meta, text, strlen (text), 0600, err)
           : l->h->error_set (err, ENOMEM, "local: out of memory");
  json_object_put (obj);
  free (meta);
  return r;
}

static int
local_create (void *drv, const char *name, const struct berth_cfg *opts, struct berth_error **err)
{
  struct local *l = drv;
  const char *opt = NULL;
  char *dir = NULL, *data = NULL;
  int r;

  if (check_name (l, name, err) < 0)
    return -EINVAL;
  if (l->h->cfg_each (opts, note_first_key, &opt) != 0 && opt != NULL)
    return l->h->cfg_error (err, opts, opt, "local: volume option `%s` is not supported", opt);
  pthread_mutex_lock (&l->lock);
  r = volume_exists (l, name);
  if (r != 0)
    {
      r = r > 0 ? l->h->error_set (err, EEXIST, "local: volume `%s` already exists", name)
                : l->h->error_set (err, -r, "local: volume `%s`: %s", name, strerror (-r));
      goto out;
    }
  dir = path_of (l, name, NULL);
  data = path_of (l, name, "_data");
  if (dir == NULL || data == NULL)
    {
      r = l->h->error_set (err, ENOMEM, "local: out of memory");
      goto out;
    }
  /* A directory without metadata is what a crash during create leaves. */
  r = l->h->rm_rf (dir, err);
  if (r == 0 && mkdir (dir, 0701) < 0)
    r = l->h->error_set (err, errno, "local: create volume `%s`: %s", name, strerror (errno));
  if (r == 0 && mkdir (data, 0755) < 0)
    r = l->h->error_set (err, errno, "local: create volume `%s`: %s", name, strerror (errno));
  if (r == 0)
    r = write_metadata (l, name, err);
  if (r < 0)
    l->h->rm_rf (dir, err); /* *err is set: the first error is kept */
out:
  pthread_mutex_unlock (&l->lock);
  free (dir);
  free (data);
  return r;
}

static int
local_remove (void *drv, const char *name, struct berth_error **err)
{
  struct local *l = drv;
  char *dir = NULL, *gone = NULL;
  struct mounted **pm;
  int r;

  if (check_name (l, name, err) < 0)
    return -EINVAL;
  pthread_mutex_lock (&l->lock);
  pm = find_mounted (l, name);
  if (pm != NULL)
    {
      unsigned users = 0;
      for (struct caller_ref *c = (*pm)->refs; c; c = c->next)
        users++;
      r = l->h->error_set (err, EBUSY, "local: volume `%s` is in use (mounted by %u caller%s)", name, users,
                           users == 1 ? "" : "s");
      goto out;
    }
  r = volume_exists (l, name);
  if (r <= 0)
    {
      r = r == 0 ? l->h->error_set (err, ENOENT, "local: volume `%s` does not exist", name)
                 : l->h->error_set (err, -r, "local: volume `%s`: %s", name, strerror (-r));
      goto out;
    }
  dir = path_of (l, name, NULL);
  if (dir == NULL || asprintf (&gone, "%s/.rm-%s", l->root, name) < 0)
    {
      gone = NULL;
      r = l->h->error_set (err, ENOMEM, "local: out of memory");
      goto out;
    }
  /* Renamed first, so a crash midway never leaves a half-deleted volume under its name. */
  if (rename (dir, gone) < 0)
    r = l->h->error_set (err, errno, "local: remove volume `%s`: %s", name, strerror (errno));
  else
    r = l->h->rm_rf (gone, err);
out:
  pthread_mutex_unlock (&l->lock);
  free (dir);
  free (gone);
  return r;
}

static int
local_get (void *drv, const char *name, struct berth_volume_info *ret, struct berth_error **err)
{
  struct local *l = drv;
  char *meta = NULL;
  json_object *obj = NULL, *created = NULL;
  int r = 0;

  if (check_name (l, name, err) < 0)
    return -EINVAL;
  meta = path_of (l, name, "opts.json");
  if (meta == NULL)
    return l->h->error_set (err, ENOMEM, "local: out of memory");
  if (access (meta, F_OK) < 0)
    {
      r = errno == ENOENT ? l->h->error_set (err, ENOENT, "local: volume `%s` does not exist", name)
                          : l->h->error_set (err, errno, "local: volume `%s`: %s", name, strerror (errno));
      goto out;
    }
  obj = json_object_from_file (meta);
  if (obj == NULL || !json_object_object_get_ex (obj, "created", &created))
    {
      r = l->h->error_set (err, EIO, "local: %s is damaged", meta);
      goto out;
    }
  ret->flags = 0;
  ret->created_unix = json_object_get_int64 (created);
  if ((size_t)snprintf (ret->mountpoint, sizeof (ret->mountpoint), "%s/%s/_data", l->root, name)
      >= sizeof (ret->mountpoint))
    r = l->h->error_set (err, ENAMETOOLONG, "local: the path of volume `%s` is too long", name);
out:
  json_object_put (obj);
  free (meta);
  return r;
}

static int
local_list (void *drv, berth_str_fn emit, void *ud, struct berth_error **err)
{
  struct local *l = drv;
  DIR *d = opendir (l->root);
  struct dirent *de;
  int r = 0;

  if (d == NULL)
    return l->h->error_set (err, errno, "local: read %s: %s", l->root, strerror (errno));
  while (r == 0 && (de = readdir (d)) != NULL)
    if (valid_name (de->d_name) && volume_exists (l, de->d_name) == 1)
      r = emit (ud, de->d_name);
  closedir (d);
  return r;
}

/* Count one more use of `name` by `caller`. */
static int
add_ref (struct local *l, const char *name, const char *caller, struct berth_error **err)
{
  struct mounted **pm = find_mounted (l, name);
  struct mounted *m = pm ? *pm : NULL;
  struct caller_ref *c;

  if (m == NULL)
    {
      m = calloc (1, sizeof (*m));
      if (m == NULL || (m->name = strdup (name)) == NULL)
        {
          free (m);
          return l->h->error_set (err, ENOMEM, "local: out of memory");
        }
      m->next = l->mounted;
      l->mounted = m;
    }
  for (c = m->refs; c; c = c->next)
    if (strcmp (c->caller, caller) == 0)
      {
        c->count++;
        return 0;
      }
  c = calloc (1, sizeof (*c));
  if (c == NULL || (c->caller = strdup (caller)) == NULL)
    {
      free (c);
      return l->h->error_set (err, ENOMEM, "local: out of memory");
    }
  c->count = 1;
  c->next = m->refs;
  m->refs = c;
  return 0;
}

static int
local_mount (void *drv, const char *name, const char *caller_id, char *ret_path, size_t ret_len,
             struct berth_error **err)
{
  struct local *l = drv;
  int r;

  if (check_name (l, name, err) < 0)
    return -EINVAL;
  if (caller_id == NULL || caller_id[0] == '\0')
    return l->h->error_set (err, EINVAL, "local: mount of `%s` without a caller id", name);
  pthread_mutex_lock (&l->lock);
  r = volume_exists (l, name);
  if (r <= 0)
    r = l->h->error_set (err, r == 0 ? ENOENT : -r, "local: volume `%s` does not exist", name);
  else if (ret_path != NULL && (size_t)snprintf (ret_path, ret_len, "%s/%s/_data", l->root, name) >= ret_len)
    r = l->h->error_set (err, ENAMETOOLONG, "local: the path of volume `%s` does not fit the buffer", name);
  else
    r = add_ref (l, name, caller_id, err);
  pthread_mutex_unlock (&l->lock);
  return r;
}

static int
local_unmount (void *drv, const char *name, const char *caller_id, struct berth_error **err)
{
  struct local *l = drv;
  struct mounted **pm;
  struct caller_ref **pc = NULL;
  int r = 0;

  if (check_name (l, name, err) < 0)
    return -EINVAL;
  pthread_mutex_lock (&l->lock);
  pm = find_mounted (l, name);
  if (pm != NULL)
    for (pc = &(*pm)->refs; *pc; pc = &(*pc)->next)
      if (caller_id != NULL && strcmp ((*pc)->caller, caller_id) == 0)
        break;
  if (pm == NULL || *pc == NULL)
    r = l->h->error_set (err, EINVAL, "local: volume `%s` is not mounted by `%s`", name,
                         caller_id ? caller_id : "(null)");
  else if (--(*pc)->count == 0)
    {
      struct caller_ref *c = *pc;
      *pc = c->next;
      free (c->caller);
      free (c);
      if ((*pm)->refs == NULL)
        {
          struct mounted *m = *pm;
          *pm = m->next;
          free (m->name);
          free (m);
        }
    }
  pthread_mutex_unlock (&l->lock);
  return r;
}

/* After a daemon restart: count a use that survived it. */
static int
local_restore (void *drv, const char *name, const char *caller_id, struct berth_error **err)
{
  return local_mount (drv, name, caller_id, NULL, 0, err);
}

static const struct berth_volume_ops local_ops = {
  .life = {
    .caps = 0,
    .init = local_init,
    .shutdown = local_shutdown,
  },
  .create = local_create,
  .remove = local_remove,
  .get = local_get,
  .list = local_list,
  .mount = local_mount,
  .unmount = local_unmount,
  .restore = local_restore,
};

static const struct berth_plugin_descriptor local_descriptor = BERTH_PLUGIN_DESCRIPTOR_INIT (
    BERTH_KIND_VOLUME, "local", PACKAGE_VERSION, "volumes as host directories", &local_ops);

BERTH_PLUGIN_DEFINE (local_descriptor)
