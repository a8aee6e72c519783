#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "core/config/tree.h"
#include "core/lib/fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/plugin/registry.h"
#include "core/volume/service.h"
#include "core/volume/tree.h"

#define META_MAX (1024 * 1024)

struct volume
{
  char *name;
  struct berth_driver *driver;
  json_object *labels;  /* object, or NULL */
  json_object *options; /* object, or NULL */
  int64_t created;
  char *mountpoint;
  char **users;   /* container ids holding a reference (one entry per container) */
  char **mounted; /* container ids it is mounted for */
};

struct volume_service
{
  char *meta_dir; /* <data-root>/volumes */
  struct berth_plugins *plugins;
  pthread_mutex_t lock;
  struct volume **list;
  size_t n;
  volume_event_fn event_fn;
  void *event_ud;
};

bool
volume_name_valid (const char *s)
{
  size_t n = s ? strlen (s) : 0;

  if (n < 2 || n > 255)
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

static size_t
strv_len (char **v)
{
  size_t n = 0;
  while (v && v[n])
    n++;
  return n;
}

static bool
strv_contains (char **v, const char *s)
{
  for (size_t i = 0; v && v[i]; i++)
    if (strcmp (v[i], s) == 0)
      return true;
  return false;
}

static void
strv_add (char ***v, const char *s)
{
  size_t n = strv_len (*v);
  *v = xrealloc (*v, (n + 2) * sizeof (char *));
  (*v)[n] = xstrdup (s);
  (*v)[n + 1] = NULL;
}

static bool
strv_del (char **v, const char *s)
{
  size_t n = strv_len (v);
  for (size_t i = 0; i < n; i++)
    if (strcmp (v[i], s) == 0)
      {
        free (v[i]);
        memmove (&v[i], &v[i + 1], (n - i) * sizeof (char *));
        return true;
      }
  return false;
}

static void
volume_free (struct volume *v)
{
  if (v == NULL)
    return;
  free (v->name);
  json_object_put (v->labels);
  json_object_put (v->options);
  free (v->mountpoint);
  strv_free (v->users);
  strv_free (v->mounted);
  free (v);
}

static struct volume *
find_locked (struct volume_service *vs, const char *name)
{
  for (size_t i = 0; i < vs->n; i++)
    if (strcmp (vs->list[i]->name, name) == 0)
      return vs->list[i];
  return NULL;
}

static void
event (struct volume_service *vs, const struct volume *v, const char *action, json_object *extra)
{
  json_object *attrs;

  if (vs->event_fn == NULL)
    return;
  attrs = json_object_new_object ();
  json_object_object_add (attrs, "driver", json_object_new_string (v->driver->name));
  if (extra != NULL)
    {
      json_object_object_foreach (extra, k, val)
        json_object_object_add (attrs, k, json_object_get (val));
    }
  vs->event_fn (vs->event_ud, v->name, action, attrs);
  json_object_put (attrs);
}

void
volume_service_set_events (struct volume_service *vs, volume_event_fn fn, void *ud)
{
  pthread_mutex_lock (&vs->lock);
  vs->event_fn = fn;
  vs->event_ud = ud;
  pthread_mutex_unlock (&vs->lock);
}

/* --- metadata --- */

static char *
meta_path (struct volume_service *vs, const char *name)
{
  return xasprintf ("%s/%s.json", vs->meta_dir, name);
}

static int
save_meta (struct volume_service *vs, const struct volume *v, berth_error_t *err)
{
  cleanup_free char *path = meta_path (vs, v->name);
  json_object *o = json_object_new_object ();
  const char *text;
  int r;

  json_object_object_add (o, "Name", json_object_new_string (v->name));
  json_object_object_add (o, "Driver", json_object_new_string (v->driver->name));
  json_object_object_add (o, "Labels", json_object_get (v->labels));
  json_object_object_add (o, "Options", json_object_get (v->options));
  text = json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN);
  r = berth_write_file_atomic (path, text, strlen (text), 0600, err);
  json_object_put (o);
  return r;
}

static void
load_meta (struct volume_service *vs, struct volume *v)
{
  cleanup_free char *path = meta_path (vs, v->name);
  cleanup_free char *text = NULL;
  json_object *o, *x;
  size_t len;

  if (berth_read_file (path, META_MAX, &text, &len, NULL) < 0)
    return;
  o = json_tokener_parse (text);
  if (o == NULL)
    {
      log_warn ("volume %s: %s is damaged; the volume has no labels", v->name, path);
      return;
    }
  if (json_object_object_get_ex (o, "Driver", &x) && strcmp (json_object_get_string (x), v->driver->name) == 0)
    {
      if (json_object_object_get_ex (o, "Labels", &x) && json_object_is_type (x, json_type_object))
        v->labels = json_object_get (x);
      if (json_object_object_get_ex (o, "Options", &x) && json_object_is_type (x, json_type_object))
        v->options = json_object_get (x);
    }
  json_object_put (o);
}

/* --- open --- */

struct list_ctx
{
  struct volume_service *vs;
  struct berth_driver *d;
};

static int
add_listed (void *ud, const char *name)
{
  struct list_ctx *l = ud;
  struct volume_service *vs = l->vs;
  struct berth_volume_info info = { .struct_size = sizeof (info) };
  berth_error_t err = NULL;
  struct volume *v;

  if (find_locked (vs, name) != NULL)
    {
      log_warn ("volume %s of driver %s: a volume of that name already exists; ignored", name, l->d->name);
      return 0;
    }
  if (l->d->ops.volume.get (l->d->drv, name, &info, &err) < 0)
    {
      log_warn ("volume %s: %s", name, berth_error_msg (&err));
      berth_error_release (&err);
      return 0;
    }
  v = xmalloc0 (sizeof (*v));
  v->name = xstrdup (name);
  v->driver = l->d;
  v->created = info.created_unix;
  v->mountpoint = xstrdup (info.mountpoint);
  load_meta (vs, v);
  vs->list = xrealloc (vs->list, (vs->n + 1) * sizeof (*vs->list));
  vs->list[vs->n++] = v;
  return 0;
}

/* metadata of volumes that are gone: a removal interrupted after the driver */
static void
sweep_meta (struct volume_service *vs)
{
  cleanup_dir DIR *d = opendir (vs->meta_dir);
  struct dirent *de;

  while (d != NULL && (de = readdir (d)) != NULL)
    {
      size_t len = strlen (de->d_name);
      cleanup_free char *name = NULL;
      if (len < 6 || strcmp (de->d_name + len - 5, ".json") != 0)
        continue;
      name = xstrndup (de->d_name, len - 5);
      if (find_locked (vs, name) == NULL)
        {
          cleanup_free char *p = meta_path (vs, name);
          unlink (p);
        }
    }
}

int
volume_service_open (const char *data_root, struct berth_plugins *plugins, struct volume_service **ret,
                     berth_error_t *err)
{
  struct volume_service *vs = xmalloc0 (sizeof (*vs));
  struct berth_driver **drivers = NULL;
  size_t n;

  vs->meta_dir = xasprintf ("%s/volumes", data_root);
  vs->plugins = plugins;
  pthread_mutex_init (&vs->lock, NULL);
  if (berth_mkdir_p (vs->meta_dir, 0700, err) < 0)
    {
      volume_service_close (vs);
      return berth_error_wrap (err, "volumes");
    }
  n = berth_plugins_list (plugins, BERTH_KIND_VOLUME, &drivers);
  for (size_t i = 0; i < n; i++)
    {
      struct list_ctx l = { vs, drivers[i] };
      berth_error_t e = NULL;
      if (drivers[i]->ops.volume.list (drivers[i]->drv, add_listed, &l, &e) < 0)
        {
          log_warn ("volume driver %s: %s", drivers[i]->name, berth_error_msg (&e));
          berth_error_release (&e);
        }
    }
  free (drivers);
  sweep_meta (vs);
  *ret = vs;
  return 0;
}

void
volume_service_close (struct volume_service *vs)
{
  if (vs == NULL)
    return;
  for (size_t i = 0; i < vs->n; i++)
    volume_free (vs->list[i]);
  free (vs->list);
  free (vs->meta_dir);
  pthread_mutex_destroy (&vs->lock);
  free (vs);
}

/* --- JSON --- */

static char *
rfc3339 (int64_t t)
{
  time_t tt = (time_t) t;
  struct tm tm;
  char buf[64];

  gmtime_r (&tt, &tm);
  strftime (buf, sizeof (buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return xstrdup (buf);
}

static json_object *
volume_json (const struct volume *v, bool with_usage)
{
  json_object *o = json_object_new_object ();
  cleanup_free char *created = rfc3339 (v->created);

  json_object_object_add (o, "CreatedAt", json_object_new_string (created));
  json_object_object_add (o, "Driver", json_object_new_string (v->driver->name));
  json_object_object_add (o, "Labels", v->labels ? json_object_get (v->labels) : json_object_new_object ());
  json_object_object_add (o, "Mountpoint", json_object_new_string (v->mountpoint));
  json_object_object_add (o, "Name", json_object_new_string (v->name));
  json_object_object_add (o, "Options", json_object_get (v->options));
  json_object_object_add (o, "Scope", json_object_new_string ("local"));
  if (with_usage)
    {
      json_object *u = json_object_new_object ();
      json_object_object_add (u, "Size", json_object_new_int64 (tree_disk_usage (v->mountpoint)));
      json_object_object_add (u, "RefCount", json_object_new_int64 ((int64_t) strv_len (v->users)));
      json_object_object_add (o, "UsageData", u);
    }
  return o;
}

/* --- create --- */

static void
generate_name (char buf[65])
{
  unsigned char raw[32];
  size_t got = 0;

  while (got < sizeof (raw))
    {
      ssize_t r = getrandom (raw + got, sizeof (raw) - got, 0);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        abort ();
      got += (size_t) r;
    }
  for (size_t i = 0; i < sizeof (raw); i++)
    snprintf (buf + 2 * i, 3, "%02x", raw[i]);
}

static json_object *
string_object (json_object *o)
{
  json_object *out;

  if (o == NULL || json_object_is_type (o, json_type_null))
    return NULL;
  out = json_object_new_object ();
  json_object_object_foreach (o, k, v)
    json_object_object_add (out, k, json_object_new_string (json_object_get_string (v)));
  return out;
}

static int
check_strings (const char *what, json_object *o, berth_error_t *err)
{
  if (o == NULL || json_object_is_type (o, json_type_null))
    return 0;
  if (!json_object_is_type (o, json_type_object))
    return berth_error_make (err, EINVAL, "%s: expected an object of strings", what);
  json_object_object_foreach (o, k, v)
    if (!json_object_is_type (v, json_type_string))
      return berth_error_make (err, EINVAL, "%s.%s: expected a string", what, k);
  return 0;
}

int
volume_service_create (struct volume_service *vs, const char *name, const char *driver_name, json_object *opts,
                       json_object *labels, json_object **ret, berth_error_t *err)
{
  struct berth_driver *d = NULL;
  struct berth_volume_info info = { .struct_size = sizeof (info) };
  struct berth_cfg *cfg = NULL;
  struct volume *v;
  char gen[65];
  int r;

  if (driver_name == NULL || driver_name[0] == '\0')
    driver_name = VOLUME_DEFAULT_DRIVER;
  if (name == NULL || name[0] == '\0')
    {
      generate_name (gen);
      name = gen;
    }
  else if (!volume_name_valid (name))
    return berth_error_make (err, EINVAL,
                             "create %s: \"%s\" includes invalid characters for a local volume name, only "
                             "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use "
                             "absolute path",
                             name, name);
  if (check_strings ("DriverOpts", opts, err) < 0 || check_strings ("Labels", labels, err) < 0)
    return berth_error_ret (err);
  if (berth_plugins_require (vs->plugins, BERTH_KIND_VOLUME, driver_name, &d, err) < 0)
    return berth_error_wrap (err, "create %s", name);

  pthread_mutex_lock (&vs->lock);
  v = find_locked (vs, name);
  if (v != NULL)
    {
      if (v->driver != d)
        r = berth_error_make (err, EEXIST,
                              "create %s: volume name must be unique: a volume of driver %s has that name", name,
                              v->driver->name);
      else
        {
          if (ret != NULL)
            *ret = volume_json (v, false);
          r = 0;
        }
      pthread_mutex_unlock (&vs->lock);
      return r;
    }
  cfg = berth_cfg_new_map ("DriverOpts");
  if (opts != NULL && json_object_is_type (opts, json_type_object))
    {
      json_object_object_foreach (opts, k, val)
        berth_cfg_map_set (cfg, k, json_object_get_string (val));
    }
  r = d->ops.volume.create (d->drv, name, cfg, err);
  berth_cfg_free (cfg);
  if (r < 0)
    {
      pthread_mutex_unlock (&vs->lock);
      return berth_error_wrap (err, "create %s", name);
    }
  if (d->ops.volume.get (d->drv, name, &info, err) < 0)
    {
      d->ops.volume.remove (d->drv, name, NULL);
      pthread_mutex_unlock (&vs->lock);
      return berth_error_wrap (err, "create %s", name);
    }
  v = xmalloc0 (sizeof (*v));
  v->name = xstrdup (name);
  v->driver = d;
  v->created = info.created_unix;
  v->mountpoint = xstrdup (info.mountpoint);
  v->labels = string_object (labels);
  v->options = string_object (opts);
  if (save_meta (vs, v, err) < 0)
    {
      d->ops.volume.remove (d->drv, name, NULL);
      volume_free (v);
      pthread_mutex_unlock (&vs->lock);
      return berth_error_wrap (err, "create %s", name);
    }
  vs->list = xrealloc (vs->list, (vs->n + 1) * sizeof (*vs->list));
  vs->list[vs->n++] = v;
  event (vs, v, "create", NULL);
  if (ret != NULL)
    *ret = volume_json (v, false);
  pthread_mutex_unlock (&vs->lock);
  return 0;
}

int
volume_service_inspect (struct volume_service *vs, const char *name, json_object **ret, berth_error_t *err)
{
  struct volume *v;
  int r = 0;

  pthread_mutex_lock (&vs->lock);
  v = find_locked (vs, name);
  if (v == NULL)
    r = berth_error_make (err, ENOENT, "get %s: no such volume", name);
  else
    *ret = volume_json (v, false);
  pthread_mutex_unlock (&vs->lock);
  return r;
}

json_object *
volume_service_list (struct volume_service *vs, bool with_usage)
{
  json_object *a = json_object_new_array ();

  pthread_mutex_lock (&vs->lock);
  for (size_t i = 0; i < vs->n; i++)
    json_object_array_add (a, volume_json (vs->list[i], with_usage));
  pthread_mutex_unlock (&vs->lock);
  return a;
}

char **
volume_service_users (struct volume_service *vs, const char *name)
{
  struct volume *v;
  char **out = NULL;

  pthread_mutex_lock (&vs->lock);
  v = find_locked (vs, name);
  if (v != NULL)
    {
      out = xmalloc0 (sizeof (char *));
      for (size_t i = 0; v->users && v->users[i]; i++)
        strv_add (&out, v->users[i]);
    }
  pthread_mutex_unlock (&vs->lock);
  return out;
}

/* --- remove --- */

static int
remove_locked (struct volume_service *vs, struct volume *v, berth_error_t *err)
{
  cleanup_free char *meta = NULL;

  if (strv_len (v->users) > 0)
    {
      cleanup_free char *ids = xstrdup ("");
      for (size_t i = 0; v->users[i]; i++)
        {
          char *next = xasprintf ("%s%s%s", ids, i > 0 ? ", " : "", v->users[i]);
          free (ids);
          ids = next;
        }
      return berth_error_make (err, EBUSY, "remove %s: volume is in use - [%s]", v->name, ids);
    }
  if (v->driver->ops.volume.remove (v->driver->drv, v->name, err) < 0)
    return berth_error_wrap (err, "remove %s", v->name);
  meta = meta_path (vs, v->name);
  if (unlink (meta) < 0 && errno != ENOENT)
    log_warn ("volume %s: remove %s: %s", v->name, meta, strerror (errno));
  event (vs, v, "destroy", NULL);
  for (size_t i = 0; i < vs->n; i++)
    if (vs->list[i] == v)
      {
        memmove (&vs->list[i], &vs->list[i + 1], (vs->n - i - 1) * sizeof (*vs->list));
        vs->n--;
        break;
      }
  volume_free (v);
  return 0;
}

int
volume_service_remove (struct volume_service *vs, const char *name, bool force, berth_error_t *err)
{
  struct volume *v;
  int r;

  pthread_mutex_lock (&vs->lock);
  v = find_locked (vs, name);
  if (v == NULL)
    r = force ? 0 : berth_error_make (err, ENOENT, "get %s: no such volume", name);
  else
    r = remove_locked (vs, v, err);
  pthread_mutex_unlock (&vs->lock);
  return r;
}

void
volume_service_remove_unused (struct volume_service *vs, const char *name)
{
  berth_error_t err = NULL;
  struct volume *v;

  pthread_mutex_lock (&vs->lock);
  v = find_locked (vs, name);
  if (v != NULL && strv_len (v->users) == 0 && remove_locked (vs, v, &err) < 0)
    {
      log_warn ("volume %s: %s", name, berth_error_msg (&err));
      berth_error_release (&err);
    }
  pthread_mutex_unlock (&vs->lock);
}

int
volume_service_prune (struct volume_service *vs, volume_keep_fn keep, void *ud, json_object **ret_names,
                      int64_t *ret_reclaimed, berth_error_t *err)
{
  json_object *names = json_object_new_array ();
  int64_t reclaimed = 0;

  (void) err;
  pthread_mutex_lock (&vs->lock);
  for (size_t i = 0; i < vs->n;)
    {
      struct volume *v = vs->list[i];
      berth_error_t e = NULL;
      json_object *j;
      bool kept;
      int64_t size;

      if (strv_len (v->users) > 0)
        {
          i++;
          continue;
        }
      j = volume_json (v, false);
      kept = keep != NULL && keep (ud, j);
      json_object_put (j);
      if (kept)
        {
          i++;
          continue;
        }
      size = tree_disk_usage (v->mountpoint);
      json_object_array_add (names, json_object_new_string (v->name));
      if (remove_locked (vs, v, &e) < 0)
        {
          /* moby logs a volume it could not remove and goes on */
          log_warn ("prune: %s", berth_error_msg (&e));
          berth_error_release (&e);
          json_object_array_del_idx (names, json_object_array_length (names) - 1, 1);
          i++;
          continue;
        }
      reclaimed += size;
    }
  pthread_mutex_unlock (&vs->lock);
  *ret_names = names;
  *ret_reclaimed = reclaimed;
  return 0;
}

/* --- containers --- */

int
volume_service_acquire (struct volume_service *vs, const char *name, const char *container_id, berth_error_t *err)
{
  struct volume *v;
  int r = 0;

  pthread_mutex_lock (&vs->lock);
  v = find_locked (vs, name);
  if (v == NULL)
    r = berth_error_make (err, ENOENT, "get %s: no such volume", name);
  else if (!strv_contains (v->users, container_id))
    strv_add (&v->users, container_id);
  pthread_mutex_unlock (&vs->lock);
  return r;
}

void
volume_service_release (struct volume_service *vs, const char *name, const char *container_id)
{
  struct volume *v;

  pthread_mutex_lock (&vs->lock);
  v = find_locked (vs, name);
  if (v != NULL)
    strv_del (v->users, container_id);
  pthread_mutex_unlock (&vs->lock);
}

int
volume_service_mount (struct volume_service *vs, const char *name, const char *container_id, char **ret_path,
                      berth_error_t *err)
{
  struct volume *v;
  char path[4096];
  int r = 0;

  pthread_mutex_lock (&vs->lock);
  v = find_locked (vs, name);
  if (v == NULL)
    r = berth_error_make (err, ENOENT, "get %s: no such volume", name);
  else if (strv_contains (v->mounted, container_id))
    *ret_path = xstrdup (v->mountpoint);
  else if ((r = v->driver->ops.volume.mount (v->driver->drv, name, container_id, path, sizeof (path), err)) < 0)
    berth_error_wrap (err, "mount volume %s", name);
  else
    {
      json_object *attrs = json_object_new_object ();
      strv_add (&v->mounted, container_id);
      *ret_path = xstrdup (path);
      json_object_object_add (attrs, "container", json_object_new_string (container_id));
      event (vs, v, "mount", attrs);
      json_object_put (attrs);
    }
  pthread_mutex_unlock (&vs->lock);
  return r;
}

void
volume_service_unmount (struct volume_service *vs, const char *name, const char *container_id)
{
  berth_error_t err = NULL;
  struct volume *v;

  pthread_mutex_lock (&vs->lock);
  v = find_locked (vs, name);
  if (v != NULL && strv_del (v->mounted, container_id))
    {
      json_object *attrs = json_object_new_object ();
      if (v->driver->ops.volume.unmount (v->driver->drv, name, container_id, &err) < 0)
        {
          log_warn ("unmount volume %s: %s", name, berth_error_msg (&err));
          berth_error_release (&err);
        }
      json_object_object_add (attrs, "container", json_object_new_string (container_id));
      event (vs, v, "unmount", attrs);
      json_object_put (attrs);
    }
  pthread_mutex_unlock (&vs->lock);
}

void
volume_service_restore_mount (struct volume_service *vs, const char *name, const char *container_id)
{
  berth_error_t err = NULL;
  struct volume *v;

  pthread_mutex_lock (&vs->lock);
  v = find_locked (vs, name);
  if (v != NULL && !strv_contains (v->mounted, container_id))
    {
      int r = v->driver->ops.volume.restore
                  ? v->driver->ops.volume.restore (v->driver->drv, name, container_id, &err)
                  : v->driver->ops.volume.mount (v->driver->drv, name, container_id, NULL, 0, &err);
      if (r < 0)
        {
          log_warn ("restore volume %s for container %.12s: %s", name, container_id, berth_error_msg (&err));
          berth_error_release (&err);
        }
      else
        strv_add (&v->mounted, container_id);
    }
  pthread_mutex_unlock (&vs->lock);
}
