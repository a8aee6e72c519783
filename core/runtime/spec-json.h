/* Typed access to json-c objects for the spec parsers (internal).
   `where` is the dotted path of the parent object ("process.user"), used so
   that every error names the offending field.  A key set to JSON null counts
   as absent.  Getters return 1 when found, 0 when absent, <0 on error. */
#ifndef BERTH_RUNTIME_SPEC_JSON_H
#define BERTH_RUNTIME_SPEC_JSON_H

#include <json.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/lib/error.h"
#include "core/runtime/spec.h"

json_object *sj_get (json_object *obj, const char *key);
int sj_expect_object (json_object *o, const char *where, berth_error_t *err);
int sj_string (json_object *obj, const char *where, const char *key, char **out, berth_error_t *err);
int sj_bool (json_object *obj, const char *where, const char *key, bool *out, berth_error_t *err);
int sj_int64 (json_object *obj, const char *where, const char *key, int64_t *out, berth_error_t *err);
int sj_uint64 (json_object *obj, const char *where, const char *key, uint64_t *out, berth_error_t *err);
int sj_uint32 (json_object *obj, const char *where, const char *key, uint32_t *out, berth_error_t *err);
/* an array; *len is its length */
int sj_array (json_object *obj, const char *where, const char *key, json_object **out, size_t *len,
              berth_error_t *err);
/* an array of strings as a NULL-terminated vector (empty when absent) */
int sj_strv (json_object *obj, const char *where, const char *key, char ***out, berth_error_t *err);
/* an object of string values as key/value pairs */
int sj_string_map (json_object *obj, const char *where, const char *key, struct berth_spec_kv **out, size_t *len,
                   berth_error_t *err);
/* Require the field to exist: turns 0 from a getter into an error. */
int sj_required (int found, const char *where, const char *key, berth_error_t *err);

#endif
