#include "config.h"

#include "core/runtime/spec.h"
#include "core/runtime/spec-json.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <string.h>

static const char *
type_name (json_object *o)
{
  return json_type_to_name (json_object_get_type (o));
}

static const char *
dot (const char *where)
{
  return *where ? "." : "";
}

json_object *
sj_get (json_object *obj, const char *key)
{
  json_object *v = NULL;

  if (obj == NULL || !json_object_object_get_ex (obj, key, &v))
    return NULL;
  return v; /* NULL for JSON null */
}

int
sj_expect_object (json_object *o, const char *where, berth_error_t *err)
{
  if (!json_object_is_type (o, json_type_object))
    return berth_error_make (err, EINVAL, "%s: expected an object, got %s", *where ? where : "config", type_name (o));
  return 0;
}

int
sj_required (int found, const char *where, const char *key, berth_error_t *err)
{
  if (found < 0)
    return found;
  if (found == 0)
    return berth_error_make (err, EINVAL, "%s%s%s: required field missing", where, dot (where), key);
  return 1;
}

int
sj_string (json_object *obj, const char *where, const char *key, char **out, berth_error_t *err)
{
  json_object *v = sj_get (obj, key);

  if (v == NULL)
    return 0;
  if (!json_object_is_type (v, json_type_string))
    return berth_error_make (err, EINVAL, "%s%s%s: expected a string, got %s", where, dot (where), key, type_name (v));
  free (*out);
  *out = xstrdup (json_object_get_string (v));
  return 1;
}

int
sj_bool (json_object *obj, const char *where, const char *key, bool *out, berth_error_t *err)
{
  json_object *v = sj_get (obj, key);

  if (v == NULL)
    return 0;
  if (!json_object_is_type (v, json_type_boolean))
    return berth_error_make (err, EINVAL, "%s%s%s: expected a boolean, got %s", where, dot (where), key, type_name (v));
  *out = json_object_get_boolean (v);
  return 1;
}

/* json-c keeps integers above INT64_MAX as uint64; tell the two apart */
static int
get_integer (json_object *obj, const char *where, const char *key, bool *negative, int64_t *s, uint64_t *u,
             berth_error_t *err)
{
  json_object *v = sj_get (obj, key);

  if (v == NULL)
    return 0;
  if (!json_object_is_type (v, json_type_int))
    return berth_error_make (err, EINVAL, "%s%s%s: expected an integer, got %s", where, dot (where), key,
                             type_name (v));
  errno = 0;
  *s = json_object_get_int64 (v);
  *negative = *s < 0;
  *u = *negative ? 0 : json_object_get_uint64 (v);
  return 1;
}

int
sj_int64 (json_object *obj, const char *where, const char *key, int64_t *out, berth_error_t *err)
{
  bool neg;
  int64_t s;
  uint64_t u;
  int ret = get_integer (obj, where, key, &neg, &s, &u, err);

  if (ret <= 0)
    return ret;
  if (!neg && u > INT64_MAX)
    return berth_error_make (err, ERANGE, "%s%s%s: value out of range", where, dot (where), key);
  *out = s;
  return 1;
}

int
sj_uint64 (json_object *obj, const char *where, const char *key, uint64_t *out, berth_error_t *err)
{
  bool neg;
  int64_t s;
  uint64_t u;
  int ret = get_integer (obj, where, key, &neg, &s, &u, err);

  if (ret <= 0)
    return ret;
  if (neg)
    return berth_error_make (err, ERANGE, "%s%s%s: must not be negative", where, dot (where), key);
  *out = u;
  return 1;
}

int
sj_uint32 (json_object *obj, const char *where, const char *key, uint32_t *out, berth_error_t *err)
{
  uint64_t v;
  int ret = sj_uint64 (obj, where, key, &v, err);

  if (ret <= 0)
    return ret;
  if (v > UINT32_MAX)
    return berth_error_make (err, ERANGE, "%s%s%s: value out of range", where, dot (where), key);
  *out = (uint32_t) v;
  return 1;
}

int
sj_array (json_object *obj, const char *where, const char *key, json_object **out, size_t *len, berth_error_t *err)
{
  json_object *v = sj_get (obj, key);

  *out = NULL;
  *len = 0;
  if (v == NULL)
    return 0;
  if (!json_object_is_type (v, json_type_array))
    return berth_error_make (err, EINVAL, "%s%s%s: expected an array, got %s", where, dot (where), key, type_name (v));
  *out = v;
  *len = json_object_array_length (v);
  return 1;
}

int
sj_strv (json_object *obj, const char *where, const char *key, char ***out, berth_error_t *err)
{
  json_object *arr;
  size_t n, i;
  char **v;
  int ret = sj_array (obj, where, key, &arr, &n, err);

  if (ret < 0)
    return ret;
  v = xmalloc0 ((n + 1) * sizeof (char *));
  for (i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (arr, i);
      if (!json_object_is_type (e, json_type_string))
        {
          strv_free (v);
          return berth_error_make (err, EINVAL, "%s%s%s[%zu]: expected a string, got %s", where, dot (where), key, i,
                                   type_name (e));
        }
      v[i] = xstrdup (json_object_get_string (e));
    }
  strv_free (*out);
  *out = v;
  return ret;
}

int
sj_string_map (json_object *obj, const char *where, const char *key, struct berth_spec_kv **out, size_t *len,
               berth_error_t *err)
{
  json_object *v = sj_get (obj, key);
  struct berth_spec_kv *kv;
  size_t n = 0;

  *out = NULL;
  *len = 0;
  if (v == NULL)
    return 0;
  if (!json_object_is_type (v, json_type_object))
    return berth_error_make (err, EINVAL, "%s%s%s: expected an object, got %s", where, dot (where), key,
                             type_name (v));
  kv = xmalloc0 ((json_object_object_length (v) + 1) * sizeof (*kv));
  json_object_object_foreach (v, k, val)
  {
    if (!json_object_is_type (val, json_type_string))
      {
        size_t i;
        for (i = 0; i < n; i++)
          {
            free (kv[i].key);
            free (kv[i].value);
          }
        free (kv);
        return berth_error_make (err, EINVAL, "%s%s%s.%s: expected a string, got %s", where, dot (where), key, k,
                                 type_name (val));
      }
    kv[n].key = xstrdup (k);
    kv[n].value = xstrdup (json_object_get_string (val));
    n++;
  }
  *out = kv;
  *len = n;
  return 1;
}
