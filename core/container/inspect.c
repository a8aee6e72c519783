#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/container/inspect.h"
#include "core/container/manager.h"
#include "core/container/mount-spec.h"
#include "core/lib/mem.h"

int64_t
container_time_unix (const char *s)
{
  struct tm tm;

  if (s == NULL)
    return 0;
  memset (&tm, 0, sizeof (tm));
  if (strptime (s, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
    return 0;
  return (int64_t) timegm (&tm);
}

char *
container_human_duration (int64_t seconds)
{
  int64_t s = seconds < 0 ? 0 : seconds;
  int64_t m = s / 60, h = s / 3600, d = h / 24;

  if (s < 1)
    return xstrdup ("Less than a second");
  if (s == 1)
    return xstrdup ("1 second");
  if (s < 60)
    return xasprintf ("%lld seconds", (long long) s);
  if (m == 1)
    return xstrdup ("About a minute");
  if (m < 60)
    return xasprintf ("%lld minutes", (long long) m);
  if (h == 1)
    return xstrdup ("About an hour");
  if (h < 48)
    return xasprintf ("%lld hours", (long long) h);
  if (h < 24 * 7 * 2)
    return xasprintf ("%lld days", (long long) d);
  if (h < 24 * 30 * 2)
    return xasprintf ("%lld weeks", (long long) (d / 7));
  if (h < 24 * 365 * 2)
    return xasprintf ("%lld months", (long long) (d / 30));
  return xasprintf ("%lld years", (long long) (d / 365));
}

char *
container_status_text (const struct container *c, time_t now)
{
  cleanup_free char *ago = NULL;

  switch (c->status)
    {
    case CONTAINER_RUNNING:
    case CONTAINER_PAUSED:
      ago = container_human_duration ((int64_t) now - container_time_unix (c->started_at));
      {
        /* moby's State.String: Paused first, then the health */
        const char *health = container_health_status (c);
        if (c->status == CONTAINER_PAUSED)
          return xasprintf ("Up %s (Paused)", ago);
        if (health != NULL && strcmp (health, "starting") == 0)
          return xasprintf ("Up %s (health: starting)", ago);
        if (health != NULL)
          return xasprintf ("Up %s (%s)", ago, health);
        return xasprintf ("Up %s", ago);
      }
    case CONTAINER_RESTARTING:
      ago = container_human_duration ((int64_t) now - container_time_unix (c->finished_at));
      return xasprintf ("Restarting (%d) %s ago", c->exit_code, ago);
    case CONTAINER_REMOVING:
      return xstrdup ("Removal In Progress");
    case CONTAINER_DEAD:
      return xstrdup ("Dead");
    case CONTAINER_EXITED:
      ago = container_human_duration ((int64_t) now - container_time_unix (c->finished_at));
      return xasprintf ("Exited (%d) %s ago", c->exit_code, ago);
    case CONTAINER_CREATED:
    default:
      return xstrdup ("Created");
    }
}

static json_object *
strv_json (char *const *v)
{
  json_object *a = json_object_new_array ();

  for (size_t i = 0; v != NULL && v[i] != NULL; i++)
    json_object_array_add (a, json_object_new_string (v[i]));
  return a;
}

static const char *
network_mode (const struct container *c)
{
  const char *n = json_object_get_string (json_object_object_get (c->host_config, "NetworkMode"));
  return n != NULL && n[0] != '\0' ? n : "default";
}

/* Endpoint settings of the host/none pseudo networks: nothing assigned. */
static json_object *
empty_endpoint (void)
{
  json_object *e = json_object_new_object ();

  json_object_object_add (e, "IPAMConfig", NULL);
  json_object_object_add (e, "Links", NULL);
  json_object_object_add (e, "Aliases", NULL);
  json_object_object_add (e, "MacAddress", json_object_new_string (""));
  json_object_object_add (e, "DriverOpts", NULL);
  json_object_object_add (e, "GwPriority", json_object_new_int (0));
  json_object_object_add (e, "NetworkID", json_object_new_string (""));
  json_object_object_add (e, "EndpointID", json_object_new_string (""));
  json_object_object_add (e, "Gateway", json_object_new_string (""));
  json_object_object_add (e, "IPAddress", json_object_new_string (""));
  json_object_object_add (e, "IPPrefixLen", json_object_new_int (0));
  json_object_object_add (e, "IPv6Gateway", json_object_new_string (""));
  json_object_object_add (e, "GlobalIPv6Address", json_object_new_string (""));
  json_object_object_add (e, "GlobalIPv6PrefixLen", json_object_new_int (0));
  json_object_object_add (e, "DNSNames", NULL);
  return e;
}

/* A running container on the bridge has its endpoint (c->network_settings,
   core/network); a stopped one shows the network with nothing assigned. */
static json_object *
networks_json (const struct container *c)
{
  json_object *n = json_object_new_object ();
  const char *mode = network_mode (c);

  if (c->network_settings != NULL)
    {
      json_object *copy = NULL;
      json_object_deep_copy (json_object_object_get (c->network_settings, "Networks"), &copy, NULL);
      json_object_put (n);
      return copy != NULL ? copy : json_object_new_object ();
    }
  if (strcmp (mode, "host") == 0 || strcmp (mode, "none") == 0)
    json_object_object_add (n, mode, empty_endpoint ());
  else if (strcmp (mode, "default") == 0 || strcmp (mode, "bridge") == 0)
    json_object_object_add (n, "bridge", empty_endpoint ());
  return n;
}

/* NetworkSettings of inspect: the endpoint's while running on the bridge */
static json_object *
network_settings_json (const struct container *c)
{
  json_object *ns = NULL;

  if (c->network_settings != NULL && json_object_deep_copy (c->network_settings, &ns, NULL) == 0 && ns != NULL)
    return ns;
  ns = json_object_new_object ();
  json_object_object_add (ns, "SandboxID", json_object_new_string (""));
  json_object_object_add (ns, "SandboxKey", json_object_new_string (""));
  json_object_object_add (ns, "Ports", json_object_new_object ());
  json_object_object_add (ns, "IPAddress", json_object_new_string (""));
  json_object_object_add (ns, "IPPrefixLen", json_object_new_int (0));
  json_object_object_add (ns, "Gateway", json_object_new_string (""));
  json_object_object_add (ns, "MacAddress", json_object_new_string (""));
  json_object_object_add (ns, "Networks", networks_json (c));
  return ns;
}

/* `docker ps` Ports: one row per published host binding */
static json_object *
summary_ports_json (const struct container *c)
{
  json_object *a = json_object_new_array ();
  json_object *ports = c->network_settings ? json_object_object_get (c->network_settings, "Ports") : NULL;

  if (!json_object_is_type (ports, json_type_object))
    return a;
  json_object_object_foreach (ports, key, list)
    {
      int port = atoi (key);
      const char *slash = strchr (key, '/');
      for (size_t i = 0; json_object_is_type (list, json_type_array) && i < json_object_array_length (list); i++)
        {
          json_object *b = json_object_array_get_idx (list, i), *row = json_object_new_object ();
          json_object_object_add (row, "IP", json_object_get (json_object_object_get (b, "HostIp")));
          json_object_object_add (row, "PrivatePort", json_object_new_int (port));
          json_object_object_add (row, "PublicPort",
                                  json_object_new_int (atoi (json_object_get_string (json_object_object_get (b, "HostPort")))));
          json_object_object_add (row, "Type", json_object_new_string (slash ? slash + 1 : "tcp"));
          json_object_array_add (a, row);
        }
      if (list == NULL)
        {
          json_object *row = json_object_new_object ();
          json_object_object_add (row, "PrivatePort", json_object_new_int (port));
          json_object_object_add (row, "Type", json_object_new_string (slash ? slash + 1 : "tcp"));
          json_object_array_add (a, row);
        }
    }
  return a;
}

static json_object *
state_json (const struct container *c)
{
  json_object *s = json_object_new_object ();

  json_object_object_add (s, "Status", json_object_new_string (container_status_name (c->status)));
  json_object_object_add (s, "Running", json_object_new_boolean (c->status == CONTAINER_RUNNING
                                                                 || c->status == CONTAINER_PAUSED));
  json_object_object_add (s, "Paused", json_object_new_boolean (c->status == CONTAINER_PAUSED));
  json_object_object_add (s, "Restarting", json_object_new_boolean (c->status == CONTAINER_RESTARTING));
  json_object_object_add (s, "OOMKilled", json_object_new_boolean (c->oom_killed));
  json_object_object_add (s, "Dead", json_object_new_boolean (c->status == CONTAINER_DEAD));
  json_object_object_add (s, "Pid", json_object_new_int (c->status == CONTAINER_RUNNING
                                                                 || c->status == CONTAINER_PAUSED
                                                             ? c->pid
                                                             : 0));
  json_object_object_add (s, "ExitCode", json_object_new_int (c->exit_code));
  json_object_object_add (s, "Error", json_object_new_string (c->error ? c->error : ""));
  json_object_object_add (s, "StartedAt", json_object_new_string (c->started_at));
  json_object_object_add (s, "FinishedAt", json_object_new_string (c->finished_at));
  {
    json_object *health = container_health_json (c);
    if (health != NULL)
      json_object_object_add (s, "Health", health);
  }
  return s;
}

static char *
file_path (const struct container *c, const char *name)
{
  return xasprintf ("%s/%s", c->dir, name);
}

json_object *
container_inspect_json (const struct container *c, const struct container_json_ctx *ctx)
{
  json_object *o = json_object_new_object (), *ns, *gd;
  const char *log_driver = ctx->log_driver ? ctx->log_driver : "";

  json_object_object_add (o, "Id", json_object_new_string (c->id));
  json_object_object_add (o, "Created", json_object_new_string (c->created));
  json_object_object_add (o, "Path", json_object_new_string (c->path));
  json_object_object_add (o, "Args", strv_json (c->args));
  json_object_object_add (o, "State", state_json (c));
  json_object_object_add (o, "Image", json_object_new_string (c->image_id));
  {
    char *p = file_path (c, "resolv.conf");
    json_object_object_add (o, "ResolvConfPath", json_object_new_string (p));
    free (p);
    p = file_path (c, "hostname");
    json_object_object_add (o, "HostnamePath", json_object_new_string (p));
    free (p);
    p = file_path (c, "hosts");
    json_object_object_add (o, "HostsPath", json_object_new_string (p));
    free (p);
    p = strcmp (log_driver, "json-file") == 0 ? xasprintf ("%s/%s-json.log", c->dir, c->id) : xstrdup ("");
    json_object_object_add (o, "LogPath", json_object_new_string (p));
    free (p);
  }
  {
    char *n = xasprintf ("/%s", c->name);
    json_object_object_add (o, "Name", json_object_new_string (n));
    free (n);
  }
  json_object_object_add (o, "RestartCount", json_object_new_int (c->restart_count));
  json_object_object_add (o, "Driver", json_object_new_string (c->driver ? c->driver : ""));
  json_object_object_add (o, "Platform", json_object_new_string ("linux"));
  json_object_object_add (o, "MountLabel", json_object_new_string (""));
  json_object_object_add (o, "ProcessLabel", json_object_new_string (""));
  json_object_object_add (o, "AppArmorProfile", json_object_new_string (""));
  json_object_object_add (o, "ExecIDs", container_exec_ids_json (c));
  {
    /* a create without HostConfig stored none: show the defaults moby shows */
    json_object *hc = NULL;
    if (json_object_deep_copy (c->host_config, &hc, NULL) != 0 || hc == NULL)
      hc = json_object_new_object ();
    if (!json_object_object_get_ex (hc, "NetworkMode", NULL))
      json_object_object_add (hc, "NetworkMode", json_object_new_string ("default"));
    if (!json_object_object_get_ex (hc, "AutoRemove", NULL))
      json_object_object_add (hc, "AutoRemove", json_object_new_boolean (false));
    {
      /* moby fills in the daemon's default log driver at create */
      json_object *lc = json_object_object_get (hc, "LogConfig"), *t = json_object_object_get (lc, "Type");
      if (!json_object_is_type (lc, json_type_object))
        {
          lc = json_object_new_object ();
          json_object_object_add (lc, "Config", json_object_new_object ());
          json_object_object_add (hc, "LogConfig", lc);
        }
      if (log_driver[0] != '\0' && (t == NULL || json_object_get_string_len (t) == 0))
        json_object_object_add (lc, "Type", json_object_new_string (log_driver));
    }
    json_object_object_add (o, "HostConfig", hc);
  }
  gd = json_object_new_object ();
  json_object_object_add (gd, "Name", json_object_new_string (c->driver ? c->driver : ""));
  json_object_object_add (gd, "Data", NULL);
  json_object_object_add (o, "GraphDriver", gd);
  json_object_object_add (o, "Mounts", container_mounts_json (c));
  json_object_object_add (o, "Config", json_object_get (c->config));
  ns = network_settings_json (c);
  json_object_object_add (o, "NetworkSettings", ns);
  return o;
}

static char *
command_text (const struct container *c)
{
  size_t len = strlen (c->path) + 1;
  char *s, *p;

  for (size_t i = 0; c->args != NULL && c->args[i] != NULL; i++)
    len += strlen (c->args[i]) + 1;
  s = p = xmalloc (len);
  p = stpcpy (p, c->path);
  for (size_t i = 0; c->args != NULL && c->args[i] != NULL; i++)
    {
      *p++ = ' ';
      p = stpcpy (p, c->args[i]);
    }
  return s;
}

json_object *
container_summary_json (const struct container *c, const struct container_json_ctx *ctx)
{
  json_object *o = json_object_new_object (), *names = json_object_new_array (), *hc, *ns;
  json_object *labels = json_object_object_get (c->config, "Labels");

  json_object_object_add (o, "Id", json_object_new_string (c->id));
  {
    char *n = xasprintf ("/%s", c->name);
    json_object_array_add (names, json_object_new_string (n));
    free (n);
  }
  json_object_object_add (o, "Names", names);
  json_object_object_add (o, "Image", json_object_new_string (c->image));
  json_object_object_add (o, "ImageID", json_object_new_string (c->image_id));
  {
    char *cmd = command_text (c);
    json_object_object_add (o, "Command", json_object_new_string (cmd));
    free (cmd);
  }
  json_object_object_add (o, "Created", json_object_new_int64 (c->created_unix));
  json_object_object_add (o, "Ports", summary_ports_json (c));
  json_object_object_add (o, "Labels",
                          json_object_is_type (labels, json_type_object) ? json_object_get (labels)
                                                                         : json_object_new_object ());
  json_object_object_add (o, "State", json_object_new_string (container_status_name (c->status)));
  {
    char *st = container_status_text (c, ctx->now);
    json_object_object_add (o, "Status", json_object_new_string (st));
    free (st);
  }
  hc = json_object_new_object ();
  json_object_object_add (hc, "NetworkMode", json_object_new_string (network_mode (c)));
  json_object_object_add (o, "HostConfig", hc);
  ns = json_object_new_object ();
  json_object_object_add (ns, "Networks", networks_json (c));
  json_object_object_add (o, "NetworkSettings", ns);
  json_object_object_add (o, "Mounts", container_mounts_json (c));
  return o;
}
