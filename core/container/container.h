/* One container as the daemon keeps it: what create was given (normalised
   Config and HostConfig), where its files are, and its run state.

   On disk, <data-root>/containers/<id>/:
     config.v1.json   identity, Config, HostConfig, layers (written at create)
     state.json       run state (written at every transition)
     hostname, hosts, resolv.conf   bind-mounted into the container
     exit.json        written by berth-shim when the container's init exits
   Every write is atomic (berth_write_file_atomic). */
#ifndef BERTH_CONTAINER_CONTAINER_H
#define BERTH_CONTAINER_CONTAINER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "core/container/id.h"
#include "core/lib/error.h"

#define CONTAINER_MAX_PENDING_ATTACH 16

enum container_status
{
  CONTAINER_CREATED,
  CONTAINER_RUNNING,
  CONTAINER_PAUSED,
  CONTAINER_RESTARTING,
  CONTAINER_REMOVING,
  CONTAINER_EXITED,
  CONTAINER_DEAD,
};

struct container
{
  char id[CONTAINER_ID_LEN + 1];
  char *name;     /* without the leading '/' */
  char *image;    /* as given to create */
  char *image_id; /* sha256:<hex> */
  char *created;  /* RFC 3339 with nanoseconds */
  int64_t created_unix;
  char *path;   /* the program: first of Entrypoint+Cmd */
  char **args;  /* the rest */
  json_object *config;      /* Config, merged with the image's */
  json_object *host_config; /* HostConfig, normalised */
  char *rw_layer;           /* storage id of the writable layer */
  char *image_layer;        /* chain id of the image's top layer ("" = none) */
  char *image_storage;      /* storage id of that layer ("" = none) */
  char *driver;             /* storage driver name */
  char *dir;                /* <data-root>/containers/<id> */

  /* run state (state.json) */
  enum container_status status;
  pid_t pid;
  pid_t shim_pid;
  unsigned long long shim_start; /* /proc starttime of the shim: guards against pid reuse */
  int exit_code;
  bool oom_killed;
  char *error;
  char *started_at;  /* "0001-01-01T00:00:00Z" when never */
  char *finished_at;
  int restart_count;
  bool stopped_by_user;
  char *rootfs; /* where the writable layer is mounted while running, else NULL */

  /* in memory only */
  unsigned exits; /* counts exits, for wait condition=next-exit */
  unsigned restart_delay_ms; /* the restart policy's current back-off */
  bool removed;     /* being or been removed: no new operations */
  bool remove_done; /* its files are gone */
  /* a start is under way without the manager's lock (mount, bundle, shim):
     whoever would change the container waits (manager_wait_start_locked) */
  bool starting;
  int refs;
  /* mounts.json: the container's mount points (manager-volumes.c), or NULL */
  json_object *mount_points;
  /* on the bridge network, while running (core/network): NetworkSettings
     and the network namespace the runtime joins; NULL otherwise */
  json_object *network_settings;
  char *netns_path;
  /* attach connections made before start: the shim's ends of socket pairs,
     handed to the next shim (see container_manager_attach) */
  int attach_fds[CONTAINER_MAX_PENDING_ATTACH];
  size_t n_attach_fds;
};

extern const char *const container_zero_time;

const char *container_status_name (enum container_status s);
/* create, not yet saved: fresh id unless given, created = now */
struct container *container_new (const char *data_root, berth_error_t *err);
void container_free (struct container *c);

/* config.v1.json, durable on return (file and directory synced) */
int container_save_config (const struct container *c, berth_error_t *err);
/* state.json: never torn by a crash, but the new record is durable only
   with the next sync of c->dir (container_save_config does one) */
int container_save_state (const struct container *c, berth_error_t *err);
/* Load <dir>/config.v1.json and state.json. */
struct container *container_load (const char *dir, berth_error_t *err);

bool container_tty (const struct container *c);
bool container_open_stdin (const struct container *c);
/* The log driver and its options from HostConfig.LogConfig. */
const char *container_log_driver (const struct container *c, const char *dflt);

/* now in RFC 3339 with nanoseconds (Docker's fixed nine digits) */
char *container_now_rfc3339 (int64_t *ret_unix);

#endif
