/* The mount flags of run/create: -v/--volume, --mount, --tmpfs, --init,
   turned into the request as the docker CLI does: "-v /path" is an
   anonymous volume (Config.Volumes), "-v src:/dst[:mode]" a bind or named
   volume (HostConfig.Binds, "./rel" made absolute), --mount's csv a
   HostConfig.Mounts entry, --tmpfs a HostConfig.Tmpfs entry, --init sets
   HostConfig.Init.  The daemon checks the rest with moby's messages. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/cli/container.h"
#include "core/lib/mem.h"

static int
bad (const char *arg, const char *flag, const char *why)
{
  fprintf (stderr, "invalid argument \"%s\" for \"%s\" flag: %s\n", arg, flag, why);
  return 1;
}

static int
add_volume (struct berth_create_opts *o, const char *arg)
{
  const char *colon = strchr (arg, ':');
  size_t colons = 0;

  if (arg[0] == '\0')
    return bad (arg, "-v, --volume", "invalid empty volume spec");
  for (const char *p = arg; *p; p++)
    if (*p == ':')
      {
        colons++;
        if (p[1] == ':' || p[1] == '\0' || p == arg)
          {
            cleanup_free char *why = xasprintf ("invalid spec: %s: empty section between colons", arg);
            fprintf (stderr, "%s\n", why);
            return 1;
          }
      }
  if (colons > 2)
    {
      fprintf (stderr, "invalid spec: %s: too many colons\n", arg);
      return 1;
    }
  if (colon == NULL)
    {
      if (o->volumes == NULL)
        o->volumes = json_object_new_object ();
      json_object_object_add (o->volumes, arg, json_object_new_object ());
      return 0;
    }
  if (o->binds == NULL)
    o->binds = json_object_new_array ();
  if (arg[0] == '.')
    {
      /* a relative host path: absolute from here, as the docker CLI does */
      char cwd[PATH_MAX];
      cleanup_free char *host = xstrndup (arg, (size_t) (colon - arg));
      cleanup_free char *full = NULL;
      if (getcwd (cwd, sizeof (cwd)) == NULL)
        return bad (arg, "-v, --volume", strerror (errno));
      full = xasprintf ("%s/%s%s", cwd, host, colon);
      json_object_array_add (o->binds, json_object_new_string (full));
      return 0;
    }
  json_object_array_add (o->binds, json_object_new_string (arg));
  return 0;
}

static int
parse_bool (const char *v, bool *ret)
{
  if (v == NULL || strcasecmp (v, "true") == 0 || strcmp (v, "1") == 0)
    *ret = true;
  else if (strcasecmp (v, "false") == 0 || strcmp (v, "0") == 0)
    *ret = false;
  else
    return -1;
  return 0;
}

static json_object *
sub_object (json_object *parent, const char *key)
{
  json_object *o = NULL;

  if (!json_object_object_get_ex (parent, key, &o))
    {
      o = json_object_new_object ();
      json_object_object_add (parent, key, o);
    }
  return o;
}

static void
add_kv (json_object *obj, const char *kv)
{
  const char *eq = strchr (kv, '=');
  cleanup_free char *k = eq ? xstrndup (kv, (size_t) (eq - kv)) : xstrdup (kv);
  json_object_object_add (obj, k, json_object_new_string (eq ? eq + 1 : ""));
}

/* one key=value field of --mount; 0, or 1 after the complaint */
static int
mount_field (json_object *m, const char *arg, const char *key, const char *value, const char *field)
{
  static const char *const flag = "--mount";
  bool b;

  if (strcmp (key, "type") == 0)
    json_object_object_add (m, "Type", json_object_new_string (value ? value : ""));
  else if (strcmp (key, "source") == 0 || strcmp (key, "src") == 0)
    json_object_object_add (m, "Source", json_object_new_string (value ? value : ""));
  else if (strcmp (key, "target") == 0 || strcmp (key, "dst") == 0 || strcmp (key, "destination") == 0)
    json_object_object_add (m, "Target", json_object_new_string (value ? value : ""));
  else if (strcmp (key, "readonly") == 0 || strcmp (key, "ro") == 0)
    {
      if (parse_bool (value, &b) < 0)
        {
          cleanup_free char *why = xasprintf ("invalid value for %s: %s", key, value);
          return bad (arg, flag, why);
        }
      json_object_object_add (m, "ReadOnly", json_object_new_boolean (b));
    }
  else if (strcmp (key, "volume-nocopy") == 0)
    {
      if (parse_bool (value, &b) < 0)
        {
          cleanup_free char *why = xasprintf ("invalid value for volume-nocopy: %s", value);
          return bad (arg, flag, why);
        }
      json_object_object_add (sub_object (m, "VolumeOptions"), "NoCopy", json_object_new_boolean (b));
    }
  else if (strcmp (key, "volume-label") == 0 && value != NULL)
    add_kv (sub_object (sub_object (m, "VolumeOptions"), "Labels"), value);
  else if (strcmp (key, "volume-driver") == 0 && value != NULL)
    json_object_object_add (sub_object (sub_object (m, "VolumeOptions"), "DriverConfig"), "Name",
                            json_object_new_string (value));
  else if (strcmp (key, "volume-opt") == 0 && value != NULL)
    add_kv (sub_object (sub_object (sub_object (m, "VolumeOptions"), "DriverConfig"), "Options"), value);
  else if (strcmp (key, "bind-propagation") == 0 && value != NULL)
    json_object_object_add (sub_object (m, "BindOptions"), "Propagation", json_object_new_string (value));
  else if (strcmp (key, "bind-nonrecursive") == 0)
    {
      if (parse_bool (value, &b) < 0)
        {
          cleanup_free char *why = xasprintf ("invalid value for bind-nonrecursive: %s", value);
          return bad (arg, flag, why);
        }
      json_object_object_add (sub_object (m, "BindOptions"), "NonRecursive", json_object_new_boolean (b));
    }
  else if (strcmp (key, "bind-create-src") == 0)
    {
      if (parse_bool (value, &b) < 0)
        {
          cleanup_free char *why = xasprintf ("invalid value for bind-create-src: %s", value);
          return bad (arg, flag, why);
        }
      json_object_object_add (sub_object (m, "BindOptions"), "CreateMountpoint", json_object_new_boolean (b));
    }
  else if (strcmp (key, "tmpfs-size") == 0 && value != NULL)
    {
      const char *why = NULL;
      int64_t size;
      if (berth_parse_ram (value, &size, &why) != 0)
        {
          cleanup_free char *msg = xasprintf ("invalid value for tmpfs-size: %s", value);
          return bad (arg, flag, msg);
        }
      json_object_object_add (sub_object (m, "TmpfsOptions"), "SizeBytes", json_object_new_int64 (size));
    }
  else if (strcmp (key, "tmpfs-mode") == 0 && value != NULL)
    {
      char *end;
      long mode = strtol (value, &end, 8);
      if (value[0] == '\0' || *end != '\0' || mode < 0 || mode > 07777)
        {
          cleanup_free char *why = xasprintf ("invalid value for tmpfs-mode: %s", value);
          return bad (arg, flag, why);
        }
      json_object_object_add (sub_object (m, "TmpfsOptions"), "Mode", json_object_new_int64 (mode));
    }
  else if (strcmp (key, "consistency") == 0)
    json_object_object_add (m, "Consistency", json_object_new_string (value ? value : ""));
  else if (value == NULL)
    {
      cleanup_free char *why = xasprintf ("invalid field '%s' must be a key=value pair", field);
      return bad (arg, flag, why);
    }
  else
    {
      cleanup_free char *why = xasprintf ("unexpected key '%s' in '%s'", key, field);
      return bad (arg, flag, why);
    }
  return 0;
}

static int
add_mount (struct berth_create_opts *o, const char *arg)
{
  cleanup_free char *copy = xstrdup (arg);
  json_object *m = json_object_new_object ();
  const char *type, *target;
  char *save = NULL;

  for (char *f = strtok_r (copy, ",", &save); f != NULL; f = strtok_r (NULL, ",", &save))
    {
      cleanup_free char *field = xstrdup (f);
      char *eq = strchr (f, '=');
      if (eq != NULL)
        *eq = '\0';
      for (char *k = f; *k; k++)
        if (*k >= 'A' && *k <= 'Z')
          *k = (char) (*k - 'A' + 'a');
      if (mount_field (m, arg, f, eq ? eq + 1 : NULL, field) != 0)
        {
          json_object_put (m);
          return 1;
        }
    }
  if (!json_object_object_get_ex (m, "Type", NULL))
    json_object_object_add (m, "Type", json_object_new_string ("volume"));
  type = json_object_get_string (json_object_object_get (m, "Type"));
  target = json_object_get_string (json_object_object_get (m, "Target"));
  if (target == NULL || target[0] == '\0')
    {
      json_object_put (m);
      return bad (arg, "--mount", "target is required");
    }
  if (strcmp (type, "bind") != 0 && json_object_object_get_ex (m, "BindOptions", NULL))
    {
      cleanup_free char *why = xasprintf ("cannot mix 'bind-*' options with mount type '%s'", type);
      json_object_put (m);
      return bad (arg, "--mount", why);
    }
  if (strcmp (type, "volume") != 0 && json_object_object_get_ex (m, "VolumeOptions", NULL))
    {
      cleanup_free char *why = xasprintf ("cannot mix 'volume-*' options with mount type '%s'", type);
      json_object_put (m);
      return bad (arg, "--mount", why);
    }
  if (strcmp (type, "tmpfs") != 0 && json_object_object_get_ex (m, "TmpfsOptions", NULL))
    {
      cleanup_free char *why = xasprintf ("cannot mix 'tmpfs-*' options with mount type '%s'", type);
      json_object_put (m);
      return bad (arg, "--mount", why);
    }
  if (o->mounts == NULL)
    o->mounts = json_object_new_array ();
  json_object_array_add (o->mounts, m);
  return 0;
}

static int
add_tmpfs (struct berth_create_opts *o, const char *arg)
{
  const char *colon = strchr (arg, ':');
  cleanup_free char *path = colon ? xstrndup (arg, (size_t) (colon - arg)) : xstrdup (arg);

  if (path[0] == '\0')
    return bad (arg, "--tmpfs", "invalid empty tmpfs path");
  if (o->tmpfs == NULL)
    o->tmpfs = json_object_new_object ();
  json_object_object_add (o->tmpfs, path, json_object_new_string (colon ? colon + 1 : ""));
  return 0;
}

int
berth_container_opt_mounts (struct berth_create_opts *o, int opt, const char *arg)
{
  switch (opt)
    {
    case 'v':
      return add_volume (o, arg);
    case BERTH_OPT_MOUNT:
      return add_mount (o, arg);
    case BERTH_OPT_TMPFS:
      return add_tmpfs (o, arg);
    case BERTH_OPT_INIT:
      o->init = true;
      return 0;
    }
  return 1;
}

void
berth_container_opts_mounts_body (const struct berth_create_opts *o, struct json_object *body, struct json_object *host)
{
  if (o->volumes != NULL)
    json_object_object_add (body, "Volumes", json_object_get (o->volumes));
  if (o->binds != NULL)
    json_object_object_add (host, "Binds", json_object_get (o->binds));
  if (o->mounts != NULL)
    json_object_object_add (host, "Mounts", json_object_get (o->mounts));
  if (o->tmpfs != NULL)
    json_object_object_add (host, "Tmpfs", json_object_get (o->tmpfs));
  if (o->init)
    json_object_object_add (host, "Init", json_object_new_boolean (true));
}

void
berth_container_opts_mounts_free (struct berth_create_opts *o)
{
  json_object_put (o->volumes);
  json_object_put (o->binds);
  json_object_put (o->mounts);
  json_object_put (o->tmpfs);
}
