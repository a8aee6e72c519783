#include "config.h"

#include "core/image/json-field.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void
image_kv_free (struct image_kv *kv, size_t n)
{
  size_t i;

  if (kv == NULL)
    return;
  for (i = 0; i < n; i++)
    {
      free (kv[i].key);
      free (kv[i].value);
    }
  free (kv);
}

struct image_kv *
image_kv_dup (const struct image_kv *kv, size_t n)
{
  struct image_kv *r;
  size_t i;

  if (kv == NULL || n == 0)
    return NULL;
  r = xmalloc0 (n * sizeof (*r));
  for (i = 0; i < n; i++)
    {
      r[i].key = xstrdup (kv[i].key);
      r[i].value = xstrdup (kv[i].value);
    }
  return r;
}

const char *
image_kv_get (const struct image_kv *kv, size_t n, const char *key)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (strcmp (kv[i].key, key) == 0)
      return kv[i].value;
  return NULL;
}

size_t
image_strv_len (char *const *v)
{
  size_t n = 0;

  while (v && v[n])
    n++;
  return n;
}

char **
image_strv_dup (char *const *v)
{
  size_t i, n;
  char **r;

  if (v == NULL)
    return NULL;
  n = image_strv_len (v);
  r = xmalloc0 ((n + 1) * sizeof (char *));
  for (i = 0; i < n; i++)
    r[i] = xstrdup (v[i]);
  return r;
}

int
jf_parse (const char *data, size_t len, const char *what, json_object **ret, berth_error_t *err)
{
  json_tokener *tok;
  json_object *o;
  enum json_tokener_error jerr;
  size_t off;

  if (len > INT32_MAX)
    return berth_error_make (err, EFBIG, "%s: document too large", what);
  tok = json_tokener_new ();
  if (tok == NULL)
    oom ();
  json_tokener_set_flags (tok, JSON_TOKENER_STRICT);
  o = json_tokener_parse_ex (tok, data, (int)len);
  jerr = json_tokener_get_error (tok);
  if (o == NULL && jerr == json_tokener_continue)
    {
      /* a bare number at the end of input needs a final flush */
      o = json_tokener_parse_ex (tok, "", 1);
      jerr = json_tokener_get_error (tok);
    }
  off = json_tokener_get_parse_end (tok);
  json_tokener_free (tok);
  if (o == NULL || jerr != json_tokener_success)
    {
      json_object_put (o);
      if (jerr == json_tokener_continue || jerr == json_tokener_success)
        return berth_error_make (err, EINVAL, "%s: invalid JSON: unexpected end of input", what);
      return berth_error_make (err, EINVAL, "%s: invalid JSON at byte %zu: %s", what, off,
                               json_tokener_error_desc (jerr));
    }
  for (; off < len; off++)
    if (!strchr (" \t\r\n", data[off]) && data[off] != '\0')
      {
        json_object_put (o);
        return berth_error_make (err, EINVAL, "%s: invalid JSON: trailing data at byte %zu", what, off);
      }
  *ret = o;
  return 0;
}

int
jf_parse_object (const char *data, size_t len, const char *what, json_object **ret, berth_error_t *err)
{
  json_object *o = NULL;

  if (jf_parse (data, len, what, &o, err) < 0)
    return berth_error_ret (err);
  if (!json_object_is_type (o, json_type_object))
    {
      json_object_put (o);
      return berth_error_make (err, EINVAL, "%s: expected a JSON object", what);
    }
  *ret = o;
  return 0;
}

static json_object *
get (json_object *o, const char *key)
{
  json_object *v = NULL;

  if (o == NULL || !json_object_object_get_ex (o, key, &v))
    return NULL;
  return v; /* JSON null is returned as NULL too */
}

int
jf_string (json_object *o, const char *key, const char *what, bool required, const char **ret, berth_error_t *err)
{
  json_object *v = get (o, key);

  *ret = NULL;
  if (v == NULL)
    {
      if (required)
        return berth_error_make (err, EINVAL, "%s: missing field `%s`", what, key);
      return 0;
    }
  if (!json_object_is_type (v, json_type_string))
    return berth_error_make (err, EINVAL, "%s: field `%s` must be a string", what, key);
  *ret = json_object_get_string (v);
  if (required && **ret == '\0')
    return berth_error_make (err, EINVAL, "%s: field `%s` must not be empty", what, key);
  return 0;
}

int
jf_string_dup (json_object *o, const char *key, const char *what, bool required, char **ret, berth_error_t *err)
{
  const char *s;

  *ret = NULL;
  if (jf_string (o, key, what, required, &s, err) < 0)
    return berth_error_ret (err);
  if (s)
    *ret = xstrdup (s);
  return 0;
}

int
jf_int64 (json_object *o, const char *key, const char *what, bool required, int64_t *ret, bool *ret_present,
          berth_error_t *err)
{
  json_object *v = get (o, key);

  if (ret_present)
    *ret_present = false;
  if (v == NULL)
    {
      if (required)
        return berth_error_make (err, EINVAL, "%s: missing field `%s`", what, key);
      return 0;
    }
  if (!json_object_is_type (v, json_type_int))
    return berth_error_make (err, EINVAL, "%s: field `%s` must be an integer", what, key);
  errno = 0;
  *ret = json_object_get_int64 (v);
  /* json-c clamps out-of-range values to INT64_MIN/MAX */
  if (*ret == INT64_MAX || *ret == INT64_MIN)
    return berth_error_make (err, ERANGE, "%s: field `%s` is out of range", what, key);
  if (ret_present)
    *ret_present = true;
  return 0;
}

int
jf_bool (json_object *o, const char *key, const char *what, bool *ret, berth_error_t *err)
{
  json_object *v = get (o, key);

  *ret = false;
  if (v == NULL)
    return 0;
  if (!json_object_is_type (v, json_type_boolean))
    return berth_error_make (err, EINVAL, "%s: field `%s` must be true or false", what, key);
  *ret = json_object_get_boolean (v);
  return 0;
}

static int
typed (json_object *o, const char *key, const char *what, bool required, json_object **ret, enum json_type t,
       const char *tname, berth_error_t *err)
{
  json_object *v = get (o, key);

  *ret = NULL;
  if (v == NULL)
    {
      if (required)
        return berth_error_make (err, EINVAL, "%s: missing field `%s`", what, key);
      return 0;
    }
  if (!json_object_is_type (v, t))
    return berth_error_make (err, EINVAL, "%s: field `%s` must be %s", what, key, tname);
  *ret = v;
  return 0;
}

int
jf_object (json_object *o, const char *key, const char *what, bool required, json_object **ret, berth_error_t *err)
{
  return typed (o, key, what, required, ret, json_type_object, "an object", err);
}

int
jf_array (json_object *o, const char *key, const char *what, bool required, json_object **ret, berth_error_t *err)
{
  return typed (o, key, what, required, ret, json_type_array, "an array", err);
}

int
jf_strv (json_object *o, const char *key, const char *what, char ***ret, berth_error_t *err)
{
  json_object *a;
  size_t i, n;
  char **v;

  *ret = NULL;
  if (jf_array (o, key, what, false, &a, err) < 0)
    return berth_error_ret (err);
  if (a == NULL)
    return 0;
  n = json_object_array_length (a);
  v = xmalloc0 ((n + 1) * sizeof (char *));
  for (i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (a, i);
      if (!json_object_is_type (e, json_type_string))
        {
          strv_free (v);
          return berth_error_make (err, EINVAL, "%s: field `%s` must be an array of strings (element %zu)", what, key,
                                   i);
        }
      v[i] = xstrdup (json_object_get_string (e));
    }
  *ret = v;
  return 0;
}

int
jf_keys (json_object *o, const char *key, const char *what, char ***ret, berth_error_t *err)
{
  json_object *m;
  size_t n, i = 0;
  char **v;

  *ret = NULL;
  if (jf_object (o, key, what, false, &m, err) < 0)
    return berth_error_ret (err);
  if (m == NULL)
    return 0;
  n = (size_t)json_object_object_length (m);
  v = xmalloc0 ((n + 1) * sizeof (char *));
  json_object_object_foreach (m, k, val)
  {
    (void)val;
    v[i++] = xstrdup (k);
  }
  *ret = v;
  return 0;
}

int
jf_string_map (json_object *o, const char *key, const char *what, struct image_kv **ret, size_t *ret_n,
               berth_error_t *err)
{
  json_object *m;
  struct image_kv *kv;
  size_t n, i = 0;

  *ret = NULL;
  *ret_n = 0;
  if (jf_object (o, key, what, false, &m, err) < 0)
    return berth_error_ret (err);
  if (m == NULL)
    return 0;
  n = (size_t)json_object_object_length (m);
  if (n == 0)
    return 0;
  kv = xmalloc0 (n * sizeof (*kv));
  json_object_object_foreach (m, k, val)
  {
    if (!json_object_is_type (val, json_type_string))
      {
        image_kv_free (kv, i);
        return berth_error_make (err, EINVAL, "%s: `%s`.`%s` must be a string", what, key, k);
      }
    kv[i].key = xstrdup (k);
    kv[i].value = xstrdup (json_object_get_string (val));
    i++;
  }
  *ret = kv;
  *ret_n = n;
  return 0;
}

void
jf_add_string (json_object *o, const char *key, const char *value)
{
  if (value)
    json_object_object_add (o, key, json_object_new_string (value));
}

void
jf_add_strv (json_object *o, const char *key, char *const *v)
{
  json_object *a;
  size_t i;

  if (v == NULL)
    return;
  a = json_object_new_array ();
  for (i = 0; v[i]; i++)
    json_object_array_add (a, json_object_new_string (v[i]));
  json_object_object_add (o, key, a);
}

void
jf_add_keys (json_object *o, const char *key, char *const *v)
{
  json_object *m;
  size_t i;

  if (v == NULL)
    return;
  m = json_object_new_object ();
  for (i = 0; v[i]; i++)
    json_object_object_add (m, v[i], json_object_new_object ());
  json_object_object_add (o, key, m);
}

void
jf_add_string_map (json_object *o, const char *key, const struct image_kv *kv, size_t n)
{
  json_object *m;
  size_t i;

  if (kv == NULL || n == 0)
    return;
  m = json_object_new_object ();
  for (i = 0; i < n; i++)
    json_object_object_add (m, kv[i].key, json_object_new_string (kv[i].value));
  json_object_object_add (o, key, m);
}

char *
jf_to_string (json_object *o, size_t *ret_len)
{
  size_t len = 0;
  const char *s = json_object_to_json_string_length (o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);

  if (ret_len)
    *ret_len = len;
  return xstrndup (s, len);
}
