#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/daemon/http.h"
#include "core/lib/mem.h"

static void
drop_body (struct berth_response *resp)
{
  if (resp->json != NULL)
    json_object_put (resp->json);
  resp->json = NULL;
  free (resp->body);
  resp->body = NULL;
  resp->body_len = 0;
  free (resp->content_type);
  resp->content_type = NULL;
}

void
berth_response_json (struct berth_response *resp, unsigned status, struct json_object *json)
{
  drop_body (resp);
  resp->status = status;
  resp->json = json;
}

void
berth_response_text (struct berth_response *resp, unsigned status, const char *content_type, const char *text)
{
  drop_body (resp);
  resp->status = status;
  resp->content_type = xstrdup (content_type);
  resp->body = xstrdup (text);
  resp->body_len = strlen (text);
}

void
berth_response_error (struct berth_response *resp, unsigned status, const char *fmt, ...)
{
  struct json_object *o = json_object_new_object ();
  char *msg;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    oom ();
  va_end (ap);
  json_object_object_add (o, "message", json_object_new_string (msg));
  free (msg);
  berth_response_json (resp, status, o);
}

void
berth_response_header (struct berth_response *resp, const char *name, const char *value)
{
  resp->headers = xrealloc (resp->headers, (resp->n_headers + 1) * sizeof (*resp->headers));
  resp->headers[resp->n_headers].name = xstrdup (name);
  resp->headers[resp->n_headers].value = xstrdup (value);
  resp->n_headers++;
}

void
berth_response_clear (struct berth_response *resp)
{
  drop_body (resp);
  for (size_t i = 0; i < resp->n_headers; i++)
    {
      free (resp->headers[i].name);
      free (resp->headers[i].value);
    }
  free (resp->headers);
  memset (resp, 0, sizeof (*resp));
}

unsigned
berth_http_status_for_error (const berth_error_t *err)
{
  switch (berth_error_code (err))
    {
    case EINVAL:
      return 400;
    case ENOENT:
      return 404;
    case EEXIST:
    case EBUSY:
      return 409;
    case EPERM:
    case EACCES:
      return 403;
    case ENOTSUP:
    case ENOSYS:
      return 501;
    default:
      return 500;
    }
}
