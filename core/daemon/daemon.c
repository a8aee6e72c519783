#include "config.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/config/config.h"
#include "core/daemon/build.h"
#include "core/daemon/containers.h"
#include "core/daemon/daemon.h"
#include "core/daemon/engine-id.h"
#include "core/daemon/events.h"
#include "core/daemon/images.h"
#include "core/daemon/listen.h"
#include "core/daemon/options.h"
#include "core/daemon/pidfile.h"
#include "core/daemon/root-lock.h"
#include "core/daemon/router.h"
#include "core/daemon/server.h"
#include "core/daemon/system.h"
#include "core/daemon/tls-server.h"
#include "core/daemon/volumes.h"
#include "core/daemon/networks.h"
#include "core/image/service.h"
#include "core/lib/fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/network/daemon-networks.h"
#include "core/plugin/registry.h"

#define DEFAULT_CONFIG BERTH_SYSCONFDIR "/berth/berth.yaml"

static int
fail (berth_error_t *err)
{
  fprintf (stderr, "berthd: %s\n", berth_error_msg (err));
  return 1;
}

/* Flags go through the same checks as the file's keys; finalize then moves
   the exec-root-derived defaults (pid file, socket) along with --exec-root. */
static int
apply_options (struct berth_config *cfg, const struct berthd_options *opts, berth_error_t *err)
{
  const struct
  {
    const char *key;
    const char *value;
  } overrides[] = {
    { "data-root", opts->data_root },           { "exec-root", opts->exec_root }, { "pidfile", opts->pidfile },
    { "storage-driver", opts->storage_driver }, { "log-level", opts->log_level },
    { "tls", opts->tls },                       { "tlsverify", opts->tlsverify }, { "tlscacert", opts->tlscacert },
    { "tlscert", opts->tlscert },               { "tlskey", opts->tlskey },
  };

  for (size_t i = 0; i < sizeof (overrides) / sizeof (overrides[0]); i++)
    if (overrides[i].value != NULL && berth_config_override (cfg, overrides[i].key, overrides[i].value, err) < 0)
      return berth_error_ret (err);
  for (size_t i = 0; opts->hosts != NULL && opts->hosts[i] != NULL; i++)
    if (berth_config_override (cfg, "hosts", opts->hosts[i], err) < 0)
      return berth_error_ret (err);
  return berth_config_finalize (cfg, err);
}

/* Create a directory, and tighten it if it exists with a looser mode. */
static int
ensure_dir (const char *path, mode_t mode, const char *what, berth_error_t *err)
{
  struct stat st;

  if (berth_mkdir_p (path, mode, err) < 0)
    return berth_error_wrap (err, "cannot create the %s", what);
  if (stat (path, &st) < 0)
    return berth_error_errno (err, errno, "cannot stat the %s %s", what, path);
  if ((st.st_mode & 07777 & ~mode) != 0)
    {
      log_warn ("%s %s has mode %04o; changing it to %04o", what, path, st.st_mode & 07777, mode);
      if (chmod (path, mode) < 0)
        return berth_error_errno (err, errno, "cannot chmod the %s %s", what, path);
    }
  return 0;
}

static size_t
count_drivers (struct berth_plugins *plugins)
{
  static const uint32_t kinds[] = { BERTH_KIND_STORAGE, BERTH_KIND_NETWORK, BERTH_KIND_VOLUME, BERTH_KIND_LOG };
  size_t total = 0;

  for (size_t k = 0; k < sizeof (kinds) / sizeof (kinds[0]); k++)
    {
      struct berth_driver **drivers = NULL;
      total += berth_plugins_list (plugins, kinds[k], &drivers);
      free (drivers);
    }
  return total;
}

static int
load_drivers (struct berthd *d, berth_error_t *err)
{
  if (berth_plugins_load (d->cfg, &d->plugins, err) < 0)
    return berth_error_wrap (err, "cannot load plugins");
  if (count_drivers (d->plugins) == 0)
    {
      cleanup_free char *dirs = xstrdup ("");
      for (size_t i = 0; d->cfg->plugin_dirs != NULL && d->cfg->plugin_dirs[i] != NULL; i++)
        {
          char *next = xasprintf ("%s%s%s", dirs, i > 0 ? ", " : "", d->cfg->plugin_dirs[i]);
          free (dirs);
          dirs = next;
        }
      log_warn ("no driver plugins found in %s", dirs[0] != '\0' ? dirs : "(no plugin directories configured)");
    }
  if (berth_plugins_select_storage (d->plugins, d->cfg, &d->storage, err) < 0)
    return berth_error_ret (err);
  return 0;
}

static void
print_drivers (struct berthd *d)
{
  static const uint32_t kinds[] = { BERTH_KIND_STORAGE, BERTH_KIND_NETWORK, BERTH_KIND_VOLUME, BERTH_KIND_LOG };

  printf ("configuration: %s\n", d->cfg->path != NULL ? d->cfg->path : "(built-in defaults)");
  printf ("storage driver: %s\n", d->storage->name);
  for (size_t k = 0; k < sizeof (kinds) / sizeof (kinds[0]); k++)
    {
      struct berth_driver **drivers = NULL;
      size_t n = berth_plugins_list (d->plugins, kinds[k], &drivers);
      printf ("%s drivers:", berth_kind_name (kinds[k]));
      for (size_t i = 0; i < n; i++)
        printf (" %s (%s)", drivers[i]->name, drivers[i]->path);
      printf ("%s\n", n == 0 ? " none" : "");
      free (drivers);
    }
}

static int
validate (struct berthd *d)
{
  cleanup_error berth_error_t err = NULL;

  cleanup_close int root_lock = -1;
  struct berth_tls_server *tls = NULL;

  for (size_t i = 0; d->cfg->hosts[i] != NULL; i++)
    if (berth_listen_check (d->cfg->hosts[i], berth_tls_mode (d->cfg), &err) < 0)
      return fail (&err);
  if (berth_tls_server_new (d->cfg, &tls, &err) < 0)
    return fail (&err);
  berth_tls_server_free (tls);
  /* Initialising drivers on a data root a live daemon uses would disturb it. */
  if (access (d->cfg->data_root, F_OK) == 0 && (root_lock = berth_root_lock (d->cfg->data_root, &err)) < 0)
    return fail (&err);
  if (load_drivers (d, &err) < 0)
    return fail (&err);
  print_drivers (d);
  return 0;
}

/* Block the signals we wait for before any thread starts, so every thread
   inherits the mask and only sigwait() sees them. */
static void
block_signals (sigset_t *set)
{
  sigemptyset (set);
  sigaddset (set, SIGTERM);
  sigaddset (set, SIGINT);
  sigaddset (set, SIGHUP);
  pthread_sigmask (SIG_BLOCK, set, NULL);
}

static void
wait_for_shutdown (const sigset_t *set)
{
  for (;;)
    {
      int sig = 0;
      if (sigwait (set, &sig) != 0)
        continue;
      if (sig == SIGHUP)
        {
          log_warn ("SIGHUP: configuration reload is not supported yet; ignoring");
          continue;
        }
      log_info ("received %s, shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
      return;
    }
}

static int
serve (struct berthd *d)
{
  cleanup_error berth_error_t err = NULL;
  struct berth_pidfile *pidfile = NULL;
  cleanup_close int root_lock = -1;
  struct berth_listener **listeners = NULL;
  struct berth_router *router = NULL;
  struct berth_server *server = NULL;
  struct berth_tls_server *tls = NULL;
  size_t n_listeners = 0;
  sigset_t sigs;
  int status = 1;

  block_signals (&sigs);
  if (ensure_dir (d->cfg->data_root, 0700, "data root", &err) < 0
      || ensure_dir (d->cfg->exec_root, 0711, "exec root", &err) < 0)
    return fail (&err);
  if (berth_pidfile_acquire (d->cfg->pidfile, &pidfile, &err) < 0)
    return fail (&err);
  if ((root_lock = berth_root_lock (d->cfg->data_root, &err)) < 0)
    {
      berth_pidfile_release (pidfile);
      return fail (&err);
    }
  if (load_drivers (d, &err) < 0)
    goto out;
  if (berth_engine_id_load (d->cfg->data_root, &d->engine_id, &err) < 0)
    goto out;
  /* The sockets first: a second daemon on this data root is refused for
     the socket in use, before it touches the image store (which it could
     not lock anyway). */
  if (berth_tls_server_new (d->cfg, &tls, &err) < 0)
    goto out;
  while (d->cfg->hosts[n_listeners] != NULL)
    n_listeners++;
  listeners = xmalloc0 (n_listeners * sizeof (*listeners));
  for (size_t i = 0; i < n_listeners; i++)
    if (berth_listen_open (d->cfg->hosts[i], d->cfg->socket_group, berth_tls_mode (d->cfg), &listeners[i], &err) < 0)
      goto out;
  /* Driver layers the image store does not know are leftovers, except
     containers' writable layers. */
  if (image_service_open (d->cfg->data_root, d->storage, container_keep_layer, d->cfg->data_root, &d->images, &err)
      < 0)
    {
      berth_error_wrap (&err, "cannot open the image store");
      goto out;
    }
  image_service_set_max_layer_size (d->images, d->cfg->max_layer_size);
  d->events = berth_events_new ();
  if (berth_volumes_open (d, &err) < 0)
    goto out;
  if (berth_networks_open (d, &err) < 0)
    goto out;
  if (berth_containers_open (d, &err) < 0)
    goto out;

  router = berth_router_new ();
  berth_system_routes (router);
  berth_image_routes (router);
  berth_image_archive_routes (router);
  berth_image_registry_routes (router);
  berth_container_routes (router);
  berth_exec_routes (router);
  berth_container_ops_routes (router);
  berth_container_layer_routes (router);
  berth_container_archive_routes (router);
  berth_event_routes (router);
  berth_volume_routes (router);
  berth_network_routes (router);
  berth_build_routes (router);
  if (berth_server_start (d, router, listeners, n_listeners, tls, &server, &err) < 0)
    goto out;

  for (size_t i = 0; i < n_listeners; i++)
    log_info ("API listening on %s", listeners[i]->spec);
  log_info ("berthd %s started (storage driver %s, data root %s)", PACKAGE_VERSION, d->storage->name,
            d->cfg->data_root);
  wait_for_shutdown (&sigs);
  status = 0;

out:
  if (err != NULL)
    fail (&err);
  berth_containers_shutdown (d);
  berth_events_shutdown (d->events);
  berth_server_stop (server);
  berth_tls_server_free (tls);
  berth_router_free (router);
  berth_containers_close (d);
  berth_volumes_close (d);
  berth_networks_close (d);
  berth_events_free (d->events);
  d->events = NULL;
  image_service_close (d->images);
  d->images = NULL;
  if (d->plugins != NULL)
    berth_plugins_free (d->plugins);
  d->plugins = NULL;
  for (size_t i = 0; i < n_listeners; i++)
    berth_listener_free (listeners[i]);
  free (listeners);
  berth_pidfile_release (pidfile);
  if (status == 0)
    log_info ("berthd stopped");
  return status;
}

int
berthd_run (const struct berthd_options *opts)
{
  cleanup_error berth_error_t err = NULL;
  struct berthd d = { 0 };
  int status;

  signal (SIGPIPE, SIG_IGN);
  /* Everything that can be wrong with the configuration is reported before
     anything is created or bound. */
  if (berth_config_load (opts->config_path != NULL ? opts->config_path : DEFAULT_CONFIG, opts->config_path != NULL,
                         &d.cfg, &err)
      < 0)
    return fail (&err);
  if (apply_options (d.cfg, opts, &err) < 0)
    {
      berth_config_free (d.cfg);
      return fail (&err);
    }
  berth_log_init ("berthd", d.cfg->log_level, d.cfg->log_target);

  status = opts->validate ? validate (&d) : serve (&d);

  if (d.plugins != NULL)
    berth_plugins_free (d.plugins);
  free (d.engine_id);
  berth_config_free (d.cfg);
  return status;
}
