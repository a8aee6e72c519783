/* Typed access to JSON fields for image documents (configs, manifests,
   store metadata), with errors that name the document and the field. */
#ifndef BERTH_IMAGE_JSON_FIELD_H
#define BERTH_IMAGE_JSON_FIELD_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/lib/error.h"

/* A string-to-string map entry (labels, annotations) kept in document order. */
struct image_kv
{
  char *key;
  char *value;
};

void image_kv_free (struct image_kv *kv, size_t n);
struct image_kv *image_kv_dup (const struct image_kv *kv, size_t n);
const char *image_kv_get (const struct image_kv *kv, size_t n, const char *key);

/* Parse exactly one JSON value from data (trailing garbage is an error). */
int jf_parse (const char *data, size_t len, const char *what, json_object **ret, berth_error_t *err);
/* Parse and require a JSON object. */
int jf_parse_object (const char *data, size_t len, const char *what, json_object **ret, berth_error_t *err);

/* Each getter: a missing key or JSON null gives NULL/absent (and an error only
   when required); a value of the wrong type is always an error. */
int jf_string (json_object *o, const char *key, const char *what, bool required, const char **ret, berth_error_t *err);
/* dup of jf_string; *ret NULL when absent */
int jf_string_dup (json_object *o, const char *key, const char *what, bool required, char **ret, berth_error_t *err);
int jf_int64 (json_object *o, const char *key, const char *what, bool required, int64_t *ret, bool *ret_present,
              berth_error_t *err);
int jf_bool (json_object *o, const char *key, const char *what, bool *ret, berth_error_t *err);
int jf_object (json_object *o, const char *key, const char *what, bool required, json_object **ret, berth_error_t *err);
int jf_array (json_object *o, const char *key, const char *what, bool required, json_object **ret, berth_error_t *err);
/* array of strings -> NULL-terminated strv (*ret NULL when absent or null) */
int jf_strv (json_object *o, const char *key, const char *what, char ***ret, berth_error_t *err);
/* keys of an object ({"80/tcp":{}}) -> strv (*ret NULL when absent) */
int jf_keys (json_object *o, const char *key, const char *what, char ***ret, berth_error_t *err);
/* object of strings -> kv array */
int jf_string_map (json_object *o, const char *key, const char *what, struct image_kv **ret, size_t *ret_n,
                   berth_error_t *err);

/* Emitters: NULL values are left out. */
void jf_add_string (json_object *o, const char *key, const char *value);
void jf_add_strv (json_object *o, const char *key, char *const *v);
void jf_add_keys (json_object *o, const char *key, char *const *v);
void jf_add_string_map (json_object *o, const char *key, const struct image_kv *kv, size_t n);
/* compact serialisation without slash escaping; caller frees */
char *jf_to_string (json_object *o, size_t *ret_len);

size_t image_strv_len (char *const *v);
char **image_strv_dup (char *const *v);

#endif
