/* Container ids and names as Docker makes them: 64 lower-case hex from 32
   random bytes (never all digits in the first 12, which become the
   hostname), names matching [a-zA-Z0-9][a-zA-Z0-9_.-]+, generated as
   adjective_surname. */
#ifndef BERTH_CONTAINER_ID_H
#define BERTH_CONTAINER_ID_H

#include <stdbool.h>
#include <stddef.h>

#include "core/lib/error.h"

#define CONTAINER_ID_LEN 64
#define CONTAINER_SHORT_ID_LEN 12

int container_id_generate (char ret[CONTAINER_ID_LEN + 1], berth_error_t *err);
bool container_id_is_full (const char *s);
/* Without the leading '/' */
bool container_name_valid (const char *name);
/* attempt 0: adjective_surname; later attempts append one random digit as
   moby does.  Returns a malloc'd name. */
char *container_name_generate (unsigned attempt);

#endif
