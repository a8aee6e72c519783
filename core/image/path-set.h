/* A set of strings (paths) with O(1) insert and lookup. */
#ifndef BERTH_IMAGE_PATH_SET_H
#define BERTH_IMAGE_PATH_SET_H

#include <stdbool.h>
#include <stddef.h>

struct path_set;

struct path_set *path_set_new (void);
void path_set_free (struct path_set *s);
/* true when newly added */
bool path_set_add (struct path_set *s, const char *path);
bool path_set_has (const struct path_set *s, const char *path);
size_t path_set_count (const struct path_set *s);

#endif
