#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/container/manager-volumes.h"
#include "core/container/mount-spec.h"
#include "core/lib/fs.h"
#include "core/lib/fs-synced.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/runtime/resolve.h"
#include "core/volume/service.h"
#include "core/volume/tree.h"

#define MOUNTS_FILE "mounts.json"
#define MOUNTS_MAX (4 * 1024 * 1024)

static const char *
field (json_object *o, const char *key)
{
  json_object *v = NULL;
  const char *s;

  if (!json_object_object_get_ex (o, key, &v))
    return "";
  s = json_object_get_string (v);
  return s ? s : "";
}

static bool
flag (json_object *o, const char *key)
{
  json_object *v = NULL;
  return json_object_object_get_ex (o, key, &v) && json_object_get_boolean (v);
}

static bool
is_volume (json_object *p)
{
  return strcmp (field (p, "Type"), "volume") == 0 && field (p, "Name")[0] != '\0';
}

static size_t
n_points (const struct container *c)
{
  return json_object_is_type (c->mount_points, json_type_array) ? json_object_array_length (c->mount_points) : 0;
}

static int
save_points (const struct container *c, json_object *points, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/%s", c->dir, MOUNTS_FILE);
  const char *text = json_object_to_json_string_ext (points, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

  /* none: no file (a missing one reads as none); else never torn, and
     durable with the directory sync of config.v1.json that follows at create */
  if (json_object_array_length (points) == 0 && access (path, F_OK) < 0)
    return 0;
  return berth_write_file_synced (path, text, strlen (text), 0600, err);
}

/* --- create --- */

static void
drop_points (struct container_manager *m, const struct container *c, json_object *points, size_t upto)
{
  for (size_t i = 0; i < upto; i++)
    {
      json_object *p = json_object_array_get_idx (points, i);
      if (!is_volume (p))
        continue;
      volume_service_release (m->volumes, field (p, "Name"), c->id);
      if (flag (p, "Anonymous"))
        volume_service_remove_unused (m->volumes, field (p, "Name"));
    }
}

int
manager_volumes_create (struct container_manager *m, struct container *c, berth_error_t *err)
{
  json_object *points = NULL;
  size_t n, i;

  if (mount_spec_collect (c->config, c->host_config, &points, err) < 0)
    return berth_error_ret (err);
  n = json_object_array_length (points);
  for (i = 0; i < n; i++)
    {
      json_object *p = json_object_array_get_idx (points, i), *vol = NULL, *labels = NULL, *v;
      const char *name = field (p, "Name");
      bool anonymous = flag (p, "Anonymous");
      int r;

      if (strcmp (field (p, "Type"), "volume") != 0)
        continue;
      if (m->volumes == NULL)
        {
          berth_error_make (err, ENOTSUP, "volumes are not available in this daemon");
          break;
        }
      if (json_object_object_get_ex (p, "VolumeLabels", &v) && json_object_is_type (v, json_type_object))
        json_object_deep_copy (v, &labels, NULL);
      if (anonymous)
        {
          if (labels == NULL)
            labels = json_object_new_object ();
          json_object_object_add (labels, VOLUME_ANONYMOUS_LABEL, json_object_new_string (""));
        }
      json_object_object_get_ex (p, "VolumeOptions", &v);
      r = volume_service_create (m->volumes, anonymous ? NULL : name, VOLUME_DEFAULT_DRIVER, v, labels, &vol, err);
      json_object_put (labels);
      if (r < 0)
        break;
      json_object_object_add (p, "Name", json_object_new_string (field (vol, "Name")));
      json_object_object_add (p, "Source", json_object_new_string (field (vol, "Mountpoint")));
      json_object_object_add (p, "Driver", json_object_new_string (field (vol, "Driver")));
      json_object_put (vol);
      if (volume_service_acquire (m->volumes, field (p, "Name"), c->id, err) < 0)
        {
          if (anonymous)
            volume_service_remove_unused (m->volumes, field (p, "Name"));
          break;
        }
    }
  if (i == n && save_points (c, points, err) == 0)
    {
      pthread_mutex_lock (&m->lock);
      json_object_put (c->mount_points);
      c->mount_points = points;
      pthread_mutex_unlock (&m->lock);
      return 0;
    }
  drop_points (m, c, points, i);
  json_object_put (points);
  return berth_error_ret (err);
}

void
manager_volumes_release (struct container_manager *m, struct container *c, bool remove_anonymous)
{
  size_t n = n_points (c);

  if (m->volumes == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    {
      json_object *p = json_object_array_get_idx (c->mount_points, i);
      if (!is_volume (p))
        continue;
      volume_service_unmount (m->volumes, field (p, "Name"), c->id);
      volume_service_release (m->volumes, field (p, "Name"), c->id);
      if (remove_anonymous && flag (p, "Anonymous"))
        volume_service_remove_unused (m->volumes, field (p, "Name"));
    }
}

void
manager_volumes_on_remove (struct container_manager *m, struct container *c)
{
  manager_volumes_release (m, c, json_object_get_boolean (json_object_object_get (c->host_config, "AutoRemove")));
}

char **
container_manager_anonymous_volumes (struct container_manager *m, const struct container *c)
{
  char **out = xmalloc0 (sizeof (char *));
  size_t k = 0;

  pthread_mutex_lock (&m->lock);
  for (size_t i = 0; i < n_points (c); i++)
    {
      json_object *p = json_object_array_get_idx (c->mount_points, i);
      if (!is_volume (p) || !flag (p, "Anonymous"))
        continue;
      out = xrealloc (out, (k + 2) * sizeof (char *));
      out[k++] = xstrdup (field (p, "Name"));
      out[k] = NULL;
    }
  pthread_mutex_unlock (&m->lock);
  return out;
}

void
container_manager_remove_volumes (struct container_manager *m, char **names)
{
  for (size_t i = 0; m->volumes != NULL && names != NULL && names[i] != NULL; i++)
    volume_service_remove_unused (m->volumes, names[i]);
}

/* --- start --- */

/* A new volume gets what the image has at its destination (moby's
   copyExistingContents), once: only while the volume is empty. */
static int
fill_volume (struct container *c, json_object *p, const char *path, bool *ret_changed, berth_error_t *err)
{
  cleanup_close int vol = -1, root = -1, src = -1;
  berth_error_t e = NULL;
  const char *dest = field (p, "Destination");

  vol = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (vol < 0)
    return berth_error_errno (err, errno, "open volume %s", field (p, "Name"));
  if (!tree_dir_empty (vol))
    return 0;
  root = open (c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return berth_error_errno (err, errno, "open %s", c->rootfs);
  src = berth_open_in_root (root, dest, O_RDONLY | O_DIRECTORY, 0, &e);
  if (src < 0)
    {
      /* nothing there (or not a directory): nothing to copy */
      berth_error_release (&e);
      return 0;
    }
  if (tree_copy (src, vol, err) < 0)
    return berth_error_wrap (err, "copy %s of the image into volume %s", dest, field (p, "Name"));
  json_object_object_add (p, "CopyData", json_object_new_boolean (false));
  *ret_changed = true;
  return 0;
}

static void
add_opt (json_object *opts, const char *o)
{
  json_object_array_add (opts, json_object_new_string (o));
}

/* the flag groups mount options override each other in (moby's MergeTmpfsOptions) */
static const char *
option_group (const char *o, char *buf, size_t len)
{
  static const char *const pairs[][2] = {
    { "ro", "rw" },         { "exec", "noexec" }, { "suid", "nosuid" },         { "dev", "nodev" },
    { "sync", "async" },    { "atime", "noatime" }, { "diratime", "nodiratime" }, { "relatime", "norelatime" },
    { "strictatime", "nostrictatime" }, { "mand", "nomand" },
  };
  const char *eq = strchr (o, '=');

  for (size_t i = 0; i < sizeof (pairs) / sizeof (pairs[0]); i++)
    if (strcmp (o, pairs[i][0]) == 0 || strcmp (o, pairs[i][1]) == 0)
      return pairs[i][0];
  if (eq != NULL)
    {
      snprintf (buf, len, "%.*s=", (int) (eq - o), o);
      return buf;
    }
  return o;
}

static json_object *
tmpfs_options (const char *data)
{
  json_object *opts = json_object_new_array ();
  cleanup_free char *all = xasprintf ("noexec,nosuid,nodev,rprivate%s%s", data[0] ? "," : "", data);
  char *save = NULL;

  for (char *o = strtok_r (all, ",", &save); o != NULL; o = strtok_r (NULL, ",", &save))
    {
      char g1[256], g2[256];
      const char *group = option_group (o, g1, sizeof (g1));
      size_t i;
      for (i = 0; i < json_object_array_length (opts); i++)
        {
          const char *have = json_object_get_string (json_object_array_get_idx (opts, i));
          if (strcmp (option_group (have, g2, sizeof (g2)), group) == 0)
            break;
        }
      if (i < json_object_array_length (opts))
        json_object_array_put_idx (opts, i, json_object_new_string (o));
      else
        add_opt (opts, o);
    }
  return opts;
}

static json_object *
oci_mount (const char *dest, const char *type, const char *source, json_object *options)
{
  json_object *o = json_object_new_object ();

  json_object_object_add (o, "destination", json_object_new_string (dest));
  json_object_object_add (o, "type", json_object_new_string (type));
  json_object_object_add (o, "source", json_object_new_string (source));
  json_object_object_add (o, "options", options);
  return o;
}

static size_t
depth (const char *path)
{
  size_t n = 0;
  for (const char *p = path; *p; p++)
    if (*p == '/' && p[1] != '\0')
      n++;
  return n;
}

static int
cmp_depth (const void *a, const void *b)
{
  json_object *x = *(json_object *const *) a, *y = *(json_object *const *) b;
  size_t dx = depth (field (x, "destination")), dy = depth (field (y, "destination"));
  return dx < dy ? -1 : dx > dy ? 1 : 0;
}

/* the user's mounts, parents before children, replacing the default mounts
   at the same destinations */
static void
merge_mounts (json_object *spec, json_object **user, size_t n_user)
{
  json_object *mounts = json_object_object_get (spec, "mounts");
  json_object *out = json_object_new_array ();

  /* qsort is not stable: a small insertion sort keeps the given order */
  for (size_t i = 1; i < n_user; i++)
    for (size_t j = i; j > 0 && cmp_depth (&user[j - 1], &user[j]) > 0; j--)
      {
        json_object *t = user[j];
        user[j] = user[j - 1];
        user[j - 1] = t;
      }
  for (size_t i = 0; json_object_is_type (mounts, json_type_array) && i < json_object_array_length (mounts); i++)
    {
      json_object *d = json_object_array_get_idx (mounts, i);
      bool replaced = false;
      for (size_t k = 0; k < n_user && !replaced; k++)
        replaced = strcmp (field (d, "destination"), field (user[k], "destination")) == 0;
      if (!replaced)
        json_object_array_add (out, json_object_get (d));
    }
  for (size_t k = 0; k < n_user; k++)
    json_object_array_add (out, user[k]);
  json_object_object_add (spec, "mounts", out);
}

static int
add_init (struct container_manager *m, struct container *c, json_object *spec, berth_error_t *err)
{
  json_object *init = json_object_object_get (c->host_config, "Init");
  json_object *process = json_object_object_get (spec, "process");
  json_object *args = json_object_object_get (process, "args"), *nargs, *opts;

  if (init == NULL || json_object_is_type (init, json_type_null) ? !m->default_init : !json_object_get_boolean (init))
    return 0;
  if (m->init_path == NULL || access (m->init_path, X_OK) < 0)
    return berth_error_make (err, ENOENT, "--init: the init program %s is missing (is berth installed completely?)",
                             m->init_path ? m->init_path : "berth-init");
  opts = json_object_new_array ();
  add_opt (opts, "bind");
  add_opt (opts, "ro");
  add_opt (opts, "nosuid");
  add_opt (opts, "nodev");
  json_object_array_add (json_object_object_get (spec, "mounts"),
                         oci_mount (CONTAINER_INIT_PATH, "bind", m->init_path, opts));
  nargs = json_object_new_array ();
  json_object_array_add (nargs, json_object_new_string (CONTAINER_INIT_PATH));
  json_object_array_add (nargs, json_object_new_string ("--"));
  for (size_t i = 0; json_object_is_type (args, json_type_array) && i < json_object_array_length (args); i++)
    json_object_array_add (nargs, json_object_get (json_object_array_get_idx (args, i)));
  json_object_object_add (process, "args", nargs);
  return 0;
}

int
manager_volumes_apply_spec (struct container_manager *m, struct container *c, json_object *spec, berth_error_t *err)
{
  size_t n = n_points (c), k = 0;
  json_object **user = xmalloc0 ((n + 1) * sizeof (*user));
  bool changed = false;
  int r = 0;

  for (size_t i = 0; i < n && r == 0; i++)
    {
      json_object *p = json_object_array_get_idx (c->mount_points, i);
      const char *type = field (p, "Type"), *dest = field (p, "Destination");
      json_object *opts;

      if (strcmp (type, "tmpfs") == 0)
        {
          json_object *o = tmpfs_options (field (p, "TmpfsOptions"));
          user[k++] = oci_mount (dest, "tmpfs", "tmpfs", o);
          continue;
        }
      opts = json_object_new_array ();
      add_opt (opts, flag (p, "NonRecursive") ? "bind" : "rbind");
      add_opt (opts, field (p, "Propagation")[0] ? field (p, "Propagation") : "rprivate");
      if (!flag (p, "RW"))
        add_opt (opts, "ro");
      if (strcmp (type, "volume") == 0)
        {
          cleanup_free char *path = NULL;
          if (m->volumes == NULL)
            r = berth_error_make (err, ENOTSUP, "volumes are not available in this daemon");
          else if (volume_service_mount (m->volumes, field (p, "Name"), c->id, &path, err) == 0
                   && flag (p, "CopyData"))
            fill_volume (c, p, path, &changed, err);
          if (*err == NULL && r == 0)
            user[k++] = oci_mount (dest, "bind", path, opts);
          else
            {
              json_object_put (opts);
              r = berth_error_ret (err);
            }
          continue;
        }
      /* bind: -v creates a missing host directory, --mount refuses it (at create) */
      if (flag (p, "CreateSource") && access (field (p, "Source"), F_OK) < 0 && errno == ENOENT
          && berth_mkdir_p (field (p, "Source"), 0755, err) < 0)
        {
          json_object_put (opts);
          r = berth_error_wrap (err, "create the bind source");
          continue;
        }
      if (access (field (p, "Source"), F_OK) < 0)
        {
          json_object_put (opts);
          r = berth_error_make (err, ENOENT, "invalid mount config for type \"bind\": bind source path does not exist: %s",
                                field (p, "Source"));
          continue;
        }
      user[k++] = oci_mount (dest, "bind", field (p, "Source"), opts);
    }
  if (r == 0)
    {
      merge_mounts (spec, user, k);
      k = 0;
      r = add_init (m, c, spec, err);
    }
  for (size_t i = 0; i < k; i++)
    json_object_put (user[i]);
  free (user);
  if (r < 0)
    {
      manager_volumes_unmount (m, c);
      return r;
    }
  if (changed)
    {
      berth_error_t e = NULL;
      if (save_points (c, c->mount_points, &e) < 0)
        {
          log_warn ("container %.12s: %s", c->id, berth_error_msg (&e));
          berth_error_release (&e);
        }
    }
  return 0;
}

void
manager_volumes_unmount (struct container_manager *m, struct container *c)
{
  for (size_t i = 0; m->volumes != NULL && i < n_points (c); i++)
    {
      json_object *p = json_object_array_get_idx (c->mount_points, i);
      if (is_volume (p))
        volume_service_unmount (m->volumes, field (p, "Name"), c->id);
    }
}

/* --- daemon start --- */

void
manager_volumes_restore (struct container_manager *m, struct container *c)
{
  cleanup_free char *path = xasprintf ("%s/%s", c->dir, MOUNTS_FILE);
  cleanup_free char *text = NULL;
  berth_error_t err = NULL;
  json_object *points;
  size_t len;

  if (berth_read_file (path, MOUNTS_MAX, &text, &len, &err) < 0)
    {
      if (berth_error_code (&err) != ENOENT)
        log_warn ("container %.12s: %s", c->id, berth_error_msg (&err));
      berth_error_release (&err);
      return;
    }
  points = json_tokener_parse (text);
  if (!json_object_is_type (points, json_type_array))
    {
      log_warn ("container %.12s: %s is damaged; its mounts are ignored", c->id, path);
      json_object_put (points);
      return;
    }
  json_object_put (c->mount_points);
  c->mount_points = points;
  for (size_t i = 0; m->volumes != NULL && i < n_points (c); i++)
    {
      json_object *p = json_object_array_get_idx (points, i);
      if (!is_volume (p))
        continue;
      if (volume_service_acquire (m->volumes, field (p, "Name"), c->id, &err) < 0)
        {
          log_warn ("container %.12s: %s", c->id, berth_error_msg (&err));
          berth_error_release (&err);
          continue;
        }
      if (manager_running (c))
        volume_service_restore_mount (m->volumes, field (p, "Name"), c->id);
    }
}
