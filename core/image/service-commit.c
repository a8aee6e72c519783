/* `docker commit`: a container's layer diff becomes a new image on top of
 * the container's image.  The layer goes in through image_service_layer_add
 * like any loaded layer; the config follows moby's rules: the request's
 * Config (or the container's), Dockerfile changes applied to it, then the
 * container's Config filling whatever it leaves empty. */
#include "config.h"

#include "core/image/image-change.h"
#include "core/image/service-commit.h"
#include "core/image/service-internal.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <string.h>

/* sha256 of 1024 zero bytes: a tar without entries (moby's DigestSHA256EmptyTar) */
#define EMPTY_TAR_DIFF_ID "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"

struct image_commit
{
  char parent[DIGEST_BUF_SIZE];
  struct image_config *cfg; /* the parent's, with the new run config */
  char *author, *comment, *created_by;
  struct image_ref *ref;
};

void
image_commit_free (struct image_commit *c)
{
  if (c == NULL)
    return;
  image_config_free (c->cfg);
  free (c->author);
  free (c->comment);
  free (c->created_by);
  image_ref_free (c->ref);
  free (c);
}

/* A container Config object as an image run config (the image config
   parser does the checking). */
static int
parse_run_config (json_object *config, const char *what, struct image_config **ret, berth_error_t *err)
{
  json_object *doc = json_object_new_object ();
  json_object *rootfs = json_object_new_object ();
  size_t len;
  const char *text;
  int r;

  json_object_object_add (doc, "architecture", json_object_new_string ("none"));
  json_object_object_add (doc, "os", json_object_new_string ("none"));
  json_object_object_add (rootfs, "type", json_object_new_string ("layers"));
  json_object_object_add (doc, "rootfs", rootfs);
  if (config != NULL && json_object_is_type (config, json_type_object))
    json_object_object_add (doc, "config", json_object_get (config));
  else if (config != NULL && !json_object_is_type (config, json_type_null))
    {
      json_object_put (doc);
      return berth_error_make (err, EINVAL, "%s must be a JSON object", what);
    }
  text = json_object_to_json_string_length (doc, JSON_C_TO_STRING_PLAIN, &len);
  r = image_config_parse (text, len, ret, err);
  json_object_put (doc);
  if (r < 0)
    return berth_error_wrap (err, "%s", what);
  return 0;
}

static bool
env_has_key (char *const *env, const char *entry)
{
  size_t klen = strcspn (entry, "=");

  for (size_t i = 0; env != NULL && env[i] != NULL; i++)
    if (strncmp (env[i], entry, klen) == 0 && (env[i][klen] == '=' || env[i][klen] == '\0'))
      return true;
  return false;
}

static bool
strv_has (char *const *v, const char *s)
{
  for (size_t i = 0; v != NULL && v[i] != NULL; i++)
    if (strcmp (v[i], s) == 0)
      return true;
  return false;
}

static void
strv_append (char ***v, const char *s)
{
  size_t n = image_strv_len (*v);

  *v = xrealloc (*v, (n + 2) * sizeof (char *));
  (*v)[n] = xstrdup (s);
  (*v)[n + 1] = NULL;
}

static void
fill_string (char **field, const char *from)
{
  if ((*field == NULL || (*field)[0] == '\0') && from != NULL)
    {
      free (*field);
      *field = xstrdup (from);
    }
}

/* moby's merge (daemon/commit.go): u keeps what it sets, c fills the rest */
static void
merge_run_config (struct image_run_config *u, const struct image_run_config *c)
{
  fill_string (&u->user, c->user);
  for (size_t i = 0; c->exposed_ports != NULL && c->exposed_ports[i] != NULL; i++)
    if (!strv_has (u->exposed_ports, c->exposed_ports[i]))
      strv_append (&u->exposed_ports, c->exposed_ports[i]);
  for (size_t i = 0; c->env != NULL && c->env[i] != NULL; i++)
    if (!env_has_key (u->env, c->env[i]))
      strv_append (&u->env, c->env[i]);
  for (size_t i = 0; i < c->n_labels; i++)
    if (image_kv_get (u->labels, u->n_labels, c->labels[i].key) == NULL)
      {
        u->labels = xrealloc (u->labels, (u->n_labels + 1) * sizeof (*u->labels));
        u->labels[u->n_labels].key = xstrdup (c->labels[i].key);
        u->labels[u->n_labels].value = xstrdup (c->labels[i].value);
        u->n_labels++;
      }
  if (u->entrypoint == NULL || u->entrypoint[0] == NULL)
    {
      if (u->cmd == NULL || u->cmd[0] == NULL)
        {
          strv_free (u->cmd);
          u->cmd = image_strv_dup (c->cmd);
          u->args_escaped = c->args_escaped;
        }
      if (u->entrypoint == NULL)
        u->entrypoint = image_strv_dup (c->entrypoint);
    }
  if (u->healthcheck.test == NULL && c->healthcheck.test != NULL)
    {
      u->healthcheck = c->healthcheck;
      u->healthcheck.test = image_strv_dup (c->healthcheck.test);
    }
  fill_string (&u->working_dir, c->working_dir);
  for (size_t i = 0; c->volumes != NULL && c->volumes[i] != NULL; i++)
    if (!strv_has (u->volumes, c->volumes[i]))
      strv_append (&u->volumes, c->volumes[i]);
  fill_string (&u->stop_signal, c->stop_signal);
}

int
image_commit_new (struct image_service *svc, const struct image_commit_opts *o, struct image_commit **ret,
                  berth_error_t *err)
{
  struct image_commit *c = xmalloc0 (sizeof (*c));
  cleanup_image_config struct image_config *user = NULL;
  cleanup_image_config struct image_config *ctr = NULL;
  struct image_change_state st = { 0 };
  struct image_run_config tmp;

  if (o->parent_image == NULL || digest_validate (o->parent_image, err) < 0)
    {
      image_commit_free (c);
      if (o->parent_image == NULL)
        return berth_error_make (err, EINVAL, "commit: the container has no image");
      return berth_error_wrap (err, "commit: the container's image");
    }
  snprintf (c->parent, sizeof (c->parent), "%s", o->parent_image);
  if (image_service_config (svc, o->parent_image, &c->cfg, NULL, err) < 0
      || parse_run_config (o->config != NULL ? o->config : o->container_config, "the commit's Config", &user, err) < 0
      || parse_run_config (o->container_config, "the container's Config", &ctr, err) < 0)
    {
      image_commit_free (c);
      return berth_error_ret (err);
    }
  for (size_t i = 0; o->changes != NULL && o->changes[i] != NULL; i++)
    if (image_change_apply (&user->config, &st, o->changes[i], err) < 0)
      {
        image_commit_free (c);
        return berth_error_wrap (err, "invalid change `%s`", o->changes[i]);
      }
  merge_run_config (&user->config, &ctr->config);
  /* the parent's run config is replaced (and freed with user) */
  tmp = c->cfg->config;
  c->cfg->config = user->config;
  user->config = tmp;
  if (o->author != NULL && o->author[0] != '\0')
    c->author = xstrdup (o->author);
  if (o->comment != NULL && o->comment[0] != '\0')
    c->comment = xstrdup (o->comment);
  c->created_by = xstrdup (o->created_by != NULL ? o->created_by : "");
  if (o->ref != NULL)
    {
      cleanup_free char *s = image_ref_string (o->ref);
      if (image_ref_parse (s, 0, &c->ref, err) < 0)
        {
          image_commit_free (c);
          return berth_error_ret (err);
        }
    }
  *ret = c;
  return 0;
}

int
image_commit_finish (struct image_service *svc, struct image_commit *c, int tar_fd, char ret_id[DIGEST_BUF_SIZE],
                     berth_error_t *err)
{
  cleanup_store_image struct store_image *parent = NULL;
  struct image_config *cfg = c->cfg;
  struct image_history *h;
  struct store_layer layer;
  cleanup_free char *json = NULL;
  const char *top;
  bool empty = false;
  size_t len, n;
  int r;

  image_service_pin (svc);
  r = store_image_get (svc->store, c->parent, &parent, err);
  if (r == 0)
    r = image_service_layer_add (svc, parent->top_layer[0] != '\0' ? parent->top_layer : NULL, tar_fd, NULL, NULL,
                                 &layer, err);
  if (r < 0)
    {
      image_service_unpin (svc, true);
      return berth_error_wrap (err, "commit");
    }
  /* moby records no layer for an unchanged container, only history */
  empty = strcmp (layer.diff_id, EMPTY_TAR_DIFF_ID) == 0;
  top = empty ? parent->top_layer : layer.chain_id;

  free (cfg->created);
  cfg->created = image_service_now ();
  free (cfg->author);
  cfg->author = c->author != NULL ? xstrdup (c->author) : NULL;
  if (!empty)
    {
      n = image_strv_len (cfg->diff_ids);
      cfg->diff_ids = xrealloc (cfg->diff_ids, (n + 2) * sizeof (char *));
      cfg->diff_ids[n] = xstrdup (layer.diff_id);
      cfg->diff_ids[n + 1] = NULL;
    }
  cfg->history = xrealloc (cfg->history, (cfg->n_history + 1) * sizeof (*cfg->history));
  h = &cfg->history[cfg->n_history++];
  memset (h, 0, sizeof (*h));
  h->created = xstrdup (cfg->created);
  h->created_by = xstrdup (c->created_by);
  h->author = c->author != NULL ? xstrdup (c->author) : NULL;
  h->comment = c->comment != NULL ? xstrdup (c->comment) : NULL;
  h->empty_layer = empty;
  json = image_config_emit (cfg, &len);
  r = image_service_image_add (svc, json, len, NULL, top[0] != '\0' ? top : NULL, ret_id, err);
  if (r == 0)
    r = store_image_set_parent (svc->store, ret_id, c->parent, err);
  if (r == 0 && c->ref != NULL)
    r = image_service_tag (svc, c->ref, ret_id, NULL, err);
  /* an empty layer registered on the way is nobody's: collected */
  image_service_unpin (svc, r < 0 || empty);
  if (r < 0)
    return berth_error_wrap (err, "commit");
  return 0;
}
