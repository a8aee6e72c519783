#include "config.h"

#include "core/runtime/spec-internal.h"
#include "core/lib/fs.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* config.json is small; anything bigger is a mistake or an attack */
#define SPEC_MAX_SIZE (16 * 1024 * 1024)

json_object *
spec_json_tokenize (const char *json, size_t len, const char *what, berth_error_t *err)
{
  json_tokener *tok = json_tokener_new ();
  json_object *root;
  enum json_tokener_error jerr;

  if (tok == NULL)
    oom ();
  root = json_tokener_parse_ex (tok, json, (int) len);
  jerr = json_tokener_get_error (tok);
  if (root == NULL || jerr != json_tokener_success)
    {
      if (jerr == json_tokener_continue)
        berth_error_make (err, EINVAL, "%s: invalid JSON: unexpected end of input", what);
      else
        berth_error_make (err, EINVAL, "%s: invalid JSON at offset %zu: %s", what, json_tokener_get_parse_end (tok),
                          json_tokener_error_desc (jerr));
      json_object_put (root);
      json_tokener_free (tok);
      return NULL;
    }
  if (json_tokener_get_parse_end (tok) < len && strspn (json + json_tokener_get_parse_end (tok), " \t\r\n")
                                                      != len - json_tokener_get_parse_end (tok))
    {
      berth_error_make (err, EINVAL, "%s: unexpected content after JSON", what);
      json_object_put (root);
      json_tokener_free (tok);
      return NULL;
    }
  json_tokener_free (tok);
  return root;
}

static int
parse_mounts (json_object *root, struct berth_spec *spec, berth_error_t *err)
{
  json_object *arr;
  size_t n, i;

  if (sj_array (root, "", "mounts", &arr, &n, err) < 0)
    return berth_error_ret (err);
  spec->mounts = xmalloc0 ((n + 1) * sizeof (*spec->mounts));
  for (i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (arr, i);
      cleanup_free char *w = xasprintf ("mounts[%zu]", i);
      struct berth_spec_mount *m = &spec->mounts[i];

      spec->n_mounts++;
      if (sj_expect_object (e, w, err) < 0
          || sj_required (sj_string (e, w, "destination", &m->destination, err), w, "destination", err) < 0
          || sj_string (e, w, "source", &m->source, err) < 0 || sj_string (e, w, "type", &m->type, err) < 0
          || sj_strv (e, w, "options", &m->options, err) < 0)
        return berth_error_ret (err);
      if (m->destination[0] != '/')
        return berth_error_make (err, EINVAL, "%s.destination: `%s` is not an absolute path", w, m->destination);
      if (sj_get (e, "uidMappings") || sj_get (e, "gidMappings"))
        return berth_error_make (err, ENOTSUP, "%s: idmapped mounts are not supported", w);
    }
  return 0;
}

static int
parse_hook_list (json_object *hooks, enum berth_hook_kind kind, struct berth_spec *spec, berth_error_t *err)
{
  const char *name = berth_hook_kind_name (kind);
  cleanup_free char *where = xasprintf ("hooks.%s", name);
  json_object *arr;
  size_t n, i;

  if (sj_array (hooks, "hooks", name, &arr, &n, err) < 0)
    return berth_error_ret (err);
  spec->hooks[kind] = xmalloc0 ((n + 1) * sizeof (struct berth_spec_hook));
  for (i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (arr, i);
      cleanup_free char *w = xasprintf ("%s[%zu]", where, i);
      struct berth_spec_hook *h = &spec->hooks[kind][i];
      int64_t timeout = 0;
      int ret;

      spec->n_hooks[kind]++;
      if (sj_expect_object (e, w, err) < 0
          || sj_required (sj_string (e, w, "path", &h->path, err), w, "path", err) < 0
          || sj_strv (e, w, "args", &h->args, err) < 0 || sj_strv (e, w, "env", &h->env, err) < 0)
        return berth_error_ret (err);
      if (h->path[0] != '/')
        return berth_error_make (err, EINVAL, "%s.path: `%s` is not an absolute path", w, h->path);
      ret = sj_int64 (e, w, "timeout", &timeout, err);
      if (ret < 0)
        return ret;
      if (ret > 0 && (timeout <= 0 || timeout > 86400))
        return berth_error_make (err, EINVAL, "%s.timeout: must be a positive number of seconds", w);
      h->timeout = (int) timeout;
    }
  return 0;
}

static int
parse_hooks (json_object *root, struct berth_spec *spec, berth_error_t *err)
{
  json_object *hooks = sj_get (root, "hooks");
  int k;

  if (hooks && sj_expect_object (hooks, "hooks", err) < 0)
    return berth_error_ret (err);
  for (k = 0; k < BERTH_HOOK__COUNT; k++)
    if (parse_hook_list (hooks, k, spec, err) < 0)
      return berth_error_ret (err);
  return 0;
}

static int
parse_root (json_object *root, const char *bundle, struct berth_spec *spec, berth_error_t *err)
{
  json_object *r = sj_get (root, "root");
  cleanup_free char *path = NULL;

  if (r == NULL)
    return berth_error_make (err, EINVAL, "root: required field missing");
  if (sj_expect_object (r, "root", err) < 0
      || sj_required (sj_string (r, "root", "path", &path, err), "root", "path", err) < 0
      || sj_bool (r, "root", "readonly", &spec->root_readonly, err) < 0)
    return berth_error_ret (err);
  if (path[0] == '\0')
    return berth_error_make (err, EINVAL, "root.path: must not be empty");
  if (path[0] == '/' || bundle == NULL)
    spec->root_path = steal_pointer (&path);
  else
    spec->root_path = xasprintf ("%s/%s", bundle, path);
  return 0;
}

static int
parse_toplevel (json_object *root, const char *bundle, struct berth_spec *spec, berth_error_t *err)
{
  json_object *p, *l;

  if (sj_expect_object (root, "", err) < 0)
    return berth_error_ret (err);
  if (sj_required (sj_string (root, "", "ociVersion", &spec->oci_version, err), "", "ociVersion", err) < 0)
    return berth_error_ret (err);
  if (strncmp (spec->oci_version, "1.", 2) != 0)
    return berth_error_make (err, EINVAL, "ociVersion: unsupported version `%s` (need 1.x)", spec->oci_version);
  if (parse_root (root, bundle, spec, err) < 0)
    return berth_error_ret (err);
  if (sj_string (root, "", "hostname", &spec->hostname, err) < 0
      || sj_string (root, "", "domainname", &spec->domainname, err) < 0)
    return berth_error_ret (err);
  if (parse_mounts (root, spec, err) < 0 || parse_hooks (root, spec, err) < 0)
    return berth_error_ret (err);
  if (sj_string_map (root, "", "annotations", &spec->annotations, &spec->n_annotations, err) < 0)
    return berth_error_ret (err);
  p = sj_get (root, "process");
  if (p && spec_parse_process (p, "process", &spec->process, err) < 0)
    return berth_error_ret (err);
  l = sj_get (root, "linux");
  if (spec_parse_linux (l, &spec->lx, err) < 0)
    return berth_error_ret (err);
  return 0;
}

struct berth_spec *
berth_spec_parse (const char *json, size_t len, const char *bundle, berth_error_t *err)
{
  json_object *root = spec_json_tokenize (json, len, "config.json", err);
  struct berth_spec *spec;

  if (root == NULL)
    return NULL;
  spec = xmalloc0 (sizeof (*spec));
  if (parse_toplevel (root, bundle, spec, err) < 0)
    {
      berth_error_wrap (err, "config.json");
      berth_spec_free (spec);
      spec = NULL;
    }
  json_object_put (root);
  return spec;
}

struct berth_spec *
berth_spec_load (const char *bundle, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/config.json", bundle);
  cleanup_free char *text = NULL;
  size_t len;

  if (berth_read_file (path, SPEC_MAX_SIZE, &text, &len, err) < 0)
    return NULL;
  return berth_spec_parse (text, len, bundle, err);
}

static void
kv_free (struct berth_spec_kv *kv, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    {
      free (kv[i].key);
      free (kv[i].value);
    }
  free (kv);
}

void
berth_spec_free (struct berth_spec *spec)
{
  size_t i;
  int k;

  if (spec == NULL)
    return;
  free (spec->oci_version);
  free (spec->root_path);
  free (spec->hostname);
  free (spec->domainname);
  for (i = 0; i < spec->n_mounts; i++)
    {
      free (spec->mounts[i].destination);
      free (spec->mounts[i].source);
      free (spec->mounts[i].type);
      strv_free (spec->mounts[i].options);
    }
  free (spec->mounts);
  berth_spec_process_free (spec->process);
  spec_linux_free (&spec->lx);
  for (k = 0; k < BERTH_HOOK__COUNT; k++)
    {
      for (i = 0; i < spec->n_hooks[k]; i++)
        {
          free (spec->hooks[k][i].path);
          strv_free (spec->hooks[k][i].args);
          strv_free (spec->hooks[k][i].env);
        }
      free (spec->hooks[k]);
    }
  kv_free (spec->annotations, spec->n_annotations);
  free (spec);
}

void
berth_spec_freep (struct berth_spec **p)
{
  berth_spec_free (*p);
}

void
berth_spec_kv_free (struct berth_spec_kv *kv, size_t n)
{
  kv_free (kv, n);
}
