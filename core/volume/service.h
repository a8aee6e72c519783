/* The daemon's volumes: named directories provided by volume driver plugins
   (`local` in tree), with the metadata the driver does not keep (labels,
   driver options) and the containers that use each one.

   A volume is what its driver lists; <data-root>/volumes/<name>.json holds
   {Name, Driver, Labels, Options}, written atomically after the driver
   created the volume (a volume without it has no labels).  A container
   holds a reference to every volume it names from create to removal
   (volume_service_acquire/release); a referenced volume cannot be removed
   (409 "remove X: volume is in use - [ids]").  While the container runs
   its volumes are also mounted through the driver, once per container.
   Anonymous volumes carry the label com.docker.volume.anonymous, as moby's
   do; prune removes only those unless asked for all.

   Everything runs under the service's own lock; callers may hold the
   container manager's lock (never the other way round). */
#ifndef BERTH_VOLUME_SERVICE_H
#define BERTH_VOLUME_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "core/lib/error.h"

struct berth_plugins;
struct volume_service;

#define VOLUME_ANONYMOUS_LABEL "com.docker.volume.anonymous"
#define VOLUME_DEFAULT_DRIVER "local"

int volume_service_open (const char *data_root, struct berth_plugins *plugins, struct volume_service **ret,
                         berth_error_t *err);
void volume_service_close (struct volume_service *vs);

/* Volume events (create, destroy, mount, unmount) with Actor.Attributes
   (driver, and for mounts container, destination, read/write, propagation).
   Called with the service's lock held: the listener copies what it keeps
   and must not call back into the service. */
typedef void (*volume_event_fn) (void *ud, const char *name, const char *action, json_object *attrs);
void volume_service_set_events (struct volume_service *vs, volume_event_fn fn, void *ud);

/* Name NULL or "": a generated 64-hex name.  driver NULL or "": local.
   opts and labels: objects of strings (borrowed, may be NULL).  An existing
   volume of the same driver is returned as it is (moby does the same);
   another driver's is EEXIST.  *ret (may be NULL): the volume as inspect
   shows it. */
int volume_service_create (struct volume_service *vs, const char *name, const char *driver, json_object *opts,
                           json_object *labels, json_object **ret, berth_error_t *err);
/* ENOENT "get X: no such volume" */
int volume_service_inspect (struct volume_service *vs, const char *name, json_object **ret, berth_error_t *err);
/* Every volume as inspect shows it; with_usage adds UsageData {Size, RefCount}. */
json_object *volume_service_list (struct volume_service *vs, bool with_usage);
/* Ids of the containers using the volume (NULL-terminated; NULL when unknown). */
char **volume_service_users (struct volume_service *vs, const char *name);
/* force: a volume that does not exist is no error. */
int volume_service_remove (struct volume_service *vs, const char *name, bool force, berth_error_t *err);
/* Remove a volume unless it is in use; for `rm -v` (errors are logged). */
void volume_service_remove_unused (struct volume_service *vs, const char *name);

/* Prune: every unused volume for which keep (given the inspect JSON)
   answers false.  *ret_names: array of the removed names. */
typedef bool (*volume_keep_fn) (void *ud, json_object *volume);
int volume_service_prune (struct volume_service *vs, volume_keep_fn keep, void *ud, json_object **ret_names,
                          int64_t *ret_reclaimed, berth_error_t *err);

/* A container starts (or, at daemon start, still) using a volume. */
int volume_service_acquire (struct volume_service *vs, const char *name, const char *container_id, berth_error_t *err);
void volume_service_release (struct volume_service *vs, const char *name, const char *container_id);
/* Mount through the driver for a starting container (at most once per
   container: a second call only returns the path).  *ret_path: host path. */
int volume_service_mount (struct volume_service *vs, const char *name, const char *container_id, char **ret_path,
                          berth_error_t *err);
void volume_service_unmount (struct volume_service *vs, const char *name, const char *container_id);
/* After a daemon restart, for a container still running. */
void volume_service_restore_mount (struct volume_service *vs, const char *name, const char *container_id);

/* Checks as moby's local driver: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
bool volume_name_valid (const char *name);

#endif
