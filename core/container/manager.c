#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/config/tree.h"
#include "core/container/create-config.h"
#include "core/container/etc-files.h"
#include "core/container/manager-internal.h"
#include "core/container/manager-volumes.h"
#include "core/network/manager-network.h"
#include "core/network/manager-join.h"
#include "core/container/oci-spec.h"
#include "core/seccomp-profile/seccomp-profile.h"
#include "core/container/rootfs.h"
#include "core/container/seccomp-cache.h"
#include "core/container/security-opt.h"
#include "core/container/shim-launch.h"
#include "core/container/shim-monitor.h"
#include "core/container/user.h"
#include "core/lib/fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/runtime/container.h"
#include "core/runtime/signals.h"
#include "core/runtime/state.h"
#include "core/shim/attach.h"

#define NAME_TRIES 6
#define DEFAULT_STOP_TIMEOUT 10


bool
container_layer_is_writable_layer (const char *data_root, const char *storage_id)
{
  cleanup_free char *p = NULL;

  if (!container_id_is_full (storage_id))
    return false;
  p = xasprintf ("%s/containers/%s/config.v1.json", data_root, storage_id);
  return access (p, F_OK) == 0;
}

bool
container_keep_layer (void *ud, const char *storage_id)
{
  return container_layer_is_writable_layer (ud, storage_id);
}

void
container_manager_set_images (struct container_manager *m, const struct container_images *images)
{
  m->images = *images;
}

void
container_manager_set_events (struct container_manager *m, container_event_fn fn, void *ud)
{
  pthread_mutex_lock (&m->lock);
  m->event_fn = fn;
  m->event_ud = ud;
  pthread_mutex_unlock (&m->lock);
}

void
manager_event (struct container_manager *m, const struct container *c, const char *action, json_object *attrs)
{
  if (m->event_fn != NULL)
    m->event_fn (m->event_ud, c, action, attrs);
}

const char *
container_manager_data_root (const struct container_manager *m)
{
  return m->data_root;
}

char *
manager_bundle_dir (struct container_manager *m, const struct container *c)
{
  return xasprintf ("%s/%s", m->bundles, c->id);
}

/* --- the list (call with the lock held) --- */

struct container *
manager_find_locked (struct container_manager *m, const char *what)
{
  struct container *prefix_match = NULL;
  size_t len = strlen (what), matches = 0;

  if (len == 0)
    return NULL;
  for (size_t i = 0; i < m->n; i++)
    if (strcmp (m->list[i]->id, what) == 0)
      return m->list[i];
  for (size_t i = 0; i < m->n; i++)
    if (strcmp (m->list[i]->name, what[0] == '/' ? what + 1 : what) == 0)
      return m->list[i];
  for (size_t i = 0; i < m->n; i++)
    if (strncmp (m->list[i]->id, what, len) == 0)
      {
        prefix_match = m->list[i];
        matches++;
      }
  return matches == 1 ? prefix_match : NULL;
}

struct container *
manager_by_name_locked (struct container_manager *m, const char *name)
{
  for (size_t i = 0; i < m->n; i++)
    if (strcmp (m->list[i]->name, name) == 0)
      return m->list[i];
  return NULL;
}

void
manager_list_add_locked (struct container_manager *m, struct container *c)
{
  m->list = xrealloc (m->list, (m->n + 1) * sizeof (*m->list));
  m->list[m->n++] = c;
}

void
manager_list_remove_locked (struct container_manager *m, struct container *c)
{
  for (size_t i = 0; i < m->n; i++)
    if (m->list[i] == c)
      {
        memmove (&m->list[i], &m->list[i + 1], (m->n - i - 1) * sizeof (*m->list));
        m->n--;
        return;
      }
}

void
manager_unref_locked (struct container *c)
{
  if (--c->refs == 0)
    container_free (c);
}

struct container *
container_manager_get (struct container_manager *m, const char *what, berth_error_t *err)
{
  struct container *c;

  pthread_mutex_lock (&m->lock);
  c = manager_find_locked (m, what);
  if (c != NULL)
    c->refs++;
  pthread_mutex_unlock (&m->lock);
  if (c == NULL)
    berth_error_make (err, ENOENT, "No such container: %s", what);
  return c;
}

void
container_manager_put (struct container_manager *m, struct container *c)
{
  if (c == NULL)
    return;
  pthread_mutex_lock (&m->lock);
  manager_unref_locked (c);
  pthread_mutex_unlock (&m->lock);
}

void
container_manager_each (struct container_manager *m, container_fn fn, void *ud)
{
  pthread_mutex_lock (&m->lock);
  for (size_t i = m->n; i-- > 0;)
    fn (ud, m->list[i]);
  pthread_mutex_unlock (&m->lock);
}

void
manager_save_state_locked (struct container *c)
{
  berth_error_t err = NULL;

  if (container_save_state (c, &err) < 0)
    {
      log_error ("container %.12s: %s", c->id, berth_error_msg (&err));
      berth_error_release (&err);
    }
}

/* --- log driver --- */

struct berth_driver *
container_manager_log_driver (struct container_manager *m, const struct container *c)
{
  return berth_plugins_find (m->plugins, BERTH_KIND_LOG, container_log_driver (c, m->default_log_driver));
}

struct berth_cfg *
container_manager_log_opts (struct container_manager *m, const struct container *c)
{
  json_object *lc = json_object_object_get (c->host_config, "LogConfig");
  json_object *opts = lc ? json_object_object_get (lc, "Config") : NULL;
  const char *driver = container_log_driver (c, m->default_log_driver);
  struct berth_cfg *map;

  /* the daemon's log-opts apply to the daemon's default driver only */
  if (strcmp (driver, m->default_log_driver) == 0 && m->default_log_opts != NULL)
    map = berth_cfg_copy (m->default_log_opts);
  else
    map = berth_cfg_new_map ("--log-opt");
  if (json_object_is_type (opts, json_type_object))
    {
      json_object_object_foreach (opts, k, v)
        berth_cfg_map_set (map, k, json_object_get_string (v));
    }
  return map;
}

static int
check_log_config (struct container_manager *m, const struct container *c, berth_error_t *err)
{
  const char *name = container_log_driver (c, m->default_log_driver);
  struct berth_driver *d = berth_plugins_find (m->plugins, BERTH_KIND_LOG, name);
  struct berth_cfg *opts;
  int r = 0;

  if (d == NULL)
    return berth_error_make (err, EINVAL, "failed to create task for container: log driver \"%s\" is not loaded",
                             name);
  opts = container_manager_log_opts (m, c);
  if (d->ops.life.validate != NULL && d->ops.life.validate (berth_host_api (), opts, err) < 0)
    r = berth_error_wrap (err, "log driver %s", name);
  berth_cfg_free (opts);
  return r;
}

/* --- create --- */

int
container_manager_create (struct container_manager *m, const char *name, json_object *body, char **ret_id,
                          json_object **ret_warnings, berth_error_t *err)
{
  cleanup_free char *image_id = NULL, *top_chain = NULL, *top_storage = NULL;
  cleanup_image_config struct image_config *icfg = NULL;
  struct create_config cc = { 0 };
  struct container *c = NULL;
  json_object *image = body ? json_object_object_get (body, "Image") : NULL;
  const char *image_name = json_object_is_type (image, json_type_string) ? json_object_get_string (image) : NULL;
  bool layer_made = false;

  if (name != NULL && name[0] == '/')
    name++;
  if (name != NULL && name[0] != '\0' && !container_name_valid (name))
    return berth_error_make (err, EINVAL, "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                             name);
  if (image_name == NULL || image_name[0] == '\0')
    return berth_error_make (err, EINVAL, "config.Image: an image is required");
  if (m->images.resolve == NULL)
    return berth_error_make (err, ENOTSUP, "images are not available in this daemon");
  if (m->images.resolve (m->images.ud, image_name, &image_id, &icfg, &top_chain, &top_storage, err) < 0)
    return berth_error_ret (err);
  if (create_config_build (body, icfg ? &icfg->config : NULL, &cc, err) < 0)
    return berth_error_ret (err);
  c = container_new (m->data_root, err);
  if (c == NULL)
    goto fail;
  c->image = xstrdup (image_name);
  c->image_id = xstrdup (image_id);
  c->config = steal_pointer (&cc.config);
  c->host_config = steal_pointer (&cc.host_config);
  c->path = steal_pointer (&cc.path);
  c->args = steal_pointer (&cc.args);
  c->rw_layer = xstrdup (c->id);
  c->image_layer = xstrdup (top_chain ? top_chain : "");
  c->image_storage = xstrdup (top_storage ? top_storage : "");
  c->driver = xstrdup (m->storage->name);
  json_object_object_add (c->config, "Image", json_object_new_string (image_name));
  if (check_log_config (m, c, err) < 0)
    goto fail;

  pthread_mutex_lock (&m->lock);
  if (name != NULL && name[0] != '\0')
    {
      struct container *other = manager_by_name_locked (m, name);
      if (other != NULL)
        {
          berth_error_make (err, EEXIST,
                            "Conflict. The container name \"/%s\" is already in use by container \"%s\". You have to "
                            "remove (or rename) that container to be able to reuse that name.",
                            name, other->id);
          pthread_mutex_unlock (&m->lock);
          goto fail;
        }
      c->name = xstrdup (name);
    }
  else
    for (unsigned t = 0; t < NAME_TRIES && c->name == NULL; t++)
      {
        char *gen = container_name_generate (t);
        if (manager_by_name_locked (m, gen) == NULL)
          c->name = gen;
        else
          free (gen);
      }
  if (c->name == NULL)
    {
      pthread_mutex_unlock (&m->lock);
      berth_error_make (err, EEXIST, "could not generate a unique container name");
      goto fail;
    }
  /* reserve the name while the files are written */
  c->status = CONTAINER_CREATED;
  c->refs++;
  manager_list_add_locked (m, c);
  pthread_mutex_unlock (&m->lock);

  if (berth_mkdir_p (c->dir, 0700, err) < 0
      || container_etc_files_write (c, json_object_get_string (json_object_object_get (c->host_config, "NetworkMode")),
                                    err)
             < 0)
    goto fail_listed;
  if (manager_volumes_create (m, c, err) < 0 || manager_network_create (m, c, body, err) < 0)
    goto fail_listed;
  if (container_rootfs_create (m->storage, c, err) < 0)
    goto fail_listed;
  layer_made = true;
  /* the state first: the config's directory sync makes both durable */
  if (container_save_state (c, err) < 0 || container_save_config (c, err) < 0)
    goto fail_listed;
  *ret_id = xstrdup (c->id);
  *ret_warnings = steal_pointer (&cc.warnings);
  create_config_clear (&cc);
  pthread_mutex_lock (&m->lock);
  manager_event (m, c, "create", NULL);
  pthread_mutex_unlock (&m->lock);
  container_manager_put (m, c);
  return 0;

fail_listed:
  manager_volumes_release (m, c, true);
  if (layer_made)
    container_rootfs_remove (m->storage, c, NULL);
  berth_rm_rf (c->dir, NULL);
  pthread_mutex_lock (&m->lock);
  manager_list_remove_locked (m, c);
  manager_unref_locked (c);
  manager_unref_locked (c);
  pthread_mutex_unlock (&m->lock);
  create_config_clear (&cc);
  return berth_error_ret (err);
fail:
  create_config_clear (&cc);
  container_free (c);
  return berth_error_ret (err);
}

/* --- exits and the monitor --- */

static void
read_exit_file (struct container *c)
{
  cleanup_free char *path = xasprintf ("%s/exit.json", c->dir);
  cleanup_free char *text = NULL;
  json_object *o = NULL, *v;
  size_t len;

  if (berth_read_file (path, 65536, &text, &len, NULL) < 0 || (o = json_tokener_parse (text)) == NULL)
    {
      c->exit_code = 255;
      free (c->error);
      c->error = xstrdup ("berth-shim exited without recording the container's exit status");
      free (c->finished_at);
      c->finished_at = container_now_rfc3339 (NULL);
      return;
    }
  c->exit_code = json_object_object_get_ex (o, "ExitCode", &v) ? json_object_get_int (v) : 255;
  c->oom_killed = json_object_object_get_ex (o, "OOMKilled", &v) && json_object_get_boolean (v);
  free (c->finished_at);
  c->finished_at = json_object_object_get_ex (o, "FinishedAt", &v) ? xstrdup (json_object_get_string (v))
                                                                     : container_now_rfc3339 (NULL);
  json_object_put (o);
  unlink (path);
}


static bool
auto_removed (const struct container *c)
{
  return json_object_get_boolean (json_object_object_get (c->host_config, "AutoRemove"));
}

/* The container's init is gone: record it, release the rootfs. */
static void
on_exit_locked (struct container_manager *m, struct container *c)
{
  berth_error_t err = NULL;
  cleanup_free char *bundle = manager_bundle_dir (m, c);

  read_exit_file (c);
  c->status = CONTAINER_EXITED;
  c->pid = 0;
  c->shim_pid = 0;
  c->shim_start = 0;
  if (c->rootfs != NULL && container_rootfs_unmount (m->storage, c, &err) < 0)
    {
      log_warn ("container %.12s: %s", c->id, berth_error_msg (&err));
      berth_error_release (&err);
    }
  free (c->rootfs);
  c->rootfs = NULL;
  manager_volumes_unmount (m, c);
  manager_network_stop (m, c);
  berth_rm_rf (bundle, NULL);
  c->exits++;
  /* an AutoRemove container is removed next (by the monitor, or at
     restore): its exit record would be deleted at once */
  if (!auto_removed (c))
    manager_save_state_locked (c);
}

/* moby: "oom" when the kernel killed it, then "die" with the exit code */
static void
emit_exit_events (struct container_manager *m, struct container *c)
{
  json_object *attrs = json_object_new_object ();
  char code[16];

  if (c->oom_killed)
    manager_event (m, c, "oom", NULL);
  snprintf (code, sizeof (code), "%d", c->exit_code);
  json_object_object_add (attrs, "exitCode", json_object_new_string (code));
  manager_event (m, c, "die", attrs);
  json_object_put (attrs);
}

/* the monitor thread, once the shim has exited */
static void
on_shim_exit (void *ctx, void *obj)
{
  struct container_manager *m = ctx;
  struct container *c = obj;
  bool auto_remove, restart = false;
  unsigned delay_ms = 0;

  pthread_mutex_lock (&m->lock);
  if (!c->removed && manager_running (c))
    {
      on_exit_locked (m, c);
      restart = manager_restart_wanted_locked (m, c, &delay_ms);
      emit_exit_events (m, c);
    }
  auto_remove = json_object_get_boolean (json_object_object_get (c->host_config, "AutoRemove")) && !c->removed;
  if (auto_remove)
    {
      c->status = CONTAINER_REMOVING;
      c->removed = true;
      manager_list_remove_locked (m, c);
    }
  pthread_cond_broadcast (&m->changed);
  pthread_mutex_unlock (&m->lock);
  if (auto_remove)
    {
      manager_remove_files (m, c);
      pthread_mutex_lock (&m->lock);
      c->remove_done = true;
      manager_event (m, c, "destroy", NULL);
      manager_unref_locked (c); /* the list's reference */
      pthread_cond_broadcast (&m->changed);
      pthread_mutex_unlock (&m->lock);
    }
  pthread_mutex_lock (&m->lock);
  if (restart)
    manager_restart_schedule_locked (m, c, delay_ms);
  m->monitors--;
  manager_unref_locked (c);
  pthread_mutex_unlock (&m->lock);
}

/* with the lock held; takes a reference for the thread */
int
manager_start_monitor_locked (struct container_manager *m, struct container *c, berth_error_t *err)
{
  c->refs++;
  if (shim_monitor_start (c->shim_pid, "the shim", on_shim_exit, m, c, err) < 0)
    {
      c->refs--;
      return berth_error_ret (err);
    }
  m->monitors++;
  return 0;
}

/* --- start --- */


static int
write_bundle (struct container_manager *m, struct container *c, const char *bundle, berth_error_t *err)
{
  struct container_user user = { 0 };
  struct oci_spec_input in = { .c = c, .rootfs = c->rootfs, .user = &user, .cgroup_parent = "/berth" };
  cleanup_free char *path = xasprintf ("%s/config.json", bundle);
  cleanup_strv char **caps = oci_spec_caps (c->host_config);
  struct security_opts sec;
  json_object *seccomp = NULL;
  const char *text;
  json_object *spec;
  int r;

  (void) m;
  if (container_user_resolve (c->rootfs, json_object_get_string (json_object_object_get (c->config, "User")), &user,
                              err)
      < 0)
    return berth_error_ret (err);
  /* Docker's default profile (or the user's), with its rules evaluated for
     this container's capabilities (e.g. --cap-add SYS_ADMIN unlocks mount
     and unshare); none for seccomp=unconfined. */
  if (security_opts_parse (json_object_object_get (c->host_config, "SecurityOpt"), &sec, err) < 0
      || (sec.seccomp_profile != NULL
          && seccomp_profile_to_oci (sec.seccomp_profile, strlen (sec.seccomp_profile), (const char *const *) caps,
                                     NULL, &seccomp, err)
                 < 0)
      || (sec.seccomp_profile == NULL && !sec.seccomp_unconfined
          && seccomp_builtin_to_oci ((const char *const *) caps, &seccomp, err) < 0))
    {
      container_user_clear (&user);
      return berth_error_ret (err);
    }
  in.seccomp = seccomp;
  in.no_new_privileges = sec.no_new_privileges;
  in.netns_path = c->netns_path;
  spec = oci_spec_build (&in, err);
  json_object_put (seccomp);
  container_user_clear (&user);
  if (spec == NULL)
    return berth_error_ret (err);
  /* it mounts volumes and records them in c->mount_points, which inspect reads */
  pthread_mutex_lock (&m->lock);
  r = manager_volumes_apply_spec (m, c, spec, err);
  pthread_mutex_unlock (&m->lock);
  if (r < 0)
    {
      json_object_put (spec);
      return berth_error_ret (err);
    }
  container_seccomp_cache_annotate (m->exec_root, spec);
  text = json_object_to_json_string_ext (spec, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  r = berth_write_file_replace (path, text, strlen (text), 0600, err);
  json_object_put (spec);
  return r;
}

void
manager_wait_start_locked (struct container_manager *m, struct container *c)
{
  while (c->starting)
    pthread_cond_wait (&m->changed, &m->lock);
}

/* hostname, hosts and resolv.conf are written at create without a sync
   (etc-files.c): written again when a machine crash lost them */
static int
etc_files_check (const struct container *c, berth_error_t *err)
{
  static const char *const names[] = { "hostname", "hosts", "resolv.conf" };

  for (size_t i = 0; i < sizeof (names) / sizeof (names[0]); i++)
    {
      cleanup_free char *p = xasprintf ("%s/%s", c->dir, names[i]);
      struct stat st;
      if (stat (p, &st) < 0 || st.st_size == 0)
        return container_etc_files_write (
            c, json_object_get_string (json_object_object_get (c->host_config, "NetworkMode")), err);
    }
  return 0;
}

/* The slow part of a start, without the lock (c->starting keeps other
   operations on c away; the fields that readers of other containers' or
   of c's inspect see are changed under the lock). */
static int
start_unlocked (struct container_manager *m, struct container *c, const char *bundle, struct berth_driver *log,
                struct shim_launch_result *res, bool *ret_launched, berth_error_t *err)
{
  cleanup_free char *exit_file = xasprintf ("%s/exit.json", c->dir);
  struct shim_launch_opts so = { 0 };
  struct berth_cfg *log_opts;
  int r;

  unlink (exit_file);
  if (berth_rm_rf (bundle, err) < 0 || berth_mkdir_p (bundle, 0700, err) < 0 || etc_files_check (c, err) < 0)
    return berth_error_ret (err);
  if (container_rootfs_mount (m->storage, c, err) < 0)
    return berth_error_ret (err);
  /* NetworkSettings are read by inspect */
  pthread_mutex_lock (&m->lock);
  r = manager_network_start (m, c, err);
  pthread_mutex_unlock (&m->lock);
  if (r < 0 || write_bundle (m, c, bundle, err) < 0)
    return berth_error_ret (err);
  log_opts = container_manager_log_opts (m, c);
  so.shim_path = m->shim_path;
  so.c = c;
  so.bundle = bundle;
  so.runtime_root = m->runtime_root;
  so.data_root = m->data_root;
  so.log_plugin = log->path;
  so.log_opts = log_opts;
  /* attaches wait for the start: nobody adds to them meanwhile */
  so.attach_fds = c->attach_fds;
  so.n_attach_fds = c->n_attach_fds;
  *ret_launched = true;
  r = shim_launch (&so, res, err);
  berth_cfg_free (log_opts);
  return r;
}

int
manager_start_locked (struct container_manager *m, struct container *c, berth_error_t *err)
{
  cleanup_free char *bundle = manager_bundle_dir (m, c);
  struct shim_launch_result res = { 0 };
  struct berth_driver *log;
  bool launched = false;
  int r;

  manager_wait_start_locked (m, c);
  log = container_manager_log_driver (m, c);
  if (c->removed || c->status == CONTAINER_REMOVING)
    return berth_error_make (err, EBUSY, "container is marked for removal and cannot be started");
  if (c->status == CONTAINER_RUNNING || c->status == CONTAINER_PAUSED)
    return berth_error_make (err, EALREADY, "container %s is already running", c->id);
  if (log == NULL)
    return berth_error_make (err, EINVAL, "log driver \"%s\" is not loaded",
                             container_log_driver (c, m->default_log_driver));
  c->starting = true;
  pthread_mutex_unlock (&m->lock);
  r = start_unlocked (m, c, bundle, log, &res, &launched, err);
  pthread_mutex_lock (&m->lock);
  c->starting = false;
  pthread_cond_broadcast (&m->changed);
  /* the shim has its copies (or the start failed: their EOF ends the attaches);
     kept for the next start when the shim was never launched */
  if (launched)
    manager_drop_pending_attaches (c);
  if (r < 0)
    goto fail;
  if (res.error != NULL)
    {
      /* the program could not be started: moby records 127/126 and the text */
      c->exit_code = res.error_code == ENOENT ? 127 : res.error_code == EACCES ? 126 : 128;
      free (c->error);
      c->error = xstrdup (res.error);
      berth_error_make (err, EINVAL, "failed to create task for container: %s", res.error);
      shim_launch_result_clear (&res);
      goto fail;
    }
  c->pid = res.pid;
  c->shim_pid = res.shim_pid;
  c->shim_start = res.shim_start;
  c->status = CONTAINER_RUNNING;
  c->exit_code = 0;
  c->oom_killed = false;
  c->stopped_by_user = false;
  free (c->error);
  c->error = NULL;
  free (c->started_at);
  c->started_at = container_now_rfc3339 (NULL);
  free (c->finished_at);
  c->finished_at = xstrdup (container_zero_time);
  manager_save_state_locked (c);
  if (manager_start_monitor_locked (m, c, err) < 0)
    {
      log_error ("container %.12s: %s (the exit will be seen at the next daemon start)", c->id,
                 berth_error_msg (err));
      berth_error_release (err);
    }
  manager_event (m, c, "start", NULL);
  manager_health_start_locked (m, c);
  return 0;

fail:
  manager_volumes_unmount (m, c);
  manager_network_stop (m, c);
  if (c->rootfs != NULL)
    {
      container_rootfs_unmount (m->storage, c, NULL);
      free (c->rootfs);
      c->rootfs = NULL;
    }
  berth_rm_rf (bundle, NULL);
  manager_save_state_locked (c);
  return berth_error_ret (err);
}

int
container_manager_start (struct container_manager *m, struct container *c, berth_error_t *err)
{
  bool auto_remove = false;
  int r;

  pthread_mutex_lock (&m->lock);
  manager_wait_start_locked (m, c);
  if (c->status != CONTAINER_RUNNING && c->status != CONTAINER_PAUSED)
    {
      /* a start by the user: the restart policy counts from zero again */
      c->restart_count = 0;
      c->restart_delay_ms = 0;
    }
  r = manager_start_locked (m, c, err);
  /* moby removes an AutoRemove container whose start failed */
  if (r < 0 && berth_error_code (err) != EALREADY && !c->removed && !manager_running (c)
      && json_object_get_boolean (json_object_object_get (c->host_config, "AutoRemove")))
    {
      auto_remove = true;
      c->status = CONTAINER_REMOVING;
      c->removed = true;
      manager_drop_pending_attaches (c);
      manager_list_remove_locked (m, c);
      manager_save_state_locked (c);
    }
  pthread_mutex_unlock (&m->lock);
  if (auto_remove)
    manager_remove_unlocked_files (m, c);
  return r;
}

/* --- signals, stop, wait --- */

int
manager_signal_locked (struct container_manager *m, struct container *c, int sig, berth_error_t *err)
{
  json_object *attrs;
  char num[16];

  if (berth_container_kill (m->runtime_root, c->id, sig, false, err) < 0)
    {
      if (berth_error_code (err) != ESRCH && berth_error_code (err) != ENOENT)
        return berth_error_ret (err);
      berth_error_release (err); /* it is exiting; the monitor will see it */
    }
  manager_thaw_for_signal_locked (m, c, sig);
  attrs = json_object_new_object ();
  snprintf (num, sizeof (num), "%d", sig);
  json_object_object_add (attrs, "signal", json_object_new_string (num));
  manager_event (m, c, "kill", attrs);
  json_object_put (attrs);
  return 0;
}

int
manager_parse_signal (const char *s, int dflt, berth_error_t *err)
{
  int sig;

  if (s == NULL || s[0] == '\0')
    return dflt;
  sig = berth_signal_parse (s);
  if (sig <= 0)
    return berth_error_make (err, EINVAL, "Invalid signal: %s", s);
  return sig;
}

int
container_manager_kill (struct container_manager *m, struct container *c, const char *sig_name, berth_error_t *err)
{
  int sig = manager_parse_signal (sig_name, SIGKILL, err), r;

  if (sig < 0)
    return sig;
  pthread_mutex_lock (&m->lock);
  manager_wait_start_locked (m, c);
  if (c->status != CONTAINER_RUNNING && c->status != CONTAINER_PAUSED)
    r = berth_error_make (err, EBUSY, "cannot kill container: %s: container %s is not running", c->name, c->id);
  else
    {
      manager_restart_on_kill_locked (c, sig);
      r = manager_signal_locked (m, c, sig, err);
    }
  pthread_mutex_unlock (&m->lock);
  return r;
}

bool
manager_running (const struct container *c)
{
  return c->status == CONTAINER_RUNNING || c->status == CONTAINER_PAUSED;
}

/* wait with the lock held until the container is not running; false on timeout */
bool
manager_wait_stopped_locked (struct container_manager *m, struct container *c, int seconds)
{
  struct timespec deadline;

  clock_gettime (CLOCK_REALTIME, &deadline);
  deadline.tv_sec += seconds;
  while (manager_running (c))
    if (pthread_cond_timedwait (&m->changed, &m->lock, &deadline) == ETIMEDOUT)
      return !manager_running (c);
  return true;
}

int
manager_stop_locked (struct container_manager *m, struct container *c, int timeout, const char *sig_name, berth_error_t *err)
{
  const char *stop_signal = json_object_get_string (json_object_object_get (c->config, "StopSignal"));
  json_object *st = json_object_object_get (c->config, "StopTimeout");
  int sig;

  manager_wait_start_locked (m, c);
  if (c->status == CONTAINER_RESTARTING)
    {
      /* moby: stopping a restarting container cancels the restart */
      if (!manager_restart_cancel_locked (m, c, 30))
        return berth_error_make (err, ETIMEDOUT, "the pending restart of container %s did not stop", c->id);
      manager_event (m, c, "stop", NULL);
      return 0;
    }
  if (!manager_running (c))
    return berth_error_make (err, EALREADY, "container %s is not running", c->id);
  sig = manager_parse_signal (sig_name && sig_name[0] ? sig_name : stop_signal, SIGTERM, err);
  if (sig < 0)
    return sig;
  if (timeout < 0)
    timeout = st && json_object_is_type (st, json_type_int) ? json_object_get_int (st) : DEFAULT_STOP_TIMEOUT;
  c->stopped_by_user = true;
  if (manager_signal_locked (m, c, sig, err) < 0)
    return berth_error_ret (err);
  if (timeout >= 0 && manager_wait_stopped_locked (m, c, timeout))
    {
      manager_event (m, c, "stop", NULL);
      return 0;
    }
  if (manager_signal_locked (m, c, SIGKILL, err) < 0)
    return berth_error_ret (err);
  if (!manager_wait_stopped_locked (m, c, 30))
    return berth_error_make (err, ETIMEDOUT, "container %s did not exit within 30 s of SIGKILL", c->id);
  manager_event (m, c, "stop", NULL);
  return 0;
}

int
container_manager_stop (struct container_manager *m, struct container *c, int timeout, const char *sig,
                        berth_error_t *err)
{
  int r;

  pthread_mutex_lock (&m->lock);
  r = manager_stop_locked (m, c, timeout, sig, err);
  pthread_mutex_unlock (&m->lock);
  return r;
}

int
container_manager_restart (struct container_manager *m, struct container *c, int timeout, const char *sig,
                           berth_error_t *err)
{
  int r;

  pthread_mutex_lock (&m->lock);
  r = manager_stop_locked (m, c, timeout, sig, err);
  if (r < 0 && berth_error_code (err) == EALREADY)
    {
      berth_error_release (err);
      r = 0;
    }
  if (r == 0)
    {
      c->restart_count = 0;
      c->restart_delay_ms = 0;
      r = manager_start_locked (m, c, err);
    }
  if (r == 0)
    manager_event (m, c, "restart", NULL);
  pthread_mutex_unlock (&m->lock);
  return r;
}

unsigned
container_manager_exit_count (struct container_manager *m, const struct container *c)
{
  unsigned n;

  pthread_mutex_lock (&m->lock);
  n = c->exits;
  pthread_mutex_unlock (&m->lock);
  return n;
}

int
container_manager_wait_timed (struct container_manager *m, struct container *c,
                              enum container_wait_condition cond, int timeout_ms, int *ret_code, berth_error_t *err)
{
  return container_manager_wait_from (m, c, cond, container_manager_exit_count (m, c), timeout_ms, ret_code, err);
}

int
container_manager_wait_from (struct container_manager *m, struct container *c, enum container_wait_condition cond,
                             unsigned exits, int timeout_ms, int *ret_code, berth_error_t *err)
{
  struct timespec deadline;
  int r = 1;

  clock_gettime (CLOCK_REALTIME, &deadline);
  if (timeout_ms >= 0)
    {
      deadline.tv_sec += timeout_ms / 1000;
      deadline.tv_nsec += (long) (timeout_ms % 1000) * 1000000L;
      if (deadline.tv_nsec >= 1000000000L)
        {
          deadline.tv_sec++;
          deadline.tv_nsec -= 1000000000L;
        }
    }
  pthread_mutex_lock (&m->lock);
  for (;;)
    {
      if (cond == CONTAINER_WAIT_REMOVED ? c->remove_done
          : cond == CONTAINER_WAIT_NEXT_EXIT ? c->exits != exits
                                             : !manager_running (c) && c->status != CONTAINER_REMOVING && !c->starting)
        break;
      if (cond == CONTAINER_WAIT_NOT_RUNNING && c->removed)
        break;
      /* a container removed before it ever exited again has no next exit */
      if (cond == CONTAINER_WAIT_NEXT_EXIT && c->remove_done)
        break;
      if (m->closing)
        {
          pthread_mutex_unlock (&m->lock);
          return berth_error_make (err, ECANCELED, "the daemon is shutting down");
        }
      if (timeout_ms < 0)
        pthread_cond_wait (&m->changed, &m->lock);
      else if (pthread_cond_timedwait (&m->changed, &m->lock, &deadline) == ETIMEDOUT)
        {
          r = 0;
          break;
        }
    }
  *ret_code = c->exit_code;
  pthread_mutex_unlock (&m->lock);
  return r;
}

int
container_manager_wait (struct container_manager *m, struct container *c, enum container_wait_condition cond,
                        int *ret_code, berth_error_t *err)
{
  int r = container_manager_wait_timed (m, c, cond, -1, ret_code, err);
  return r < 0 ? r : 0;
}

void
container_manager_shutdown (struct container_manager *m)
{
  pthread_mutex_lock (&m->lock);
  m->closing = true;
  pthread_cond_broadcast (&m->changed);
  pthread_mutex_unlock (&m->lock);
}

void
container_manager_with (struct container_manager *m, const struct container *c, container_fn fn, void *ud)
{
  pthread_mutex_lock (&m->lock);
  fn (ud, c);
  pthread_mutex_unlock (&m->lock);
}

/* --- remove --- */

void
manager_remove_files (struct container_manager *m, struct container *c)
{
  berth_error_t err = NULL;
  cleanup_free char *bundle = manager_bundle_dir (m, c);

  manager_volumes_on_remove (m, c);
  manager_network_stop (m, c);
  if (c->rootfs != NULL)
    container_rootfs_unmount (m->storage, c, NULL);
  if (container_rootfs_remove (m->storage, c, &err) < 0)
    {
      log_warn ("container %.12s: %s", c->id, berth_error_msg (&err));
      berth_error_release (&err);
    }
  berth_rm_rf (bundle, NULL);
  if (berth_rm_rf (c->dir, &err) < 0)
    {
      log_warn ("container %.12s: %s", c->id, berth_error_msg (&err));
      berth_error_release (&err);
    }
}

int
container_manager_remove (struct container_manager *m, struct container *c, bool force, berth_error_t *err)
{
  pthread_mutex_lock (&m->lock);
  manager_wait_start_locked (m, c);
  if (c->removed || c->status == CONTAINER_REMOVING)
    {
      pthread_mutex_unlock (&m->lock);
      return berth_error_make (err, EBUSY, "removal of container %s is already in progress", c->id);
    }
  if (manager_running (c) || c->status == CONTAINER_RESTARTING)
    {
      if (!force)
        {
          pthread_mutex_unlock (&m->lock);
          return berth_error_make (err, EBUSY,
                                   "cannot remove container \"/%s\": container is running: stop the container before "
                                   "removing or force remove",
                                   c->name);
        }
      if (c->status == CONTAINER_RESTARTING)
        manager_restart_cancel_locked (m, c, 30);
      else if (manager_signal_locked (m, c, SIGKILL, err) < 0 || !manager_wait_stopped_locked (m, c, 30))
        {
          pthread_mutex_unlock (&m->lock);
          if (*err == NULL)
            berth_error_make (err, ETIMEDOUT, "container %s did not exit after SIGKILL", c->id);
          return berth_error_ret (err);
        }
    }
  c->status = CONTAINER_REMOVING;
  c->removed = true;
  manager_drop_pending_attaches (c);
  manager_list_remove_locked (m, c);
  pthread_mutex_unlock (&m->lock);
  /* out of the list and marked removed: no one else changes c now.  Saved
     (synced) before any file goes, so a crash in between is finished at
     the next start; the sync does not hold up other requests. */
  manager_save_state_locked (c);
  return manager_remove_unlocked_files (m, c);
}

/* Second half of a removal, once c is out of the list (status REMOVING
   saved, so a crash here is finished at the next start). */
int
manager_remove_unlocked_files (struct container_manager *m, struct container *c)
{
  manager_remove_files (m, c);
  pthread_mutex_lock (&m->lock);
  c->remove_done = true;
  manager_event (m, c, "destroy", NULL);
  manager_unref_locked (c); /* the list's reference; the caller still holds one */
  pthread_cond_broadcast (&m->changed);
  pthread_mutex_unlock (&m->lock);
  return 0;
}

/* --- attach --- */

void
manager_drop_pending_attaches (struct container *c)
{
  for (size_t i = 0; i < c->n_attach_fds; i++)
    close (c->attach_fds[i]);
  c->n_attach_fds = 0;
}

/* forget pending attaches whose daemon end is gone */
static void
prune_pending_attaches (struct container *c)
{
  for (size_t i = 0; i < c->n_attach_fds;)
    {
      struct pollfd p = { c->attach_fds[i], POLLRDHUP, 0 };
      if (poll (&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLRDHUP | POLLERR)))
        {
          close (c->attach_fds[i]);
          c->attach_fds[i] = c->attach_fds[--c->n_attach_fds];
        }
      else
        i++;
    }
}

int
manager_connect_shim (struct container_manager *m, const struct container *c, unsigned char flags, berth_error_t *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_free char *path = xasprintf ("%s/%s/%s", m->bundles, c->id, SHIM_ATTACH_SOCKET);
  cleanup_close int fd = -1, dirfd = -1;

  if (strlen (path) >= sizeof (addr.sun_path))
    {
      /* as the shim bound it: through the bundle directory's fd */
      cleanup_free char *bundle = manager_bundle_dir (m, c);
      dirfd = open (bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (dirfd < 0)
        return berth_error_errno (err, errno, "open %s", bundle);
      free (path);
      path = xasprintf ("/proc/self/fd/%d/%s", dirfd, SHIM_ATTACH_SOCKET);
    }
  strcpy (addr.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return berth_error_errno (err, errno, "socket");
  if (connect (fd, (struct sockaddr *) &addr, sizeof (addr)) < 0)
    return berth_error_errno (err, errno, "connect to the container's shim at %s", path);
  if (write (fd, &flags, 1) != 1)
    return berth_error_errno (err, errno, "attach to the container's shim");
  return steal_fd (&fd);
}

int
container_manager_attach (struct container_manager *m, struct container *c, unsigned flags, berth_error_t *err)
{
  unsigned char f = (unsigned char) flags;
  int sp[2], r;

  pthread_mutex_lock (&m->lock);
  manager_wait_start_locked (m, c); /* its pending attaches go to the shim being launched */
  if (c->removed)
    r = berth_error_make (err, ENOENT, "No such container: %s", c->id);
  else if (manager_running (c))
    r = manager_connect_shim (m, c, f, err);
  else
    {
      prune_pending_attaches (c);
      if (c->n_attach_fds == CONTAINER_MAX_PENDING_ATTACH)
        r = berth_error_make (err, EBUSY, "too many attaches wait for container %s to start", c->id);
      else if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
        r = berth_error_errno (err, errno, "socketpair");
      else if (write (sp[0], &f, 1) != 1)
        {
          r = berth_error_errno (err, errno, "attach");
          close (sp[0]);
          close (sp[1]);
        }
      else
        {
          c->attach_fds[c->n_attach_fds++] = sp[1];
          r = sp[0];
        }
    }
  if (r >= 0)
    manager_event (m, c, "attach", NULL);
  pthread_mutex_unlock (&m->lock);
  return r;
}

int
container_manager_resize (struct container_manager *m, struct container *c, unsigned height, unsigned width,
                          berth_error_t *err)
{
  cleanup_free char *line = xasprintf ("resize %u %u\n", height, width);
  cleanup_close int fd = -1;
  size_t len = strlen (line);

  pthread_mutex_lock (&m->lock);
  if (!manager_running (c))
    fd = berth_error_make (err, EBUSY, "cannot resize container %s: container is not running", c->id);
  else if (!container_tty (c))
    fd = berth_error_make (err, EINVAL, "cannot resize container %s: it has no tty", c->id);
  else
    fd = manager_connect_shim (m, c, SHIM_ATTACH_CONTROL, err);
  if (fd >= 0)
    {
      json_object *attrs = json_object_new_object ();
      char num[16];
      snprintf (num, sizeof (num), "%u", height);
      json_object_object_add (attrs, "height", json_object_new_string (num));
      snprintf (num, sizeof (num), "%u", width);
      json_object_object_add (attrs, "width", json_object_new_string (num));
      manager_event (m, c, "resize", attrs);
      json_object_put (attrs);
    }
  pthread_mutex_unlock (&m->lock);
  if (fd < 0)
    return fd;
  if (write (fd, line, len) != (ssize_t) len)
    return berth_error_errno (err, errno, "resize container %s", c->id);
  return 0;
}

char *
container_manager_attach_path (struct container_manager *m, struct container *c)
{
  char *p = NULL;

  pthread_mutex_lock (&m->lock);
  if (manager_running (c))
    p = xasprintf ("%s/%s/attach.sock", m->bundles, c->id);
  pthread_mutex_unlock (&m->lock);
  return p;
}

/* --- open / restore --- */

static bool
shim_alive (const struct container *c)
{
  return c->shim_pid > 0 && c->shim_start != 0 && berth_proc_start_time (c->shim_pid) == c->shim_start;
}

static void
restore_one (struct container_manager *m, const char *dir)
{
  berth_error_t err = NULL;
  struct container *c = container_load (dir, &err);
  bool remove_now = false;

  if (c == NULL)
    {
      log_warn ("skipping container directory %s: %s", dir, berth_error_msg (&err));
      berth_error_release (&err);
      return;
    }
  if (c->status == CONTAINER_REMOVING)
    {
      /* a removal interrupted by a crash: finish it */
      manager_remove_files (m, c);
      container_free (c);
      return;
    }
  if (manager_running (c))
    {
      if (shim_alive (c) && manager_start_monitor_locked (m, c, &err) == 0)
        {
          log_info ("container %.12s is still manager_running (shim %d): reattached", c->id, (int) c->shim_pid);
          manager_restore_paused_locked (m, c);
          manager_health_start_locked (m, c);
        }
      else
        {
          if (err != NULL)
            {
              log_warn ("container %.12s: %s", c->id, berth_error_msg (&err));
              berth_error_release (&err);
            }
          on_exit_locked (m, c);
          if (berth_container_delete (m->runtime_root, c->id, true, &err) < 0)
            berth_error_release (&err);
          /* its monitor would have removed it (moby does this too) */
          remove_now = auto_removed (c);
        }
    }
  else if (c->rootfs != NULL)
    {
      container_rootfs_unmount (m->storage, c, NULL);
      free (c->rootfs);
      c->rootfs = NULL;
      manager_save_state_locked (c);
    }
  manager_volumes_restore (m, c);
  manager_network_restore (m, c);
  if (remove_now)
    {
      log_info ("container %.12s (--rm) exited while the daemon was away: removed", c->id);
      manager_remove_files (m, c);
      container_free (c);
      return;
    }
  manager_health_restore_locked (c);
  manager_list_add_locked (m, c);
}

static int
cmp_created (const void *a, const void *b)
{
  const struct container *x = *(struct container *const *) a, *y = *(struct container *const *) b;
  return x->created_unix < y->created_unix ? -1 : x->created_unix > y->created_unix ? 1 : strcmp (x->created, y->created);
}

int
container_manager_open (const struct container_manager_opts *opts, struct container_manager **ret, berth_error_t *err)
{
  struct container_manager *m = xmalloc0 (sizeof (*m));
  cleanup_free char *root = xasprintf ("%s/containers", opts->data_root);
  cleanup_dir DIR *d = NULL;
  struct dirent *de;

  m->data_root = xstrdup (opts->data_root);
  m->exec_root = xstrdup (opts->exec_root);
  m->runtime_root = xasprintf ("%s/runtime", opts->exec_root);
  m->bundles = xasprintf ("%s/containers", opts->exec_root);
  m->storage = opts->storage;
  m->plugins = opts->plugins;
  m->default_log_driver = xstrdup (opts->default_log_driver ? opts->default_log_driver : "json-file");
  m->default_log_opts = opts->default_log_opts;
  m->shim_path = xstrdup (opts->shim_path);
  m->volumes = opts->volumes;
  m->init_path = opts->init_path ? xstrdup (opts->init_path) : NULL;
  m->networks = opts->networks;
  pthread_mutex_init (&m->lock, NULL);
  pthread_cond_init (&m->changed, NULL);
  if (berth_mkdir_p (root, 0700, err) < 0 || berth_mkdir_p (m->bundles, 0700, err) < 0
      || berth_mkdir_p (m->runtime_root, 0700, err) < 0)
    {
      container_manager_close (m);
      return berth_error_wrap (err, "containers");
    }
  d = opendir (root);
  if (d == NULL)
    {
      berth_error_errno (err, errno, "open %s", root);
      container_manager_close (m);
      return berth_error_ret (err);
    }
  pthread_mutex_lock (&m->lock);
  while ((de = readdir (d)) != NULL)
    if (container_id_is_full (de->d_name))
      {
        cleanup_free char *dir = xasprintf ("%s/%s", root, de->d_name);
        restore_one (m, dir);
      }
  if (m->n > 1) /* qsort's pointer must not be NULL, even for 0 items */
    qsort (m->list, m->n, sizeof (*m->list), cmp_created);
  manager_network_restore_done (m);
  manager_exec_restore_locked (m);
  pthread_mutex_unlock (&m->lock);
  *ret = m;
  return 0;
}

void
container_manager_close (struct container_manager *m)
{
  if (m == NULL)
    return;
  /* running containers keep manager_running (live restore); their monitor threads
     use the manager until the process exits */
  pthread_mutex_lock (&m->lock);
  if (m->monitors > 0)
    {
      pthread_mutex_unlock (&m->lock);
      return;
    }
  for (size_t i = 0; i < m->n; i++)
    manager_unref_locked (m->list[i]);
  pthread_mutex_unlock (&m->lock);
  free (m->data_root);
  free (m->exec_root);
  free (m->runtime_root);
  free (m->bundles);
  free (m->default_log_driver);
  free (m->shim_path);
  free (m->init_path);
  free (m->list);
  free (m);
}
