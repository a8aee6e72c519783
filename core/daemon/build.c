/* POST /build: the context tar streamed from the body into a private
   directory (never held in memory), the build run by core/build, its
   progress sent as a JSON message stream as Docker's legacy builder does. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/build/context-session.h"
#include "core/build/engine.h"
#include "core/config/config.h"
#include "core/daemon/build.h"
#include "core/daemon/daemon.h"
#include "core/daemon/events.h"
#include "core/daemon/http.h"
#include "core/daemon/images.h"
#include "core/image/reference.h"
#include "core/image/service.h"
#include "core/lib/base64.h"
#include "core/lib/fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"

struct out
{
  struct berth_request *req;
  struct berth_response *resp;
  bool quiet;
};

static void
send_json (struct out *o, json_object *msg)
{
  berth_error_t err = NULL;

  if (!berth_response_streaming (o->req)
      && berth_response_stream_begin (o->req, o->resp, 200, "application/json", &err) < 0)
    {
      berth_error_release (&err);
      return;
    }
  if (berth_response_stream_json (o->req, msg, &err) < 0)
    berth_error_release (&err); /* the client left; the build goes on */
}

static void
send_stream (struct out *o, const char *text, size_t len)
{
  json_object *msg = json_object_new_object ();

  json_object_object_add (msg, "stream", json_object_new_string_len (text, (int)len));
  send_json (o, msg);
  json_object_put (msg);
}

static void
on_output (void *ud, const char *text, size_t len)
{
  struct out *o = ud;

  if (!o->quiet)
    send_stream (o, text, len);
}

/* a JSON object from the query (buildargs, labels), or NULL */
static int
query_object (struct berth_request *req, const char *key, json_object **ret, berth_error_t *err)
{
  const char *v = berth_request_query (req, key);

  *ret = NULL;
  if (v == NULL || v[0] == '\0')
    return 0;
  if (berth_request_parse_json (v, strlen (v), ret, err) < 0)
    return berth_error_wrap (err, "%s", key);
  if (!json_object_is_type (*ret, json_type_object))
    {
      json_object_put (*ret);
      *ret = NULL;
      return berth_error_make (err, EINVAL, "%s must be a JSON object", key);
    }
  return 0;
}

struct build_pulls
{
  struct berthd *d;
  json_object *auth_configs; /* X-Registry-Config, or NULL */
};

static int
pull_for_build (void *pull_ud, const char *name, void (*line) (void *ud, const char *text, size_t len), void *ud,
                berth_error_t *err)
{
  struct build_pulls *p = pull_ud;

  return berth_image_pull_for_build (p->d, name, p->auth_configs, line, ud, err);
}

/* X-Registry-Config: base64url JSON {"server": AuthConfig}; moby ignores
   one it cannot read, so does this (with a warning) */
static json_object *
registry_config (struct berth_request *req)
{
  const char *v = berth_request_header (req, "X-Registry-Config");
  cleanup_free char *text = NULL;
  json_object *o;
  size_t len;

  if (v == NULL || v[0] == '\0')
    return NULL;
  text = berth_base64_decode (v, &len);
  o = text != NULL ? json_tokener_parse (text) : NULL;
  if (!json_object_is_type (o, json_type_object))
    {
      log_warn ("build: X-Registry-Config is not base64 of a JSON object: ignored");
      json_object_put (o);
      return NULL;
    }
  return o;
}

/* cachefrom: a JSON array of image names */
static int
query_strings (struct berth_request *req, const char *key, char ***ret, berth_error_t *err)
{
  const char *v = berth_request_query (req, key);
  json_object *a = NULL;
  char **out;

  *ret = NULL;
  if (v == NULL || v[0] == '\0')
    return 0;
  if (berth_request_parse_json (v, strlen (v), &a, err) < 0)
    return berth_error_wrap (err, "%s", key);
  if (!json_object_is_type (a, json_type_array))
    {
      json_object_put (a);
      return berth_error_make (err, EINVAL, "%s must be a JSON array of strings", key);
    }
  out = xmalloc0 ((json_object_array_length (a) + 1) * sizeof (char *));
  for (size_t i = 0; i < json_object_array_length (a); i++)
    {
      json_object *e = json_object_array_get_idx (a, i);
      if (!json_object_is_type (e, json_type_string))
        {
          strv_free (out);
          json_object_put (a);
          return berth_error_make (err, EINVAL, "%s must be a JSON array of strings", key);
        }
      out[i] = xstrdup (json_object_get_string (e));
    }
  json_object_put (a);
  *ret = out;
  return 0;
}

/* read what is left of the body, so the client sees the answer */
static void
drain (struct berth_request *req)
{
  char buf[16384];

  while (read (req->body_fd, buf, sizeof (buf)) > 0)
    ;
}

static int
handle_build (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  struct out o = { req, resp, berth_request_query_bool (req, "q") };
  cleanup_strv char **tags = berth_request_query_all (req, "t");
  const char *remote = berth_request_query (req, "remote");
  json_object *args = NULL, *labels = NULL;
  struct image_ref **refs = NULL;
  size_t n_refs = 0;
  cleanup_free char *cache = NULL;
  struct build_context *ctx = NULL;
  const char *rm = berth_request_query (req, "rm");
  struct build_opts bo = { 0 };
  struct build_pulls pulls = { d, registry_config (req) };
  struct build_deps deps = { d->images, d->containers, NULL, pull_for_build, &pulls };
  cleanup_strv char **cache_from = NULL;
  char id[DIGEST_BUF_SIZE] = "";
  int code = 0, r = 0;

  if (remote != NULL && remote[0] != '\0')
    {
      drain (req);
      json_object_put (pulls.auth_configs);
      return berth_error_make (err, ENOSYS, "building from a remote context (%s) is not supported yet", remote);
    }
  if (query_object (req, "buildargs", &args, err) < 0 || query_object (req, "labels", &labels, err) < 0
      || query_strings (req, "cachefrom", &cache_from, err) < 0)
    {
      json_object_put (args);
      json_object_put (labels);
      json_object_put (pulls.auth_configs);
      drain (req);
      return berth_error_ret (err);
    }
  for (size_t i = 0; tags[i] != NULL && r == 0; i++)
    {
      struct image_ref *ref = NULL;
      r = image_ref_parse (tags[i], IMAGE_REF_DEFAULT_TAG, &ref, err);
      if (r == 0 && ref->digest != NULL)
        {
          image_ref_free (ref);
          r = berth_error_make (err, EINVAL, "invalid reference format: %s: a build cannot be tagged by digest",
                                tags[i]);
        }
      if (r < 0)
        break;
      refs = xrealloc (refs, (n_refs + 1) * sizeof (*refs));
      refs[n_refs++] = ref;
    }
  bo.dockerfile = berth_request_query (req, "dockerfile");
  if (r == 0)
    r = build_context_receive (image_service_tmp_dir (d->images), berth_request_query (req, "berth-context"),
                               req->body_fd, bo.dockerfile, &ctx, err);
  drain (req);
  if (r == 0 && !berth_request_body_complete (req))
    r = berth_error_make (err, EINVAL, "the upload of the build context was interrupted");
  if (r == 0)
    {
      cache = xasprintf ("%s/build-cache", d->cfg->data_root);
      deps.cache_dir = cache;
      bo.context_dir = build_context_dir (ctx);
      bo.digests = build_context_digests (ctx);
      bo.build_args = args;
      bo.labels = labels;
      bo.target = berth_request_query (req, "target");
      bo.network = berth_request_query (req, "networkmode");
      bo.no_cache = berth_request_query_bool (req, "nocache");
      bo.rm = rm == NULL || rm[0] == '\0' || berth_request_query_bool (req, "rm");
      bo.force_rm = berth_request_query_bool (req, "forcerm");
      bo.pull = berth_request_query_bool (req, "pull");
      bo.cache_from = cache_from;
      r = build_run (&deps, &bo, on_output, &o, id, &code, err);
    }
  for (size_t i = 0; r == 0 && i < n_refs; i++)
    r = image_service_tag (d->images, refs[i], id, NULL, err);
  if (r == 0)
    {
      json_object *aux = json_object_new_object ();
      json_object *msg = json_object_new_object ();
      json_object_object_add (aux, "ID", json_object_new_string (id));
      json_object_object_add (msg, "aux", aux);
      send_json (&o, msg);
      json_object_put (msg);
      if (o.quiet)
        {
          cleanup_free char *line = xasprintf ("%s\n", id);
          send_stream (&o, line, strlen (line));
        }
      else
        {
          cleanup_free char *line = xasprintf ("Successfully built %.12s\n", digest_hex (id));
          send_stream (&o, line, strlen (line));
        }
      for (size_t i = 0; i < n_refs; i++)
        {
          cleanup_free char *name = image_ref_familiar_string (refs[i]);
          berth_events_image (d->events, "tag", id, name);
          if (!o.quiet)
            {
              cleanup_free char *line = xasprintf ("Successfully tagged %s\n", name);
              send_stream (&o, line, strlen (line));
            }
        }
    }
  build_context_release (ctx);
  for (size_t i = 0; i < n_refs; i++)
    image_ref_free (refs[i]);
  free (refs);
  json_object_put (args);
  json_object_put (labels);
  json_object_put (pulls.auth_configs);
  if (r < 0)
    {
      /* errors travel in the stream, as the legacy builder sends them */
      json_object *msg = json_object_new_object ();
      json_object *detail = json_object_new_object ();
      if (code != 0)
        json_object_object_add (detail, "code", json_object_new_int (code));
      json_object_object_add (detail, "message", json_object_new_string (berth_error_msg (err)));
      json_object_object_add (msg, "errorDetail", detail);
      json_object_object_add (msg, "error", json_object_new_string (berth_error_msg (err)));
      send_json (&o, msg);
      json_object_put (msg);
      berth_error_release (err);
    }
  return 0;
}

static int
handle_build_prune (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  json_object *o = json_object_new_object ();

  (void)d;
  (void)req;
  (void)err;
  /* the cache entries are image ids: image prune frees their space; the
     kept contexts of idle sessions go */
  build_context_sessions_prune ();
  json_object_object_add (o, "CachesDeleted", json_object_new_array ());
  json_object_object_add (o, "SpaceReclaimed", json_object_new_int64 (0));
  berth_response_json (resp, 200, o);
  return 0;
}

/* GET /build/context?session=ID (berth's own): what a context session
   holds, so that the berth CLI sends only what changed */
static int
handle_build_context (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  json_object *files = build_context_session_files (berth_request_query (req, "session"));
  json_object *o;

  (void)d;
  if (files == NULL)
    return berth_error_make (err, EINVAL, "session: expected 64 hex digits");
  o = json_object_new_object ();
  json_object_object_add (o, "Files", files);
  berth_response_json (resp, 200, o);
  return 0;
}

static const struct berth_route build_routes[] = {
  { "GET", "/build/context", BERTH_BODY_IGNORE, handle_build_context },
  { "POST", "/build", BERTH_BODY_STREAM, handle_build },
  { "POST", "/build/prune", BERTH_BODY_IGNORE, handle_build_prune },
};

void
berth_build_routes (struct berth_router *r)
{
  berth_router_add (r, build_routes, sizeof (build_routes) / sizeof (build_routes[0]));
}
