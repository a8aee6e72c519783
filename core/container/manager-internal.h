/* The container manager's insides, for the files that add operations to it
   (manager.c: create/start/stop/remove/attach; manager-*.c: the rest).

   Locking: every field of a struct container that changes after create,
   and the list, are guarded by m->lock; functions named *_locked expect it
   held.  Anyone who changes a container's state broadcasts m->changed.
   A start (manager_start_locked) marks the container `starting` and drops
   the lock for its slow part (rootfs mount, bundle, shim launch), so that
   starts of different containers overlap; an operation that would change
   the same container (start, stop, kill, rm, attach, pause, a rootfs
   borrow) first calls manager_wait_start_locked.  Readers (inspect, ps)
   see the status from before the start, as in Docker, until it is done. */
#ifndef BERTH_CONTAINER_MANAGER_INTERNAL_H
#define BERTH_CONTAINER_MANAGER_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include "core/container/manager.h"

struct container_manager
{
  char *data_root;
  char *exec_root;
  char *runtime_root; /* <exec-root>/runtime: the runtime library's state */
  char *bundles;      /* <exec-root>/containers */
  struct berth_driver *storage;
  struct berth_plugins *plugins;
  char *default_log_driver;
  const struct berth_cfg *default_log_opts;
  char *shim_path;
  struct volume_service *volumes; /* manager-volumes.c */
  struct network_service *networks; /* core/network/manager-network.c */
  char *init_path;
  bool default_init;
  struct container_images images;
  container_event_fn event_fn;
  void *event_ud;

  pthread_mutex_t lock;
  pthread_cond_t changed;
  bool closing;            /* container_manager_shutdown: waiters give up */
  unsigned monitors;       /* live monitor threads */
  struct container **list; /* creation order */
  size_t n;
};

/* <exec-root>/containers/<id>: the bundle of a running container */
char *manager_bundle_dir (struct container_manager *m, const struct container *c);

/* id, name or unique id prefix; no reference taken */
struct container *manager_find_locked (struct container_manager *m, const char *what);
struct container *manager_by_name_locked (struct container_manager *m, const char *name);
void manager_list_add_locked (struct container_manager *m, struct container *c);
void manager_list_remove_locked (struct container_manager *m, struct container *c);
void manager_unref_locked (struct container *c);
/* state.json; a failure is logged, not returned (the transition happened) */
void manager_save_state_locked (struct container *c);
/* running or paused */
bool manager_running (const struct container *c);

/* Drops and retakes the lock while it mounts and launches (see above). */
int manager_start_locked (struct container_manager *m, struct container *c, berth_error_t *err);
/* Until no start of c is under way. */
void manager_wait_start_locked (struct container_manager *m, struct container *c);
int manager_start_monitor_locked (struct container_manager *m, struct container *c, berth_error_t *err);
/* sig to the container's init; a process already gone is not an error */
int manager_signal_locked (struct container_manager *m, struct container *c, int sig, berth_error_t *err);
/* a signal name or number; dflt when s is NULL or empty */
int manager_parse_signal (const char *s, int dflt, berth_error_t *err);
/* false on timeout */
bool manager_wait_stopped_locked (struct container_manager *m, struct container *c, int seconds);
int manager_stop_locked (struct container_manager *m, struct container *c, int timeout, const char *sig_name,
                         berth_error_t *err);

void manager_remove_files (struct container_manager *m, struct container *c);
int manager_remove_unlocked_files (struct container_manager *m, struct container *c);
void manager_drop_pending_attaches (struct container *c);
/* a connection to the shim's attach socket, SHIM_ATTACH_* flags sent */
int manager_connect_shim (struct container_manager *m, const struct container *c, unsigned char flags,
                          berth_error_t *err);

/* Report a container event (Docker's action names: "create", "start",
   "die", ...) to the daemon's listener, if any.  attrs: extra
   Actor.Attributes (borrowed; may be NULL).  Safe with the lock held. */
void manager_event (struct container_manager *m, const struct container *c, const char *action, json_object *attrs);

/* manager-exec.c: exec instances left by a previous daemon, reattached
   (container_manager_open, after the containers) */
void manager_exec_restore_locked (struct container_manager *m);

/* Health checks (manager-health.c): after a start or a live restore, a
   thread that runs Config.Healthcheck's test until the run ends. */
void manager_health_start_locked (struct container_manager *m, struct container *c);
/* a stopped container's last health state from disk (the restore) */
void manager_health_restore_locked (struct container *c);

/* Restart policies (manager-restart.c).  After an exit: true when the
   policy restarts it (status "restarting", RestartCount counted, the
   back-off in *delay_ms). */
bool manager_restart_wanted_locked (struct container_manager *m, struct container *c, unsigned *delay_ms);
/* A thread that waits the back-off and starts it, unless canceled. */
void manager_restart_schedule_locked (struct container_manager *m, struct container *c, unsigned delay_ms);
/* Cancel a pending restart and wait until it is off (false on timeout). */
bool manager_restart_cancel_locked (struct container_manager *m, struct container *c, int seconds);
/* A kill with sig: whether the exit it causes may restart the container. */
void manager_restart_on_kill_locked (struct container *c, int sig);

/* Pause (manager-pause.c).  After sending sig: moby thaws a paused
   container for SIGKILL and its stop signal so that it acts on it. */
void manager_thaw_for_signal_locked (struct container_manager *m, struct container *c, int sig);
/* Live restore: take paused/running from the freezer. */
void manager_restore_paused_locked (struct container_manager *m, struct container *c);

#endif
