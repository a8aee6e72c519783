/* The container manager's side of volumes, mounts and --init: what
   manager.c calls at create, start, exit, removal and daemon start.

   At create the mount points (mount-spec.h) are resolved: named volumes
   are created on first use, anonymous ones made, each one referenced by
   the container until it is removed; they are kept in <dir>/mounts.json
   and c->mount_points.  At start the volumes are mounted through their
   driver, a new empty volume is filled from the image's content at its
   destination (resolved inside the rootfs, never following a symlink out),
   missing -v bind sources are created, and every mount (and the init, for
   HostConfig.Init) goes into the OCI spec. */
#ifndef BERTH_CONTAINER_MANAGER_VOLUMES_H
#define BERTH_CONTAINER_MANAGER_VOLUMES_H

#include <stdbool.h>

#include <json-c/json.h>

#include "core/container/manager-internal.h"

/* Where --init's program is bind-mounted, as Docker's docker-init. */
#define CONTAINER_INIT_PATH "/sbin/docker-init"

int manager_volumes_create (struct container_manager *m, struct container *c, berth_error_t *err);
/* Drop the container's references; with remove_anonymous its anonymous
   volumes go too (unless another container uses them). */
void manager_volumes_release (struct container_manager *m, struct container *c, bool remove_anonymous);
/* The container's files are being removed: release, removing anonymous
   volumes for AutoRemove (--rm) containers as moby does. */
void manager_volumes_on_remove (struct container_manager *m, struct container *c);
/* Start: mount and fill the volumes, add every mount and the init to spec. */
int manager_volumes_apply_spec (struct container_manager *m, struct container *c, json_object *spec,
                                berth_error_t *err);
/* Exit, or a start that failed. */
void manager_volumes_unmount (struct container_manager *m, struct container *c);
/* Daemon start, for every container found (lock held). */
void manager_volumes_restore (struct container_manager *m, struct container *c);

#endif
