#include "config.h"

#include "core/seccomp-profile/profile.h"
#include "core/seccomp-profile/arch.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#define N_ELEMENTS(a) (sizeof (a) / sizeof ((a)[0]))
/* errno values are below 4096 (MAX_ERRNO): larger ones are not errors to the kernel */
#define MAX_ERRNO_RET 4095

static const char *const actions[] = {
  "SCMP_ACT_ALLOW",        "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",  "SCMP_ACT_KILL_THREAD",
  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP",  "SCMP_ACT_TRACE", "SCMP_ACT_LOG",
};

static const char *const ops[] = {
  "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
};

static const char *const flag_names[] = {
  "SECCOMP_FILTER_FLAG_TSYNC",
  "SECCOMP_FILTER_FLAG_LOG",
  "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
};

static const char *
lookup (const char *const *table, size_t n, const char *name)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (strcmp (table[i], name) == 0)
      return table[i];
  return NULL;
}

static const char *
type_name (json_object *o)
{
  return json_type_to_name (json_object_get_type (o));
}

/* Refuse keys outside `known` (NULL-terminated). */
static int
check_keys (json_object *obj, const char *where, const char *const *known, berth_error_t *err)
{
  json_object_object_foreach (obj, key, val)
  {
    size_t i;
    bool ok = false;

    (void)val;
    for (i = 0; known[i]; i++)
      if (strcmp (key, known[i]) == 0)
        ok = true;
    if (!ok)
      return berth_error_make (err, EINVAL, "%s: unknown field `%s`", where, key);
  }
  return 0;
}

static json_object *
get (json_object *obj, const char *key)
{
  json_object *v = NULL;

  if (!json_object_object_get_ex (obj, key, &v))
    return NULL;
  return v; /* NULL for JSON null too: treated as absent, as Go's decoder does */
}

static int
get_string (json_object *obj, const char *where, const char *key, const char **ret, berth_error_t *err)
{
  json_object *v = get (obj, key);

  if (v == NULL)
    return 0;
  if (!json_object_is_type (v, json_type_string))
    return berth_error_make (err, EINVAL, "%s.%s: expected a string, got %s", where, key, type_name (v));
  *ret = json_object_get_string (v);
  return 1;
}

static int
get_uint64 (json_object *obj, const char *where, const char *key, uint64_t *ret, berth_error_t *err)
{
  json_object *v = get (obj, key);

  if (v == NULL)
    return 0;
  if (!json_object_is_type (v, json_type_int))
    return berth_error_make (err, EINVAL, "%s.%s: expected an integer, got %s", where, key, type_name (v));
  /* json-c keeps integers above INT64_MAX as uint64; get_int64 clamps them, never negative */
  if (json_object_get_int64 (v) < 0)
    return berth_error_make (err, ERANGE, "%s.%s: must not be negative", where, key);
  *ret = json_object_get_uint64 (v);
  return 1;
}

static int
get_errno (json_object *obj, const char *where, const char *key, uint32_t *ret, berth_error_t *err)
{
  uint64_t v = 0;
  int found = get_uint64 (obj, where, key, &v, err);

  if (found <= 0)
    return found;
  if (v > MAX_ERRNO_RET)
    return berth_error_make (err, ERANGE, "%s.%s: %llu is not an errno value (0..%d)", where, key,
                             (unsigned long long)v, MAX_ERRNO_RET);
  *ret = (uint32_t)v;
  return 1;
}

/* An array of strings; absent gives an empty vector. */
static int
get_strv (json_object *obj, const char *where, const char *key, char ***ret, berth_error_t *err)
{
  json_object *v = get (obj, key);
  size_t n, i;
  char **strv;

  if (v != NULL && !json_object_is_type (v, json_type_array))
    return berth_error_make (err, EINVAL, "%s.%s: expected an array, got %s", where, key, type_name (v));
  n = v ? json_object_array_length (v) : 0;
  strv = xmalloc0 ((n + 1) * sizeof (char *));
  for (i = 0; i < n; i++)
    {
      json_object *s = json_object_array_get_idx (v, i);
      if (!json_object_is_type (s, json_type_string))
        {
          strv_free (strv);
          return berth_error_make (err, EINVAL, "%s.%s[%zu]: expected a string, got %s", where, key, i, type_name (s));
        }
      strv[i] = xstrdup (json_object_get_string (s));
    }
  *ret = strv;
  return 0;
}

/* An array of names each mapped through `canon` to a static spelling. */
static int
get_canon_list (json_object *obj, const char *where, const char *key, const char *(*canon) (const char *),
                const char *what, const char ***ret, berth_error_t *err)
{
  cleanup_strv char **names = NULL;
  const char **out;
  size_t n, i;

  if (get_strv (obj, where, key, &names, err) < 0)
    return berth_error_ret (err);
  for (n = 0; names[n]; n++)
    ;
  out = xmalloc0 ((n + 1) * sizeof (char *));
  for (i = 0; i < n; i++)
    {
      out[i] = canon (names[i]);
      if (out[i] == NULL)
        {
          free (out);
          return berth_error_make (err, EINVAL, "%s.%s[%zu]: unknown %s `%s`", where, key, i, what, names[i]);
        }
    }
  *ret = out;
  return 0;
}

int
seccomp_kernel_version_parse (const char *s, bool strict, struct seccomp_kernel_version *ret)
{
  unsigned long major, minor;
  char *end;

  if (*s < '0' || *s > '9')
    return -1;
  major = strtoul (s, &end, 10);
  if (*end != '.' || end[1] < '0' || end[1] > '9')
    return -1;
  minor = strtoul (end + 1, &end, 10);
  if (major > 1000000 || minor > 1000000)
    return -1;
  if (strict && *end != '\0')
    return -1;
  if (!strict && *end != '\0' && *end != '.' && *end != '-' && *end != '+')
    return -1;
  ret->major = (unsigned int)major;
  ret->minor = (unsigned int)minor;
  return 0;
}

int
seccomp_kernel_version_cmp (const struct seccomp_kernel_version *a, const struct seccomp_kernel_version *b)
{
  if (a->major != b->major)
    return a->major < b->major ? -1 : 1;
  if (a->minor != b->minor)
    return a->minor < b->minor ? -1 : 1;
  return 0;
}

static void
filter_clear (struct seccomp_profile_filter *f)
{
  strv_free (f->caps);
  free (f->arches);
}

static int
parse_filter (json_object *rule, const char *w, const char *key, struct seccomp_profile_filter *f, berth_error_t *err)
{
  static const char *const known[] = { "caps", "arches", "minKernel", NULL };
  json_object *obj = get (rule, key);
  cleanup_free char *fw = xasprintf ("%s.%s", w, key);
  const char *min_kernel = NULL;
  size_t i;

  if (obj == NULL)
    obj = json_object_new_object ();
  else if (!json_object_is_type (obj, json_type_object))
    return berth_error_make (err, EINVAL, "%s: expected an object, got %s", fw, type_name (obj));
  else
    json_object_get (obj);
  if (check_keys (obj, fw, known, err) < 0 || get_strv (obj, fw, "caps", &f->caps, err) < 0
      || get_canon_list (obj, fw, "arches", seccomp_arch_go_name, "architecture", &f->arches, err) < 0
      || get_string (obj, fw, "minKernel", &min_kernel, err) < 0)
    goto fail;
  for (i = 0; f->caps[i]; i++)
    if (strncmp (f->caps[i], "CAP_", 4) != 0 || f->caps[i][4] == '\0')
      {
        berth_error_make (err, EINVAL, "%s.caps[%zu]: `%s` is not a capability name (CAP_...)", fw, i, f->caps[i]);
        goto fail;
      }
  if (min_kernel && *min_kernel)
    {
      if (seccomp_kernel_version_parse (min_kernel, true, &f->min_kernel) < 0)
        {
          berth_error_make (err, EINVAL, "%s.minKernel: `%s` is not a kernel version (like \"4.8\")", fw, min_kernel);
          goto fail;
        }
      f->has_min_kernel = true;
    }
  json_object_put (obj);
  return 0;
fail:
  json_object_put (obj);
  return berth_error_ret (err);
}

static int
parse_args (json_object *rule, const char *w, struct seccomp_profile_rule *r, berth_error_t *err)
{
  static const char *const known[] = { "index", "value", "valueTwo", "op", NULL };
  json_object *arr = get (rule, "args");
  size_t n, i;

  if (arr == NULL)
    return 0;
  if (!json_object_is_type (arr, json_type_array))
    return berth_error_make (err, EINVAL, "%s.args: expected an array, got %s", w, type_name (arr));
  n = json_object_array_length (arr);
  if (n > 6)
    return berth_error_make (err, EINVAL, "%s.args: %zu conditions, a syscall has 6 arguments", w, n);
  r->args = xmalloc0 ((n + 1) * sizeof (*r->args));
  for (i = 0; i < n; i++)
    {
      json_object *a = json_object_array_get_idx (arr, i);
      cleanup_free char *aw = xasprintf ("%s.args[%zu]", w, i);
      struct seccomp_profile_arg *arg = &r->args[i];
      const char *op = NULL;
      uint64_t index = 0;
      int found;

      if (!json_object_is_type (a, json_type_object))
        return berth_error_make (err, EINVAL, "%s: expected an object, got %s", aw, type_name (a));
      r->n_args++;
      if (check_keys (a, aw, known, err) < 0)
        return berth_error_ret (err);
      found = get_uint64 (a, aw, "index", &index, err);
      if (found < 0)
        return found;
      if (found == 0)
        return berth_error_make (err, EINVAL, "%s.index: required field missing", aw);
      if (index > 5)
        return berth_error_make (err, EINVAL, "%s.index: %llu is not a syscall argument (0..5)", aw,
                                 (unsigned long long)index);
      arg->index = (unsigned int)index;
      found = get_uint64 (a, aw, "value", &arg->value, err);
      if (found < 0)
        return found;
      if (found == 0)
        return berth_error_make (err, EINVAL, "%s.value: required field missing", aw);
      if (get_uint64 (a, aw, "valueTwo", &arg->value_two, err) < 0)
        return berth_error_ret (err);
      found = get_string (a, aw, "op", &op, err);
      if (found < 0)
        return found;
      if (found == 0)
        return berth_error_make (err, EINVAL, "%s.op: required field missing", aw);
      arg->op = lookup (ops, N_ELEMENTS (ops), op);
      if (arg->op == NULL)
        return berth_error_make (err, EINVAL, "%s.op: unknown operator `%s`", aw, op);
    }
  return 0;
}

static int
parse_action (const char *action, const char *w, const char *key, const char **ret, berth_error_t *err)
{
  if (strcmp (action, "SCMP_ACT_NOTIFY") == 0)
    return berth_error_make (err, ENOTSUP, "%s.%s: SCMP_ACT_NOTIFY is not supported", w, key);
  *ret = lookup (actions, N_ELEMENTS (actions), action);
  if (*ret == NULL)
    return berth_error_make (err, EINVAL, "%s.%s: unknown action `%s`", w, key, action);
  return 0;
}

static bool
action_takes_errno (const char *action)
{
  return strcmp (action, "SCMP_ACT_ERRNO") == 0 || strcmp (action, "SCMP_ACT_TRACE") == 0;
}

static int
parse_rule (json_object *e, const char *w, struct seccomp_profile_rule *r, berth_error_t *err)
{
  static const char *const known[]
      = { "names", "name", "action", "errnoRet", "args", "includes", "excludes", "comment", NULL };
  const char *action = NULL, *name = NULL;
  int found;

  if (!json_object_is_type (e, json_type_object))
    return berth_error_make (err, EINVAL, "%s: expected an object, got %s", w, type_name (e));
  if (check_keys (e, w, known, err) < 0 || get_strv (e, w, "names", &r->names, err) < 0
      || get_string (e, w, "name", &name, err) < 0)
    return berth_error_ret (err);
  if (name && *name)
    {
      /* the older single-name form */
      if (r->names[0])
        return berth_error_make (err, EINVAL, "%s: use either `name` or `names`, not both", w);
      strv_free (r->names);
      r->names = xmalloc0 (2 * sizeof (char *));
      r->names[0] = xstrdup (name);
    }
  if (r->names[0] == NULL)
    return berth_error_make (err, EINVAL, "%s.names: must name at least one syscall", w);
  found = get_string (e, w, "action", &action, err);
  if (found < 0)
    return found;
  if (found == 0)
    return berth_error_make (err, EINVAL, "%s.action: required field missing", w);
  if (parse_action (action, w, "action", &r->action, err) < 0)
    return berth_error_ret (err);
  found = get_errno (e, w, "errnoRet", &r->errno_ret, err);
  if (found < 0)
    return found;
  r->has_errno_ret = found > 0;
  if (r->has_errno_ret && !action_takes_errno (r->action))
    return berth_error_make (err, EINVAL, "%s.errnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one, not %s", w,
                             r->action);
  if (parse_args (e, w, r, err) < 0 || parse_filter (e, w, "includes", &r->includes, err) < 0
      || parse_filter (e, w, "excludes", &r->excludes, err) < 0)
    return berth_error_ret (err);
  return 0;
}

static int
parse_arch_map (json_object *root, struct seccomp_profile *p, berth_error_t *err)
{
  static const char *const known[] = { "architecture", "subArchitectures", NULL };
  json_object *arr = get (root, "archMap");
  size_t n, i;

  if (arr == NULL)
    return 0;
  if (!json_object_is_type (arr, json_type_array))
    return berth_error_make (err, EINVAL, "seccomp profile: archMap: expected an array, got %s", type_name (arr));
  n = json_object_array_length (arr);
  p->arch_map = xmalloc0 ((n + 1) * sizeof (*p->arch_map));
  for (i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (arr, i);
      cleanup_free char *w = xasprintf ("seccomp profile: archMap[%zu]", i);
      struct seccomp_profile_arch_map *m = &p->arch_map[i];
      const char *arch = NULL;
      int found;

      if (!json_object_is_type (e, json_type_object))
        return berth_error_make (err, EINVAL, "%s: expected an object, got %s", w, type_name (e));
      p->n_arch_map++;
      if (check_keys (e, w, known, err) < 0
          || get_canon_list (e, w, "subArchitectures", seccomp_arch_token, "architecture", &m->sub_arches, err) < 0)
        return berth_error_ret (err);
      found = get_string (e, w, "architecture", &arch, err);
      if (found < 0)
        return found;
      if (found == 0)
        return berth_error_make (err, EINVAL, "%s.architecture: required field missing", w);
      m->arch = seccomp_arch_token (arch);
      if (m->arch == NULL)
        return berth_error_make (err, EINVAL, "%s.architecture: unknown architecture `%s`", w, arch);
    }
  return 0;
}

static int
parse_flags (json_object *root, struct seccomp_profile *p, berth_error_t *err)
{
  size_t i;

  if (get_strv (root, "seccomp profile", "flags", &p->flags, err) < 0)
    return berth_error_ret (err);
  for (i = 0; p->flags[i]; i++)
    if (lookup (flag_names, N_ELEMENTS (flag_names), p->flags[i]) == NULL)
      return berth_error_make (err, EINVAL, "seccomp profile: flags[%zu]: unsupported flag `%s`", i, p->flags[i]);
  return 0;
}

static int
parse_root (json_object *root, struct seccomp_profile *p, berth_error_t *err)
{
  static const char *const known[]
      = { "defaultAction", "defaultErrnoRet", "architectures", "archMap", "flags", "syscalls", "comment", NULL };
  const char *w = "seccomp profile";
  const char *def = NULL;
  json_object *arr;
  size_t n, i;
  int found;

  if (!json_object_is_type (root, json_type_object))
    return berth_error_make (err, EINVAL, "%s: expected an object, got %s", w, type_name (root));
  if (get (root, "listenerPath") || get (root, "listenerMetadata"))
    return berth_error_make (err, ENOTSUP, "%s: listenerPath: seccomp notification is not supported", w);
  if (check_keys (root, w, known, err) < 0)
    return berth_error_ret (err);
  found = get_string (root, w, "defaultAction", &def, err);
  if (found < 0)
    return found;
  if (found == 0)
    return berth_error_make (err, EINVAL, "%s.defaultAction: required field missing", w);
  if (parse_action (def, w, "defaultAction", &p->default_action, err) < 0)
    return berth_error_ret (err);
  found = get_errno (root, w, "defaultErrnoRet", &p->default_errno_ret, err);
  if (found < 0)
    return found;
  p->has_default_errno_ret = found > 0;
  if (p->has_default_errno_ret && !action_takes_errno (p->default_action))
    return berth_error_make (err, EINVAL, "%s.defaultErrnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one, not %s",
                             w, p->default_action);
  if (get_canon_list (root, w, "architectures", seccomp_arch_token, "architecture", &p->architectures, err) < 0
      || parse_arch_map (root, p, err) < 0 || parse_flags (root, p, err) < 0)
    return berth_error_ret (err);
  if (p->architectures[0] && p->n_arch_map)
    return berth_error_make (err, EINVAL, "%s: both `architectures` and `archMap` are given; use one", w);

  arr = get (root, "syscalls");
  if (arr == NULL)
    arr = json_object_new_array ();
  else if (!json_object_is_type (arr, json_type_array))
    return berth_error_make (err, EINVAL, "%s.syscalls: expected an array, got %s", w, type_name (arr));
  else
    json_object_get (arr);
  n = json_object_array_length (arr);
  p->rules = xmalloc0 ((n + 1) * sizeof (*p->rules));
  for (i = 0; i < n; i++)
    {
      cleanup_free char *rw = xasprintf ("%s: syscalls[%zu]", w, i);
      p->n_rules++;
      if (parse_rule (json_object_array_get_idx (arr, i), rw, &p->rules[i], err) < 0)
        {
          json_object_put (arr);
          return berth_error_ret (err);
        }
    }
  json_object_put (arr);
  return 0;
}

int
seccomp_profile_parse (const char *json, size_t len, struct seccomp_profile **ret, berth_error_t *err)
{
  struct json_tokener *tok = json_tokener_new ();
  struct seccomp_profile *p;
  json_object *root;
  enum json_tokener_error jerr;

  if (tok == NULL)
    oom ();
  if (len > INT32_MAX)
    {
      json_tokener_free (tok);
      return berth_error_make (err, EFBIG, "seccomp profile: too large");
    }
  root = json_tokener_parse_ex (tok, json, (int)len);
  jerr = json_tokener_get_error (tok);
  if (root == NULL || jerr != json_tokener_success || json_tokener_get_parse_end (tok) < len)
    {
      size_t off = json_tokener_get_parse_end (tok);
      /* only whitespace may follow the value */
      while (root && jerr == json_tokener_success && off < len && strchr (" \t\r\n", json[off]))
        off++;
      if (root == NULL || jerr != json_tokener_success || off < len)
        {
          int r = berth_error_make (err, EINVAL, "seccomp profile: not valid JSON at offset %zu: %s", off,
                                    root ? "trailing data" : json_tokener_error_desc (jerr));
          json_object_put (root);
          json_tokener_free (tok);
          return r;
        }
    }
  json_tokener_free (tok);
  p = xmalloc0 (sizeof (*p));
  if (parse_root (root, p, err) < 0)
    {
      json_object_put (root);
      seccomp_profile_free (p);
      return berth_error_ret (err);
    }
  json_object_put (root);
  *ret = p;
  return 0;
}

void
seccomp_profile_free (struct seccomp_profile *p)
{
  size_t i;

  if (p == NULL)
    return;
  for (i = 0; i < p->n_rules; i++)
    {
      strv_free (p->rules[i].names);
      free (p->rules[i].args);
      filter_clear (&p->rules[i].includes);
      filter_clear (&p->rules[i].excludes);
    }
  free (p->rules);
  for (i = 0; i < p->n_arch_map; i++)
    free (p->arch_map[i].sub_arches);
  free (p->arch_map);
  free (p->architectures);
  strv_free (p->flags);
  free (p);
}
