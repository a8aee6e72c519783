#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/daemon/daemon.h"
#include "core/daemon/events.h"
#include "core/daemon/filters.h"
#include "core/daemon/images.h"
#include "core/image/service.h"
#include "core/lib/mem.h"
#include "core/plugin/registry.h"
#include "core/volume/service.h"

/* moby prints this for a tag time it never recorded */
#define ZERO_TIME "0001-01-01T00:00:00Z"

int64_t
berth_image_created_unix (const char *s)
{
  struct tm tm;
  const char *rest;
  int64_t t;

  if (s == NULL)
    return 0;
  memset (&tm, 0, sizeof (tm));
  rest = strptime (s, "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == NULL)
    return 0;
  t = (int64_t)timegm (&tm);
  if (*rest == '.')
    for (rest++; *rest >= '0' && *rest <= '9'; rest++)
      ;
  if ((*rest == '+' || *rest == '-') && strlen (rest) >= 6)
    {
      int64_t off = ((rest[1] - '0') * 10 + (rest[2] - '0')) * 3600 + ((rest[4] - '0') * 10 + (rest[5] - '0')) * 60;
      t += *rest == '+' ? -off : off;
    }
  return t;
}

static struct image_service *
svc_of (struct berthd *d)
{
  return d->images;
}

/* ---- references of an image ---- */

struct image_refs
{
  char **tags;    /* familiar "busybox:latest" */
  char **digests; /* familiar "busybox@sha256:..." */
  struct image_ref **parsed;
  size_t n_tags, n_digests, n_parsed;
};

static void
strv_add (char ***v, size_t *n, char *s)
{
  *v = xrealloc (*v, (*n + 2) * sizeof (char *));
  (*v)[(*n)++] = s;
  (*v)[*n] = NULL;
}

static int
collect_ref (void *ud, const char *ref, const char *image_id)
{
  struct image_refs *r = ud;
  struct image_ref *p = NULL;

  (void)image_id;
  if (image_ref_parse (ref, 0, &p, NULL) < 0)
    return 0;
  if (p->digest != NULL)
    strv_add (&r->digests, &r->n_digests, image_ref_familiar_string (p));
  else
    strv_add (&r->tags, &r->n_tags, image_ref_familiar_string (p));
  r->parsed = xrealloc (r->parsed, (r->n_parsed + 1) * sizeof (*r->parsed));
  r->parsed[r->n_parsed++] = p;
  return 0;
}

static void
image_refs_load (struct image_service *svc, const char *id, struct image_refs *r)
{
  memset (r, 0, sizeof (*r));
  store_tag_list (image_service_store (svc), id, collect_ref, r, NULL);
}

static void
image_refs_clear (struct image_refs *r)
{
  strv_free (r->tags);
  strv_free (r->digests);
  for (size_t i = 0; i < r->n_parsed; i++)
    image_ref_free (r->parsed[i]);
  free (r->parsed);
  memset (r, 0, sizeof (*r));
}

static struct json_object *
strv_json (char *const *v)
{
  struct json_object *a = json_object_new_array ();
  for (size_t i = 0; v != NULL && v[i] != NULL; i++)
    json_object_array_add (a, json_object_new_string (v[i]));
  return a;
}

static struct json_object *
labels_json (const struct image_config *cfg)
{
  struct json_object *o;

  if (cfg == NULL || cfg->config.n_labels == 0)
    return NULL;
  o = json_object_new_object ();
  for (size_t i = 0; i < cfg->config.n_labels; i++)
    json_object_object_add (o, cfg->config.labels[i].key, json_object_new_string (cfg->config.labels[i].value));
  return o;
}

/* ImageSummary; tags/digests given (they may be filtered) */
static struct json_object *
image_summary (struct image_service *svc, const struct store_image *img, const struct image_config *cfg,
               char *const *tags, char *const *digests, int64_t shared, int64_t containers)
{
  struct json_object *o = json_object_new_object ();

  json_object_object_add (o, "Containers", json_object_new_int64 (containers));
  json_object_object_add (o, "Created",
                          json_object_new_int64 (berth_image_created_unix (cfg != NULL ? cfg->created : NULL)));
  json_object_object_add (o, "Id", json_object_new_string (img->id));
  json_object_object_add (o, "Labels", labels_json (cfg));
  json_object_object_add (o, "ParentId", json_object_new_string (img->parent));
  json_object_object_add (o, "RepoDigests", strv_json (digests));
  json_object_object_add (o, "RepoTags", strv_json (tags));
  json_object_object_add (o, "SharedSize", json_object_new_int64 (shared));
  json_object_object_add (o, "Size", json_object_new_int64 (image_service_image_size (svc, img)));
  return o;
}

/* ---- GET /images/json ---- */

static bool
label_matches (const struct image_config *cfg, char *const *want)
{
  for (size_t i = 0; want != NULL && want[i] != NULL; i++)
    {
      const char *eq = strchr (want[i], '=');
      cleanup_free char *key = eq != NULL ? xstrndup (want[i], (size_t)(eq - want[i])) : xstrdup (want[i]);
      const char *v = cfg != NULL ? image_kv_get (cfg->config.labels, cfg->config.n_labels, key) : NULL;
      if (v == NULL || (eq != NULL && strcmp (v, eq + 1) != 0))
        return false;
    }
  return true;
}

/* reference.FamiliarMatch: the pattern against the familiar string, then the familiar name */
static bool
ref_matches (const struct image_ref *ref, char *const *patterns)
{
  cleanup_free char *s = image_ref_familiar_string (ref);
  cleanup_free char *name = image_ref_familiar_name (ref);

  for (size_t i = 0; patterns[i] != NULL; i++)
    if (fnmatch (patterns[i], s, FNM_PATHNAME) == 0 || fnmatch (patterns[i], name, FNM_PATHNAME) == 0)
      return true;
  return false;
}

struct list_ctx
{
  struct image_service *svc;
  struct berth_filters *filters;
  int dangling;
  int64_t before, since; /* created bounds; 0 = none */
  bool with_shared;      /* system df */
  char **parents;        /* without all=1: ids that are some image's Parent */
  size_t n_parents;
  struct json_object *out;
};

static int
collect_parent (void *ud, const struct store_image *img)
{
  struct list_ctx *c = ud;

  if (img->parent[0] != '\0')
    strv_add (&c->parents, &c->n_parents, xstrdup (img->parent));
  return 0;
}

static bool
is_parent (const struct list_ctx *c, const char *id)
{
  for (size_t i = 0; i < c->n_parents; i++)
    if (strcmp (c->parents[i], id) == 0)
      return true;
  return false;
}

static int64_t
shared_size (struct image_service *svc, const struct store_image *img)
{
  int64_t total = 0;

  for (size_t i = 0; img->layers != NULL && img->layers[i] != NULL; i++)
    {
      struct store_layer l;
      if (store_layer_get (image_service_store (svc), img->layers[i], &l, NULL) == 0 && l.refcount > 1)
        total += l.size;
    }
  return total;
}

static int
list_one (void *ud, const struct store_image *img)
{
  struct list_ctx *c = ud;
  cleanup_image_config struct image_config *cfg = NULL;
  struct image_refs refs;
  char *const *patterns = berth_filters_get (c->filters, "reference");
  cleanup_strv char **tags = NULL;
  cleanup_strv char **digests = NULL;
  size_t nt = 0, nd = 0;
  int64_t created;

  image_service_config (c->svc, img->id, &cfg, NULL, NULL);
  created = berth_image_created_unix (cfg != NULL ? cfg->created : NULL);
  if (!label_matches (cfg, berth_filters_get (c->filters, "label")))
    return 0;
  if ((c->before != 0 && created >= c->before) || (c->since != 0 && created <= c->since))
    return 0;
  image_refs_load (c->svc, img->id, &refs);
  for (size_t i = 0; i < refs.n_parsed; i++)
    {
      if (patterns != NULL && !ref_matches (refs.parsed[i], patterns))
        continue;
      if (refs.parsed[i]->digest != NULL)
        strv_add (&digests, &nd, image_ref_familiar_string (refs.parsed[i]));
      else
        strv_add (&tags, &nt, image_ref_familiar_string (refs.parsed[i]));
    }
  if (refs.n_parsed == 0)
    {
      /* dangling: hidden by dangling=false and by a reference filter;
         untagged parents (a build's intermediate steps) unless all=1, as Docker */
      if (c->dangling == 0 || patterns != NULL || is_parent (c, img->id))
        goto out;
    }
  else if (patterns != NULL && nt == 0 && nd == 0)
    goto out;
  else if (c->dangling == 1 && refs.n_tags > 0)
    goto out;
  json_object_array_add (c->out,
                         image_summary (c->svc, img, cfg, tags, digests,
                                        c->with_shared ? shared_size (c->svc, img) : -1, c->with_shared ? 0 : -1));
out:
  image_refs_clear (&refs);
  return 0;
}

static int
by_created_desc (const void *a, const void *b)
{
  struct json_object *x = *(struct json_object *const *)a, *y = *(struct json_object *const *)b;
  struct json_object *cx = NULL, *cy = NULL;
  int64_t tx, ty;

  json_object_object_get_ex (x, "Created", &cx);
  json_object_object_get_ex (y, "Created", &cy);
  tx = json_object_get_int64 (cx);
  ty = json_object_get_int64 (cy);
  if (tx != ty)
    return tx > ty ? -1 : 1;
  json_object_object_get_ex (x, "Id", &cx);
  json_object_object_get_ex (y, "Id", &cy);
  return strcmp (json_object_get_string (cx), json_object_get_string (cy));
}

/* before=/since= name an image; its creation time is the bound */
static int
time_of_image (struct image_service *svc, char *const *v, int64_t *ret, berth_error_t *err)
{
  cleanup_image_config struct image_config *cfg = NULL;
  char id[DIGEST_BUF_SIZE];

  *ret = 0;
  if (v == NULL || v[0] == NULL)
    return 0;
  if (image_service_lookup (svc, v[0], id, err) < 0 || image_service_config (svc, id, &cfg, NULL, err) < 0)
    return berth_error_ret (err);
  *ret = berth_image_created_unix (cfg->created);
  return 0;
}

static int
list_images (struct image_service *svc, struct berth_filters *filters, bool with_shared, bool all,
             struct json_object **ret, berth_error_t *err)
{
  struct list_ctx c = { .svc = svc, .filters = filters, .with_shared = with_shared };
  int r;

  if (berth_filters_bool (filters, "dangling", &c.dangling, err) < 0
      || time_of_image (svc, berth_filters_get (filters, "before"), &c.before, err) < 0
      || time_of_image (svc, berth_filters_get (filters, "since"), &c.since, err) < 0)
    return berth_error_ret (err);
  if (!all && store_image_list (image_service_store (svc), collect_parent, &c, err) < 0)
    {
      strv_free (c.parents);
      return berth_error_ret (err);
    }
  c.out = json_object_new_array ();
  r = store_image_list (image_service_store (svc), list_one, &c, err);
  strv_free (c.parents);
  if (r < 0)
    {
      json_object_put (c.out);
      return berth_error_ret (err);
    }
  json_object_array_sort (c.out, by_created_desc);
  *ret = c.out;
  return 0;
}

static int
handle_list (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  static const char *const accepted[] = { "dangling", "label", "before", "since", "reference", "until", NULL };
  struct berth_filters *filters = NULL;
  struct json_object *out = NULL;
  int r;

  if (berth_filters_parse (req, accepted, &filters, err) < 0)
    return berth_error_ret (err);
  r = list_images (svc_of (d), filters, false, berth_request_query_bool (req, "all"), &out, err);
  berth_filters_free (filters);
  if (r < 0)
    return r;
  berth_response_json (resp, 200, out);
  return 0;
}

/* ---- GET /images/{name}/json ---- */

static int
add_metadata (void *ud, const char *key, const char *value)
{
  json_object_object_add (ud, key, json_object_new_string (value != NULL ? value : ""));
  return 0;
}

static struct json_object *
graph_driver (struct image_service *svc, const struct store_image *img)
{
  struct berth_driver *drv = image_service_driver (svc);
  struct json_object *g = json_object_new_object ();
  struct json_object *data = json_object_new_object ();
  struct store_layer top;

  json_object_object_add (g, "Name", json_object_new_string (drv->name));
  if (img->top_layer[0] != '\0' && drv->ops.storage.metadata != NULL
      && store_layer_get (image_service_store (svc), img->top_layer, &top, NULL) == 0)
    {
      berth_error_t e = NULL;
      if (drv->ops.storage.metadata (drv->drv, top.storage_id, add_metadata, data, &e) < 0)
        berth_error_release (&e);
    }
  json_object_object_add (g, "Data", data);
  return g;
}

static void
copy_field (struct json_object *dst, const char *dkey, struct json_object *src, const char *skey, bool keep_null)
{
  struct json_object *v = NULL;

  if (json_object_object_get_ex (src, skey, &v) && v != NULL)
    json_object_object_add (dst, dkey, json_object_get (v));
  else if (keep_null)
    json_object_object_add (dst, dkey, NULL);
}

static const char *
raw_string (struct json_object *raw, const char *key)
{
  struct json_object *v = NULL;
  return json_object_object_get_ex (raw, key, &v) && json_object_is_type (v, json_type_string)
             ? json_object_get_string (v)
             : "";
}

static int
handle_inspect (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  struct image_service *svc = svc_of (d);
  cleanup_store_image struct store_image *img = NULL;
  cleanup_image_config struct image_config *cfg = NULL;
  struct json_object *raw = NULL;
  struct json_object *o, *rootfs, *meta;
  struct image_refs refs;
  char id[DIGEST_BUF_SIZE];

  if (image_service_lookup (svc, berth_request_capture (req, "name"), id, err) < 0
      || store_image_get (image_service_store (svc), id, &img, err) < 0
      || image_service_config (svc, id, &cfg, &raw, err) < 0)
    return berth_error_ret (err);
  image_refs_load (svc, id, &refs);
  o = json_object_new_object ();
  json_object_object_add (o, "Id", json_object_new_string (id));
  json_object_object_add (o, "RepoTags", strv_json (refs.tags));
  json_object_object_add (o, "RepoDigests", strv_json (refs.digests));
  json_object_object_add (o, "Parent", json_object_new_string (img->parent));
  {
    /* moby: the config's comment, else the last history entry's (commit) */
    const char *comment = raw_string (raw, "comment");
    if (comment[0] == '\0' && cfg->n_history > 0 && cfg->history[cfg->n_history - 1].comment != NULL)
      comment = cfg->history[cfg->n_history - 1].comment;
    json_object_object_add (o, "Comment", json_object_new_string (comment));
  }
  json_object_object_add (o, "Created", json_object_new_string (cfg->created != NULL ? cfg->created : ""));
  json_object_object_add (o, "DockerVersion", json_object_new_string (raw_string (raw, "docker_version")));
  json_object_object_add (o, "Author", json_object_new_string (cfg->author != NULL ? cfg->author : ""));
  copy_field (o, "Config", raw, "config", true);
  json_object_object_add (o, "Architecture", json_object_new_string (cfg->architecture));
  if (cfg->variant != NULL)
    json_object_object_add (o, "Variant", json_object_new_string (cfg->variant));
  json_object_object_add (o, "Os", json_object_new_string (cfg->os));
  if (cfg->os_version != NULL)
    json_object_object_add (o, "OsVersion", json_object_new_string (cfg->os_version));
  json_object_object_add (o, "Size", json_object_new_int64 (image_service_image_size (svc, img)));
  json_object_object_add (o, "GraphDriver", graph_driver (svc, img));
  rootfs = json_object_new_object ();
  json_object_object_add (rootfs, "Type", json_object_new_string ("layers"));
  json_object_object_add (rootfs, "Layers", strv_json (cfg->diff_ids));
  json_object_object_add (o, "RootFS", rootfs);
  meta = json_object_new_object ();
  json_object_object_add (meta, "LastTagTime",
                          json_object_new_string (img->last_tag_time != NULL ? img->last_tag_time : ZERO_TIME));
  json_object_object_add (o, "Metadata", meta);
  image_refs_clear (&refs);
  json_object_put (raw);
  berth_response_json (resp, 200, o);
  return 0;
}

/* ---- GET /images/{name}/history ---- */

static int
handle_history (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  struct image_service *svc = svc_of (d);
  cleanup_store_image struct store_image *img = NULL;
  cleanup_image_config struct image_config *cfg = NULL;
  struct json_object *items = json_object_new_array ();
  struct json_object *out = json_object_new_array ();
  struct image_refs refs;
  char id[DIGEST_BUF_SIZE];
  size_t layer = 0;

  if (image_service_lookup (svc, berth_request_capture (req, "name"), id, err) < 0
      || store_image_get (image_service_store (svc), id, &img, err) < 0
      || image_service_config (svc, id, &cfg, NULL, err) < 0)
    {
      json_object_put (items);
      json_object_put (out);
      return berth_error_ret (err);
    }
  for (size_t i = 0; i < cfg->n_history; i++)
    {
      const struct image_history *h = &cfg->history[i];
      struct json_object *o = json_object_new_object ();
      int64_t size = 0;

      if (!h->empty_layer)
        {
          struct store_layer l;
          if (img->layers != NULL && layer < image_strv_len (img->layers)
              && store_layer_get (image_service_store (svc), img->layers[layer], &l, NULL) == 0)
            size = l.size;
          layer++;
        }
      json_object_object_add (o, "Comment", json_object_new_string (h->comment != NULL ? h->comment : ""));
      json_object_object_add (o, "Created", json_object_new_int64 (berth_image_created_unix (h->created)));
      json_object_object_add (o, "CreatedBy", json_object_new_string (h->created_by != NULL ? h->created_by : ""));
      json_object_object_add (o, "Id", json_object_new_string ("<missing>"));
      json_object_object_add (o, "Size", json_object_new_int64 (size));
      json_object_object_add (o, "Tags", NULL);
      json_object_array_add (items, o);
    }
  {
    /* as moby: newest entry first, named after the image, the next after its
       Parent (a commit's base), and so on while parents are known */
    char cur[DIGEST_BUF_SIZE];
    snprintf (cur, sizeof (cur), "%s", id);
    for (size_t i = json_object_array_length (items); i > 0; i--)
      {
        struct json_object *o = json_object_get (json_object_array_get_idx (items, i - 1));
        if (cur[0] != '\0')
          {
            struct store_image *anc = NULL;
            image_refs_load (svc, cur, &refs);
            json_object_object_add (o, "Id", json_object_new_string (cur));
            json_object_object_add (o, "Tags", refs.n_tags > 0 ? strv_json (refs.tags) : NULL);
            image_refs_clear (&refs);
            if (store_image_get (image_service_store (svc), cur, &anc, NULL) == 0)
              snprintf (cur, sizeof (cur), "%s", anc->parent);
            else
              cur[0] = '\0';
            store_image_free (anc);
          }
        json_object_array_add (out, o);
      }
  }
  json_object_put (items);
  berth_response_json (resp, 200, out);
  return 0;
}

/* ---- POST /images/{name}/tag ---- */

static int
handle_tag (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  struct image_service *svc = svc_of (d);
  const char *repo = berth_request_query (req, "repo");
  const char *tag = berth_request_query (req, "tag");
  cleanup_image_ref struct image_ref *ref = NULL;
  char id[DIGEST_BUF_SIZE];

  if (repo == NULL || repo[0] == '\0')
    return berth_error_make (err, EINVAL, "repository name (repo) is required");
  if (image_ref_parse (repo, 0, &ref, err) < 0)
    return berth_error_ret (err);
  if (ref->digest != NULL)
    return berth_error_make (err, EINVAL, "refusing to create a tag with a digest reference");
  if (tag != NULL && tag[0] != '\0')
    {
      if (!image_ref_tag_valid (tag))
        return berth_error_make (err, EINVAL, "invalid tag format");
      free (ref->tag);
      ref->tag = xstrdup (tag);
    }
  if (ref->tag == NULL)
    ref->tag = xstrdup (IMAGE_REF_DEFAULT_TAG_NAME);
  if (image_service_lookup (svc, berth_request_capture (req, "name"), id, err) < 0
      || image_service_tag (svc, ref, id, NULL, err) < 0)
    return berth_error_ret (err);
  {
    cleanup_free char *name = image_ref_familiar_string (ref);
    berth_events_image (d->events, "tag", id, name);
  }
  berth_response_text (resp, 201, "text/plain; charset=utf-8", "");
  return 0;
}

/* ---- DELETE /images/{name} ---- */

static int
handle_delete (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  struct json_object *items = json_object_new_array ();
  char id[DIGEST_BUF_SIZE] = "";

  if (image_service_lookup (svc_of (d), berth_request_capture (req, "name"), id, NULL) < 0)
    id[0] = '\0';
  if (image_service_remove (svc_of (d), berth_request_capture (req, "name"), berth_request_query_bool (req, "force"),
                            items, err)
      < 0)
    {
      json_object_put (items);
      return berth_error_ret (err);
    }
  if (id[0] != '\0')
    berth_events_image_removed (d->events, id, items);
  berth_response_json (resp, 200, items);
  return 0;
}

/* ---- POST /images/prune ---- */

struct prune_filter
{
  struct image_service *svc;
  struct berth_filters *filters;
  int64_t until;
};

static bool
prune_keep (void *ud, const struct store_image *img)
{
  struct prune_filter *p = ud;
  cleanup_image_config struct image_config *cfg = NULL;
  char *const *neg = berth_filters_get (p->filters, "label!");

  image_service_config (p->svc, img->id, &cfg, NULL, NULL);
  if (!label_matches (cfg, berth_filters_get (p->filters, "label")))
    return true;
  for (size_t i = 0; neg != NULL && neg[i] != NULL; i++)
    {
      char *const one[] = { neg[i], NULL };
      if (label_matches (cfg, one))
        return true;
    }
  if (p->until != 0 && berth_image_created_unix (cfg != NULL ? cfg->created : NULL) >= p->until)
    return true;
  return false;
}

/* "until": unix seconds (optionally with a fraction) or an RFC 3339 time */
static int
parse_until (char *const *v, int64_t *ret, berth_error_t *err)
{
  char *end;

  *ret = 0;
  if (v == NULL || v[0] == NULL)
    return 0;
  *ret = strtoll (v[0], &end, 10);
  if (end != v[0] && (*end == '\0' || *end == '.'))
    return 0;
  *ret = berth_image_created_unix (v[0]);
  if (*ret == 0)
    return berth_error_make (err, EINVAL, "invalid filter 'until=%s': not a timestamp", v[0]);
  return 0;
}

static int
handle_prune (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  static const char *const accepted[] = { "dangling", "label", "label!", "until", NULL };
  struct prune_filter p = { .svc = svc_of (d) };
  struct json_object *items = json_object_new_array ();
  struct json_object *o;
  int64_t reclaimed = 0;
  int dangling, r;

  if (berth_filters_parse (req, accepted, &p.filters, err) < 0)
    {
      json_object_put (items);
      return berth_error_ret (err);
    }
  r = berth_filters_bool (p.filters, "dangling", &dangling, err);
  if (r == 0)
    r = parse_until (berth_filters_get (p.filters, "until"), &p.until, err);
  if (r == 0)
    r = image_service_prune (p.svc, dangling == 0, prune_keep, &p, items, &reclaimed, err);
  berth_filters_free (p.filters);
  if (r < 0)
    {
      json_object_put (items);
      return r;
    }
  o = json_object_new_object ();
  if (json_object_array_length (items) > 0)
    json_object_object_add (o, "ImagesDeleted", items);
  else
    {
      json_object_put (items);
      json_object_object_add (o, "ImagesDeleted", NULL);
    }
  json_object_object_add (o, "SpaceReclaimed", json_object_new_int64 (reclaimed));
  berth_response_json (resp, 200, o);
  return 0;
}

/* ---- GET /system/df ---- */

static int
sum_layer (void *ud, const struct store_layer *l)
{
  if (l->ready)
    *(int64_t *)ud += l->size;
  return 0;
}

static bool
wants (char *const *types, const char *type)
{
  if (types == NULL || types[0] == NULL)
    return true;
  for (size_t i = 0; types[i] != NULL; i++)
    if (strcmp (types[i], type) == 0)
      return true;
  return false;
}

static int
handle_df (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  static const char *const known[] = { "container", "image", "volume", "build-cache", NULL };
  cleanup_strv char **types = berth_request_query_all (req, "type");
  struct json_object *o = json_object_new_object ();
  struct json_object *images = NULL;
  int64_t layers = 0;

  for (size_t i = 0; types[i] != NULL; i++)
    {
      bool ok = false;
      for (size_t k = 0; known[k] != NULL; k++)
        ok = ok || strcmp (known[k], types[i]) == 0;
      if (!ok)
        {
          json_object_put (o);
          return berth_error_make (err, EINVAL, "unknown object type: %s", types[i]);
        }
    }
  if (wants (types, "image"))
    {
      if (list_images (svc_of (d), NULL, true, true, &images, err) < 0)
        {
          json_object_put (o);
          return berth_error_ret (err);
        }
      store_layer_list (image_service_store (svc_of (d)), sum_layer, &layers, NULL);
    }
  json_object_object_add (o, "LayersSize", json_object_new_int64 (layers));
  json_object_object_add (o, "Images", images);
  /* containers and the build cache are not counted yet */
  json_object_object_add (o, "Containers", wants (types, "container") ? json_object_new_array () : NULL);
  json_object_object_add (o, "Volumes",
                          wants (types, "volume") ? volume_service_list (d->volumes, true) : NULL);
  json_object_object_add (o, "BuildCache", wants (types, "build-cache") ? json_object_new_array () : NULL);
  berth_response_json (resp, 200, o);
  return 0;
}

static const struct berth_route image_routes[] = {
  { "GET", "/images/json", BERTH_BODY_IGNORE, handle_list },
  { "GET", "/images/{name}/json", BERTH_BODY_IGNORE, handle_inspect },
  { "GET", "/images/{name}/history", BERTH_BODY_IGNORE, handle_history },
  { "POST", "/images/{name}/tag", BERTH_BODY_IGNORE, handle_tag },
  { "DELETE", "/images/{name}", BERTH_BODY_IGNORE, handle_delete },
  { "POST", "/images/prune", BERTH_BODY_IGNORE, handle_prune },
  { "GET", "/system/df", BERTH_BODY_IGNORE, handle_df },
};

void
berth_image_routes (struct berth_router *r)
{
  berth_router_add (r, image_routes, sizeof (image_routes) / sizeof (image_routes[0]));
}
