#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "core/daemon/http.h"

const char *
berth_request_capture (const struct berth_request *req, const char *name)
{
  size_t len = strlen (name);
  for (size_t i = 0; i < req->n_captures; i++)
    if (req->captures[i].name_len == len && strncmp (req->captures[i].name, name, len) == 0)
      return req->captures[i].value;
  return NULL;
}

const char *
berth_request_query (const struct berth_request *req, const char *key)
{
  if (req->conn == NULL)
    return NULL;
  return MHD_lookup_connection_value (req->conn, MHD_GET_ARGUMENT_KIND, key);
}

bool
berth_request_query_bool (const struct berth_request *req, const char *key)
{
  const char *v = berth_request_query (req, key);
  return v != NULL && (strcmp (v, "1") == 0 || strcmp (v, "true") == 0 || strcmp (v, "True") == 0);
}

const char *
berth_request_header (const struct berth_request *req, const char *name)
{
  if (req->conn == NULL)
    return NULL;
  /* MHD compares header names case-insensitively. */
  return MHD_lookup_connection_value (req->conn, MHD_HEADER_KIND, name);
}

/* As moby's httputils.ReadJSON: one JSON value, nothing but whitespace after
   it.  Strict parsing (no comments, single quotes, trailing commas) and valid
   UTF-8 are required; nesting is bounded so deep input cannot exhaust the
   stack. */
int
berth_request_parse_json (const char *body, size_t len, struct json_object **ret, berth_error_t *err)
{
  struct json_tokener *tok;
  struct json_object *obj;
  enum json_tokener_error jerr;
  size_t used;

  if (len == 0)
    return berth_error_make (err, EINVAL, "invalid JSON: got EOF while reading request body");
  if (len >= INT_MAX)
    return berth_error_make (err, EINVAL, "invalid JSON: request body too large");
  tok = json_tokener_new_ex (BERTH_HTTP_JSON_MAX_DEPTH);
  if (tok == NULL)
    return berth_error_make (err, ENOMEM, "out of memory");
  /* Trailing data is allowed here so it can be reported as moby words it. */
  json_tokener_set_flags (tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS | JSON_TOKENER_VALIDATE_UTF8);
  /* The terminating NUL (bodies are NUL-terminated) ends a bare number. */
  obj = json_tokener_parse_ex (tok, body, (int)len + 1);
  jerr = json_tokener_get_error (tok);
  used = json_tokener_get_parse_end (tok);
  json_tokener_free (tok);
  if (obj == NULL || jerr != json_tokener_success)
    {
      if (obj != NULL)
        json_object_put (obj);
      if (jerr == json_tokener_continue)
        return berth_error_make (err, EINVAL, "invalid JSON: unexpected EOF");
      return berth_error_make (err, EINVAL, "invalid JSON: %s at offset %zu", json_tokener_error_desc (jerr), used);
    }
  for (size_t i = used; i < len; i++)
    if (!isspace ((unsigned char)body[i]))
      {
        json_object_put (obj);
        return berth_error_make (err, EINVAL, "unexpected content after JSON");
      }
  *ret = obj;
  return 0;
}
