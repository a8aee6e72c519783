#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/config/config.h"
#include "core/daemon/daemon.h"
#include "core/daemon/host-info.h"
#include "core/daemon/system.h"
#include "core/image/service.h"
#include "core/lib/api-version.h"
#include "core/lib/mem.h"
#include "core/plugin/registry.h"

/* The runtime berthd's containers run under (the library behind berth-runtime). */
#define BERTH_RUNTIME_NAME "berth-runtime"

static int
handle_ping (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  /* HEAD gets the same headers and an empty body (Content-Length: 0). */
  berth_response_text (resp, 200, "text/plain; charset=utf-8", strcmp (req->method, "HEAD") == 0 ? "" : "OK");
  berth_response_header (resp, "Builder-Version", "1");
  berth_response_header (resp, "Swarm", "inactive");
  berth_response_header (resp, "Cache-Control", "no-cache, no-store, must-revalidate");
  berth_response_header (resp, "Pragma", "no-cache");
  return 0;
}

static void
add_str (struct json_object *o, const char *key, const char *value)
{
  json_object_object_add (o, key, json_object_new_string (value != NULL ? value : ""));
}

static void
add_int (struct json_object *o, const char *key, int64_t value)
{
  json_object_object_add (o, key, json_object_new_int64 (value));
}

static void
add_bool (struct json_object *o, const char *key, bool value)
{
  json_object_object_add (o, key, json_object_new_boolean (value));
}

static int
handle_version (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  struct json_object *v = json_object_new_object ();
  struct json_object *platform = json_object_new_object ();
  struct json_object *components = json_object_new_array ();
  struct json_object *engine = json_object_new_object ();
  struct json_object *details = json_object_new_object ();
  struct berth_host_info hi;

  berth_host_info_read (&hi);

  add_str (platform, "Name", "berth");
  json_object_object_add (v, "Platform", platform);

  add_str (details, "ApiVersion", BERTH_API_VERSION);
  add_str (details, "Arch", hi.arch);
  add_str (details, "BuildTime", BERTH_BUILD_TIME);
  add_str (details, "Experimental", "false");
  add_str (details, "GitCommit", BERTH_GIT_COMMIT);
  add_str (details, "GoVersion", "n/a");
  add_str (details, "KernelVersion", hi.kernel_version);
  add_str (details, "MinAPIVersion", BERTH_API_MIN_VERSION);
  add_str (details, "Os", "linux");
  add_str (engine, "Name", "Engine");
  add_str (engine, "Version", PACKAGE_VERSION);
  json_object_object_add (engine, "Details", details);
  json_object_array_add (components, engine);
  json_object_object_add (v, "Components", components);

  add_str (v, "Version", PACKAGE_VERSION);
  add_str (v, "ApiVersion", BERTH_API_VERSION);
  add_str (v, "MinAPIVersion", BERTH_API_MIN_VERSION);
  add_str (v, "GitCommit", BERTH_GIT_COMMIT);
  add_str (v, "GoVersion", "n/a");
  add_str (v, "Os", "linux");
  add_str (v, "Arch", hi.arch);
  add_str (v, "KernelVersion", hi.kernel_version);
  add_str (v, "BuildTime", BERTH_BUILD_TIME);

  berth_host_info_clear (&hi);
  berth_response_json (resp, 200, v);
  return 0;
}

static int
emit_status (void *ud, const char *key, const char *value)
{
  struct json_object *pair = json_object_new_array ();
  json_object_array_add (pair, json_object_new_string (key != NULL ? key : ""));
  json_object_array_add (pair, json_object_new_string (value != NULL ? value : ""));
  json_object_array_add (ud, pair);
  return 0;
}

static struct json_object *
driver_names (struct berth_plugins *plugins, uint32_t kind)
{
  struct json_object *a = json_object_new_array ();
  struct berth_driver **drivers = NULL;
  size_t n = berth_plugins_list (plugins, kind, &drivers);

  for (size_t i = 0; i < n; i++)
    json_object_array_add (a, json_object_new_string (drivers[i]->name));
  free (drivers);
  return a;
}

static struct json_object *
string_array (const char *const *items, size_t n)
{
  struct json_object *a = json_object_new_array ();
  for (size_t i = 0; i < n; i++)
    json_object_array_add (a, json_object_new_string (items[i]));
  return a;
}

/* A proxy setting from the daemon's environment, credentials masked as moby
   does ("http://user:pw@host" -> "http://xxxxx:xxxxx@host"). */
static char *
proxy_env (const char *upper, const char *lower)
{
  const char *v = getenv (upper);
  const char *scheme_end, *at, *slash;

  if (v == NULL || v[0] == '\0')
    v = getenv (lower);
  if (v == NULL)
    return xstrdup ("");
  scheme_end = strstr (v, "://");
  if (scheme_end == NULL)
    return xstrdup (v);
  at = strchr (scheme_end + 3, '@');
  slash = strchr (scheme_end + 3, '/');
  if (at == NULL || (slash != NULL && slash < at))
    return xstrdup (v);
  return xasprintf ("%.*sxxxxx:xxxxx%s", (int)(scheme_end + 3 - v), v, at);
}

static struct json_object *
registry_config (void)
{
  static const char *const insecure[] = { "::1/128", "127.0.0.0/8" };
  struct json_object *rc = json_object_new_object ();
  struct json_object *index_configs = json_object_new_object ();
  struct json_object *hub = json_object_new_object ();

  json_object_object_add (rc, "InsecureRegistryCIDRs", string_array (insecure, 2));
  add_str (hub, "Name", "docker.io");
  json_object_object_add (hub, "Mirrors", json_object_new_array ());
  add_bool (hub, "Secure", true);
  add_bool (hub, "Official", true);
  json_object_object_add (index_configs, "docker.io", hub);
  json_object_object_add (rc, "IndexConfigs", index_configs);
  json_object_object_add (rc, "Mirrors", json_object_new_array ());
  return rc;
}

static struct json_object *
swarm_info (void)
{
  struct json_object *s = json_object_new_object ();
  add_str (s, "NodeID", "");
  add_str (s, "NodeAddr", "");
  add_str (s, "LocalNodeState", "inactive");
  add_bool (s, "ControlAvailable", false);
  add_str (s, "Error", "");
  json_object_object_add (s, "RemoteManagers", NULL);
  return s;
}

static struct json_object *
commit (const char *id)
{
  struct json_object *c = json_object_new_object ();
  add_str (c, "ID", id);
  return c;
}

/* moby's wording for missing kernel features */
static struct json_object *
warnings (const struct berth_cgroup_caps *cg, bool forwarding)
{
  struct json_object *w = json_object_new_array ();
  const struct
  {
    bool ok;
    const char *text;
  } checks[] = {
    { cg->memory, "WARNING: No memory limit support" },
    { cg->swap, "WARNING: No swap limit support" },
    { cg->cpu_cfs_quota, "WARNING: No cpu cfs quota support" },
    { cg->cpu_cfs_period, "WARNING: No cpu cfs period support" },
    { cg->cpu_shares, "WARNING: No cpu shares support" },
    { cg->cpuset, "WARNING: No cpuset support" },
    { forwarding, "WARNING: IPv4 forwarding is disabled" },
  };
  for (size_t i = 0; i < sizeof (checks) / sizeof (checks[0]); i++)
    if (!checks[i].ok)
      json_object_array_add (w, json_object_new_string (checks[i].text));
  return w;
}

static int
count_one (void *ud, const struct store_image *img)
{
  (void)img;
  (*(int64_t *)ud)++;
  return 0;
}

static int64_t
count_images (struct berthd *d)
{
  int64_t n = 0;
  if (d->images != NULL)
    store_image_list (image_service_store (d->images), count_one, &n, NULL);
  return n;
}

static int
handle_info (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  static const char *const security_options[] = { "name=seccomp,profile=builtin" };
  struct json_object *i = json_object_new_object ();
  struct json_object *plugins = json_object_new_object ();
  struct json_object *driver_status = json_object_new_array ();
  struct json_object *runtimes = json_object_new_object ();
  struct json_object *runtime = json_object_new_object ();
  struct berth_host_info hi;
  struct berth_cgroup_caps cg;
  struct timespec now;
  bool forwarding = berth_host_ipv4_forwarding ();
  char *s;

  berth_host_info_read (&hi);
  berth_host_cgroup_caps (&cg);
  clock_gettime (CLOCK_REALTIME, &now);

  if (d->storage != NULL && d->storage->ops.life.status != NULL)
    d->storage->ops.life.status (d->storage->drv, emit_status, driver_status);

  json_object_object_add (plugins, "Volume", driver_names (d->plugins, BERTH_KIND_VOLUME));
  json_object_object_add (plugins, "Network", driver_names (d->plugins, BERTH_KIND_NETWORK));
  json_object_object_add (plugins, "Authorization", NULL);
  json_object_object_add (plugins, "Log", driver_names (d->plugins, BERTH_KIND_LOG));

  add_str (runtime, "path", BERTH_RUNTIME_NAME);
  json_object_object_add (runtimes, BERTH_RUNTIME_NAME, runtime);

  add_str (i, "ID", d->engine_id);
  /* Containers don't exist yet; these become real counts with the manager. */
  add_int (i, "Containers", 0);
  add_int (i, "ContainersRunning", 0);
  add_int (i, "ContainersPaused", 0);
  add_int (i, "ContainersStopped", 0);
  add_int (i, "Images", count_images (d));
  add_str (i, "Driver", d->storage != NULL ? d->storage->name : "");
  json_object_object_add (i, "DriverStatus", driver_status);
  json_object_object_add (i, "Plugins", plugins);
  add_bool (i, "MemoryLimit", cg.memory);
  add_bool (i, "SwapLimit", cg.swap);
  add_bool (i, "CpuCfsPeriod", cg.cpu_cfs_period);
  add_bool (i, "CpuCfsQuota", cg.cpu_cfs_quota);
  add_bool (i, "CPUShares", cg.cpu_shares);
  add_bool (i, "CPUSet", cg.cpuset);
  add_bool (i, "PidsLimit", cg.pids);
  add_bool (i, "IPv4Forwarding", forwarding);
  add_bool (i, "Debug", d->cfg->log_level == BERTH_LOG_DEBUG);
  add_int (i, "NFd", berth_host_count_fds ());
  add_bool (i, "OomKillDisable", cg.oom_kill_disable);
  add_int (i, "NGoroutines", berth_host_count_threads ());
  s = berth_format_rfc3339nano (&now);
  add_str (i, "SystemTime", s);
  free (s);
  add_str (i, "LoggingDriver", d->cfg->log_driver);
  add_str (i, "CgroupDriver", "cgroupfs");
  add_str (i, "CgroupVersion", cg.version == 2 ? "2" : "1");
  add_int (i, "NEventsListener", 0);
  add_str (i, "KernelVersion", hi.kernel_version);
  add_str (i, "OperatingSystem", hi.os_name);
  add_str (i, "OSVersion", hi.os_version);
  add_str (i, "OSType", "linux");
  add_str (i, "Architecture", hi.machine);
  add_str (i, "IndexServerAddress", "https://index.docker.io/v1/");
  json_object_object_add (i, "RegistryConfig", registry_config ());
  add_int (i, "NCPU", hi.ncpu);
  add_int (i, "MemTotal", hi.mem_total);
  json_object_object_add (i, "GenericResources", NULL);
  add_str (i, "DockerRootDir", d->cfg->data_root);
  s = proxy_env ("HTTP_PROXY", "http_proxy");
  add_str (i, "HttpProxy", s);
  free (s);
  s = proxy_env ("HTTPS_PROXY", "https_proxy");
  add_str (i, "HttpsProxy", s);
  free (s);
  s = proxy_env ("NO_PROXY", "no_proxy");
  add_str (i, "NoProxy", s);
  free (s);
  add_str (i, "Name", hi.hostname);
  json_object_object_add (i, "Labels", json_object_new_array ());
  add_bool (i, "ExperimentalBuild", false);
  add_str (i, "ServerVersion", PACKAGE_VERSION);
  json_object_object_add (i, "Runtimes", runtimes);
  add_str (i, "DefaultRuntime", BERTH_RUNTIME_NAME);
  json_object_object_add (i, "Swarm", swarm_info ());
  /* Containers always outlive a daemon restart (berth-shim holds them). */
  add_bool (i, "LiveRestoreEnabled", true);
  add_str (i, "Isolation", "");
  add_str (i, "InitBinary", "");
  json_object_object_add (i, "ContainerdCommit", commit (""));
  json_object_object_add (i, "RuncCommit", commit (BERTH_GIT_COMMIT));
  json_object_object_add (i, "InitCommit", commit (""));
  json_object_object_add (i, "SecurityOptions", string_array (security_options, 1));
  json_object_object_add (i, "CDISpecDirs", json_object_new_array ());
  json_object_object_add (i, "Warnings", warnings (&cg, forwarding));

  berth_host_info_clear (&hi);
  berth_response_json (resp, 200, i);
  return 0;
}

static const struct berth_route system_routes[] = {
  { "GET", "/_ping", BERTH_BODY_IGNORE, handle_ping },
  { "HEAD", "/_ping", BERTH_BODY_IGNORE, handle_ping },
  { "GET", "/version", BERTH_BODY_IGNORE, handle_version },
  { "GET", "/info", BERTH_BODY_IGNORE, handle_info },
};

void
berth_system_routes (struct berth_router *r)
{
  berth_router_add (r, system_routes, sizeof (system_routes) / sizeof (system_routes[0]));
}
