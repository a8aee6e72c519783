/* The build engine (see engine.h). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/build/cache.h"
#include "core/build/commit.h"
#include "core/build/copy-layer.h"
#include "core/build/copy.h"
#include "core/build/engine.h"
#include "core/build/expand.h"
#include "core/build/fetch-url.h"
#include "core/build/parser.h"
#include "core/container/archive.h"
#include "core/container/changes.h"
#include "core/container/user.h"
#include "core/image/in-root.h"
#include "core/lib/fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/lib/openat2.h"
#include "core/lib/timestamp.h"
#include "core/shim/attach.h"

struct arg
{
  char *name;
  char *value; /* NULL: declared without a value */
};

struct stage
{
  char *name; /* lower case, or NULL */
  char id[DIGEST_BUF_SIZE];
};

struct cache_source
{
  char id[DIGEST_BUF_SIZE];
  struct image_config *cfg;
  struct store_image *img;
};

struct state
{
  const struct build_deps *d;
  const struct build_opts *o;
  build_output_fn out;
  void *ud;
  const char *file;
  struct build_dockerfile *df;
  char escape;
  struct arg *meta;
  size_t n_meta;
  struct arg *args; /* the stage's */
  size_t n_args;
  char cur[DIGEST_BUF_SIZE];
  struct image_config *cfg;
  struct stage *stages;
  size_t n_stages;
  char **consumed; /* build args used */
  int context_fd;
  int step, total;
  int exit_code;
  /* --cache-from images (see cache_from_hit) */
  struct cache_source *sources;
  size_t n_sources;
  ssize_t source_pick; /* once one was used, only that one (moby); -1 */
};

static const char *const proxy_args[]
    = { "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
        "NO_PROXY",   "no_proxy",   "ALL_PROXY",   "all_proxy",   NULL };

static bool
strv_has_c (char *const *v, const char *s)
{
  for (size_t i = 0; v != NULL && v[i] != NULL; i++)
    if (strcmp (v[i], s) == 0)
      return true;
  return false;
}

static size_t
strv_len_c (char *const *v)
{
  size_t n = 0;

  while (v != NULL && v[n] != NULL)
    n++;
  return n;
}

/* a JSON array of strings (HEALTHCHECK CMD's exec form), or NULL */
static char **
parse_json_cmd (const char *s)
{
  struct build_instruction in = { 0 };
  cleanup_free char *line = xasprintf ("CMD %s", s);
  char **v = NULL;
  berth_error_t e = NULL;

  if (build_instruction_parse ("HEALTHCHECK", 0, line, '\\', &in, &e) < 0)
    {
      berth_error_release (&e);
      return NULL;
    }
  if (in.json)
    v = steal_pointer (&in.argv);
  build_instruction_clear (&in);
  return v;
}

static void say (struct state *st, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
static void
say (struct state *st, const char *fmt, ...)
{
  cleanup_free char *s = NULL;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&s, fmt, ap) < 0)
    s = NULL;
  va_end (ap);
  if (s != NULL)
    st->out (st->ud, s, strlen (s));
}

static void
args_free (struct arg *a, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (a[i].name);
      free (a[i].value);
    }
  free (a);
}

static struct arg *
args_find (struct arg *a, size_t n, const char *name)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (a[i].name, name) == 0)
      return &a[i];
  return NULL;
}

static void
args_set (struct arg **a, size_t *n, const char *name, const char *value)
{
  struct arg *x = args_find (*a, *n, name);

  if (x == NULL)
    {
      *a = xrealloc (*a, (*n + 1) * sizeof (**a));
      x = &(*a)[(*n)++];
      x->name = xstrdup (name);
      x->value = NULL;
    }
  free (x->value);
  x->value = value != NULL ? xstrdup (value) : NULL;
}

/* --build-arg NAME: its value, or NULL (*given false when not passed) */
static const char *
build_arg (struct state *st, const char *name, bool *given)
{
  json_object *v = NULL;

  *given = false;
  if (st->o->build_args == NULL || !json_object_object_get_ex (st->o->build_args, name, &v))
    return NULL;
  *given = true;
  if (!strv_has_c (st->consumed, name))
    {
      size_t n = 0;
      while (st->consumed != NULL && st->consumed[n] != NULL)
        n++;
      st->consumed = xrealloc (st->consumed, (n + 2) * sizeof (char *));
      st->consumed[n] = xstrdup (name);
      st->consumed[n + 1] = NULL;
    }
  return json_object_is_type (v, json_type_null) ? NULL : json_object_get_string (v);
}

static const char *
env_get (char *const *env, const char *name)
{
  size_t n = strlen (name);

  for (size_t i = 0; env != NULL && env[i] != NULL; i++)
    if (strncmp (env[i], name, n) == 0 && env[i][n] == '=')
      return env[i] + n + 1;
  return NULL;
}

static void
env_set (char ***env, const char *name, const char *value)
{
  size_t n = strlen (name), i;

  for (i = 0; *env != NULL && (*env)[i] != NULL; i++)
    if (strncmp ((*env)[i], name, n) == 0 && ((*env)[i][n] == '=' || (*env)[i][n] == '\0'))
      {
        free ((*env)[i]);
        (*env)[i] = xasprintf ("%s=%s", name, value);
        return;
      }
  *env = xrealloc (*env, (i + 2) * sizeof (char *));
  (*env)[i] = xasprintf ("%s=%s", name, value);
  (*env)[i + 1] = NULL;
}

/* substitution: ENV first, then the stage's ARGs */
static const char *
lookup_stage (void *ud, const char *name)
{
  struct state *st = ud;
  const char *v = env_get (st->cfg->config.env, name);
  struct arg *a;

  if (v != NULL)
    return v;
  a = args_find (st->args, st->n_args, name);
  return a != NULL ? a->value : NULL;
}

static const char *
lookup_meta (void *ud, const char *name)
{
  struct state *st = ud;
  struct arg *a = args_find (st->meta, st->n_meta, name);

  return a != NULL ? a->value : NULL;
}

static int
fail (struct state *st, const struct build_instruction *in, berth_error_t *err)
{
  return berth_error_wrap (err, "%s:%u", st->file, in->line);
}

static char *
join_words (char *const *v, const char *sep)
{
  size_t len = 1;
  char *s;

  for (size_t i = 0; v != NULL && v[i] != NULL; i++)
    len += strlen (v[i]) + strlen (sep);
  s = xmalloc0 (len);
  for (size_t i = 0; v != NULL && v[i] != NULL; i++)
    {
      if (i > 0)
        strcat (s, sep);
      strcat (s, v[i]);
    }
  return s;
}

static char **
strv_copy (char *const *v)
{
  size_t n = 0;
  char **r;

  while (v != NULL && v[n] != NULL)
    n++;
  r = xmalloc0 ((n + 1) * sizeof (char *));
  for (size_t i = 0; i < n; i++)
    r[i] = xstrdup (v[i]);
  return r;
}

static void
strv_push (char ***v, const char *s)
{
  size_t n = 0;

  while (*v != NULL && (*v)[n] != NULL)
    n++;
  *v = xrealloc (*v, (n + 2) * sizeof (char *));
  (*v)[n] = xstrdup (s);
  (*v)[n + 1] = NULL;
}

static void
print_id (struct state *st)
{
  say (st, " ---> %.12s\n", st->cur[0] != '\0' ? digest_hex (st->cur) : "scratch");
}

static bool
same_str (const char *a, const char *b)
{
  return strcmp (a != NULL ? a : "", b != NULL ? b : "") == 0;
}

static bool
same_history (const struct image_history *a, const struct image_history *b)
{
  return same_str (a->created, b->created) && same_str (a->created_by, b->created_by) && same_str (a->author, b->author)
         && same_str (a->comment, b->comment) && a->empty_layer == b->empty_layer;
}

/* moby's isValidParent: the current image (st->cfg: its history and
   layers) is a prefix of the source's */
static bool
source_extends (const struct state *st, const struct cache_source *src)
{
  const struct image_config *p = st->cfg, *t = src->cfg;
  size_t np = strv_len_c (p->diff_ids), nt = strv_len_c (t->diff_ids);

  if (t->n_history == 0)
    return false;
  if (p->n_history == 0 && np == 0)
    return true;
  if (p->n_history >= t->n_history || np > nt)
    return false;
  for (size_t i = 0; i < p->n_history; i++)
    if (!same_history (&p->history[i], &t->history[i]))
      return false;
  for (size_t i = 0; i < np; i++)
    if (strcmp (p->diff_ids[i], t->diff_ids[i]) != 0)
      return false;
  return true;
}

/* is id the source image or one of its ancestors (Parent links)? */
static bool
source_has_ancestor (struct state *st, const struct cache_source *src, const char *id)
{
  char cur[DIGEST_BUF_SIZE];

  snprintf (cur, sizeof (cur), "%s", src->id);
  for (int depth = 0; depth < 1000 && cur[0] != '\0'; depth++)
    {
      cleanup_store_image struct store_image *img = NULL;
      berth_error_t e = NULL;
      if (strcmp (cur, id) == 0)
        return true;
      if (store_image_get (image_service_store (st->d->images), cur, &img, &e) < 0)
        {
          berth_error_release (&e);
          return false;
        }
      snprintf (cur, sizeof (cur), "%s", img->parent);
    }
  return false;
}

/* The image of step `by` on top of the current one, made from a source's
   history entry and layer (moby's restoreCachedImage): the current config
   with that entry appended, its layer the source's.  0 with ret_id set, or
   -1. */
static int
source_restore (struct state *st, const struct cache_source *src, const char *by, char ret_id[DIGEST_BUF_SIZE],
                berth_error_t *err)
{
  struct image_config *c = st->cfg;
  size_t k = c->n_history, layer = 0, nd = strv_len_c (c->diff_ids);
  const struct image_history *h = &src->cfg->history[k];
  char *saved_created = c->created;
  cleanup_free char *json = NULL;
  const char *top = NULL;
  size_t len;
  int r;

  for (size_t i = 0; i < k; i++)
    if (!src->cfg->history[i].empty_layer)
      layer++;
  if (!h->empty_layer
      && (layer != nd || layer >= strv_len_c (src->cfg->diff_ids) || layer >= strv_len_c (src->img->layers)))
    return berth_error_make (err, EINVAL, "the cache source's layers do not match its history");
  if (!h->empty_layer)
    top = src->img->layers[layer];
  else if (nd > 0)
    top = src->img->layers[nd - 1];
  c->history = xrealloc (c->history, (k + 1) * sizeof (*c->history));
  c->history[k] = (struct image_history){ .created = h->created,
                                          .created_by = (char *)by,
                                          .author = h->author,
                                          .comment = h->comment,
                                          .empty_layer = h->empty_layer };
  c->n_history = k + 1;
  if (!h->empty_layer)
    {
      c->diff_ids = xrealloc (c->diff_ids, (nd + 2) * sizeof (char *));
      c->diff_ids[nd] = src->cfg->diff_ids[layer];
      c->diff_ids[nd + 1] = NULL;
    }
  c->created = h->created;
  json = image_config_emit (c, &len);
  /* back as it was: the fields borrowed above belong to the source */
  c->created = saved_created;
  c->n_history = k;
  if (!h->empty_layer)
    c->diff_ids[nd] = NULL;
  image_service_pin (st->d->images);
  r = image_service_image_add (st->d->images, json, len, NULL, top, ret_id, err);
  if (r >= 0 && st->cur[0] != '\0')
    r = store_image_set_parent (image_service_store (st->d->images), ret_id, st->cur, err);
  image_service_unpin (st->d->images, false);
  return r < 0 ? berth_error_wrap (err, "restore a step from the cache source %.19s", src->id) : 0;
}

/* --cache-from (moby's ImageCache.GetCache): a source image whose history
   extends the current image's by an entry created by this very step gives
   the step's image: the source itself when that entry is its last, else one
   restored from it.  1 with ret_id set, 0 for none. */
static int
cache_from_hit (struct state *st, const char *by, char ret_id[DIGEST_BUF_SIZE])
{
  for (size_t i = 0; i < st->n_sources; i++)
    {
      struct cache_source *src = &st->sources[i];
      berth_error_t e = NULL;
      if (st->source_pick >= 0 && (size_t)st->source_pick != i)
        continue;
      if (!source_extends (st, src) || !same_str (src->cfg->history[st->cfg->n_history].created_by, by))
        continue;
      if (src->cfg->n_history == st->cfg->n_history + 1)
        {
          if (st->cur[0] != '\0' && strcmp (src->img->parent, st->cur) != 0
              && store_image_set_parent (image_service_store (st->d->images), src->id, st->cur, &e) < 0)
            {
              log_warn ("build: --cache-from: %s", berth_error_msg (&e));
              berth_error_release (&e);
              continue;
            }
          snprintf (ret_id, DIGEST_BUF_SIZE, "%s", src->id);
          return 1;
        }
      if (source_restore (st, src, by, ret_id, &e) < 0)
        {
          log_warn ("build: --cache-from: %s", berth_error_msg (&e));
          berth_error_release (&e);
          continue;
        }
      st->source_pick = (ssize_t)i;
      return 1;
    }
  return 0;
}

/* the cached image for key, made current */
static int
cache_hit (struct state *st, const char *key, berth_error_t *err)
{
  char id[DIGEST_BUF_SIZE];
  struct image_config *cfg = NULL;
  /* the key's second line on is the step's created_by (step_key) */
  const char *by = strchr (key, '\n') != NULL ? strchr (key, '\n') + 1 : key;
  bool hit;

  if (st->o->no_cache)
    return 0;
  hit = build_cache_get (st->d->images, st->d->cache_dir, key, id);
  if (hit && st->n_sources > 0)
    {
      /* moby: with --cache-from, a local hit counts only in a source's chain */
      bool in_chain = false;
      for (size_t i = 0; i < st->n_sources && !in_chain; i++)
        in_chain = source_has_ancestor (st, &st->sources[i], id);
      hit = in_chain;
    }
  if (!hit && (st->n_sources == 0 || !cache_from_hit (st, by, id)))
    return 0;
  if (image_service_config (st->d->images, id, &cfg, NULL, err) < 0)
    {
      berth_error_release (err);
      return 0;
    }
  image_config_free (st->cfg);
  st->cfg = cfg;
  snprintf (st->cur, sizeof (st->cur), "%s", id);
  say (st, " ---> Using cache\n");
  print_id (st);
  return 1;
}

static char *
step_key (struct state *st, const char *what)
{
  return xasprintf ("parent=%s\n%s", st->cur[0] != '\0' ? st->cur : "scratch", what);
}

static char *
shell_prefix (struct state *st)
{
  if (st->cfg->config.shell != NULL && st->cfg->config.shell[0] != NULL)
    return join_words (st->cfg->config.shell, " ");
  return xstrdup ("/bin/sh -c");
}

/* a step that changes only the config */
static int
step_config (struct state *st, const char *desc, berth_error_t *err)
{
  cleanup_free char *sh = shell_prefix (st);
  cleanup_free char *by = xasprintf ("%s #(nop)  %s", sh, desc);
  cleanup_free char *key = step_key (st, by);
  char id[DIGEST_BUF_SIZE];
  int r = cache_hit (st, key, err);

  if (r != 0)
    return r < 0 ? r : 0;
  if (build_commit (st->d->images, st->cur, st->cfg, by, -1, id, err) < 0)
    return berth_error_ret (err);
  build_cache_put (st->d->cache_dir, key, id);
  snprintf (st->cur, sizeof (st->cur), "%s", id);
  print_id (st);
  return 0;
}

/* ---- containers for RUN, COPY/ADD, WORKDIR ---- */

enum action
{
  ACT_RUN,
  ACT_EXTRACT,
  ACT_MKDIR,
};

struct step
{
  enum action act;
  char **cmd;       /* RUN's argv */
  char **env;       /* RUN's environment */
  int tar_fd;       /* ACT_EXTRACT */
  const char *path; /* ACT_MKDIR */
  /* ACT_EXTRACT: makes the tar in the step's container (its root), instead
     of tar_fd */
  int (*make_tar) (void *ud, int root_fd, int *ret_fd, berth_error_t *err);
  void *make_tar_ud;
  /* ACT_EXTRACT, tried first: makes the step's layer tar itself from the
     container's root (left unchanged), with its sha256 and size; 1 when it
     leaves the step to make_tar, the extraction and the diff */
  int (*make_layer) (void *ud, int root_fd, int *ret_fd, char digest[DIGEST_BUF_SIZE], uint64_t *size,
                     berth_error_t *err);
};

static json_object *
strv_json (char *const *v)
{
  json_object *a = json_object_new_array ();

  for (size_t i = 0; v != NULL && v[i] != NULL; i++)
    json_object_array_add (a, json_object_new_string (v[i]));
  return a;
}

static json_object *
create_body (struct state *st, const struct step *s, const char *comment)
{
  json_object *b = json_object_new_object ();
  json_object *hc = json_object_new_object ();
  json_object *ep = json_object_new_array ();
  const struct image_run_config *rc = &st->cfg->config;
  const char *net = st->o->network;

  json_object_object_add (b, "Image", json_object_new_string (st->cur));
  json_object_array_add (ep, json_object_new_string (""));
  json_object_object_add (b, "Entrypoint", ep);
  if (s->act == ACT_RUN)
    json_object_object_add (b, "Cmd", strv_json (s->cmd));
  else
    {
      char *v[] = { "/bin/sh", "-c", (char *)comment, NULL };
      json_object_object_add (b, "Cmd", strv_json (v));
    }
  json_object_object_add (b, "Env", strv_json (s->act == ACT_RUN ? s->env : rc->env));
  if (rc->working_dir != NULL)
    json_object_object_add (b, "WorkingDir", json_object_new_string (rc->working_dir));
  if (rc->user != NULL)
    json_object_object_add (b, "User", json_object_new_string (rc->user));
  json_object_object_add (b, "AttachStdout", json_object_new_boolean (true));
  json_object_object_add (b, "AttachStderr", json_object_new_boolean (true));
  if (net == NULL || net[0] == '\0' || strcmp (net, "default") == 0)
    net = "bridge";
  json_object_object_add (hc, "NetworkMode", json_object_new_string (net));
  json_object_object_add (b, "HostConfig", hc);
  return b;
}

static int
read_full (int fd, void *buf, size_t len)
{
  size_t got = 0;

  while (got < len)
    {
      ssize_t n = read (fd, (char *)buf + got, len - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return got == 0 ? 0 : -1;
      got += (size_t)n;
    }
  return 1;
}

/* the container's output (frames) to the build output, until EOF */
static void
pump_output (struct state *st, int fd)
{
  unsigned char h[8];
  char buf[32 * 1024];

  while (read_full (fd, h, sizeof (h)) == 1)
    {
      size_t len = ((size_t)h[4] << 24) | ((size_t)h[5] << 16) | ((size_t)h[6] << 8) | h[7];
      while (len > 0)
        {
          size_t chunk = len < sizeof (buf) ? len : sizeof (buf);
          if (read_full (fd, buf, chunk) != 1)
            return;
          st->out (st->ud, buf, chunk);
          len -= chunk;
        }
    }
}

static int
do_mkdir (struct state *st, struct container *c, const char *path, berth_error_t *err)
{
  struct container_fs fs;
  cleanup_close int root = -1;
  int fd, r = 0;

  if (container_fs_open (st->d->containers, st->d->images, c, &fs, err) < 0)
    return berth_error_ret (err);
  root = open (fs.merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    r = berth_error_errno (err, errno, "open the container's filesystem");
  else if ((fd = in_root_open_dir (root, path[0] == '/' ? path + 1 : path, true, 0755, err)) < 0)
    r = berth_error_wrap (err, "WORKDIR %s", path);
  else
    close (fd);
  container_fs_close (&fs);
  return r;
}

/* run the step in a fresh container and commit its diff */
static int
step_container (struct state *st, const struct step *s, const char *by, const char *key, berth_error_t *err)
{
  struct container_manager *m = st->d->containers;
  json_object *body = create_body (st, s, by);
  json_object *warnings = NULL;
  cleanup_free char *cid = NULL;
  struct container *c = NULL;
  cleanup_close int diff = -1;
  char id[DIGEST_BUF_SIZE];
  char layer_digest[DIGEST_BUF_SIZE] = "";
  uint64_t layer_size = 0;
  bool ok = false, direct = false;
  int r;

  r = container_manager_create (m, NULL, body, &cid, &warnings, err);
  json_object_put (body);
  json_object_put (warnings);
  if (r < 0)
    return berth_error_wrap (err, "create the build container");
  c = container_manager_get (m, cid, err);
  if (c == NULL)
    return berth_error_ret (err);
  if (s->act == ACT_RUN)
    {
      cleanup_close int fd = -1;
      int code = 0;
      say (st, " ---> Running in %.12s\n", cid);
      fd = container_manager_attach (m, c, SHIM_ATTACH_STDOUT | SHIM_ATTACH_STDERR, err);
      if (fd < 0)
        r = berth_error_ret (err);
      if (r == 0)
        r = container_manager_start (m, c, err);
      if (r == 0)
        {
          pump_output (st, fd);
          r = container_manager_wait (m, c, CONTAINER_WAIT_NOT_RUNNING, &code, err);
        }
      if (r == 0 && code != 0)
        {
          cleanup_free char *cmd = join_words (s->cmd, " ");
          st->exit_code = code;
          r = berth_error_make (err, ECANCELED, "The command '%s' returned a non-zero code: %d", cmd, code);
        }
    }
  else if (s->act == ACT_EXTRACT)
    {
      struct container_extract_opts eo = { 0 };
      cleanup_close int made = -1;
      if (s->make_layer != NULL)
        {
          struct container_fs fs;
          r = container_fs_open (m, st->d->images, c, &fs, err);
          if (r == 0)
            {
              cleanup_close int root = open (fs.merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
              /* only where the diff would be a walk of an overlay upper dir,
                 which such a layer reproduces; vfs and btrfs diff against
                 the parent (an unchanged file is left out) */
              if (fs.upper == NULL)
                r = 1;
              else if (root < 0)
                r = berth_error_errno (err, errno, "open the build container's root");
              else
                r = s->make_layer (s->make_tar_ud, root, &diff, layer_digest, &layer_size, err);
              container_fs_close (&fs);
            }
          if (r > 0)
            r = 0; /* through the container after all */
          else if (r == 0)
            direct = true;
        }
      if (r == 0 && !direct && s->make_tar != NULL)
        {
          struct container_fs fs;
          r = container_fs_open (m, st->d->images, c, &fs, err);
          if (r == 0)
            {
              cleanup_close int root = open (fs.merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
              r = root < 0 ? berth_error_errno (err, errno, "open the build container's root")
                           : s->make_tar (s->make_tar_ud, root, &made, err);
              container_fs_close (&fs);
            }
        }
      if (r == 0 && !direct)
        r = container_archive_extract (m, c, cid, "/", s->make_tar != NULL ? made : s->tar_fd, &eo, err);
    }
  else
    r = do_mkdir (st, c, s->path, err);
  if (r == 0 && !direct)
    {
      struct container_fs fs;
      diff = open (image_service_tmp_dir (st->d->images), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
      if (diff < 0)
        r = berth_error_errno (err, errno, "create a scratch file in %s", image_service_tmp_dir (st->d->images));
      else if (container_fs_open (m, st->d->images, c, &fs, err) < 0)
        r = berth_error_ret (err);
      else
        {
          r = container_fs_diff_tar (&fs, diff, err);
          container_fs_close (&fs);
        }
    }
  if (r == 0)
    {
      if (lseek (diff, 0, SEEK_SET) < 0)
        r = berth_error_errno (err, errno, "rewind the layer diff");
      if (r == 0)
        r = build_commit_hashed (st->d->images, st->cur, st->cfg, by, diff, direct ? layer_digest : NULL, layer_size,
                                 id, err);
      ok = r == 0;
    }
  if ((ok && st->o->rm) || st->o->force_rm)
    {
      berth_error_t e2 = NULL;
      if (container_manager_remove (m, c, true, &e2) < 0)
        berth_error_release (&e2);
      else if (s->act == ACT_RUN)
        say (st, " ---> Removed intermediate container %.12s\n", cid);
    }
  container_manager_put (m, c);
  if (r < 0)
    return r;
  build_cache_put (st->d->cache_dir, key, id);
  snprintf (st->cur, sizeof (st->cur), "%s", id);
  print_id (st);
  return 0;
}

/* ---- instructions ---- */

static int
expand_words (struct state *st, const struct build_instruction *in, char ***ret, berth_error_t *err)
{
  struct build_lex lx = { st->escape, lookup_stage, st };

  if (in->json)
    {
      char **v = xmalloc0 ((strv_len_c (in->argv) + 1) * sizeof (char *));
      for (size_t i = 0; in->argv[i] != NULL; i++)
        if (build_expand_word (&lx, in->argv[i], &v[i], err) < 0)
          {
            strv_free (v);
            return fail (st, in, err);
          }
      *ret = v;
      return 0;
    }
  if (build_expand_words (&lx, in->args, ret, err) < 0)
    return fail (st, in, err);
  return 0;
}

static int
expand_one (struct state *st, const struct build_instruction *in, const char *s, char **ret, berth_error_t *err)
{
  struct build_lex lx = { st->escape, lookup_stage, st };

  if (build_expand_word (&lx, s, ret, err) < 0)
    return fail (st, in, err);
  return 0;
}

/* ENV and LABEL: name=value pairs, or the legacy "name value" */
static int
name_values (struct state *st, const struct build_instruction *in, char ***ret, berth_error_t *err)
{
  cleanup_strv char **raw = NULL;
  char **out = NULL;

  if (build_split_words_raw (in->args, st->escape, &raw, err) < 0)
    return fail (st, in, err);
  if (raw[0] != NULL && strchr (raw[0], '=') == NULL)
    {
      const char *rest = in->args + strcspn (in->args, " \t");
      cleanup_free char *v = NULL;
      rest += strspn (rest, " \t");
      if (expand_one (st, in, rest, &v, err) < 0)
        return berth_error_ret (err);
      strv_push (&out, raw[0]);
      strv_push (&out, v);
      *ret = out;
      return 0;
    }
  for (size_t i = 0; raw[i] != NULL; i++)
    {
      char *eq = strchr (raw[i], '=');
      cleanup_free char *k = NULL, *v = NULL;
      if (eq == NULL || eq == raw[i])
        {
          strv_free (out);
          return berth_error_make (err, EINVAL, "%s:%u: %s: expected name=value, got \"%s\"", st->file, in->line,
                                   in->cmd, raw[i]);
        }
      *eq = '\0';
      if (expand_one (st, in, raw[i], &k, err) < 0 || expand_one (st, in, eq + 1, &v, err) < 0)
        {
          strv_free (out);
          return berth_error_ret (err);
        }
      strv_push (&out, k);
      strv_push (&out, v);
    }
  *ret = out;
  return 0;
}

static void
set_string (char **field, const char *v)
{
  free (*field);
  *field = xstrdup (v);
}

/* the command of RUN/CMD/ENTRYPOINT/HEALTHCHECK: exec form as is, shell
   form through SHELL */
static char **
command_argv (struct state *st, const struct build_instruction *in, const char *shell_text)
{
  char **v;

  if (in->json)
    return strv_copy (in->argv);
  if (st->cfg->config.shell != NULL && st->cfg->config.shell[0] != NULL)
    v = strv_copy (st->cfg->config.shell);
  else
    {
      v = NULL;
      strv_push (&v, "/bin/sh");
      strv_push (&v, "-c");
    }
  strv_push (&v, shell_text);
  return v;
}

static int
do_run (struct state *st, const struct build_instruction *in, berth_error_t *err)
{
  cleanup_free char *text = NULL;
  cleanup_strv char **argv = NULL;
  cleanup_strv char **env = strv_copy (st->cfg->config.env);
  cleanup_free char *prefix = xstrdup ("");
  cleanup_free char *cmd = NULL, *by = NULL, *key = NULL;
  struct step s = { .act = ACT_RUN };
  size_t n_args = 0;
  int r;

  if (in->n_heredocs > 0 && strncmp (in->args, "<<", 2) == 0 && in->n_heredocs == 1
      && in->args[strcspn (in->args, " \t")] == '\0')
    text = xstrdup (in->heredocs[0].content); /* RUN <<EOF: the body is the script */
  else if (in->n_heredocs > 0)
    {
      text = xstrdup (in->args);
      for (size_t i = 0; i < in->n_heredocs; i++)
        {
          char *t = xasprintf ("%s\n%s%s", text, in->heredocs[i].content, in->heredocs[i].name);
          free (text);
          text = t;
        }
    }
  else
    text = xstrdup (in->args);
  argv = command_argv (st, in, text);
  /* build args reach RUN's environment (ENV wins) and its created_by */
  for (size_t i = 0; i < st->n_args; i++)
    if (st->args[i].value != NULL && env_get (st->cfg->config.env, st->args[i].name) == NULL)
      {
        char *p = xasprintf ("%s %s=%s", prefix, st->args[i].name, st->args[i].value);
        free (prefix);
        prefix = p;
        env_set (&env, st->args[i].name, st->args[i].value);
        n_args++;
      }
  for (size_t i = 0; proxy_args[i] != NULL; i++)
    {
      bool given;
      const char *v = build_arg (st, proxy_args[i], &given);
      if (v != NULL && env_get (env, proxy_args[i]) == NULL)
        env_set (&env, proxy_args[i], v);
    }
  cmd = join_words (argv, " ");
  by = n_args > 0 ? xasprintf ("|%zu%s %s", n_args, prefix, cmd) : xstrdup (cmd);
  key = step_key (st, by);
  r = cache_hit (st, key, err);
  if (r != 0)
    return r < 0 ? r : 0;
  s.cmd = argv;
  s.env = env;
  return step_container (st, &s, by, key, err);
}

/* the uid:gid of a --chown value, resolved in the image */
static int
resolve_chown (struct state *st, const char *spec, uint32_t *uid, uint32_t *gid, berth_error_t *err)
{
  struct container_user u = { 0 };
  char *end = NULL;
  unsigned long a, b;

  /* numeric ids need no lookup (and work FROM scratch) */
  a = strtoul (spec, &end, 10);
  if (end != spec && (*end == '\0' || *end == ':'))
    {
      b = a;
      if (*end == ':')
        {
          const char *g = end + 1;
          b = strtoul (g, &end, 10);
          if (end == g || *end != '\0')
            goto lookup;
        }
      *uid = (uint32_t)a;
      *gid = (uint32_t)b;
      return 0;
    }
lookup:
  {
    /* names: the image's /etc/passwd and /etc/group */
    struct step s = { .act = ACT_MKDIR };
    json_object *body = create_body (st, &s, "chown lookup");
    json_object *warnings = NULL;
    cleanup_free char *cid = NULL;
    struct container *c;
    struct container_fs fs;
    int r;

    r = container_manager_create (st->d->containers, NULL, body, &cid, &warnings, err);
    json_object_put (body);
    json_object_put (warnings);
    if (r < 0)
      return berth_error_ret (err);
    c = container_manager_get (st->d->containers, cid, err);
    if (c == NULL)
      return berth_error_ret (err);
    r = container_fs_open (st->d->containers, st->d->images, c, &fs, err);
    if (r == 0)
      {
        r = container_user_resolve (fs.merged, spec, &u, err);
        container_fs_close (&fs);
      }
    {
      berth_error_t e2 = NULL;
      if (container_manager_remove (st->d->containers, c, true, &e2) < 0)
        berth_error_release (&e2);
    }
    container_manager_put (st->d->containers, c);
    if (r < 0)
      return berth_error_wrap (err, "--chown=%s", spec);
    *uid = u.uid;
    *gid = u.gid;
    container_user_clear (&u);
    return 0;
  }
}

/* is path a directory in the current image? */
static bool
image_is_dir (struct state *st, const char *path)
{
  /* only asked for a path without a trailing '/': a cheap answer would
     need a mounted filesystem; a container costs as much as the step */
  struct step s = { .act = ACT_MKDIR };
  json_object *body;
  json_object *warnings = NULL;
  cleanup_free char *cid = NULL;
  struct container *c;
  struct container_fs fs;
  berth_error_t e = NULL;
  bool dir = false;

  if (st->cur[0] == '\0')
    return false;
  body = create_body (st, &s, "stat");
  if (container_manager_create (st->d->containers, NULL, body, &cid, &warnings, &e) < 0)
    {
      json_object_put (body);
      json_object_put (warnings);
      berth_error_release (&e);
      return false;
    }
  json_object_put (body);
  json_object_put (warnings);
  c = container_manager_get (st->d->containers, cid, &e);
  if (c == NULL)
    {
      berth_error_release (&e);
      return false;
    }
  if (container_fs_open (st->d->containers, st->d->images, c, &fs, &e) == 0)
    {
      cleanup_close int root = open (fs.merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
      struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
      struct stat sb;
      int fd = root >= 0 ? berth_openat2 (root, path[0] == '/' ? path + 1 : path, &how) : -1;
      if (fd >= 0 && fstat (fd, &sb) == 0)
        dir = S_ISDIR (sb.st_mode);
      if (fd >= 0)
        close (fd);
      container_fs_close (&fs);
    }
  berth_error_release (&e);
  if (container_manager_remove (st->d->containers, c, true, &e) < 0)
    berth_error_release (&e);
  container_manager_put (st->d->containers, c);
  return dir;
}

static char *
abs_path (struct state *st, const char *p)
{
  const char *wd = st->cfg->config.working_dir;

  if (p[0] == '/')
    return xstrdup (p);
  if (wd == NULL || wd[0] == '\0')
    wd = "/";
  return xasprintf ("%s%s%s", wd, wd[strlen (wd) - 1] == '/' ? "" : "/", p);
}

/* The id of the image FROM or COPY --from names: pulled when it is not
   here, or always with --pull (the legacy builder does both); an image id
   is never pulled.  A failed pull fails. */
static int
image_resolve (struct state *st, const char *name, char id[DIGEST_BUF_SIZE], berth_error_t *err)
{
  bool here = image_service_lookup (st->d->images, name, id, err) == 0;
  bool by_id = digest_is_valid (name) || digest_is_hex64 (name);

  if (here && (!st->o->pull || by_id))
    return 0;
  if (by_id || st->d->pull == NULL)
    return here ? 0 : berth_error_ret (err);
  if (!here)
    berth_error_release (err);
  if (st->d->pull (st->d->pull_ud, name, st->out, st->ud, err) < 0)
    return berth_error_wrap (err, "pull");
  return image_service_lookup (st->d->images, name, id, err);
}

/* COPY --from: the filesystem of an earlier stage or of an image, through
   a container that is never started */
struct from_root
{
  struct container *c;
  struct container_fs fs;
  bool fs_open;
  char *empty_dir; /* a stage FROM scratch without a step: nothing */
};

static void
from_root_close (struct state *st, struct from_root *fr)
{
  berth_error_t e = NULL;

  if (fr->fs_open)
    container_fs_close (&fr->fs);
  if (fr->c != NULL)
    {
      if (container_manager_remove (st->d->containers, fr->c, true, &e) < 0)
        berth_error_release (&e);
      container_manager_put (st->d->containers, fr->c);
    }
  if (fr->empty_dir != NULL)
    {
      if (berth_rm_rf (fr->empty_dir, &e) < 0)
        berth_error_release (&e);
      free (fr->empty_dir);
    }
  memset (fr, 0, sizeof (*fr));
}

/* the directory fd of --from=NAME (a stage's name or index, else an image) */
static int
from_root_open (struct state *st, const char *name, struct from_root *fr, berth_error_t *err)
{
  char id[DIGEST_BUF_SIZE] = "";
  bool found = false;
  char *end = NULL;
  unsigned long idx = strtoul (name, &end, 10);
  json_object *body, *ep, *cmd, *warnings = NULL;
  cleanup_free char *cid = NULL;
  int fd, r;

  memset (fr, 0, sizeof (*fr));
  /* the stages before the current one */
  if (name[0] >= '0' && name[0] <= '9' && *end == '\0')
    {
      if (idx + 1 >= st->n_stages)
        return berth_error_make (err, EINVAL,
                                 "invalid from flag value %s: refers to current build stage or a later one", name);
      snprintf (id, sizeof (id), "%s", st->stages[idx].id);
      found = true;
    }
  for (size_t i = 0; !found && i + 1 < st->n_stages; i++)
    if (st->stages[i].name != NULL && strcasecmp (st->stages[i].name, name) == 0)
      {
        snprintf (id, sizeof (id), "%s", st->stages[i].id);
        found = true;
      }
  if (!found && image_resolve (st, name, id, err) < 0)
    return berth_error_wrap (err, "invalid from flag value %s (not an earlier stage)", name);
  if (id[0] == '\0')
    {
      fr->empty_dir = xasprintf ("%s/build-from-XXXXXX", image_service_tmp_dir (st->d->images));
      if (mkdtemp (fr->empty_dir) == NULL)
        {
          r = berth_error_errno (err, errno, "create %s", fr->empty_dir);
          free (steal_pointer (&fr->empty_dir));
          return r;
        }
      fd = open (fr->empty_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0)
        {
          r = berth_error_errno (err, errno, "open %s", fr->empty_dir);
          from_root_close (st, fr);
          return r;
        }
      return fd;
    }
  body = json_object_new_object ();
  ep = json_object_new_array ();
  cmd = json_object_new_array ();
  json_object_array_add (ep, json_object_new_string (""));
  json_object_array_add (cmd, json_object_new_string ("true"));
  json_object_object_add (body, "Image", json_object_new_string (id));
  json_object_object_add (body, "Entrypoint", ep);
  json_object_object_add (body, "Cmd", cmd);
  r = container_manager_create (st->d->containers, NULL, body, &cid, &warnings, err);
  json_object_put (body);
  json_object_put (warnings);
  if (r < 0)
    return berth_error_wrap (err, "--from=%s", name);
  fr->c = container_manager_get (st->d->containers, cid, err);
  if (fr->c == NULL)
    return berth_error_ret (err);
  if (container_fs_open (st->d->containers, st->d->images, fr->c, &fr->fs, err) < 0)
    {
      from_root_close (st, fr);
      return berth_error_wrap (err, "--from=%s", name);
    }
  fr->fs_open = true;
  fd = open (fr->fs.merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      r = berth_error_errno (err, errno, "open the filesystem of %s", name);
      from_root_close (st, fr);
      return r;
    }
  return fd;
}

/* ADD <URL>...: each URL downloaded into a private directory (*tmpdir,
   opened as *root_fd) under the name the file gets; its word in words
   becomes that name.  1 when it downloaded, 0 when no source is a URL. */
static int
fetch_urls (struct state *st, const struct build_instruction *in, char **words, bool dest_is_dir, char **tmpdir,
            int *root_fd, berth_error_t *err)
{
  const char *checksum = build_instruction_flag (in, "checksum", NULL);
  size_t urls = 0, n = 0;

  for (n = 0; words[n] != NULL; n++)
    if (build_fetch_is_url (words[n]))
      urls++;
  if (urls == 0)
    {
      if (checksum != NULL)
        return berth_error_make (err, EINVAL, "ADD --checksum is only supported for URL sources");
      return 0;
    }
  if (urls != n || in->n_heredocs > 0)
    return berth_error_make (err, EINVAL,
                             "ADD mixes URLs with other sources: use one ADD for the URLs and another for the rest");
  if (checksum != NULL && urls > 1)
    return berth_error_make (err, EINVAL, "ADD --checksum needs a single URL source");
  *tmpdir = xasprintf ("%s/build-url-XXXXXX", image_service_tmp_dir (st->d->images));
  if (mkdtemp (*tmpdir) == NULL)
    {
      int e = errno;
      free (steal_pointer (tmpdir));
      return berth_error_errno (err, e, "create a directory for ADD's downloads");
    }
  *root_fd = open (*tmpdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (*root_fd < 0)
    return berth_error_errno (err, errno, "open %s", *tmpdir);
  for (size_t i = 0; i < n; i++)
    {
      char digest[DIGEST_BUF_SIZE];
      char *name = NULL;
      say (st, "Downloading %s\n", words[i]);
      if (build_fetch_url (words[i], checksum, *root_fd, &name, digest, err) < 0)
        return berth_error_ret (err);
      if (name == NULL && dest_is_dir)
        return berth_error_make (err, EINVAL,
                                 "cannot determine a file name from the URL %s: give ADD a destination file name "
                                 "(not a directory)",
                                 words[i]);
      free (words[i]);
      words[i] = name != NULL ? name : xstrdup ("download");
    }
  return 1;
}

struct copy_tar
{
  struct state *st;
  struct build_copy_opts *o;
  struct build_copy **bc;
  const char *dest;
};

/* whether a destination without a trailing '/' is a directory of the
   image is answered in the step's container, without a container of its
   own */
static int
copy_settle_dest (struct copy_tar *ct, int root_fd, berth_error_t *err)
{
  if (!ct->o->dest_is_dir)
    {
      struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
      cleanup_close int pfd = berth_openat2 (root_fd, ct->dest[0] == '/' ? ct->dest + 1 : ct->dest, &how);
      struct stat sb;
      if (pfd >= 0 && fstat (pfd, &sb) == 0 && S_ISDIR (sb.st_mode))
        {
          /* the sources go below that directory */
          ct->o->dest_is_dir = true;
          build_copy_free (steal_pointer (ct->bc));
          if (build_copy_collect (ct->o, ct->bc, err) < 0)
            return berth_error_ret (err);
        }
    }
  return 0;
}

/* COPY's layer straight from the sources (core/build/copy-layer.c): no
   extraction into the container, no diff of it, no second hash */
static int
copy_make_layer (void *ud, int root_fd, int *ret_fd, char digest[DIGEST_BUF_SIZE], uint64_t *size, berth_error_t *err)
{
  struct copy_tar *ct = ud;
  cleanup_close int fd = -1;
  int r;

  if (copy_settle_dest (ct, root_fd, err) < 0)
    return berth_error_ret (err);
  fd = open (image_service_tmp_dir (ct->st->d->images), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    return berth_error_errno (err, errno, "create a scratch file");
  r = build_copy_layer (root_fd, *ct->bc, ct->dest, ct->o->dest_is_dir, fd, digest, size, err);
  if (r != 0)
    return r;
  *ret_fd = steal_fd (&fd);
  return 0;
}

/* COPY's sources as a tar, made in the step's container */
static int
copy_make_tar (void *ud, int root_fd, int *ret_fd, berth_error_t *err)
{
  struct copy_tar *ct = ud;
  cleanup_close int fd = -1;

  if (copy_settle_dest (ct, root_fd, err) < 0)
    return berth_error_ret (err);
  fd = open (image_service_tmp_dir (ct->st->d->images), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    return berth_error_errno (err, errno, "create a scratch file");
  if (build_copy_tar (*ct->bc, fd, err) < 0)
    return berth_error_ret (err);
  if (lseek (fd, 0, SEEK_SET) < 0)
    return berth_error_errno (err, errno, "rewind the sources' tar");
  *ret_fd = steal_fd (&fd);
  return 0;
}

static int
do_copy (struct state *st, const struct build_instruction *in, bool add, berth_error_t *err)
{
  const char *what = add ? "ADD" : "COPY";
  cleanup_strv char **words = NULL;
  cleanup_free char *dest = NULL, *by = NULL, *key = NULL, *tmpdir = NULL;
  const char *from = build_instruction_flag (in, "from", NULL);
  const char *chown = build_instruction_flag (in, "chown", NULL);
  const char *chmod = build_instruction_flag (in, "chmod", NULL);
  struct build_copy_opts o = { .root_fd = st->context_fd, .add = add, .what = what };
  struct build_copy *bc = NULL;
  struct from_root fr = { 0 };
  char hash[DIGEST_BUF_SIZE];
  size_t n;
  int r;

  if (expand_words (st, in, &words, err) < 0)
    return berth_error_ret (err);
  n = 0;
  while (words[n] != NULL)
    n++;
  if (in->n_heredocs > 0)
    {
      /* COPY <<EOF /dest: the bodies become files of a private context */
      tmpdir = xasprintf ("%s/build-heredoc-XXXXXX", image_service_tmp_dir (st->d->images));
      if (mkdtemp (tmpdir) == NULL)
        return berth_error_errno (err, errno, "create %s", tmpdir);
      for (size_t i = 0; i < in->n_heredocs; i++)
        {
          cleanup_free char *p = xasprintf ("%s/%s", tmpdir, in->heredocs[i].name);
          cleanup_free char *body = NULL;
          struct build_lex lx = { st->escape, lookup_stage, st };
          if (strchr (in->heredocs[i].name, '/') != NULL)
            return berth_error_make (err, EINVAL, "%s:%u: a heredoc name cannot hold '/'", st->file, in->line);
          if (in->heredocs[i].expand)
            {
              if (build_expand_raw (&lx, in->heredocs[i].content, &body, err) < 0)
                return fail (st, in, err);
            }
          else
            body = xstrdup (in->heredocs[i].content);
          if (berth_write_file_replace (p, body, strlen (body), 0644, err) < 0)
            return berth_error_ret (err);
        }
      o.root_fd = open (tmpdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
      /* the words that are not heredoc markers name the destination */
      {
        char **kept = NULL;
        for (size_t i = 0; words[i] != NULL; i++)
          if (strncmp (words[i], "<<", 2) != 0)
            strv_push (&kept, words[i]);
        for (size_t i = 0; i < in->n_heredocs; i++)
          {
            char **v = NULL;
            strv_push (&v, in->heredocs[i].name);
            for (size_t j = 0; kept != NULL && kept[j] != NULL; j++)
              strv_push (&v, kept[j]);
            strv_free (kept);
            kept = v;
          }
        strv_free (words);
        words = kept;
        n = 0;
        while (words[n] != NULL)
          n++;
      }
    }
  if (n < 2)
    return berth_error_make (err, EINVAL, "%s:%u: %s requires at least two arguments", st->file, in->line, what);
  dest = abs_path (st, words[n - 1]);
  free (words[n - 1]);
  words[n - 1] = NULL;
  o.sources = words;
  o.dest = dest;
  o.dest_is_dir = dest[strlen (dest) - 1] == '/' || n > 2 || strcmp (dest, "/") == 0;
  if (chmod != NULL && build_parse_chmod (chmod, &o.mode, err) < 0)
    return fail (st, in, err);
  o.chmod = chmod != NULL;
  if (chown != NULL)
    {
      cleanup_free char *spec = NULL;
      if (expand_one (st, in, chown, &spec, err) < 0 || resolve_chown (st, spec, &o.uid, &o.gid, err) < 0)
        return fail (st, in, err);
      o.chown = true;
    }
  if (from != NULL)
    {
      cleanup_free char *name = NULL;
      if (add)
        return berth_error_make (err, EINVAL, "%s:%u: ADD does not take --from (COPY does)", st->file, in->line);
      if (in->n_heredocs > 0)
        return berth_error_make (err, EINVAL, "%s:%u: COPY --from cannot copy heredocs", st->file, in->line);
      if (expand_one (st, in, from, &name, err) < 0)
        return berth_error_ret (err);
      o.root_fd = from_root_open (st, name, &fr, err);
      if (o.root_fd < 0)
        return fail (st, in, err);
    }
  /* COPY: the cache key names the destination as written (with the parent
     image in the key, whether it is a directory there is settled); the
     step's own container answers it when the step runs (copy_make_tar) */
  if (!o.dest_is_dir && add)
    o.dest_is_dir = image_is_dir (st, dest);
  r = add ? fetch_urls (st, in, words, o.dest_is_dir, &tmpdir, &o.root_fd, err) : 0;
  if (r > 0)
    {
      o.add = false; /* Docker never unpacks what it downloads */
      r = 0;
    }
  if (r == 0)
    {
      if (o.root_fd == st->context_fd)
        o.digests = st->o->digests;
      r = build_copy_collect (&o, &bc, err);
    }
  if (r == 0)
    r = build_copy_hash (bc, hash, err);
  if (r == 0)
    {
      by = xasprintf ("/bin/sh -c #(nop) %s %s in %s %s%s%s%s", what, build_copy_kind (bc), dest,
                      chown != NULL ? "--chown=" : "", chown != NULL ? chown : "", chmod != NULL ? " --chmod=" : "",
                      chmod != NULL ? chmod : "");
      key = step_key (st, by);
      r = cache_hit (st, key, err);
      if (r == 0)
        {
          struct copy_tar ct = { st, &o, &bc, dest };
          struct step s = { .act = ACT_EXTRACT,
                            .tar_fd = -1,
                            .make_tar = copy_make_tar,
                            .make_tar_ud = &ct,
                            .make_layer = copy_make_layer };
          r = step_container (st, &s, by, key, err);
        }
      else if (r > 0)
        r = 0;
    }
  build_copy_free (bc);
  if (o.root_fd != st->context_fd && o.root_fd >= 0)
    close (o.root_fd);
  from_root_close (st, &fr);
  if (tmpdir != NULL)
    {
      berth_error_t e2 = NULL;
      if (berth_rm_rf (tmpdir, &e2) < 0)
        berth_error_release (&e2);
    }
  if (r < 0)
    return fail (st, in, err);
  return 0;
}

static int
parse_duration_flag (struct state *st, const struct build_instruction *in, const char *name, int64_t *ret,
                     berth_error_t *err)
{
  const char *v = build_instruction_flag (in, name, NULL);

  if (v == NULL)
    return 0;
  if (berth_duration_parse (v, ret) < 0 || *ret < 0)
    return berth_error_make (err, EINVAL, "%s:%u: HEALTHCHECK --%s=%s: expected a duration such as 30s", st->file,
                             in->line, name, v);
  return 0;
}

static int dispatch (struct state *st, const struct build_instruction *in, berth_error_t *err);

static int
do_from (struct state *st, const struct build_instruction *in, berth_error_t *err)
{
  struct build_lex lx = { st->escape, lookup_meta, st };
  cleanup_strv char **w = NULL;
  const char *platform = build_instruction_flag (in, "platform", NULL);
  char id[DIGEST_BUF_SIZE];

  if (build_expand_words (&lx, in->args, &w, err) < 0)
    return fail (st, in, err);
  if (w[0] == NULL || (w[1] != NULL && (w[2] == NULL || w[3] != NULL)))
    return berth_error_make (err, EINVAL, "%s:%u: FROM requires either one or three arguments", st->file, in->line);
  if (platform != NULL)
    {
      cleanup_free char *want = xasprintf ("linux/%s", image_service_host_arch ());
      cleanup_free char *p = NULL;
      if (build_expand_word (&lx, platform, &p, err) < 0)
        return fail (st, in, err);
      if (strcmp (p, want) != 0 && strcmp (p, "linux") != 0)
        return berth_error_make (err, ENOTSUP, "%s:%u: FROM --platform=%s: only %s can be built here", st->file,
                                 in->line, p, want);
    }
  args_free (st->args, st->n_args);
  st->args = NULL;
  st->n_args = 0;
  image_config_free (st->cfg);
  st->cfg = NULL;
  for (size_t i = 0; i < st->n_stages; i++)
    if (st->stages[i].name != NULL && strcasecmp (st->stages[i].name, w[0]) == 0)
      {
        snprintf (st->cur, sizeof (st->cur), "%s", st->stages[i].id);
        if (st->cur[0] == '\0')
          st->cfg = build_scratch_config ();
        break;
      }
  if (st->cfg == NULL && st->cur[0] == '\0' && strcmp (w[0], "scratch") == 0)
    st->cfg = build_scratch_config ();
  else if (st->cfg == NULL)
    {
      bool stage = false;
      for (size_t i = 0; i < st->n_stages && !stage; i++)
        stage = st->stages[i].name != NULL && strcasecmp (st->stages[i].name, w[0]) == 0;
      if (!stage)
        {
          if (image_resolve (st, w[0], id, err) < 0)
            return berth_error_wrap (err, "%s:%u: FROM %s", st->file, in->line, w[0]);
          snprintf (st->cur, sizeof (st->cur), "%s", id);
        }
      if (image_service_config (st->d->images, st->cur, &st->cfg, NULL, err) < 0)
        return fail (st, in, err);
    }
  st->stages = xrealloc (st->stages, (st->n_stages + 1) * sizeof (*st->stages));
  st->stages[st->n_stages].name = NULL;
  st->stages[st->n_stages].id[0] = '\0';
  if (w[1] != NULL)
    {
      st->stages[st->n_stages].name = xstrdup (w[2]);
      for (char *p = st->stages[st->n_stages].name; *p != '\0'; p++)
        *p = (char)tolower ((unsigned char)*p);
    }
  st->n_stages++;
  print_id (st);
  /* the base image's ONBUILD triggers run now, and are not inherited */
  if (st->cfg->config.onbuild != NULL && st->cfg->config.onbuild[0] != NULL)
    {
      cleanup_strv char **trig = st->cfg->config.onbuild;
      size_t n = 0;
      st->cfg->config.onbuild = NULL;
      while (trig[n] != NULL)
        n++;
      say (st, "# Executing %zu build trigger%s\n", n, n == 1 ? "" : "s");
      for (size_t i = 0; i < n; i++)
        {
          struct build_instruction t = { 0 };
          int r;
          if (build_instruction_parse (st->file, in->line, trig[i], st->escape, &t, err) < 0)
            return berth_error_wrap (err, "ONBUILD trigger");
          r = dispatch (st, &t, err);
          build_instruction_clear (&t);
          if (r < 0)
            return r;
        }
    }
  return 0;
}

static int
dispatch (struct state *st, const struct build_instruction *in, berth_error_t *err)
{
  /* NULL before the first FROM (which is all that may come then) */
  struct image_run_config *rc = st->cfg != NULL ? &st->cfg->config : NULL;
  const char *c = in->cmd;
  cleanup_strv char **w = NULL;
  cleanup_free char *desc = NULL;

  if (strcmp (c, "run") == 0)
    return do_run (st, in, err);
  if (strcmp (c, "copy") == 0 || strcmp (c, "add") == 0)
    return do_copy (st, in, c[0] == 'a', err);
  if (strcmp (c, "env") == 0 || strcmp (c, "label") == 0)
    {
      cleanup_free char *list = xstrdup ("");
      if (name_values (st, in, &w, err) < 0)
        return berth_error_ret (err);
      for (size_t i = 0; w[i] != NULL; i += 2)
        {
          char *l;
          if (w[i][0] == '\0')
            return berth_error_make (err, EINVAL, "%s:%u: %s names can not be blank", st->file, in->line,
                                     c[0] == 'e' ? "ENV" : "LABEL");
          if (c[0] == 'e')
            env_set (&rc->env, w[i], w[i + 1]);
          else
            {
              size_t k;
              for (k = 0; k < rc->n_labels && strcmp (rc->labels[k].key, w[i]) != 0; k++)
                ;
              if (k == rc->n_labels)
                {
                  rc->labels = xrealloc (rc->labels, (rc->n_labels + 1) * sizeof (*rc->labels));
                  rc->labels[k].key = xstrdup (w[i]);
                  rc->labels[k].value = NULL;
                  rc->n_labels++;
                }
              set_string (&rc->labels[k].value, w[i + 1]);
            }
          l = xasprintf ("%s%s%s=%s", list, list[0] != '\0' ? " " : "", w[i], w[i + 1]);
          free (list);
          list = l;
        }
      desc = xasprintf ("%s %s", c[0] == 'e' ? "ENV" : "LABEL", list);
      return step_config (st, desc, err);
    }
  if (strcmp (c, "arg") == 0)
    {
      cleanup_strv char **raw = NULL;
      if (build_split_words_raw (in->args, st->escape, &raw, err) < 0)
        return fail (st, in, err);
      for (size_t i = 0; raw[i] != NULL; i++)
        {
          char *eq = strchr (raw[i], '=');
          cleanup_free char *name = NULL, *dflt = NULL;
          const char *v;
          bool given;
          struct arg *meta;
          if (eq != NULL)
            {
              *eq = '\0';
              if (expand_one (st, in, eq + 1, &dflt, err) < 0)
                return berth_error_ret (err);
            }
          name = xstrdup (raw[i]);
          if (name[0] == '\0')
            return berth_error_make (err, EINVAL, "%s:%u: ARG requires a name", st->file, in->line);
          v = build_arg (st, name, &given);
          if (!given || v == NULL)
            {
              v = dflt;
              meta = args_find (st->meta, st->n_meta, name);
              if (v == NULL && meta != NULL)
                v = meta->value;
            }
          args_set (&st->args, &st->n_args, name, v);
        }
      desc = xasprintf ("ARG %s", in->args);
      return step_config (st, desc, err);
    }
  if (strcmp (c, "workdir") == 0)
    {
      cleanup_free char *p = NULL, *dir = NULL, *by = NULL, *key = NULL;
      struct step s = { .act = ACT_MKDIR };
      int r;
      if (expand_one (st, in, in->args, &p, err) < 0)
        return berth_error_ret (err);
      dir = abs_path (st, p);
      set_string (&rc->working_dir, dir);
      by = xasprintf ("/bin/sh -c #(nop) WORKDIR %s", dir);
      key = step_key (st, by);
      r = cache_hit (st, key, err);
      if (r != 0)
        return r < 0 ? r : 0;
      if (st->cur[0] == '\0')
        return step_config (st, by + strlen ("/bin/sh -c #(nop) "), err);
      s.path = dir;
      return step_container (st, &s, by, key, err);
    }
  if (strcmp (c, "user") == 0 || strcmp (c, "stopsignal") == 0)
    {
      cleanup_free char *v = NULL;
      if (expand_one (st, in, in->args, &v, err) < 0)
        return berth_error_ret (err);
      set_string (c[0] == 'u' ? &rc->user : &rc->stop_signal, v);
      desc = xasprintf ("%s %s", c[0] == 'u' ? "USER" : "STOPSIGNAL", v);
      return step_config (st, desc, err);
    }
  if (strcmp (c, "expose") == 0 || strcmp (c, "volume") == 0)
    {
      bool expose = c[0] == 'e';
      if (expand_words (st, in, &w, err) < 0)
        return berth_error_ret (err);
      for (size_t i = 0; w[i] != NULL; i++)
        {
          cleanup_free char *k = NULL;
          char ***set = expose ? &rc->exposed_ports : &rc->volumes;
          bool have = false;
          if (expose)
            k = strchr (w[i], '/') != NULL ? xstrdup (w[i]) : xasprintf ("%s/tcp", w[i]);
          else
            k = xstrdup (w[i]);
          if (k[0] == '\0')
            return berth_error_make (err, EINVAL, "%s:%u: VOLUME specified can not be an empty string", st->file,
                                     in->line);
          for (size_t j = 0; *set != NULL && (*set)[j] != NULL && !have; j++)
            have = strcmp ((*set)[j], k) == 0;
          if (!have)
            strv_push (set, k);
        }
      {
        cleanup_free char *list = join_words (w, " ");
        desc = expose ? xasprintf ("EXPOSE map[%s]", list) : xasprintf ("VOLUME [%s]", list);
      }
      return step_config (st, desc, err);
    }
  if (strcmp (c, "cmd") == 0 || strcmp (c, "entrypoint") == 0)
    {
      char **argv = command_argv (st, in, in->args);
      cleanup_free char *j = join_words (argv, "\" \"");
      if (c[0] == 'c')
        {
          strv_free (rc->cmd);
          rc->cmd = argv;
          desc = xasprintf ("CMD [\"%s\"]", j);
        }
      else
        {
          strv_free (rc->entrypoint);
          rc->entrypoint = argv;
          /* Docker: ENTRYPOINT resets a CMD inherited from the base */
          strv_free (rc->cmd);
          rc->cmd = NULL;
          desc = xasprintf ("ENTRYPOINT [\"%s\"]", j);
        }
      rc->args_escaped = false;
      return step_config (st, desc, err);
    }
  if (strcmp (c, "shell") == 0)
    {
      cleanup_free char *j = join_words (in->argv, "\" \"");
      strv_free (rc->shell);
      rc->shell = strv_copy (in->argv);
      desc = xasprintf ("SHELL [\"%s\"]", j);
      return step_config (st, desc, err);
    }
  if (strcmp (c, "maintainer") == 0)
    {
      set_string (&st->cfg->author, in->args);
      desc = xasprintf ("MAINTAINER %s", in->args);
      return step_config (st, desc, err);
    }
  if (strcmp (c, "onbuild") == 0)
    {
      strv_push (&rc->onbuild, in->args);
      desc = xasprintf ("ONBUILD %s", in->args);
      return step_config (st, desc, err);
    }
  if (strcmp (c, "healthcheck") == 0)
    {
      struct image_healthcheck *h = &rc->healthcheck;
      const char *rest = in->args + 4;
      const char *retries = build_instruction_flag (in, "retries", NULL);
      cleanup_free char *j = NULL;
      strv_free (h->test);
      memset (h, 0, sizeof (*h));
      if (strncasecmp (in->args, "none", 4) == 0)
        {
          strv_push (&h->test, "NONE");
          return step_config (st, "HEALTHCHECK NONE", err);
        }
      if (parse_duration_flag (st, in, "interval", &h->interval, err) < 0
          || parse_duration_flag (st, in, "timeout", &h->timeout, err) < 0
          || parse_duration_flag (st, in, "start-period", &h->start_period, err) < 0
          || parse_duration_flag (st, in, "start-interval", &h->start_interval, err) < 0)
        return berth_error_ret (err);
      if (retries != NULL)
        {
          char *end = NULL;
          long v = strtol (retries, &end, 10);
          if (retries[0] == '\0' || *end != '\0' || v < 0)
            return berth_error_make (err, EINVAL, "%s:%u: HEALTHCHECK --retries=%s: expected a whole number", st->file,
                                     in->line, retries);
          h->retries = v;
        }
      while (isspace ((unsigned char)*rest))
        rest++;
      {
        char **v = NULL;
        char **p = parse_json_cmd (rest);
        if (p != NULL)
          {
            strv_push (&v, "CMD");
            for (size_t i = 0; p[i] != NULL; i++)
              strv_push (&v, p[i]);
            strv_free (p);
          }
        else
          {
            strv_push (&v, "CMD-SHELL");
            strv_push (&v, rest);
          }
        h->test = v;
      }
      j = join_words (h->test, "\" \"");
      desc = xasprintf ("HEALTHCHECK &{[\"%s\"]}", j);
      return step_config (st, desc, err);
    }
  if (strcmp (c, "from") == 0)
    return do_from (st, in, err);
  return berth_error_make (err, EINVAL, "%s:%u: unknown instruction: %s", st->file, in->line, in->cmd);
}

/* ---- the whole build ---- */

static int
read_dockerfile (struct state *st, char **ret, size_t *ret_len, berth_error_t *err)
{
  struct open_how how = { .flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
  const char *p = st->file;
  cleanup_close int fd = -1;
  size_t len = 0, cap = 4096;
  char *buf;

  while (*p == '/')
    p++;
  fd = berth_openat2 (st->context_fd, p, &how);
  if (fd < 0)
    return berth_error_errno (err, errno, "Cannot locate specified Dockerfile: %s", st->file);
  buf = xmalloc (cap);
  for (;;)
    {
      ssize_t n;
      if (len + 1 >= cap)
        {
          if (cap > BUILD_DOCKERFILE_MAX_SIZE + 2)
            break;
          cap *= 2;
          buf = xrealloc (buf, cap);
        }
      n = read (fd, buf + len, cap - len - 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          free (buf);
          return berth_error_errno (err, errno, "read %s", st->file);
        }
      if (n == 0)
        break;
      len += (size_t)n;
    }
  buf[len] = '\0';
  *ret = buf;
  *ret_len = len;
  return 0;
}

static int
meta_args (struct state *st, size_t *pos, berth_error_t *err)
{
  struct build_lex lx = { st->escape, lookup_meta, st };
  size_t i;

  for (i = 0; i < st->df->n && strcmp (st->df->ins[i].cmd, "from") != 0; i++)
    {
      const struct build_instruction *in = &st->df->ins[i];
      cleanup_strv char **raw = NULL;
      if (strcmp (in->cmd, "arg") != 0)
        return berth_error_make (err, EINVAL,
                                 "%s:%u: expected FROM before %s (only ARG may come before the first FROM)", st->file,
                                 in->line, in->cmd);
      if (build_split_words_raw (in->args, st->escape, &raw, err) < 0)
        return fail (st, in, err);
      for (size_t k = 0; raw[k] != NULL; k++)
        {
          char *eq = strchr (raw[k], '=');
          cleanup_free char *dflt = NULL;
          const char *v;
          bool given;
          if (eq != NULL)
            {
              *eq = '\0';
              if (build_expand_word (&lx, eq + 1, &dflt, err) < 0)
                return fail (st, in, err);
            }
          v = build_arg (st, raw[k], &given);
          args_set (&st->meta, &st->n_meta, raw[k], given && v != NULL ? v : dflt);
        }
    }
  if (i == st->df->n)
    return berth_error_make (err, EINVAL, "%s: no FROM instruction (a build needs at least one stage)", st->file);
  *pos = i;
  return 0;
}

/* the index after the last instruction to run */
static int
target_end (struct state *st, size_t first, size_t *ret, berth_error_t *err)
{
  bool found = false;

  *ret = st->df->n;
  if (st->o->target == NULL || st->o->target[0] == '\0')
    return 0;
  for (size_t i = first; i < st->df->n; i++)
    {
      const struct build_instruction *in = &st->df->ins[i];
      if (strcmp (in->cmd, "from") != 0)
        continue;
      if (found)
        {
          *ret = i;
          return 0;
        }
      {
        cleanup_strv char **w = NULL;
        if (build_split_words_raw (in->args, st->escape, &w, err) < 0)
          return fail (st, in, err);
        found = w[0] != NULL && w[1] != NULL && w[2] != NULL && strcasecmp (w[2], st->o->target) == 0;
      }
    }
  if (!found)
    return berth_error_make (err, EINVAL, "failed to reach build target %s in Dockerfile", st->o->target);
  return 0;
}

static char *
labels_instruction (json_object *labels)
{
  char *s = xstrdup ("LABEL");

  json_object_object_foreach (labels, k, v)
  {
    /* quoted so that the parser gives the value back as is */
    cleanup_free char *q = xstrdup ("");
    const char *val = json_object_get_string (v);
    char *n;
    for (const char *p = val != NULL ? val : ""; *p != '\0'; p++)
      {
        char *t = xasprintf ("%s%s%c", q, (*p == '"' || *p == '\\' || *p == '$') ? "\\" : "", *p);
        free (q);
        q = t;
      }
    n = xasprintf ("%s \"%s\"=\"%s\"", s, k, q);
    free (s);
    s = n;
  }
  return s;
}

/* the --cache-from images; moby skips the ones it cannot find (with a
   line in its log), so does this */
static void
cache_sources_load (struct state *st)
{
  for (size_t i = 0; st->o->cache_from != NULL && st->o->cache_from[i] != NULL; i++)
    {
      struct cache_source src = { 0 };
      berth_error_t e = NULL;
      if (image_service_lookup (st->d->images, st->o->cache_from[i], src.id, &e) < 0
          || image_service_config (st->d->images, src.id, &src.cfg, NULL, &e) < 0
          || store_image_get (image_service_store (st->d->images), src.id, &src.img, &e) < 0)
        {
          log_warn ("build: --cache-from %s: %s (not used)", st->o->cache_from[i], berth_error_msg (&e));
          berth_error_release (&e);
          image_config_free (src.cfg);
          continue;
        }
      st->sources = xrealloc (st->sources, (st->n_sources + 1) * sizeof (*st->sources));
      st->sources[st->n_sources++] = src;
    }
}

int
build_run (const struct build_deps *d, const struct build_opts *o, build_output_fn out, void *ud,
           char ret_id[DIGEST_BUF_SIZE], int *ret_code, berth_error_t *err)
{
  struct state st = { .d = d, .o = o, .out = out, .ud = ud };
  cleanup_free char *text = NULL;
  struct build_instruction extra = { 0 };
  size_t len = 0, first = 0, end = 0;
  int r;

  *ret_code = 0;
  st.source_pick = -1;
  cache_sources_load (&st);
  st.file = o->dockerfile != NULL && o->dockerfile[0] != '\0' ? o->dockerfile : "Dockerfile";
  st.context_fd = open (o->context_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (st.context_fd < 0)
    return berth_error_errno (err, errno, "open the build context");
  r = read_dockerfile (&st, &text, &len, err);
  if (r == 0)
    r = build_dockerfile_parse (st.file, text, len, &st.df, err);
  if (r == 0)
    {
      st.escape = st.df->escape;
      r = meta_args (&st, &first, err);
    }
  if (r == 0)
    r = target_end (&st, first, &end, err);
  if (r == 0 && o->labels != NULL && json_object_object_length (o->labels) > 0)
    {
      cleanup_free char *line = labels_instruction (o->labels);
      r = build_instruction_parse (st.file, 0, line, '\\', &extra, err);
    }
  st.total = (int)(end - first) + (extra.cmd != NULL ? 1 : 0);
  for (size_t i = first; r == 0 && i < end + (extra.cmd != NULL ? 1 : 0); i++)
    {
      const struct build_instruction *in = i < end ? &st.df->ins[i] : &extra;
      say (&st, "Step %d/%d : %s\n", ++st.step, st.total, in->text);
      r = dispatch (&st, in, err);
      if (r == 0)
        snprintf (st.stages[st.n_stages - 1].id, DIGEST_BUF_SIZE, "%s", st.cur);
    }
  if (r == 0 && st.cur[0] == '\0')
    r = berth_error_make (err, EINVAL, "No image was generated. Is your Dockerfile empty?");
  if (r == 0 && o->build_args != NULL)
    {
      cleanup_free char *unused = xstrdup ("");
      json_object_object_foreach (o->build_args, k, v)
      {
        bool proxy = false;
        (void)v;
        for (size_t i = 0; proxy_args[i] != NULL && !proxy; i++)
          proxy = strcmp (proxy_args[i], k) == 0;
        if (!proxy && !strv_has_c (st.consumed, k))
          {
            char *n = xasprintf ("%s%s%s", unused, unused[0] != '\0' ? " " : "", k);
            free (unused);
            unused = n;
          }
      }
      if (unused[0] != '\0')
        say (&st, "[Warning] One or more build-args [%s] were not consumed\n", unused);
    }
  if (r == 0)
    snprintf (ret_id, DIGEST_BUF_SIZE, "%s", st.cur);
  *ret_code = st.exit_code;
  build_instruction_clear (&extra);
  build_dockerfile_free (st.df);
  args_free (st.meta, st.n_meta);
  args_free (st.args, st.n_args);
  for (size_t i = 0; i < st.n_stages; i++)
    free (st.stages[i].name);
  free (st.stages);
  strv_free (st.consumed);
  image_config_free (st.cfg);
  for (size_t i = 0; i < st.n_sources; i++)
    {
      image_config_free (st.sources[i].cfg);
      store_image_free (st.sources[i].img);
    }
  free (st.sources);
  close (st.context_fd);
  return r;
}
