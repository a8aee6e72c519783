/* The daemon's containers: create, start (through berth-shim), stop, kill,
   wait, remove, lookup, and restore at daemon start.

   Each container's run state changes under the manager's lock and is saved
   to state.json before anyone sees it; waiters sleep on one condition
   variable.  A running container has a monitor thread polling its shim's
   pidfd: the shim writes exit.json and exits, the monitor applies it.
   After a daemon restart the monitor is re-attached to shims still alive
   (live restore); a shim that vanished without exit.json leaves the
   container exited with 255. */
#ifndef BERTH_CONTAINER_MANAGER_H
#define BERTH_CONTAINER_MANAGER_H

#include <json-c/json.h>

#include "core/container/container.h"
#include "core/image/image-config.h"
#include "core/plugin/registry.h"

/* What the manager needs from the images: the image for a name (404
   "No such image: X" when unknown), its run config and the storage id of
   its top layer ("" for an image without layers). */
struct container_images
{
  int (*resolve) (void *ud, const char *name, char **ret_image_id, struct image_config **ret_config,
                  char **ret_top_chain, char **ret_top_storage, berth_error_t *err);
  void *ud;
};

struct volume_service;
struct network_service;

struct container_manager_opts
{
  const char *data_root;
  const char *exec_root;
  struct berth_driver *storage;
  struct berth_plugins *plugins;
  const char *default_log_driver;
  const struct berth_cfg *default_log_opts; /* for the default driver; may be NULL */
  const char *shim_path;
  struct volume_service *volumes; /* for volumes and mounts (may be NULL) */
  const char *init_path;          /* berth-init, for HostConfig.Init */
  struct network_service *networks; /* the default bridge (may be NULL) */
};

struct container_manager;

int container_manager_open (const struct container_manager_opts *opts, struct container_manager **ret,
                            berth_error_t *err);
void container_manager_close (struct container_manager *m);
void container_manager_set_images (struct container_manager *m, const struct container_images *images);

/* The listener for container events (see manager_event): called with the
   manager's lock held, so it must not call back into the manager; it copies
   what it keeps. */
typedef void (*container_event_fn) (void *ud, const struct container *c, const char *action, json_object *attrs);
void container_manager_set_events (struct container_manager *m, container_event_fn fn, void *ud);
/* Start the stopped containers whose restart policy wants them running,
   as dockerd does at boot (after set_events, so they have their events). */
void container_manager_restart_at_boot (struct container_manager *m);

/* For the image service's layer reconciliation: is this storage layer a
   container's writable layer?  Answers from disk, before any open. */
bool container_layer_is_writable_layer (const char *data_root, const char *storage_id);
/* The same as an image_keep_layer_fn: ud is the data root (const char *). */
bool container_keep_layer (void *ud, const char *storage_id);

/* body: the create request; name may be NULL.  *ret_warnings: array. */
int container_manager_create (struct container_manager *m, const char *name, json_object *body, char **ret_id,
                              json_object **ret_warnings, berth_error_t *err);
/* Full id, name (with or without '/'), or unique id prefix; a reference
   to drop with container_manager_put.  ENOENT "No such container: X". */
struct container *container_manager_get (struct container_manager *m, const char *what, berth_error_t *err);
void container_manager_put (struct container_manager *m, struct container *c);

/* EALREADY when already running (304) */
int container_manager_start (struct container_manager *m, struct container *c, berth_error_t *err);
/* timeout < 0: the container's StopTimeout or 10 s; sig NULL: StopSignal or
   SIGTERM.  EALREADY when not running (304). */
int container_manager_stop (struct container_manager *m, struct container *c, int timeout, const char *sig,
                            berth_error_t *err);
/* EBUSY (409) when not running */
int container_manager_kill (struct container_manager *m, struct container *c, const char *sig, berth_error_t *err);
int container_manager_restart (struct container_manager *m, struct container *c, int timeout, const char *sig,
                               berth_error_t *err);
int container_manager_remove (struct container_manager *m, struct container *c, bool force, berth_error_t *err);

enum container_wait_condition
{
  CONTAINER_WAIT_NOT_RUNNING,
  CONTAINER_WAIT_NEXT_EXIT,
  CONTAINER_WAIT_REMOVED,
};
/* Blocks; *ret_code gets the exit code.  Returns <0 (ECANCELED) once
   container_manager_shutdown was called. */
int container_manager_wait (struct container_manager *m, struct container *c, enum container_wait_condition cond,
                            int *ret_code, berth_error_t *err);
/* The same giving up after timeout_ms (-1: never): 1 when the condition
   holds, 0 on timeout.  next-exit counts from the call. */
int container_manager_wait_timed (struct container_manager *m, struct container *c,
                                  enum container_wait_condition cond, int timeout_ms, int *ret_code,
                                  berth_error_t *err);
/* For a waiter that must answer before it blocks (the wait route sends its
   headers first): the exit count now, and a wait for the exit after it. */
unsigned container_manager_exit_count (struct container_manager *m, const struct container *c);
int container_manager_wait_from (struct container_manager *m, struct container *c, enum container_wait_condition cond,
                                 unsigned exits, int timeout_ms, int *ret_code, berth_error_t *err);
/* Wake every waiter for good: the daemon is stopping. */
void container_manager_shutdown (struct container_manager *m);

/* Snapshot under the lock: fn is called for every container, newest first. */
typedef void (*container_fn) (void *ud, const struct container *c);
void container_manager_each (struct container_manager *m, container_fn fn, void *ud);
/* Call fn with the manager's lock held, so c's run state is consistent. */
void container_manager_with (struct container_manager *m, const struct container *c, container_fn fn, void *ud);

/* The attach socket of a running container (NULL when not running). */
char *container_manager_attach_path (struct container_manager *m, struct container *c);
/* A connection to the container's stdio with SHIM_ATTACH_* flags: to the
   shim of a running container, else one end of a socket pair whose other
   end goes to the shim at the next start (so `docker run`, which attaches
   before it starts, misses no output).  Reading it gives the shim's stream
   (frames without a tty), writing feeds stdin; EOF when the container
   exits or is removed.  EBUSY when too many attaches wait for a start. */
int container_manager_attach (struct container_manager *m, struct container *c, unsigned flags, berth_error_t *err);
/* The tty size of a running container with a tty; EBUSY when not running. */
int container_manager_resize (struct container_manager *m, struct container *c, unsigned height, unsigned width,
                              berth_error_t *err);
/* Log driver access for `logs`. */
struct berth_driver *container_manager_log_driver (struct container_manager *m, const struct container *c);
const char *container_manager_data_root (const struct container_manager *m);
/* the log driver options of the container (owned by the caller) */
struct berth_cfg *container_manager_log_opts (struct container_manager *m, const struct container *c);

/* docker exec (manager-exec.c): an instance is created for a running
   container, started once through a berth-shim in exec mode, and forgotten
   when its container stops.  EBUSY (409) for a container not running,
   paused or restarting (what: the name the client used). */
struct container_exec;
int container_manager_exec_create (struct container_manager *m, struct container *c, const char *what,
                                   json_object *body, char **ret_id, berth_error_t *err);
/* A reference to drop with container_manager_exec_put; ENOENT "No such exec
   instance: X". */
struct container_exec *container_manager_exec_get (struct container_manager *m, const char *id, berth_error_t *err);
void container_manager_exec_put (struct container_manager *m, struct container_exec *e);
json_object *container_manager_exec_inspect (struct container_manager *m, struct container_exec *e);
/* fixed at create */
bool container_exec_tty (const struct container_exec *e);
bool container_exec_stdin (const struct container_exec *e);
size_t container_exec_detach_keys (const struct container_exec *e, const unsigned char **ret);
/* Start the process.  EBUSY when it ran or runs already, or the container
   stopped.  Without detach, *ret_fd is a connection to its stdio, as
   container_manager_attach's (frames without a tty; EOF after the exit).
   height/width: the tty's first size (0: ConsoleSize of create).  A program
   that cannot start: EINVAL with the runtime's words, exit code 127 (not
   found) or 126 recorded. */
int container_manager_exec_start (struct container_manager *m, struct container_exec *e, bool detach, unsigned height,
                                  unsigned width, int *ret_fd, berth_error_t *err);
int container_manager_exec_resize (struct container_manager *m, struct container_exec *e, unsigned height,
                                   unsigned width, berth_error_t *err);
/* The stream of a started exec ended: returns once its exit status is
   recorded (a few seconds at most), so that inspect shows it. */
void container_manager_exec_ended (struct container_manager *m, struct container_exec *e);
/* Container inspect's ExecIDs: the instances not ended, NULL when none.
   Call with the manager's lock held (container_manager_with). */
json_object *container_exec_ids_json (const struct container *c);

/* State.Health of the container's last run (NULL without a health check),
   and "starting"/"healthy"/"unhealthy" while it runs (else NULL).  Call
   with the manager's lock held (container_manager_with, _each). */
json_object *container_health_json (const struct container *c);
const char *container_health_status (const struct container *c);

/* Freeze / thaw the container's processes (cgroup freezer).  EBUSY (409)
   "Container X is not running" / "is already paused" / "is not paused". */
int container_manager_pause (struct container_manager *m, struct container *c, berth_error_t *err);
int container_manager_unpause (struct container_manager *m, struct container *c, berth_error_t *err);
/* A new name (with or without '/'): EINVAL for a bad or unchanged one,
   EEXIST (409) when another container has it.  Saved atomically. */
int container_manager_rename (struct container_manager *m, struct container *c, const char *name,
                              berth_error_t *err);
/* `docker top`: {"Titles","Processes"} from ps with ps_args (NULL/"" =
   -ef).  EBUSY when not running, EINVAL for refused ps arguments. */
int container_manager_top (struct container_manager *m, struct container *c, const char *ps_args, json_object **ret,
                           berth_error_t *err);
/* One stats sample with "name" and "id" (no precpu/preread): returns 1 for
   a running container, 0 with moby's all-zero object otherwise; ENOENT
   once removed. */
int container_manager_stats (struct container_manager *m, struct container *c, json_object **ret, berth_error_t *err);
/* SizeRw: bytes the container added or changed in its writable layer. */
int container_manager_size (struct container_manager *m, struct container *c, int64_t *ret_rw, berth_error_t *err);
/* Remove the stopped containers (created, exited, dead) for which match
   (called with the lock held; NULL = all) says true; *ret_deleted: array
   of ids or NULL for none, *ret_reclaimed: their SizeRw sum. */
typedef bool (*container_match_fn) (void *ud, const struct container *c);
int container_manager_prune (struct container_manager *m, container_match_fn match, void *ud,
                             json_object **ret_deleted, int64_t *ret_reclaimed, berth_error_t *err);

/* rm -v (manager-volumes.c): the anonymous volumes of c (NULL-terminated,
   to strv_free), taken before the removal; removed after it, each unless
   another container uses it. */
char **container_manager_anonymous_volumes (struct container_manager *m, const struct container *c);
void container_manager_remove_volumes (struct container_manager *m, char **names);

#endif
