#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "core/daemon/http.h"
#include "core/lib/mem.h"

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
    {
      for (size_t i = 0; i < req->n_args; i++)
        if (strcmp (req->args[i].name, key) == 0)
          return req->args[i].value;
      return NULL;
    }
  return MHD_lookup_connection_value (req->conn, MHD_GET_ARGUMENT_KIND, key);
}

struct query_all_ctx
{
  const char *key;
  char **v;
  size_t n;
};

static void
query_all_add (struct query_all_ctx *c, const char *value)
{
  c->v = xrealloc (c->v, (c->n + 2) * sizeof (char *));
  c->v[c->n++] = xstrdup (value != NULL ? value : "");
  c->v[c->n] = NULL;
}

static enum MHD_Result
query_all_cb (void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
  struct query_all_ctx *c = cls;

  (void)kind;
  if (strcmp (key, c->key) == 0)
    query_all_add (c, value);
  return MHD_YES;
}

char **
berth_request_query_all (const struct berth_request *req, const char *key)
{
  struct query_all_ctx c = { .key = key };

  if (req->conn == NULL)
    {
      for (size_t i = 0; i < req->n_args; i++)
        if (strcmp (req->args[i].name, key) == 0)
          query_all_add (&c, req->args[i].value);
    }
  else
    MHD_get_connection_values (req->conn, MHD_GET_ARGUMENT_KIND, query_all_cb, &c);
  if (c.v == NULL)
    c.v = xmalloc0 (sizeof (char *));
  return c.v;
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
    {
      for (size_t i = 0; i < req->n_headers; i++)
        if (strcasecmp (req->headers[i].name, name) == 0)
          return req->headers[i].value;
      return NULL;
    }
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
