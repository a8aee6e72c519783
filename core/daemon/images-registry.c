/* Registry routes: pulls (POST /images/create?fromImage=, reached from
   images-archive.c) and pushes (POST /images/{name}/push), with Docker's
   JSON progress streams. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/daemon/daemon.h"
#include "core/daemon/events.h"
#include "core/daemon/images.h"
#include "core/image/service.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/registry/pull.h"
#include "core/registry/push.h"

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
  if (ref->tag == NULL && ref->digest == NULL)
    ref->tag = xstrdup (IMAGE_REF_DEFAULT_TAG_NAME);
  *ret = ref;
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
  int r;

  if (pull_ref (berth_request_query (req, "fromImage"), berth_request_query (req, "tag"), &ref, err) < 0)
    return berth_error_ret (err);
  opts.platform = berth_request_query (req, "platform");
  opts.progress = on_progress;
  opts.progress_ud = &o;
  familiar = image_ref_familiar_string (ref);
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
  berth_events_image (d->events, "pull", familiar, familiar);
  send_status (&o, "Digest: ", res.manifest_digest);
  send_status (&o, res.up_to_date ? "Status: Image is up to date for " : "Status: Downloaded newer image for ",
               familiar);
  return 0;
}

/* ---- POST /images/{name}/push?tag= ---- */

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
  if (ref->tag == NULL)
    ref->tag = xstrdup (IMAGE_REF_DEFAULT_TAG_NAME);
  familiar = image_ref_familiar_string (ref);
  /* a missing image is a plain 404, before the stream starts */
  if (image_service_lookup (d->images, familiar, id, err) < 0)
    {
      cleanup_free char *fname = image_ref_familiar_name (ref);
      berth_error_release (err);
      return berth_error_make (err, ENOENT, "An image does not exist locally with the tag: %s", fname);
    }
  {
    cleanup_free char *full = image_ref_name (ref);
    repo = xasprintf ("[%s]", full);
  }
  send_status (&o, "The push refers to repository ", repo);
  opts.progress = on_progress;
  opts.progress_ud = &o;
  r = registry_push (d->images, ref, &opts, &res, err);
  if (r < 0)
    {
      berth_response_stream_json_error (req, berth_error_msg (err));
      berth_error_release (err);
      return 0;
    }
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
  return 0;
}

static const struct berth_route registry_routes[] = {
  { "POST", "/images/{name}/push", BERTH_BODY_STREAM, handle_push },
};

void
berth_image_registry_routes (struct berth_router *r)
{
  berth_router_add (r, registry_routes, sizeof (registry_routes) / sizeof (registry_routes[0]));
}
