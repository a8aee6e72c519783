/* POST /containers/create: check the request body and merge it with the
   image's config the way moby does.

   Config fields are taken as sent; empty User, WorkingDir, Env, Labels,
   ExposedPorts, StopSignal and Cmd/Entrypoint come from the image (a user
   Entrypoint drops the image's Cmd unless Cmd is given too; Entrypoint [""]
   clears the image's).  HostConfig arrives with every field, mostly at zero
   values: the zero values are accepted, fields berth acts on are checked,
   and any other field with a non-default value is refused with EINVAL
   naming it — nothing is silently ignored. */
#ifndef BERTH_CONTAINER_CREATE_CONFIG_H
#define BERTH_CONTAINER_CREATE_CONFIG_H

#include <json-c/json.h>

#include "core/image/image-config.h"
#include "core/lib/error.h"

struct create_config
{
  json_object *config;      /* merged Config (owned) */
  json_object *host_config; /* normalised HostConfig (owned) */
  char *path;               /* program */
  char **args;              /* its arguments */
  json_object *warnings;    /* array of strings (owned) */
};

/* body: the parsed request.  img: the image's run config (may be NULL). */
int create_config_build (json_object *body, const struct image_run_config *img, struct create_config *ret,
                         berth_error_t *err);
void create_config_clear (struct create_config *cc);

/* "CAP_X" for "X", "cap_x" or "CAP_X"; "ALL" stays "ALL"; NULL when unknown. */
char *container_cap_normalize (const char *name);

#endif
