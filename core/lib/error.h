/* One error convention for all of berth.
 *
 * A function that can fail takes `berth_error_t *err` as its last argument.
 * On failure it returns a negative value (or NULL) and fills *err; on success
 * it leaves *err alone.  Callers add context with berth_error_wrap() and pass
 * the error up; it is printed once, at the edge (main, the HTTP response).
 *
 * struct berth_error is the same opaque type plugins see in <berth/plugin.h>.
 */
#ifndef BERTH_LIB_ERROR_H
#define BERTH_LIB_ERROR_H

#include <stdarg.h>

struct berth_error
{
  int code; /* an errno value, or 0 when none applies */
  char *msg;
};
typedef struct berth_error *berth_error_t;

/* Set *err (which must be NULL) and return -code, or -1 when code is 0. */
int berth_error_make (berth_error_t *err, int code, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));
int berth_error_makev (berth_error_t *err, int code, const char *fmt, va_list ap) __attribute__ ((format (printf, 3, 0)));
/* As berth_error_make, appending ": strerror(code)". */
int berth_error_errno (berth_error_t *err, int code, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));
/* Prefix an existing error: "context: message".  Returns the error's return value. */
int berth_error_wrap (berth_error_t *err, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
int berth_error_wrapv (berth_error_t *err, const char *fmt, va_list ap) __attribute__ ((format (printf, 2, 0)));
/* The value a failing function returns for this error. */
int berth_error_ret (const berth_error_t *err);
int berth_error_code (const berth_error_t *err);
const char *berth_error_msg (const berth_error_t *err);
/* Free and reset to NULL. */
void berth_error_release (berth_error_t *err);

#define cleanup_error __attribute__ ((cleanup (berth_error_release)))

#endif
