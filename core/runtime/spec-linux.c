#include "config.h"

#include "core/runtime/spec-internal.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

static int
parse_namespaces (json_object *l, struct berth_spec_linux *lx, berth_error_t *err)
{
  json_object *arr;
  size_t n, i;

  if (sj_array (l, "linux", "namespaces", &arr, &n, err) < 0)
    return berth_error_ret (err);
  for (i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (arr, i);
      cleanup_free char *w = xasprintf ("linux.namespaces[%zu]", i);
      cleanup_free char *type = NULL;
      cleanup_free char *path = NULL;
      int kind;

      if (sj_expect_object (e, w, err) < 0 || sj_required (sj_string (e, w, "type", &type, err), w, "type", err) < 0
          || sj_string (e, w, "path", &path, err) < 0)
        return berth_error_ret (err);
      kind = berth_ns_kind_from_name (type);
      if (kind < 0)
        return berth_error_make (err, EINVAL, "%s.type: unknown namespace type `%s`", w, type);
      if (lx->namespaces[kind].present)
        return berth_error_make (err, EINVAL, "%s.type: namespace `%s` listed twice", w, type);
      if (path && path[0] != '/')
        return berth_error_make (err, EINVAL, "%s.path: `%s` is not an absolute path", w, path);
      lx->namespaces[kind].present = true;
      lx->namespaces[kind].path = steal_pointer (&path);
    }
  return 0;
}

static int
parse_id_maps (json_object *l, const char *key, struct berth_spec_id_map **out, size_t *out_n, berth_error_t *err)
{
  json_object *arr;
  size_t n, i;

  if (sj_array (l, "linux", key, &arr, &n, err) < 0)
    return berth_error_ret (err);
  *out = xmalloc0 ((n + 1) * sizeof (**out));
  *out_n = n;
  for (i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (arr, i);
      cleanup_free char *w = xasprintf ("linux.%s[%zu]", key, i);
      struct berth_spec_id_map *m = &(*out)[i];

      if (sj_expect_object (e, w, err) < 0
          || sj_required (sj_uint32 (e, w, "containerID", &m->container_id, err), w, "containerID", err) < 0
          || sj_required (sj_uint32 (e, w, "hostID", &m->host_id, err), w, "hostID", err) < 0
          || sj_required (sj_uint32 (e, w, "size", &m->size, err), w, "size", err) < 0)
        return berth_error_ret (err);
      if (m->size == 0)
        return berth_error_make (err, EINVAL, "%s.size: must not be 0", w);
    }
  return 0;
}

static int
parse_devices (json_object *l, struct berth_spec_linux *lx, berth_error_t *err)
{
  json_object *arr;
  size_t n, i;

  if (sj_array (l, "linux", "devices", &arr, &n, err) < 0)
    return berth_error_ret (err);
  lx->devices = xmalloc0 ((n + 1) * sizeof (*lx->devices));
  for (i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (arr, i);
      cleanup_free char *w = xasprintf ("linux.devices[%zu]", i);
      cleanup_free char *type = NULL;
      struct berth_spec_device *d = &lx->devices[i];
      uint32_t mode;
      int ret;

      lx->n_devices++;
      if (sj_expect_object (e, w, err) < 0 || sj_required (sj_string (e, w, "type", &type, err), w, "type", err) < 0
          || sj_required (sj_string (e, w, "path", &d->path, err), w, "path", err) < 0)
        return berth_error_ret (err);
      if (strlen (type) != 1 || strchr ("cbup", type[0]) == NULL)
        return berth_error_make (err, EINVAL, "%s.type: `%s` is not one of c, b, u, p", w, type);
      d->type = type[0] == 'u' ? 'c' : type[0];
      if (d->path[0] != '/' || strncmp (d->path, "/dev/", 5) != 0)
        return berth_error_make (err, EINVAL, "%s.path: `%s` is not a path under /dev", w, d->path);
      if (d->type != 'p')
        {
          if (sj_required (sj_int64 (e, w, "major", &d->major, err), w, "major", err) < 0
              || sj_required (sj_int64 (e, w, "minor", &d->minor, err), w, "minor", err) < 0)
            return berth_error_ret (err);
          if (d->major < 0 || d->minor < 0 || d->major > 0xfff || d->minor > 0xfffff)
            return berth_error_make (err, ERANGE, "%s: device number %lld:%lld out of range", w, (long long) d->major,
                                     (long long) d->minor);
        }
      ret = sj_uint32 (e, w, "fileMode", &mode, err);
      if (ret < 0)
        return ret;
      if (ret > 0 && mode > 07777)
        return berth_error_make (err, EINVAL, "%s.fileMode: %o is not a permission mode", w, mode);
      d->has_file_mode = ret > 0;
      d->file_mode = (mode_t) (ret > 0 ? mode : 0);
      ret = sj_uint32 (e, w, "uid", &d->uid, err);
      if (ret < 0)
        return ret;
      d->has_uid = ret > 0;
      ret = sj_uint32 (e, w, "gid", &d->gid, err);
      if (ret < 0)
        return ret;
      d->has_gid = ret > 0;
    }
  return 0;
}

static const struct
{
  const char *name;
  unsigned long flags;
} propagation_table[] = {
  { "shared", MS_SHARED },           { "rshared", MS_SHARED | MS_REC },
  { "slave", MS_SLAVE },             { "rslave", MS_SLAVE | MS_REC },
  { "private", MS_PRIVATE },         { "rprivate", MS_PRIVATE | MS_REC },
  { "unbindable", MS_UNBINDABLE },   { "runbindable", MS_UNBINDABLE | MS_REC },
};

static int
parse_propagation (json_object *l, struct berth_spec_linux *lx, berth_error_t *err)
{
  cleanup_free char *p = NULL;
  size_t i;
  int ret = sj_string (l, "linux", "rootfsPropagation", &p, err);

  if (ret <= 0)
    return ret;
  for (i = 0; i < sizeof (propagation_table) / sizeof (propagation_table[0]); i++)
    if (strcmp (p, propagation_table[i].name) == 0)
      {
        lx->rootfs_propagation = propagation_table[i].flags;
        return 0;
      }
  return berth_error_make (err, EINVAL, "linux.rootfsPropagation: unknown propagation `%s`", p);
}

static int
check_paths (char **paths, const char *key, berth_error_t *err)
{
  size_t i;

  for (i = 0; paths[i]; i++)
    if (paths[i][0] != '/')
      return berth_error_make (err, EINVAL, "linux.%s[%zu]: `%s` is not an absolute path", key, i, paths[i]);
  return 0;
}

static int
parse_sysctl (json_object *l, struct berth_spec_linux *lx, berth_error_t *err)
{
  size_t i;

  if (sj_string_map (l, "linux", "sysctl", &lx->sysctl, &lx->n_sysctl, err) < 0)
    return berth_error_ret (err);
  for (i = 0; i < lx->n_sysctl; i++)
    {
      const char *k = lx->sysctl[i].key;
      if (k[0] == '\0' || k[0] == '.' || k[0] == '/' || strstr (k, "..") || strstr (k, "/.."))
        return berth_error_make (err, EINVAL, "linux.sysctl: invalid key `%s`", k);
    }
  return 0;
}

int
spec_parse_linux (json_object *l, struct berth_spec_linux *lx, berth_error_t *err)
{
  json_object *s;

  /* keep the never-NULL promises even when "linux" is absent */
  lx->masked_paths = xmalloc0 (sizeof (char *));
  lx->readonly_paths = xmalloc0 (sizeof (char *));
  if (l == NULL)
    return 0;
  if (sj_expect_object (l, "linux", err) < 0)
    return berth_error_ret (err);
  if (parse_namespaces (l, lx, err) < 0 || parse_id_maps (l, "uidMappings", &lx->uid_mappings, &lx->n_uid_mappings, err) < 0
      || parse_id_maps (l, "gidMappings", &lx->gid_mappings, &lx->n_gid_mappings, err) < 0
      || parse_devices (l, lx, err) < 0 || parse_propagation (l, lx, err) < 0 || parse_sysctl (l, lx, err) < 0)
    return berth_error_ret (err);
  if ((lx->n_uid_mappings || lx->n_gid_mappings) && !lx->namespaces[BERTH_NS_USER].present)
    return berth_error_make (err, EINVAL, "linux.uidMappings: id mappings need a user namespace");
  if (lx->namespaces[BERTH_NS_USER].present && lx->namespaces[BERTH_NS_USER].path == NULL
      && (lx->n_uid_mappings == 0 || lx->n_gid_mappings == 0))
    return berth_error_make (err, EINVAL, "linux.uidMappings: a new user namespace needs uidMappings and gidMappings");
  if (sj_string (l, "linux", "cgroupsPath", &lx->cgroups_path, err) < 0)
    return berth_error_ret (err);
  if (lx->cgroups_path && strstr (lx->cgroups_path, ".."))
    return berth_error_make (err, EINVAL, "linux.cgroupsPath: `%s` must not contain `..`", lx->cgroups_path);
  if (sj_strv (l, "linux", "maskedPaths", &lx->masked_paths, err) < 0
      || sj_strv (l, "linux", "readonlyPaths", &lx->readonly_paths, err) < 0
      || check_paths (lx->masked_paths, "maskedPaths", err) < 0
      || check_paths (lx->readonly_paths, "readonlyPaths", err) < 0)
    return berth_error_ret (err);
  s = sj_get (l, "resources");
  if (s && spec_parse_resources (s, "linux.resources", &lx->resources, err) < 0)
    return berth_error_ret (err);
  s = sj_get (l, "seccomp");
  if (s && spec_parse_seccomp (s, &lx->seccomp, err) < 0)
    return berth_error_ret (err);
  if (sj_get (l, "personality"))
    return berth_error_make (err, ENOTSUP, "linux.personality: not supported");
  if (sj_get (l, "intelRdt"))
    return berth_error_make (err, ENOTSUP, "linux.intelRdt: not supported");
  return 0;
}

void
spec_linux_free (struct berth_spec_linux *lx)
{
  size_t i;

  for (i = 0; i < BERTH_NS__COUNT; i++)
    free (lx->namespaces[i].path);
  free (lx->uid_mappings);
  free (lx->gid_mappings);
  for (i = 0; i < lx->n_devices; i++)
    free (lx->devices[i].path);
  free (lx->devices);
  free (lx->cgroups_path);
  spec_resources_free (&lx->resources);
  berth_spec_kv_free (lx->sysctl, lx->n_sysctl);
  spec_seccomp_free (lx->seccomp);
  strv_free (lx->masked_paths);
  strv_free (lx->readonly_paths);
}
