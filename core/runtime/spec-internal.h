/* Shared between the spec parser files (internal). */
#ifndef BERTH_RUNTIME_SPEC_INTERNAL_H
#define BERTH_RUNTIME_SPEC_INTERNAL_H

#include "core/runtime/spec.h"
#include "core/runtime/spec-json.h"

int spec_parse_linux (json_object *o, struct berth_spec_linux *l, berth_error_t *err);
void spec_linux_free (struct berth_spec_linux *l);
int spec_parse_resources (json_object *o, const char *where, struct berth_spec_resources *r, berth_error_t *err);
void spec_resources_free (struct berth_spec_resources *r);
int spec_parse_seccomp (json_object *o, struct berth_spec_seccomp **out, berth_error_t *err);
void spec_seccomp_free (struct berth_spec_seccomp *s);
int spec_parse_process (json_object *o, const char *where, struct berth_spec_process **out, berth_error_t *err);
/* parse text into a json-c tree, with the parser's error message */
json_object *spec_json_tokenize (const char *json, size_t len, const char *what, berth_error_t *err);

#endif
