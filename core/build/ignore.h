/* .dockerignore: Docker's pattern rules.  One pattern a line; blank lines
 * and lines starting with '#' are skipped; a leading '!' makes an exception
 * (a re-include); patterns are cleaned (".", "..", doubled and leading
 * slashes) and matched per path component with *, ?, [...] and '\', where a
 * "**" component matches any number of components.  A path is excluded when
 * the last pattern matching it, or one of its parent directories, is not an
 * exception. */
#ifndef BERTH_BUILD_IGNORE_H
#define BERTH_BUILD_IGNORE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/lib/error.h"

struct build_ignore;

int build_ignore_parse (const char *text, size_t len, struct build_ignore **ret, berth_error_t *err);
void build_ignore_free (struct build_ignore *ig);
/* path: relative to the context root, '/'-separated ("./" and "/" prefixes
   are dropped).  NULL ig excludes nothing. */
bool build_ignore_excluded (const struct build_ignore *ig, const char *path);
/* true when some exception could re-include something below an excluded
   directory (a walker must then look inside it) */
bool build_ignore_has_exceptions (const struct build_ignore *ig);

#endif
