#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/daemon/filters.h"
#include "core/lib/mem.h"

struct filter_key
{
  char *key;
  char **values;
};

struct berth_filters
{
  struct filter_key *keys;
  size_t n;
};

void
berth_filters_free (struct berth_filters *f)
{
  if (f == NULL)
    return;
  for (size_t i = 0; i < f->n; i++)
    {
      free (f->keys[i].key);
      strv_free (f->keys[i].values);
    }
  free (f->keys);
  free (f);
}

static void
add_value (struct filter_key *k, const char *v)
{
  size_t n = 0;
  while (k->values != NULL && k->values[n] != NULL)
    n++;
  k->values = xrealloc (k->values, (n + 2) * sizeof (char *));
  k->values[n] = xstrdup (v);
  k->values[n + 1] = NULL;
}

int
berth_filters_parse (const struct berth_request *req, const char *const *accepted, struct berth_filters **ret,
                     berth_error_t *err)
{
  const char *text = berth_request_query (req, "filters");
  struct berth_filters *f = xmalloc0 (sizeof (*f));
  struct json_object *o = NULL;

  *ret = f;
  if (text == NULL || text[0] == '\0')
    return 0;
  if (berth_request_parse_json (text, strlen (text), &o, err) < 0)
    {
      berth_filters_free (f);
      *ret = NULL;
      return berth_error_wrap (err, "invalid filters");
    }
  if (!json_object_is_type (o, json_type_object))
    {
      json_object_put (o);
      berth_filters_free (f);
      *ret = NULL;
      return berth_error_make (err, EINVAL, "invalid filters: expected a JSON object");
    }
  json_object_object_foreach (o, key, val)
  {
    struct filter_key *k;
    bool ok = false;

    for (size_t i = 0; accepted != NULL && accepted[i] != NULL && !ok; i++)
      ok = strcmp (accepted[i], key) == 0;
    if (!ok)
      {
        berth_error_make (err, EINVAL, "invalid filter '%s'", key);
        json_object_put (o);
        berth_filters_free (f);
        *ret = NULL;
        return berth_error_ret (err);
      }
    f->keys = xrealloc (f->keys, (f->n + 1) * sizeof (*f->keys));
    k = &f->keys[f->n++];
    k->key = xstrdup (key);
    k->values = xmalloc0 (sizeof (char *));
    if (json_object_is_type (val, json_type_object))
      {
        json_object_object_foreach (val, v, flag)
        {
          if (json_object_get_boolean (flag))
            add_value (k, v);
        }
      }
    else if (json_object_is_type (val, json_type_array))
      {
        for (size_t i = 0; i < json_object_array_length (val); i++)
          {
            struct json_object *e = json_object_array_get_idx (val, i);
            if (json_object_is_type (e, json_type_string))
              add_value (k, json_object_get_string (e));
          }
      }
    else
      {
        berth_error_make (err, EINVAL, "invalid filters: the value of '%s' must be an object", key);
        json_object_put (o);
        berth_filters_free (f);
        *ret = NULL;
        return berth_error_ret (err);
      }
  }
  json_object_put (o);
  return 0;
}

bool
berth_filters_has (const struct berth_filters *f, const char *key)
{
  return berth_filters_get (f, key) != NULL;
}

char *const *
berth_filters_get (const struct berth_filters *f, const char *key)
{
  for (size_t i = 0; f != NULL && i < f->n; i++)
    if (strcmp (f->keys[i].key, key) == 0)
      return f->keys[i].values;
  return NULL;
}

int
berth_filters_bool (const struct berth_filters *f, const char *key, int *ret, berth_error_t *err)
{
  char *const *v = berth_filters_get (f, key);

  *ret = -1;
  if (v == NULL || v[0] == NULL)
    return 0;
  for (size_t i = 0; v[i] != NULL; i++)
    {
      int b;
      if (strcmp (v[i], "true") == 0 || strcmp (v[i], "1") == 0)
        b = 1;
      else if (strcmp (v[i], "false") == 0 || strcmp (v[i], "0") == 0)
        b = 0;
      else
        return berth_error_make (err, EINVAL, "invalid filter '%s=%s'", key, v[i]);
      if (*ret != -1 && *ret != b)
        return berth_error_make (err, EINVAL, "conflicting values for filter '%s'", key);
      *ret = b;
    }
  return 0;
}
