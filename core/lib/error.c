#include "config.h"

#include "core/lib/error.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
berth_error_makev (berth_error_t *err, int code, const char *fmt, va_list ap)
{
  struct berth_error *e;

  if (err == NULL)
    return code > 0 ? -code : -1;
  /* An error already set is kept: the first failure is the one to report. */
  if (*err != NULL)
    return berth_error_ret (err);
  e = xmalloc0 (sizeof (*e));
  e->code = code;
  if (vasprintf (&e->msg, fmt, ap) < 0)
    oom ();
  *err = e;
  return code > 0 ? -code : -1;
}

int
berth_error_make (berth_error_t *err, int code, const char *fmt, ...)
{
  va_list ap;
  int ret;

  va_start (ap, fmt);
  ret = berth_error_makev (err, code, fmt, ap);
  va_end (ap);
  return ret;
}

int
berth_error_errno (berth_error_t *err, int code, const char *fmt, ...)
{
  va_list ap;
  char *msg;
  int ret;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    oom ();
  va_end (ap);
  ret = berth_error_make (err, code, "%s: %s", msg, strerror (code));
  free (msg);
  return ret;
}

int
berth_error_wrapv (berth_error_t *err, const char *fmt, va_list ap)
{
  char *ctx, *msg;

  if (err == NULL || *err == NULL)
    return -1;
  if (vasprintf (&ctx, fmt, ap) < 0)
    oom ();
  if (asprintf (&msg, "%s: %s", ctx, (*err)->msg) < 0)
    oom ();
  free (ctx);
  free ((*err)->msg);
  (*err)->msg = msg;
  return berth_error_ret (err);
}

int
berth_error_wrap (berth_error_t *err, const char *fmt, ...)
{
  va_list ap;
  int ret;

  va_start (ap, fmt);
  ret = berth_error_wrapv (err, fmt, ap);
  va_end (ap);
  return ret;
}

int
berth_error_ret (const berth_error_t *err)
{
  if (err == NULL || *err == NULL || (*err)->code <= 0)
    return -1;
  return -(*err)->code;
}

int
berth_error_code (const berth_error_t *err)
{
  return (err == NULL || *err == NULL) ? 0 : (*err)->code;
}

const char *
berth_error_msg (const berth_error_t *err)
{
  return (err == NULL || *err == NULL) ? "" : (*err)->msg;
}

void
berth_error_release (berth_error_t *err)
{
  if (err == NULL || *err == NULL)
    return;
  free ((*err)->msg);
  free (*err);
  *err = NULL;
}
