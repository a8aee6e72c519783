/* Dockerfile instructions applied to an image's run config, as `docker
 * import -c` and `docker commit -c` take them: CMD, ENTRYPOINT, ENV, EXPOSE,
 * LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR.  Quotes and backslash
 * escapes are honoured in word lists; variables are not expanded. */
#ifndef BERTH_IMAGE_CHANGE_H
#define BERTH_IMAGE_CHANGE_H

#include <stdbool.h>

#include "core/image/image-config.h"
#include "core/lib/error.h"

struct image_change_state
{
  bool cmd_set; /* a CMD was applied: a later ENTRYPOINT keeps it */
};

/* Apply one instruction line; EINVAL with the reason when it is malformed or
   not one of the instructions above. */
int image_change_apply (struct image_run_config *rc, struct image_change_state *st, const char *line,
                        berth_error_t *err);

#endif
