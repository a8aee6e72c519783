#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/container/container.h"
#include "core/lib/fs.h"
#include "core/lib/fs-synced.h"
#include "core/lib/mem.h"

#define META_MAX (16u << 20)

const char *const container_zero_time = "0001-01-01T00:00:00Z";

static const char *const status_names[] = {
  [CONTAINER_CREATED] = "created", [CONTAINER_RUNNING] = "running",   [CONTAINER_PAUSED] = "paused",
  [CONTAINER_RESTARTING] = "restarting", [CONTAINER_REMOVING] = "removing", [CONTAINER_EXITED] = "exited",
  [CONTAINER_DEAD] = "dead",
};

const char *
container_status_name (enum container_status s)
{
  return status_names[s];
}

static int
status_from_name (const char *s)
{
  for (size_t i = 0; i < sizeof (status_names) / sizeof (status_names[0]); i++)
    if (s != NULL && strcmp (s, status_names[i]) == 0)
      return (int) i;
  return -1;
}

char *
container_now_rfc3339 (int64_t *ret_unix)
{
  struct timespec ts;
  struct tm tm;
  char buf[64];

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (buf, sizeof (buf), "%Y-%m-%dT%H:%M:%S", &tm);
  if (ret_unix != NULL)
    *ret_unix = (int64_t) ts.tv_sec;
  return xasprintf ("%s.%09ldZ", buf, (long) ts.tv_nsec);
}

struct container *
container_new (const char *data_root, berth_error_t *err)
{
  struct container *c = xmalloc0 (sizeof (*c));

  if (container_id_generate (c->id, err) < 0)
    {
      free (c);
      return NULL;
    }
  c->dir = xasprintf ("%s/containers/%s", data_root, c->id);
  c->created = container_now_rfc3339 (&c->created_unix);
  c->started_at = xstrdup (container_zero_time);
  c->finished_at = xstrdup (container_zero_time);
  c->status = CONTAINER_CREATED;
  c->refs = 1;
  return c;
}

void
container_free (struct container *c)
{
  if (c == NULL)
    return;
  free (c->name);
  free (c->image);
  free (c->image_id);
  free (c->created);
  free (c->path);
  strv_free (c->args);
  if (c->config != NULL)
    json_object_put (c->config);
  if (c->host_config != NULL)
    json_object_put (c->host_config);
  free (c->rw_layer);
  free (c->image_layer);
  free (c->image_storage);
  free (c->driver);
  free (c->dir);
  free (c->error);
  free (c->started_at);
  free (c->finished_at);
  free (c->rootfs);
  json_object_put (c->mount_points);
  json_object_put (c->network_settings);
  free (c->netns_path);
  for (size_t i = 0; i < c->n_attach_fds; i++)
    close (c->attach_fds[i]);
  free (c);
}

static json_object *
strv_json (char **v)
{
  json_object *a = json_object_new_array ();

  for (size_t i = 0; v != NULL && v[i] != NULL; i++)
    json_object_array_add (a, json_object_new_string (v[i]));
  return a;
}

/* sync_dir: durable when this returns (the config: the container exists);
   else never torn, the rename durable with the next directory sync (the
   state, rewritten at each transition: see docs/performance.md) */
static int
write_json (const char *dir, const char *file, json_object *o, bool sync_dir, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/%s", dir, file);
  const char *text = json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

  if (sync_dir)
    return berth_write_file_atomic (path, text, strlen (text), 0600, err);
  return berth_write_file_synced (path, text, strlen (text), 0600, err);
}

int
container_save_config (const struct container *c, berth_error_t *err)
{
  json_object *o = json_object_new_object ();
  int r;

  json_object_object_add (o, "Id", json_object_new_string (c->id));
  json_object_object_add (o, "Name", json_object_new_string (c->name));
  json_object_object_add (o, "Image", json_object_new_string (c->image));
  json_object_object_add (o, "ImageID", json_object_new_string (c->image_id));
  json_object_object_add (o, "Created", json_object_new_string (c->created));
  json_object_object_add (o, "CreatedUnix", json_object_new_int64 (c->created_unix));
  json_object_object_add (o, "Path", json_object_new_string (c->path));
  json_object_object_add (o, "Args", strv_json (c->args));
  json_object_object_add (o, "Config", json_object_get (c->config));
  json_object_object_add (o, "HostConfig", json_object_get (c->host_config));
  json_object_object_add (o, "RWLayer", json_object_new_string (c->rw_layer ? c->rw_layer : ""));
  json_object_object_add (o, "ImageLayer", json_object_new_string (c->image_layer ? c->image_layer : ""));
  json_object_object_add (o, "ImageStorage", json_object_new_string (c->image_storage ? c->image_storage : ""));
  json_object_object_add (o, "Driver", json_object_new_string (c->driver ? c->driver : ""));
  r = write_json (c->dir, "config.v1.json", o, true, err);
  json_object_put (o);
  return r;
}

int
container_save_state (const struct container *c, berth_error_t *err)
{
  json_object *o = json_object_new_object ();
  int r;

  json_object_object_add (o, "Status", json_object_new_string (container_status_name (c->status)));
  json_object_object_add (o, "Pid", json_object_new_int (c->pid));
  json_object_object_add (o, "ShimPid", json_object_new_int (c->shim_pid));
  json_object_object_add (o, "ShimStart", json_object_new_uint64 (c->shim_start));
  json_object_object_add (o, "ExitCode", json_object_new_int (c->exit_code));
  json_object_object_add (o, "OOMKilled", json_object_new_boolean (c->oom_killed));
  json_object_object_add (o, "Error", json_object_new_string (c->error ? c->error : ""));
  json_object_object_add (o, "StartedAt", json_object_new_string (c->started_at));
  json_object_object_add (o, "FinishedAt", json_object_new_string (c->finished_at));
  json_object_object_add (o, "RestartCount", json_object_new_int (c->restart_count));
  json_object_object_add (o, "StoppedByUser", json_object_new_boolean (c->stopped_by_user));
  json_object_object_add (o, "Rootfs", json_object_new_string (c->rootfs ? c->rootfs : ""));
  r = write_json (c->dir, "state.json", o, false, err);
  json_object_put (o);
  return r;
}

static json_object *
read_json (const char *dir, const char *file, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/%s", dir, file);
  cleanup_free char *text = NULL;
  size_t len;
  json_object *o;

  if (berth_read_file (path, META_MAX, &text, &len, err) < 0)
    return NULL;
  o = json_tokener_parse (text);
  if (o == NULL || !json_object_is_type (o, json_type_object))
    {
      if (o != NULL)
        json_object_put (o);
      berth_error_make (err, EINVAL, "%s: not a JSON object", path);
      return NULL;
    }
  return o;
}

static char *
dup_field (json_object *o, const char *key)
{
  json_object *v;

  if (!json_object_object_get_ex (o, key, &v) || !json_object_is_type (v, json_type_string))
    return NULL;
  return xstrdup (json_object_get_string (v));
}

static int64_t
int_field (json_object *o, const char *key)
{
  json_object *v;

  return json_object_object_get_ex (o, key, &v) ? json_object_get_int64 (v) : 0;
}

static char **
strv_field (json_object *o, const char *key)
{
  json_object *v;
  char **r;
  size_t n;

  if (!json_object_object_get_ex (o, key, &v) || !json_object_is_type (v, json_type_array))
    return xmalloc0 (sizeof (char *));
  n = json_object_array_length (v);
  r = xmalloc0 ((n + 1) * sizeof (char *));
  for (size_t i = 0; i < n; i++)
    r[i] = xstrdup (json_object_get_string (json_object_array_get_idx (v, i)));
  return r;
}

struct container *
container_load (const char *dir, berth_error_t *err)
{
  json_object *cfg = read_json (dir, "config.v1.json", err);
  json_object *st = NULL, *v;
  struct container *c;
  char *id;
  int status;

  if (cfg == NULL)
    return NULL;
  st = read_json (dir, "state.json", err);
  if (st == NULL)
    {
      json_object_put (cfg);
      return NULL;
    }
  c = xmalloc0 (sizeof (*c));
  c->refs = 1;
  c->dir = xstrdup (dir);
  id = dup_field (cfg, "Id");
  c->name = dup_field (cfg, "Name");
  c->image = dup_field (cfg, "Image");
  c->image_id = dup_field (cfg, "ImageID");
  c->created = dup_field (cfg, "Created");
  c->created_unix = int_field (cfg, "CreatedUnix");
  c->path = dup_field (cfg, "Path");
  c->args = strv_field (cfg, "Args");
  if (json_object_object_get_ex (cfg, "Config", &v) && json_object_is_type (v, json_type_object))
    c->config = json_object_get (v);
  if (json_object_object_get_ex (cfg, "HostConfig", &v) && json_object_is_type (v, json_type_object))
    c->host_config = json_object_get (v);
  c->rw_layer = dup_field (cfg, "RWLayer");
  c->image_layer = dup_field (cfg, "ImageLayer");
  c->image_storage = dup_field (cfg, "ImageStorage");
  c->driver = dup_field (cfg, "Driver");
  status = status_from_name (json_object_get_string (json_object_object_get (st, "Status")));
  c->pid = (pid_t) int_field (st, "Pid");
  c->shim_pid = (pid_t) int_field (st, "ShimPid");
  c->shim_start = (unsigned long long) int_field (st, "ShimStart");
  c->exit_code = (int) int_field (st, "ExitCode");
  c->oom_killed = json_object_get_boolean (json_object_object_get (st, "OOMKilled"));
  c->error = dup_field (st, "Error");
  c->started_at = dup_field (st, "StartedAt");
  c->finished_at = dup_field (st, "FinishedAt");
  c->restart_count = (int) int_field (st, "RestartCount");
  c->stopped_by_user = json_object_get_boolean (json_object_object_get (st, "StoppedByUser"));
  c->rootfs = dup_field (st, "Rootfs");
  if (c->rootfs != NULL && c->rootfs[0] == '\0')
    {
      free (c->rootfs);
      c->rootfs = NULL;
    }
  json_object_put (cfg);
  json_object_put (st);
  if (id == NULL || !container_id_is_full (id) || c->name == NULL || c->image == NULL || c->image_id == NULL
      || c->created == NULL || c->path == NULL || c->config == NULL || c->host_config == NULL || c->rw_layer == NULL
      || c->started_at == NULL || c->finished_at == NULL || status < 0)
    {
      free (id);
      container_free (c);
      berth_error_make (err, EINVAL, "%s: incomplete container metadata", dir);
      return NULL;
    }
  memcpy (c->id, id, CONTAINER_ID_LEN + 1);
  free (id);
  c->status = (enum container_status) status;
  return c;
}

static bool
config_bool (json_object *o, const char *key)
{
  json_object *v;

  return o != NULL && json_object_object_get_ex (o, key, &v) && json_object_get_boolean (v);
}

bool
container_tty (const struct container *c)
{
  return config_bool (c->config, "Tty");
}

bool
container_open_stdin (const struct container *c)
{
  return config_bool (c->config, "OpenStdin");
}

const char *
container_log_driver (const struct container *c, const char *dflt)
{
  json_object *lc, *t;

  if (json_object_object_get_ex (c->host_config, "LogConfig", &lc) && json_object_object_get_ex (lc, "Type", &t)
      && json_object_is_type (t, json_type_string) && json_object_get_string_len (t) > 0)
    return json_object_get_string (t);
  return dflt;
}
