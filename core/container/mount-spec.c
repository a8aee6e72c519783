#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/container/container.h"
#include "core/container/mount-spec.h"
#include "core/lib/mem.h"

char *
mount_spec_clean_path (const char *path)
{
  bool abs = path[0] == '/';
  size_t len = strlen (path);
  char *out = xmalloc (len + 2);
  size_t o = 0, n_parts = 0;
  size_t *starts = xmalloc ((len / 2 + 2) * sizeof (size_t));
  const char *p = path;

  if (abs)
    out[o++] = '/';
  while (*p)
    {
      const char *e;
      size_t n;
      while (*p == '/')
        p++;
      if (*p == '\0')
        break;
      e = strchr (p, '/');
      n = e ? (size_t) (e - p) : strlen (p);
      if (n == 1 && p[0] == '.')
        ;
      else if (n == 2 && p[0] == '.' && p[1] == '.')
        {
          if (n_parts > 0)
            o = starts[--n_parts];
          else if (!abs)
            {
              /* a relative path keeps its leading ".." */
              if (o > 0)
                out[o++] = '/';
              memcpy (out + o, "..", 2);
              o += 2;
            }
        }
      else
        {
          starts[n_parts++] = o;
          if (o > 0 && out[o - 1] != '/')
            out[o++] = '/';
          memcpy (out + o, p, n);
          o += n;
        }
      p += n;
    }
  /* drop a trailing separator left by removing the last part */
  if (o > 1 && out[o - 1] == '/')
    o--;
  if (o == 0)
    out[o++] = abs ? '/' : '.';
  out[o] = '\0';
  free (starts);
  return out;
}

static bool
is_type (json_object *v, json_type t)
{
  return v != NULL && json_object_is_type (v, t);
}

static bool
is_set (json_object *v)
{
  if (v == NULL || json_object_is_type (v, json_type_null))
    return false;
  if (json_object_is_type (v, json_type_object))
    {
      json_object_object_foreach (v, k, sub)
        {
          (void) k;
          if (is_set (sub))
            return true;
        }
      return false;
    }
  if (json_object_is_type (v, json_type_boolean))
    return json_object_get_boolean (v);
  if (json_object_is_type (v, json_type_int))
    return json_object_get_int64 (v) != 0;
  if (json_object_is_type (v, json_type_string))
    return json_object_get_string_len (v) > 0;
  if (json_object_is_type (v, json_type_array))
    return json_object_array_length (v) > 0;
  return true;
}

static const char *
str_field (json_object *o, const char *key)
{
  json_object *v = NULL;

  if (!json_object_object_get_ex (o, key, &v) || !is_type (v, json_type_string))
    return "";
  return json_object_get_string (v);
}

/* --- the mode of a bind spec (moby's ValidMountMode) --- */

struct bind_mode
{
  bool ro, has_rw_mode;
  const char *propagation; /* NULL when not given */
  bool nocopy, has_copy;
};

static int
parse_mode (const char *mode, struct bind_mode *m)
{
  static const char *const propagations[] = { "private", "rprivate", "shared", "rshared", "slave", "rslave", NULL };
  cleanup_free char *copy = xstrdup (mode);
  char *save = NULL;
  int labels = 0, consistency = 0;

  memset (m, 0, sizeof (*m));
  if (mode[0] == '\0')
    return 0;
  for (char *o = strtok_r (copy, ",", &save); o != NULL; o = strtok_r (NULL, ",", &save))
    {
      bool known = false;
      if (strcmp (o, "rw") == 0 || strcmp (o, "ro") == 0)
        {
          if (m->has_rw_mode)
            return -1;
          m->has_rw_mode = true;
          m->ro = strcmp (o, "ro") == 0;
          continue;
        }
      if (strcmp (o, "z") == 0 || strcmp (o, "Z") == 0)
        {
          if (labels++ > 0)
            return -1;
          continue;
        }
      if (strcmp (o, "nocopy") == 0)
        {
          if (m->has_copy)
            return -1;
          m->has_copy = m->nocopy = true;
          continue;
        }
      if (strcmp (o, "consistent") == 0 || strcmp (o, "cached") == 0 || strcmp (o, "delegated") == 0)
        {
          if (consistency++ > 0)
            return -1;
          continue;
        }
      for (size_t i = 0; propagations[i]; i++)
        if (strcmp (o, propagations[i]) == 0)
          {
            if (m->propagation != NULL)
              return -1;
            m->propagation = propagations[i];
            known = true;
          }
      if (!known)
        return -1;
    }
  return 0;
}

/* --- one mount point --- */

struct point
{
  const char *type;
  char *source;
  char *target;
  bool ro;
  const char *propagation;
  bool has_bind_options, has_volume_options, has_tmpfs_options;
  bool nocopy, non_recursive, create_mountpoint;
  json_object *volume_labels, *volume_opts; /* borrowed */
  const char *volume_driver;
  char *tmpfs_data;
};

static void
point_clear (struct point *p)
{
  free (p->source);
  free (p->target);
  free (p->tmpfs_data);
}

static int config_error (berth_error_t *err, const char *type, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

static int
config_error (berth_error_t *err, const char *type, const char *fmt, ...)
{
  cleanup_free char *what = NULL;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&what, fmt, ap) < 0)
    oom ();
  va_end (ap);
  return berth_error_make (err, EINVAL, "invalid mount config for type \"%s\": %s", type, what);
}

/* moby's validateMountConfig + parseMountSpec */
static int
check_point (struct point *p, bool source_must_exist, berth_error_t *err)
{
  if (p->target == NULL || p->target[0] == '\0')
    return config_error (err, p->type, "field %s must not be empty", "Target");
  if (p->target[0] != '/')
    return berth_error_make (err, EINVAL, "invalid mount path: '%s' mount path must be absolute", p->target);
  {
    char *clean = mount_spec_clean_path (p->target);
    free (p->target);
    p->target = clean;
  }
  if (strcmp (p->target, "/") == 0)
    return berth_error_make (err, EINVAL, "invalid specification: destination can't be '/'");
  if (strcmp (p->type, "bind") == 0)
    {
      struct stat st;
      if (p->has_volume_options)
        return config_error (err, p->type, "field %s must not be specified", "VolumeOptions");
      if (p->has_tmpfs_options)
        return config_error (err, p->type, "field %s must not be specified", "TmpfsOptions");
      if (p->source == NULL || p->source[0] == '\0')
        return config_error (err, p->type, "field %s must not be empty", "Source");
      if (p->source[0] != '/')
        {
          cleanup_free char *what = xasprintf ("invalid mount path: '%s' mount path must be absolute", p->source);
          return config_error (err, p->type, "%s", what);
        }
      {
        char *clean = mount_spec_clean_path (p->source);
        free (p->source);
        p->source = clean;
      }
      if (source_must_exist && !p->create_mountpoint && stat (p->source, &st) < 0)
        return config_error (err, p->type, "bind source path does not exist: %s", p->source);
      return 0;
    }
  if (strcmp (p->type, "volume") == 0)
    {
      if (p->has_bind_options)
        return config_error (err, p->type, "field %s must not be specified", "BindOptions");
      if (p->has_tmpfs_options)
        return config_error (err, p->type, "field %s must not be specified", "TmpfsOptions");
      if (p->volume_driver != NULL && p->volume_driver[0] != '\0' && strcmp (p->volume_driver, "local") != 0)
        return berth_error_make (err, EINVAL, "volume driver \"%s\" is not supported by berth (only local)",
                                 p->volume_driver);
      return 0;
    }
  if (strcmp (p->type, "tmpfs") == 0)
    {
      if (p->source != NULL && p->source[0] != '\0')
        return config_error (err, p->type, "field %s must not be specified", "Source");
      if (p->has_bind_options)
        return config_error (err, p->type, "field %s must not be specified", "BindOptions");
      if (p->has_volume_options)
        return config_error (err, p->type, "field %s must not be specified", "VolumeOptions");
      return 0;
    }
  return config_error (err, p->type, "%s", "mount type unknown");
}

static json_object *
point_json (const struct point *p, const char *mode, bool create_source, bool anonymous)
{
  json_object *o = json_object_new_object ();
  bool bind = strcmp (p->type, "bind") == 0, volume = strcmp (p->type, "volume") == 0;

  json_object_object_add (o, "Type", json_object_new_string (p->type));
  json_object_object_add (o, "Name", json_object_new_string (volume && p->source ? p->source : ""));
  json_object_object_add (o, "Source", json_object_new_string (bind ? p->source : ""));
  json_object_object_add (o, "Destination", json_object_new_string (p->target));
  json_object_object_add (o, "Driver", json_object_new_string (volume ? "local" : ""));
  json_object_object_add (o, "Mode", json_object_new_string (mode ? mode : ""));
  json_object_object_add (o, "RW", json_object_new_boolean (!p->ro));
  json_object_object_add (o, "Propagation",
                          json_object_new_string (bind ? (p->propagation ? p->propagation : "rprivate") : ""));
  json_object_object_add (o, "Anonymous", json_object_new_boolean (anonymous));
  json_object_object_add (o, "CopyData", json_object_new_boolean (volume && !p->nocopy));
  json_object_object_add (o, "CreateSource", json_object_new_boolean (bind && (create_source || p->create_mountpoint)));
  json_object_object_add (o, "NonRecursive", json_object_new_boolean (bind && p->non_recursive));
  if (p->tmpfs_data != NULL)
    json_object_object_add (o, "TmpfsOptions", json_object_new_string (p->tmpfs_data));
  if (p->volume_labels != NULL)
    json_object_object_add (o, "VolumeLabels", json_object_get (p->volume_labels));
  if (p->volume_opts != NULL)
    json_object_object_add (o, "VolumeOptions", json_object_get (p->volume_opts));
  return o;
}

static bool
has_destination (json_object *points, const char *dest)
{
  for (size_t i = 0; i < json_object_array_length (points); i++)
    if (strcmp (str_field (json_object_array_get_idx (points, i), "Destination"), dest) == 0)
      return true;
  return false;
}

/* HostConfig.Binds: moby's linuxParser.ParseMountRaw */
static int
parse_bind (const char *raw, json_object *points, berth_error_t *err)
{
  cleanup_free char *copy = xstrdup (raw);
  char *parts[4] = { NULL };
  size_t n = 0;
  const char *mode = "";
  struct bind_mode m;
  struct point p = { 0 };
  int r;

  for (char *s = copy; n < 4;)
    {
      char *colon = n < 3 ? strchr (s, ':') : NULL;
      parts[n++] = s;
      if (colon == NULL)
        break;
      *colon = '\0';
      s = colon + 1;
    }
  if (parts[0][0] == '\0' || n == 4)
    return berth_error_make (err, EINVAL, "invalid volume specification: '%s'", raw);
  if (n == 1)
    /* only a destination: Config.Volumes' job, not a bind */
    return berth_error_make (err, EINVAL, "invalid volume specification: '%s'", raw);
  if (n == 2 && parse_mode (parts[1], &m) == 0 && parts[1][0] != '\0')
    return berth_error_make (err, EINVAL, "invalid volume specification: '%s'", raw);
  if (n == 3)
    mode = parts[2];
  if (parse_mode (mode, &m) < 0)
    return berth_error_make (err, EINVAL, "invalid mode: %s", mode);
  p.source = xstrdup (parts[0]);
  p.target = xstrdup (parts[1]);
  p.type = p.source[0] == '/' ? "bind" : "volume";
  p.ro = m.ro;
  p.nocopy = m.nocopy;
  p.has_volume_options = m.has_copy;
  p.has_bind_options = m.propagation != NULL;
  p.propagation = m.propagation;
  r = check_point (&p, false, err);
  if (r < 0)
    {
      point_clear (&p);
      return berth_error_wrap (err, "invalid volume specification: '%s'", raw);
    }
  if (has_destination (points, p.target))
    {
      berth_error_make (err, EINVAL, "Duplicate mount point: %s", p.target);
      point_clear (&p);
      return berth_error_ret (err);
    }
  json_object_array_add (points, point_json (&p, mode, true, false));
  point_clear (&p);
  return 0;
}

static int
check_known (json_object *o, const char *where, const char *const *known, berth_error_t *err)
{
  json_object_object_foreach (o, k, v)
    {
      bool ok = false;
      for (size_t i = 0; known[i]; i++)
        if (strcmp (known[i], k) == 0)
          ok = true;
      if (!ok && is_set (v))
        return berth_error_make (err, EINVAL, "%s.%s is not supported by berth", where, k);
    }
  return 0;
}

static int
tmpfs_data (json_object *topts, bool ro, char **ret, berth_error_t *err)
{
  json_object *size = NULL, *mode = NULL;
  cleanup_free char *out = xstrdup ("");
  int64_t sz = 0;

  if (topts != NULL && json_object_is_type (topts, json_type_object))
    {
      json_object_object_get_ex (topts, "SizeBytes", &size);
      json_object_object_get_ex (topts, "Mode", &mode);
    }
  if (size != NULL && !json_object_is_type (size, json_type_null))
    {
      if (!json_object_is_type (size, json_type_int) || (sz = json_object_get_int64 (size)) < 0)
        return berth_error_make (err, EINVAL, "invalid tmpfs option: SizeBytes must be a positive number of bytes");
    }
  if (sz > 0)
    {
      const char *suffix = "";
      if (sz % (1LL << 30) == 0)
        sz /= 1LL << 30, suffix = "g";
      else if (sz % (1LL << 20) == 0)
        sz /= 1LL << 20, suffix = "m";
      else if (sz % (1LL << 10) == 0)
        sz /= 1LL << 10, suffix = "k";
      free (out);
      out = xasprintf ("size=%lld%s", (long long) sz, suffix);
    }
  if (mode != NULL && !json_object_is_type (mode, json_type_null))
    {
      int64_t md;
      if (!json_object_is_type (mode, json_type_int) || (md = json_object_get_int64 (mode)) < 0 || md > 07777)
        return berth_error_make (err, EINVAL, "invalid tmpfs option: Mode must be a file mode (0 to 07777)");
      if (md != 0)
        {
          char *next = xasprintf ("%s%smode=%llo", out, out[0] ? "," : "", (unsigned long long) md);
          free (out);
          out = next;
        }
    }
  if (ro)
    {
      char *next = xasprintf ("%s%sro", out, out[0] ? "," : "");
      free (out);
      out = next;
    }
  *ret = steal_pointer (&out);
  return 0;
}

/* HostConfig.Mounts: one mount.Mount */
static int
parse_mount (json_object *m, size_t idx, json_object *points, berth_error_t *err)
{
  static const char *const known[] = { "Type", "Source", "Target", "ReadOnly", "Consistency", "BindOptions",
                                       "VolumeOptions", "TmpfsOptions", NULL };
  static const char *const bind_known[] = { "Propagation", "NonRecursive", "CreateMountpoint", NULL };
  static const char *const volume_known[] = { "NoCopy", "Labels", "DriverConfig", NULL };
  static const char *const tmpfs_known[] = { "SizeBytes", "Mode", NULL };
  static const char *const propagations[] = { "private", "rprivate", "shared", "rshared", "slave", "rslave", NULL };
  json_object *bo = NULL, *vo = NULL, *to = NULL, *v;
  struct point p = { 0 };
  cleanup_free char *where = xasprintf ("HostConfig.Mounts[%zu]", idx);
  int r;

  if (!is_type (m, json_type_object))
    return berth_error_make (err, EINVAL, "%s: expected an object", where);
  if (check_known (m, where, known, err) < 0)
    return berth_error_ret (err);
  p.type = str_field (m, "Type");
  if (p.type[0] == '\0')
    return berth_error_make (err, EINVAL, "invalid mount config for type \"\": mount type unknown");
  p.source = xstrdup (str_field (m, "Source"));
  p.target = xstrdup (str_field (m, "Target"));
  p.ro = json_object_object_get_ex (m, "ReadOnly", &v) && json_object_get_boolean (v);
  json_object_object_get_ex (m, "BindOptions", &bo);
  json_object_object_get_ex (m, "VolumeOptions", &vo);
  json_object_object_get_ex (m, "TmpfsOptions", &to);
  p.has_bind_options = is_type (bo, json_type_object);
  p.has_volume_options = is_type (vo, json_type_object);
  p.has_tmpfs_options = is_type (to, json_type_object);
  r = 0;
  if (p.has_bind_options)
    {
      const char *prop = str_field (bo, "Propagation");
      cleanup_free char *w = xasprintf ("%s.BindOptions", where);
      r = check_known (bo, w, bind_known, err);
      if (r == 0 && prop[0] != '\0')
        {
          for (size_t i = 0; propagations[i]; i++)
            if (strcmp (prop, propagations[i]) == 0)
              p.propagation = propagations[i];
          if (p.propagation == NULL)
            r = berth_error_make (err, EINVAL, "invalid propagation mode: %s", prop);
        }
      p.non_recursive = json_object_object_get_ex (bo, "NonRecursive", &v) && json_object_get_boolean (v);
      p.create_mountpoint = json_object_object_get_ex (bo, "CreateMountpoint", &v) && json_object_get_boolean (v);
    }
  if (r == 0 && p.has_volume_options)
    {
      cleanup_free char *w = xasprintf ("%s.VolumeOptions", where);
      json_object *dc = NULL;
      r = check_known (vo, w, volume_known, err);
      p.nocopy = json_object_object_get_ex (vo, "NoCopy", &v) && json_object_get_boolean (v);
      if (json_object_object_get_ex (vo, "Labels", &v) && is_type (v, json_type_object))
        p.volume_labels = v;
      if (r == 0 && json_object_object_get_ex (vo, "DriverConfig", &dc) && is_type (dc, json_type_object))
        {
          p.volume_driver = str_field (dc, "Name");
          if (json_object_object_get_ex (dc, "Options", &v) && is_type (v, json_type_object))
            p.volume_opts = v;
        }
    }
  if (r == 0 && p.has_tmpfs_options)
    {
      cleanup_free char *w = xasprintf ("%s.TmpfsOptions", where);
      r = check_known (to, w, tmpfs_known, err);
    }
  if (r == 0)
    r = check_point (&p, true, err);
  if (r == 0 && strcmp (p.type, "tmpfs") == 0)
    r = tmpfs_data (to, p.ro, &p.tmpfs_data, err);
  if (r == 0 && has_destination (points, p.target))
    r = berth_error_make (err, EINVAL, "Duplicate mount point: %s", p.target);
  if (r == 0)
    json_object_array_add (points, point_json (&p, "", false, strcmp (p.type, "volume") == 0 && p.source[0] == '\0'));
  point_clear (&p);
  return r;
}

/* HostConfig.Tmpfs {"/run": "rw,size=64m"} */
static int
parse_tmpfs (const char *dest, json_object *opts, json_object *points, berth_error_t *err)
{
  struct point p = { .type = "tmpfs" };
  int r;

  if (opts != NULL && !is_type (opts, json_type_string) && !is_type (opts, json_type_null))
    return berth_error_make (err, EINVAL, "HostConfig.Tmpfs[%s]: expected a string of mount options", dest);
  p.target = xstrdup (dest);
  r = check_point (&p, false, err);
  if (r < 0)
    berth_error_wrap (err, "invalid tmpfs mount %s", dest);
  else if (has_destination (points, p.target))
    r = berth_error_make (err, EINVAL, "Duplicate mount point: %s", p.target);
  if (r == 0)
    {
      json_object *o;
      p.tmpfs_data = xstrdup (opts ? json_object_get_string (opts) : "");
      o = point_json (&p, "", false, false);
      json_object_object_add (o, "HideInInspect", json_object_new_boolean (true));
      json_object_array_add (points, o);
    }
  point_clear (&p);
  return r;
}

int
mount_spec_collect (json_object *config, json_object *host, json_object **ret, berth_error_t *err)
{
  json_object *points = json_object_new_array ();
  json_object *binds = NULL, *mounts = NULL, *tmpfs = NULL, *volumes = NULL;

  if (host != NULL)
    {
      json_object_object_get_ex (host, "Binds", &binds);
      json_object_object_get_ex (host, "Mounts", &mounts);
      json_object_object_get_ex (host, "Tmpfs", &tmpfs);
    }
  if (config != NULL)
    json_object_object_get_ex (config, "Volumes", &volumes);
  if (binds != NULL && !is_type (binds, json_type_null) && !is_type (binds, json_type_array))
    {
      berth_error_make (err, EINVAL, "HostConfig.Binds: expected an array of strings");
      goto fail;
    }
  for (size_t i = 0; is_type (binds, json_type_array) && i < json_object_array_length (binds); i++)
    {
      json_object *b = json_object_array_get_idx (binds, i);
      if (!is_type (b, json_type_string))
        {
          berth_error_make (err, EINVAL, "HostConfig.Binds[%zu]: expected a string", i);
          goto fail;
        }
      if (parse_bind (json_object_get_string (b), points, err) < 0)
        goto fail;
    }
  if (mounts != NULL && !is_type (mounts, json_type_null) && !is_type (mounts, json_type_array))
    {
      berth_error_make (err, EINVAL, "HostConfig.Mounts: expected an array");
      goto fail;
    }
  for (size_t i = 0; is_type (mounts, json_type_array) && i < json_object_array_length (mounts); i++)
    if (parse_mount (json_object_array_get_idx (mounts, i), i, points, err) < 0)
      goto fail;
  if (tmpfs != NULL && !is_type (tmpfs, json_type_null) && !is_type (tmpfs, json_type_object))
    {
      berth_error_make (err, EINVAL, "HostConfig.Tmpfs: expected an object");
      goto fail;
    }
  if (is_type (tmpfs, json_type_object))
    {
      json_object_object_foreach (tmpfs, dest, opts)
        if (parse_tmpfs (dest, opts, points, err) < 0)
          goto fail;
    }
  if (volumes != NULL && !is_type (volumes, json_type_null) && !is_type (volumes, json_type_object))
    {
      berth_error_make (err, EINVAL, "Config.Volumes: expected an object");
      goto fail;
    }
  if (is_type (volumes, json_type_object))
    {
      json_object_object_foreach (volumes, dest, unused)
        {
          struct point p = { .type = "volume" };
          (void) unused;
          p.target = xstrdup (dest);
          p.source = xstrdup ("");
          if (check_point (&p, false, err) < 0)
            {
              point_clear (&p);
              berth_error_wrap (err, "invalid volume specification: '%s'", dest);
              goto fail;
            }
          /* a bind, mount or tmpfs on the same destination wins */
          if (!has_destination (points, p.target))
            json_object_array_add (points, point_json (&p, "", false, true));
          point_clear (&p);
        }
    }
  *ret = points;
  return 0;
fail:
  json_object_put (points);
  return berth_error_ret (err);
}

/* --- inspect --- */

json_object *
container_mounts_json (const struct container *c)
{
  static const char *const keys[] = { "Type", "Name", "Source", "Destination", "Driver", "Mode", "RW", "Propagation" };
  json_object *a = json_object_new_array ();
  size_t n = json_object_is_type (c->mount_points, json_type_array) ? json_object_array_length (c->mount_points) : 0;

  for (size_t i = 0; i < n; i++)
    {
      json_object *p = json_object_array_get_idx (c->mount_points, i), *o;
      bool volume = strcmp (str_field (p, "Type"), "volume") == 0;
      if (json_object_get_boolean (json_object_object_get (p, "HideInInspect")))
        continue;
      o = json_object_new_object ();
      for (size_t k = 0; k < sizeof (keys) / sizeof (keys[0]); k++)
        {
          json_object *v = json_object_object_get (p, keys[k]);
          /* moby leaves Name and Driver out of binds and tmpfs mounts */
          if (!volume && (strcmp (keys[k], "Name") == 0 || strcmp (keys[k], "Driver") == 0))
            continue;
          json_object_object_add (o, keys[k], json_object_get (v));
        }
      json_object_array_add (a, o);
    }
  return a;
}
