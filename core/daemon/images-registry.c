/* Registry routes: pulls (POST /images/create?fromImage=, reached from
   images-archive.c) and pushes (POST /images/{name}/push), with Docker's
   JSON progress streams; credentials from X-Registry-Auth; POST /auth. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/daemon/daemon.h"
#include "core/daemon/events.h"
#include "core/daemon/images.h"
#include "core/image/service.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/config/config.h"
#include "core/registry/auth.h"
#include "core/registry/credentials.h"
#include "core/registry/pull.h"
#include "core/registry/push.h"
#include "core/registry/tls.h"

#define JSON_STREAM_TYPE "application/json"
#define BAR_WIDTH 50

struct progress_out
{
  struct berth_request *req;
  struct berth_response *resp;
  bool client_gone;
};

/* go-units HumanSize: 4 significant digits, decimal units ("1.234MB") */
static void
human_size (int64_t n, char *buf, size_t len)
{
  static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
  double v = (double)n;
  size_t u = 0;

  while (v >= 1000.0 && u + 1 < sizeof (units) / sizeof (units[0]))
    {
      v /= 1000.0;
      u++;
    }
  snprintf (buf, len, "%.4g%s", v, units[u]);
}

/* moby's JSONProgress.String(): "[=====>      ] 1.2MB/3.4MB" */
static char *
progress_bar (int64_t current, int64_t total)
{
  char cur[32], tot[32], bar[BAR_WIDTH + 1];
  int filled;

  human_size (current, cur, sizeof (cur));
  if (total <= 0)
    return xstrdup (cur);
  human_size (total, tot, sizeof (tot));
  filled = (int)(current * BAR_WIDTH / total);
  if (filled > BAR_WIDTH)
    filled = BAR_WIDTH;
  for (int i = 0; i < BAR_WIDTH; i++)
    bar[i] = i < filled ? '=' : i == filled ? '>' : ' ';
  bar[BAR_WIDTH] = '\0';
  return xasprintf ("[%s] %s/%s", bar, cur, tot);
}

static void
send_json (struct progress_out *o, json_object *msg)
{
  berth_error_t err = NULL;

  if (o->client_gone)
    return;
  if (!berth_response_streaming (o->req)
      && berth_response_stream_begin (o->req, o->resp, 200, JSON_STREAM_TYPE, &err) < 0)
    {
      log_error ("%s", berth_error_msg (&err));
      berth_error_release (&err);
      o->client_gone = true;
      return;
    }
  /* a client that left does not stop the pull (moby finishes it too) */
  if (berth_response_stream_json (o->req, msg, &err) < 0)
    {
      o->client_gone = true;
      berth_error_release (&err);
    }
}

static void
on_progress (void *ud, const char *id, const char *status, int64_t current, int64_t total)
{
  json_object *msg = json_object_new_object ();

  json_object_object_add (msg, "status", json_object_new_string (status));
  if (current >= 0)
    {
      json_object *detail = json_object_new_object ();
      cleanup_free char *bar = progress_bar (current, total);
      json_object_object_add (detail, "current", json_object_new_int64 (current));
      if (total > 0)
        json_object_object_add (detail, "total", json_object_new_int64 (total));
      json_object_object_add (msg, "progressDetail", detail);
      json_object_object_add (msg, "progress", json_object_new_string (bar));
    }
  else if (id != NULL && strcmp (status, "Pulling fs layer") != 0 && strncmp (status, "Pulling from", 12) != 0)
    json_object_object_add (msg, "progressDetail", json_object_new_object ());
  if (id != NULL)
    json_object_object_add (msg, "id", json_object_new_string (id));
  send_json (ud, msg);
  json_object_put (msg);
}

static void
send_status (struct progress_out *o, const char *prefix, const char *text)
{
  cleanup_free char *status = xasprintf ("%s%s", prefix, text);
  json_object *msg = json_object_new_object ();

  json_object_object_add (msg, "status", json_object_new_string (status));
  send_json (o, msg);
  json_object_put (msg);
}

/* The daemon's TLS settings for registries (the config may have been
   replaced since the last request), and the request's credentials. */
static int
registry_setup (struct berthd *d, struct berth_request *req, struct registry_credentials **ret_creds,
                berth_error_t *err)
{
  registry_tls_configure ((const char *const *)d->cfg->insecure_registries, d->cfg->registry_certs_dir);
  if (ret_creds == NULL)
    return 0;
  return registry_credentials_from_header (berth_request_header (req, "X-Registry-Auth"), ret_creds, err);
}

/* fromImage (may hold a tag or digest) + tag (a tag or a digest) */
static int
pull_ref (const char *from_image, const char *tag, struct image_ref **ret, berth_error_t *err)
{
  struct image_ref *ref = NULL;

  if (image_ref_parse (from_image, 0, &ref, err) < 0)
    return berth_error_ret (err);
  if (tag != NULL && tag[0] != '\0')
    {
      if (strncmp (tag, DIGEST_PREFIX, DIGEST_PREFIX_LEN) == 0 || strchr (tag, ':') != NULL)
        {
          if (digest_validate (tag, err) < 0)
            {
              image_ref_free (ref);
              return berth_error_ret (err);
            }
          free (ref->digest);
          ref->digest = xstrdup (tag);
          free (ref->tag);
          ref->tag = NULL;
        }
      else if (!image_ref_tag_valid (tag))
        {
          image_ref_free (ref);
          return berth_error_make (err, EINVAL, "invalid tag format: %s", tag);
        }
      else
        {
          free (ref->tag);
          ref->tag = xstrdup (tag);
        }
    }
  /* no tag at all: every tag of the repository (docker pull --all-tags) */
  *ret = ref;
  return 0;
}

/* The daemon's registry settings for a pull or push.  BERTH_DOCKER_IO_ENDPOINT
   ("http://127.0.0.1:5000") stands in for docker.io: for tests only
   (docs/registry.md). */
static void
registry_settings (struct berthd *d, struct registry_pull_opts *opts, char **ret_blob_sources)
{
  *ret_blob_sources = xasprintf ("%s/image/registry-blobs.json", d->cfg->data_root);
  opts->blob_sources = *ret_blob_sources;
  opts->max_downloads = d->cfg->max_concurrent_downloads;
  opts->mirrors = (const char *const *)d->cfg->registry_mirrors;
  opts->docker_io_endpoint = getenv ("BERTH_DOCKER_IO_ENDPOINT");
}

/* docker pull --all-tags: each tag of the repository in turn, one final
   status for the repository */
static int
pull_all_tags (struct berthd *d, struct image_ref *ref, struct registry_pull_opts *opts, struct progress_out *o,
               berth_error_t *err)
{
  cleanup_strv char **tags = NULL;
  cleanup_free char *name = image_ref_familiar_name (ref);
  bool newer = false;

  if (registry_list_tags (ref, opts, &tags, err) < 0)
    return berth_error_ret (err);
  if (tags[0] == NULL)
    return berth_error_make (err, ENOENT, "repository %s has no tags", name);
  for (size_t i = 0; tags[i] != NULL; i++)
    {
      struct registry_pull_result res;
      cleanup_free char *familiar = NULL;

      free (ref->tag);
      ref->tag = xstrdup (tags[i]);
      familiar = image_ref_familiar_string (ref);
      if (registry_pull (d->images, ref, opts, &res, err) < 0)
        return berth_error_wrap (err, "%s", familiar);
      berth_events_image (d->events, "pull", familiar, familiar);
      send_status (o, "Digest: ", res.manifest_digest);
      newer = newer || !res.up_to_date;
    }
  send_status (o, newer ? "Status: Downloaded newer image for " : "Status: Image is up to date for ", name);
  return 0;
}

int
berth_image_pull (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  cleanup_image_ref struct image_ref *ref = NULL;
  struct progress_out o = { req, resp, false };
  struct registry_pull_opts opts = { 0 };
  struct registry_pull_result res;
  cleanup_free char *familiar = NULL;
  cleanup_registry_credentials struct registry_credentials *creds = NULL;
  cleanup_free char *blob_sources = NULL;
  bool all_tags;
  int r;

  if (pull_ref (berth_request_query (req, "fromImage"), berth_request_query (req, "tag"), &ref, err) < 0)
    return berth_error_ret (err);
  if (registry_setup (d, req, &creds, err) < 0)
    return berth_error_ret (err);
  opts.credentials = creds;
  opts.platform = berth_request_query (req, "platform");
  opts.progress = on_progress;
  opts.progress_ud = &o;
  registry_settings (d, &opts, &blob_sources);
  familiar = image_ref_familiar_string (ref);
  all_tags = ref->tag == NULL && ref->digest == NULL;
  if (all_tags)
    r = pull_all_tags (d, ref, &opts, &o, err);
  else
    r = registry_pull (d->images, ref, &opts, &res, err);
  if (r < 0)
    {
      /* before any output: a plain HTTP error (404 for an unknown manifest) */
      if (berth_response_streaming (req))
        {
          berth_response_stream_json_error (req, berth_error_msg (err));
          berth_error_release (err);
          return 0;
        }
      return r;
    }
  if (all_tags)
    return 0;
  berth_events_image (d->events, "pull", familiar, familiar);
  send_status (&o, "Digest: ", res.manifest_digest);
  send_status (&o, res.up_to_date ? "Status: Image is up to date for " : "Status: Downloaded newer image for ",
               familiar);
  return 0;
}

/* ---- pulls for the builder ---- */

struct build_lines
{
  void (*line) (void *ud, const char *text, size_t len);
  void *ud;
};

static void
build_line (struct build_lines *b, const char *id, const char *status)
{
  cleanup_free char *text = id != NULL ? xasprintf ("%s: %s\n", id, status) : xasprintf ("%s\n", status);
  b->line (b->ud, text, strlen (text));
}

/* the pull's statuses without the byte counts (the builder's output is text) */
static void
on_build_progress (void *ud, const char *id, const char *status, int64_t current, int64_t total)
{
  (void)total;
  if (current < 0)
    build_line (ud, id, status);
}

/* "https://host:5000/v1/" -> "host:5000" (moby's ConvertToHostname) */
static char *
auth_key_host (const char *key)
{
  const char *p = key;

  if (strncmp (p, "http://", 7) == 0)
    p += 7;
  else if (strncmp (p, "https://", 8) == 0)
    p += 8;
  return xstrndup (p, strcspn (p, "/"));
}

/* moby's ResolveAuthConfig: the entry of the registry's key (Docker Hub's
   index URL for docker.io), else of a key naming the same host */
static json_object *
auth_config_for (json_object *auths, const char *domain)
{
  const char *key = strcmp (domain, "docker.io") == 0 ? "https://index.docker.io/v1/" : domain;
  json_object *v = NULL;

  if (!json_object_is_type (auths, json_type_object))
    return NULL;
  if (json_object_object_get_ex (auths, key, &v) || strcmp (domain, "docker.io") == 0)
    return v;
  json_object_object_foreach (auths, k, val)
  {
    cleanup_free char *host = auth_key_host (k);
    if (strcmp (host, domain) == 0)
      return val;
  }
  return NULL;
}

int
berth_image_pull_for_build (struct berthd *d, const char *name, json_object *auth_configs,
                            void (*line) (void *ud, const char *text, size_t len), void *ud, berth_error_t *err)
{
  cleanup_registry_credentials struct registry_credentials *creds = NULL;
  json_object *ac;
  cleanup_image_ref struct image_ref *ref = NULL;
  struct build_lines b = { line, ud };
  struct registry_pull_opts opts = { 0 };
  struct registry_pull_result res;
  cleanup_free char *familiar = NULL, *blob_sources = NULL, *status = NULL;

  if (image_ref_parse (name, IMAGE_REF_DEFAULT_TAG, &ref, err) < 0)
    return berth_error_ret (err);
  registry_setup (d, NULL, NULL, err);
  ac = auth_config_for (auth_configs, ref->domain);
  if (ac != NULL && registry_credentials_from_json (ac, &creds, err) < 0)
    return berth_error_wrap (err, "X-Registry-Config");
  opts.credentials = creds;
  opts.progress = on_build_progress;
  opts.progress_ud = &b;
  registry_settings (d, &opts, &blob_sources);
  familiar = image_ref_familiar_string (ref);
  if (registry_pull (d->images, ref, &opts, &res, err) < 0)
    return berth_error_ret (err);
  berth_events_image (d->events, "pull", familiar, familiar);
  status = xasprintf ("Digest: %s", res.manifest_digest);
  build_line (&b, NULL, status);
  free (status);
  status = xasprintf (
      "%s%s", res.up_to_date ? "Status: Image is up to date for " : "Status: Downloaded newer image for ", familiar);
  build_line (&b, NULL, status);
  return 0;
}

/* ---- POST /images/{name}/push?tag= ---- */

struct tag_collect
{
  const struct image_ref *repo;
  char **tags;
  size_t n;
};

static int
collect_tag (void *ud, const char *name, const char *image_id)
{
  struct tag_collect *c = ud;
  cleanup_image_ref struct image_ref *ref = NULL;

  (void)image_id;
  if (image_ref_parse (name, 0, &ref, NULL) < 0 || ref->tag == NULL || ref->digest != NULL
      || strcmp (ref->domain, c->repo->domain) != 0 || strcmp (ref->path, c->repo->path) != 0)
    return 0;
  c->tags = xrealloc (c->tags, (c->n + 2) * sizeof (char *));
  c->tags[c->n++] = xstrdup (ref->tag);
  c->tags[c->n] = NULL;
  return 0;
}

static int
cmp_tag (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

/* the local tags of ref's repository, sorted (an empty vector for none) */
static char **
local_tags (struct berthd *d, const struct image_ref *ref)
{
  struct tag_collect c = { .repo = ref, .tags = xmalloc0 (sizeof (char *)) };

  store_tag_list (image_service_store (d->images), NULL, collect_tag, &c, NULL);
  qsort (c.tags, c.n, sizeof (char *), cmp_tag);
  return c.tags;
}

static int
handle_push (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  const char *name = berth_request_capture (req, "name");
  const char *tag = berth_request_query (req, "tag");
  cleanup_image_ref struct image_ref *ref = NULL;
  struct progress_out o = { req, resp, false };
  struct registry_push_opts opts = { 0 };
  struct registry_push_result res;
  cleanup_free char *repo = NULL, *line = NULL, *familiar = NULL;
  char id[DIGEST_BUF_SIZE];
  cleanup_registry_credentials struct registry_credentials *creds = NULL;
  cleanup_strv char **tags = NULL;
  cleanup_free char *blob_sources = NULL;
  bool found = false;
  int r;

  if (image_ref_parse (name, 0, &ref, err) < 0)
    return berth_error_ret (err);
  if (ref->digest != NULL)
    return berth_error_make (err, EINVAL, "cannot push a digest reference");
  if (tag != NULL && tag[0] != '\0')
    {
      if (!image_ref_tag_valid (tag))
        return berth_error_make (err, EINVAL, "invalid tag format: %s", tag);
      free (ref->tag);
      ref->tag = xstrdup (tag);
    }
  /* no tag: every local tag of the repository (docker push --all-tags) */
  if (ref->tag == NULL)
    tags = local_tags (d, ref);
  else
    {
      tags = xmalloc0 (2 * sizeof (char *));
      tags[0] = xstrdup (ref->tag);
    }
  familiar = image_ref_familiar_name (ref);
  /* a missing image is a plain 404, before the stream starts */
  if (tags[0] != NULL)
    {
      free (ref->tag);
      ref->tag = xstrdup (tags[0]);
      free (familiar);
      familiar = image_ref_familiar_string (ref);
      if (image_service_lookup (d->images, familiar, id, err) < 0)
        berth_error_release (err);
      else
        found = true;
    }
  if (!found)
    {
      cleanup_free char *fname = image_ref_familiar_name (ref);
      return berth_error_make (err, ENOENT, "An image does not exist locally with the tag: %s", fname);
    }
  {
    cleanup_free char *full = image_ref_name (ref);
    repo = xasprintf ("[%s]", full);
  }
  if (registry_setup (d, req, &creds, err) < 0)
    return berth_error_ret (err);
  opts.credentials = creds;
  send_status (&o, "The push refers to repository ", repo);
  opts.progress = on_progress;
  opts.progress_ud = &o;
  blob_sources = xasprintf ("%s/image/registry-blobs.json", d->cfg->data_root);
  opts.blob_sources = blob_sources;
  opts.max_uploads = d->cfg->max_concurrent_uploads;
  opts.docker_io_endpoint = getenv ("BERTH_DOCKER_IO_ENDPOINT");
  for (size_t i = 0; tags[i] != NULL; i++)
    {
      free (ref->tag);
      ref->tag = xstrdup (tags[i]);
      free (familiar);
      familiar = image_ref_familiar_string (ref);
      r = registry_push (d->images, ref, &opts, &res, err);
      if (r < 0)
        {
          berth_response_stream_json_error (req, berth_error_msg (err));
          berth_error_release (err);
          return 0;
        }
      free (line);
      line = xasprintf ("%s: digest: %s size: %lld", ref->tag, res.manifest_digest, (long long)res.manifest_size);
      send_status (&o, "", line);
      {
        json_object *msg = json_object_new_object ();
        json_object *aux = json_object_new_object ();
        json_object_object_add (aux, "Tag", json_object_new_string (ref->tag));
        json_object_object_add (aux, "Digest", json_object_new_string (res.manifest_digest));
        json_object_object_add (aux, "Size", json_object_new_int64 (res.manifest_size));
        json_object_object_add (msg, "progressDetail", json_object_new_object ());
        json_object_object_add (msg, "aux", aux);
        send_json (&o, msg);
        json_object_put (msg);
      }
      berth_events_image (d->events, "push", familiar, familiar);
    }
  return 0;
}

/* ---- POST /auth ---- */

/* Docker's ConvertToHostname: "https://index.docker.io/v1/" -> docker.io */
static char *
login_host (const char *serveraddress)
{
  const char *s = serveraddress != NULL ? serveraddress : "";
  size_t n;

  if (strncmp (s, "http://", 7) == 0)
    s += 7;
  else if (strncmp (s, "https://", 8) == 0)
    s += 8;
  n = strcspn (s, "/");
  if (n == 0 || (n == strlen (IMAGE_REF_LEGACY_DOMAIN) && strncmp (s, IMAGE_REF_LEGACY_DOMAIN, n) == 0))
    return xstrdup (IMAGE_REF_DEFAULT_DOMAIN);
  return xstrndup (s, n);
}

static int
handle_auth (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  cleanup_registry_credentials struct registry_credentials *creds = NULL;
  cleanup_free char *host = NULL, *identity = NULL;
  json_object *out;

  if (registry_credentials_from_json (req->json, &creds, err) < 0)
    return berth_error_ret (err);
  registry_setup (d, req, NULL, err);
  host = login_host (creds->serveraddress);
  if (registry_auth_login (host, creds, &identity, err) < 0)
    {
      if (berth_error_code (err) != EACCES)
        return berth_error_ret (err);
      berth_response_error (resp, 401, "%s", berth_error_msg (err));
      berth_error_release (err);
      return 0;
    }
  out = json_object_new_object ();
  json_object_object_add (out, "Status", json_object_new_string ("Login Succeeded"));
  json_object_object_add (out, "IdentityToken", json_object_new_string (identity != NULL ? identity : ""));
  berth_response_json (resp, 200, out);
  return 0;
}

static const struct berth_route registry_routes[] = {
  { "POST", "/images/{name}/push", BERTH_BODY_STREAM, handle_push },
  { "POST", "/auth", BERTH_BODY_JSON_REQUIRED, handle_auth },
};

void
berth_image_registry_routes (struct berth_router *r)
{
  berth_router_add (r, registry_routes, sizeof (registry_routes) / sizeof (registry_routes[0]));
}
