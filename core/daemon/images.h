/* Image routes: list, inspect, history, tag, remove, prune, system df
   (images.c) and load, save, import (images-archive.c). */
#ifndef BERTH_DAEMON_IMAGES_H
#define BERTH_DAEMON_IMAGES_H

#include <stdint.h>

#include <json-c/json.h>

#include "core/daemon/router.h"

void berth_image_routes (struct berth_router *r);
void berth_image_archive_routes (struct berth_router *r);
/* POST /images/create?fromImage=: a pull; the push route (images-registry.c) */
void berth_image_registry_routes (struct berth_router *r);
int berth_image_pull (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err);
/* A pull for the builder (FROM, build --pull): name with the default tag,
   the daemon's registry settings, the credentials auth_configs (a build's
   X-Registry-Config: {"server": AuthConfig}, may be NULL) has for the
   image's registry, else anonymous; progress as text lines ("latest:
   Pulling from ...", "Digest: ...", "Status: ...") through line. */
int berth_image_pull_for_build (struct berthd *d, const char *name, json_object *auth_configs,
                                void (*line) (void *ud, const char *text, size_t len), void *ud, berth_error_t *err);

/* RFC 3339 (with fraction and zone) -> unix seconds; 0 when unparsable */
int64_t berth_image_created_unix (const char *rfc3339);

#endif
