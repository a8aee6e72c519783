#include "config.h"

#include "core/image/image-config.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define WHAT "image config"

static void
run_config_free (struct image_run_config *r)
{
  free (r->user);
  strv_free (r->env);
  strv_free (r->cmd);
  strv_free (r->entrypoint);
  free (r->working_dir);
  image_kv_free (r->labels, r->n_labels);
  strv_free (r->exposed_ports);
  strv_free (r->volumes);
  free (r->stop_signal);
  strv_free (r->shell);
  strv_free (r->onbuild);
  strv_free (r->healthcheck.test);
}

void
image_config_free (struct image_config *c)
{
  size_t i;

  if (c == NULL)
    return;
  free (c->created);
  free (c->author);
  free (c->architecture);
  free (c->os);
  free (c->os_version);
  free (c->variant);
  run_config_free (&c->config);
  strv_free (c->diff_ids);
  for (i = 0; i < c->n_history; i++)
    {
      free (c->history[i].created);
      free (c->history[i].created_by);
      free (c->history[i].author);
      free (c->history[i].comment);
    }
  free (c->history);
  free (c);
}

void
cleanup_image_configp (struct image_config **c)
{
  image_config_free (*c);
  *c = NULL;
}

size_t
image_config_n_layers (const struct image_config *c)
{
  return image_strv_len (c->diff_ids);
}

static int
parse_healthcheck (json_object *cfg, struct image_healthcheck *h, berth_error_t *err)
{
  json_object *o;
  const char *what = WHAT ": config.Healthcheck";

  if (jf_object (cfg, "Healthcheck", WHAT ": config", false, &o, err) < 0)
    return berth_error_ret (err);
  if (o == NULL)
    return 0;
  if (jf_strv (o, "Test", what, &h->test, err) < 0 || jf_int64 (o, "Interval", what, false, &h->interval, NULL, err) < 0
      || jf_int64 (o, "Timeout", what, false, &h->timeout, NULL, err) < 0
      || jf_int64 (o, "StartPeriod", what, false, &h->start_period, NULL, err) < 0
      || jf_int64 (o, "StartInterval", what, false, &h->start_interval, NULL, err) < 0
      || jf_int64 (o, "Retries", what, false, &h->retries, NULL, err) < 0)
    return berth_error_ret (err);
  return 0;
}

static int
parse_run_config (json_object *root, struct image_run_config *r, berth_error_t *err)
{
  json_object *cfg;
  const char *what = WHAT ": config";

  if (jf_object (root, "config", WHAT, false, &cfg, err) < 0)
    return berth_error_ret (err);
  if (cfg == NULL)
    return 0;
  if (jf_string_dup (cfg, "User", what, false, &r->user, err) < 0 || jf_strv (cfg, "Env", what, &r->env, err) < 0
      || jf_strv (cfg, "Cmd", what, &r->cmd, err) < 0 || jf_strv (cfg, "Entrypoint", what, &r->entrypoint, err) < 0
      || jf_string_dup (cfg, "WorkingDir", what, false, &r->working_dir, err) < 0
      || jf_string_map (cfg, "Labels", what, &r->labels, &r->n_labels, err) < 0
      || jf_keys (cfg, "ExposedPorts", what, &r->exposed_ports, err) < 0
      || jf_keys (cfg, "Volumes", what, &r->volumes, err) < 0
      || jf_string_dup (cfg, "StopSignal", what, false, &r->stop_signal, err) < 0
      || jf_bool (cfg, "ArgsEscaped", what, &r->args_escaped, err) < 0
      || jf_strv (cfg, "Shell", what, &r->shell, err) < 0 || jf_strv (cfg, "OnBuild", what, &r->onbuild, err) < 0
      || parse_healthcheck (cfg, &r->healthcheck, err) < 0)
    return berth_error_ret (err);
  return 0;
}

static int
parse_history (json_object *root, struct image_config *c, berth_error_t *err)
{
  json_object *a;
  size_t i, n;

  if (jf_array (root, "history", WHAT, false, &a, err) < 0)
    return berth_error_ret (err);
  if (a == NULL)
    return 0;
  n = json_object_array_length (a);
  if (n == 0)
    return 0;
  c->history = xmalloc0 (n * sizeof (*c->history));
  for (i = 0; i < n; i++)
    {
      json_object *h = json_object_array_get_idx (a, i);
      struct image_history *e = &c->history[c->n_history++];
      char what[64];
      snprintf (what, sizeof (what), WHAT ": history[%zu]", i);
      if (!json_object_is_type (h, json_type_object))
        return berth_error_make (err, EINVAL, "%s must be an object", what);
      if (jf_string_dup (h, "created", what, false, &e->created, err) < 0
          || jf_string_dup (h, "created_by", what, false, &e->created_by, err) < 0
          || jf_string_dup (h, "author", what, false, &e->author, err) < 0
          || jf_string_dup (h, "comment", what, false, &e->comment, err) < 0
          || jf_bool (h, "empty_layer", what, &e->empty_layer, err) < 0)
        return berth_error_ret (err);
    }
  return 0;
}

static int
parse_rootfs (json_object *root, struct image_config *c, berth_error_t *err)
{
  json_object *rootfs;
  const char *type;
  size_t i;

  if (jf_object (root, "rootfs", WHAT, true, &rootfs, err) < 0
      || jf_string (rootfs, "type", WHAT ": rootfs", true, &type, err) < 0)
    return berth_error_ret (err);
  if (strcmp (type, "layers") != 0)
    return berth_error_make (err, EINVAL, WHAT ": rootfs.type must be \"layers\", not \"%s\"", type);
  if (jf_strv (rootfs, "diff_ids", WHAT ": rootfs", &c->diff_ids, err) < 0)
    return berth_error_ret (err);
  if (c->diff_ids == NULL)
    c->diff_ids = xmalloc0 (sizeof (char *));
  for (i = 0; c->diff_ids[i]; i++)
    if (digest_validate (c->diff_ids[i], err) < 0)
      return berth_error_wrap (err, WHAT ": rootfs.diff_ids[%zu]", i);
  return 0;
}

int
image_config_parse (const char *data, size_t len, struct image_config **ret, berth_error_t *err)
{
  cleanup_image_config struct image_config *c = xmalloc0 (sizeof (*c));
  json_object *root = NULL;
  int r = -1;

  if (len > IMAGE_CONFIG_MAX_SIZE)
    return berth_error_make (err, EFBIG, WHAT ": %zu bytes is over the %u byte limit", len, IMAGE_CONFIG_MAX_SIZE);
  if (jf_parse_object (data, len, WHAT, &root, err) < 0)
    return berth_error_ret (err);
  if (jf_string_dup (root, "created", WHAT, false, &c->created, err) < 0
      || jf_string_dup (root, "author", WHAT, false, &c->author, err) < 0
      || jf_string_dup (root, "architecture", WHAT, true, &c->architecture, err) < 0
      || jf_string_dup (root, "os", WHAT, true, &c->os, err) < 0
      || jf_string_dup (root, "os.version", WHAT, false, &c->os_version, err) < 0
      || jf_string_dup (root, "variant", WHAT, false, &c->variant, err) < 0
      || parse_run_config (root, &c->config, err) < 0 || parse_rootfs (root, c, err) < 0
      || parse_history (root, c, err) < 0)
    goto out;
  *ret = steal_pointer (&c);
  r = 0;
out:
  json_object_put (root);
  return r < 0 ? berth_error_ret (err) : 0;
}

static void
add_int_nonzero (json_object *o, const char *key, int64_t v)
{
  if (v)
    json_object_object_add (o, key, json_object_new_int64 (v));
}

static json_object *
emit_run_config (const struct image_run_config *r)
{
  json_object *o = json_object_new_object ();

  jf_add_string (o, "User", r->user);
  jf_add_keys (o, "ExposedPorts", r->exposed_ports);
  jf_add_strv (o, "Env", r->env);
  jf_add_strv (o, "Entrypoint", r->entrypoint);
  jf_add_strv (o, "Cmd", r->cmd);
  jf_add_keys (o, "Volumes", r->volumes);
  jf_add_string (o, "WorkingDir", r->working_dir);
  jf_add_string_map (o, "Labels", r->labels, r->n_labels);
  jf_add_string (o, "StopSignal", r->stop_signal);
  if (r->args_escaped)
    json_object_object_add (o, "ArgsEscaped", json_object_new_boolean (1));
  if (r->healthcheck.test)
    {
      json_object *h = json_object_new_object ();
      jf_add_strv (h, "Test", r->healthcheck.test);
      add_int_nonzero (h, "Interval", r->healthcheck.interval);
      add_int_nonzero (h, "Timeout", r->healthcheck.timeout);
      add_int_nonzero (h, "StartPeriod", r->healthcheck.start_period);
      add_int_nonzero (h, "StartInterval", r->healthcheck.start_interval);
      add_int_nonzero (h, "Retries", r->healthcheck.retries);
      json_object_object_add (o, "Healthcheck", h);
    }
  jf_add_strv (o, "OnBuild", r->onbuild);
  jf_add_strv (o, "Shell", r->shell);
  return o;
}

char *
image_config_emit (const struct image_config *c, size_t *ret_len)
{
  json_object *o = json_object_new_object ();
  json_object *rootfs = json_object_new_object ();
  char *s;
  size_t i;

  jf_add_string (o, "created", c->created);
  jf_add_string (o, "author", c->author);
  jf_add_string (o, "architecture", c->architecture);
  jf_add_string (o, "os", c->os);
  jf_add_string (o, "os.version", c->os_version);
  jf_add_string (o, "variant", c->variant);
  json_object_object_add (o, "config", emit_run_config (&c->config));
  json_object_object_add (rootfs, "type", json_object_new_string ("layers"));
  {
    json_object *a = json_object_new_array ();
    for (i = 0; c->diff_ids && c->diff_ids[i]; i++)
      json_object_array_add (a, json_object_new_string (c->diff_ids[i]));
    json_object_object_add (rootfs, "diff_ids", a);
  }
  json_object_object_add (o, "rootfs", rootfs);
  if (c->n_history > 0)
    {
      json_object *a = json_object_new_array ();
      for (i = 0; i < c->n_history; i++)
        {
          json_object *h = json_object_new_object ();
          jf_add_string (h, "created", c->history[i].created);
          jf_add_string (h, "created_by", c->history[i].created_by);
          jf_add_string (h, "author", c->history[i].author);
          jf_add_string (h, "comment", c->history[i].comment);
          if (c->history[i].empty_layer)
            json_object_object_add (h, "empty_layer", json_object_new_boolean (1));
          json_object_array_add (a, h);
        }
      json_object_object_add (o, "history", a);
    }
  s = jf_to_string (o, ret_len);
  json_object_put (o);
  return s;
}

int
image_chain_ids (char *const *diff_ids, char ***ret, berth_error_t *err)
{
  size_t i, n = image_strv_len (diff_ids);
  cleanup_strv char **v = xmalloc0 ((n + 1) * sizeof (char *));

  for (i = 0; i < n; i++)
    {
      char out[DIGEST_BUF_SIZE];
      if (digest_chain_id (i ? v[i - 1] : NULL, diff_ids[i], out, err) < 0)
        return berth_error_wrap (err, "layer %zu", i);
      v[i] = xstrdup (out);
    }
  *ret = steal_pointer (&v);
  return 0;
}
