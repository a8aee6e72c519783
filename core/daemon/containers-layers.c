/* Routes on a container's filesystem: GET /containers/{id}/changes,
   GET /containers/{id}/export, POST /commit. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "core/container/commit.h"
#include "core/daemon/containers.h"
#include "core/daemon/daemon.h"
#include "core/lib/mem.h"

/* ---- GET /containers/{id}/changes ---- */

static int
add_change (void *ud, const char *path, enum container_change_kind kind)
{
  json_object *o = json_object_new_object ();

  json_object_object_add (o, "Path", json_object_new_string (path));
  json_object_object_add (o, "Kind", json_object_new_int ((int)kind));
  json_object_array_add (ud, o);
  return 0;
}

static int
handle_changes (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  struct container *c = berth_container_get (d, req, err);
  json_object *out;
  struct container_fs fs;
  int r;

  if (c == NULL)
    return berth_error_ret (err);
  r = container_fs_open (d->containers, d->images, c, &fs, err);
  container_manager_put (d->containers, c);
  if (r < 0)
    return r;
  out = json_object_new_array ();
  r = container_fs_changes (&fs, add_change, out, err);
  container_fs_close (&fs);
  if (r < 0)
    {
      json_object_put (out);
      return r;
    }
  berth_response_json (resp, 200, out);
  return 0;
}

/* ---- GET /containers/{id}/export ---- */

static int
handle_export (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  struct container *c = berth_container_get (d, req, err);
  int r;

  if (c == NULL)
    return berth_error_ret (err);
  r = berth_response_stream_begin (req, resp, 200, "application/x-tar", err);
  if (r == 0)
    r = container_export (d->containers, d->images, c, berth_response_stream_fd (req), err);
  container_manager_put (d->containers, c);
  return r;
}

/* ---- POST /commit ---- */

/* repo[:tag] and tag as moby takes them; *ret NULL when repo is empty */
static int
commit_ref (const char *repo, const char *tag, struct image_ref **ret, berth_error_t *err)
{
  struct image_ref *ref = NULL;

  *ret = NULL;
  if (repo == NULL || repo[0] == '\0')
    {
      if (tag != NULL && tag[0] != '\0')
        return berth_error_make (err, EINVAL, "tag `%s` given without a repository", tag);
      return 0;
    }
  if (image_ref_parse (repo, 0, &ref, err) < 0)
    return berth_error_ret (err);
  if (ref->digest != NULL)
    {
      image_ref_free (ref);
      return berth_error_make (err, EINVAL, "refusing to create a tag with a digest reference");
    }
  if (tag != NULL && tag[0] != '\0')
    {
      if (!image_ref_tag_valid (tag))
        {
          image_ref_free (ref);
          return berth_error_make (err, EINVAL, "invalid tag format: %s", tag);
        }
      free (ref->tag);
      ref->tag = xstrdup (tag);
    }
  if (ref->tag == NULL)
    ref->tag = xstrdup (IMAGE_REF_DEFAULT_TAG_NAME);
  *ret = ref;
  return 0;
}

/* The body: a Config object, or nothing / `null` (older docker CLIs send
   `null` when no config is given). */
static int
commit_config (const struct berth_request *req, json_object **ret, berth_error_t *err)
{
  size_t i = 0;

  *ret = NULL;
  while (req->body != NULL && i < req->body_len && isspace ((unsigned char)req->body[i]))
    i++;
  if (req->body == NULL || i == req->body_len)
    return 0;
  if (req->body_len - i >= 4 && strncmp (req->body + i, "null", 4) == 0)
    {
      size_t j = i + 4;
      while (j < req->body_len && isspace ((unsigned char)req->body[j]))
        j++;
      if (j == req->body_len)
        return 0;
    }
  if (berth_request_parse_json (req->body, req->body_len, ret, err) < 0)
    return berth_error_ret (err);
  if (*ret != NULL && !json_object_is_type (*ret, json_type_object))
    {
      json_object_put (*ret);
      *ret = NULL;
      return berth_error_make (err, EINVAL, "the commit body must be a container Config object");
    }
  return 0;
}

static int
handle_commit (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  const char *name = berth_request_query (req, "container");
  const char *pause = berth_request_query (req, "pause");
  cleanup_strv char **changes = berth_request_query_all (req, "changes");
  cleanup_image_ref struct image_ref *ref = NULL;
  struct container_commit_opts o = { 0 };
  json_object *config = NULL;
  json_object *out;
  struct container *c;
  char id[DIGEST_BUF_SIZE];
  int r;

  if (name == NULL || name[0] == '\0')
    return berth_error_make (err, EINVAL, "the container to commit is required (container=)");
  if (commit_ref (berth_request_query (req, "repo"), berth_request_query (req, "tag"), &ref, err) < 0
      || commit_config (req, &config, err) < 0)
    return berth_error_ret (err);
  c = container_manager_get (d->containers, name, err);
  if (c == NULL)
    {
      json_object_put (config);
      return berth_error_ret (err);
    }
  o.config = config;
  o.changes = changes;
  o.author = berth_request_query (req, "author");
  o.comment = berth_request_query (req, "comment");
  o.ref = ref;
  /* absent: true, as in moby */
  o.pause = pause == NULL || pause[0] == '\0' || berth_request_query_bool (req, "pause");
  r = container_commit (d->containers, d->images, c, &o, id, err);
  container_manager_put (d->containers, c);
  json_object_put (config);
  if (r < 0)
    return r;
  out = json_object_new_object ();
  json_object_object_add (out, "Id", json_object_new_string (id));
  berth_response_json (resp, 201, out);
  return 0;
}

static const struct berth_route layer_routes[] = {
  { "GET", "/containers/{id}/changes", BERTH_BODY_IGNORE, handle_changes },
  { "GET", "/containers/{id}/export", BERTH_BODY_STREAM, handle_export },
  { "POST", "/commit", BERTH_BODY_IGNORE, handle_commit },
};

void
berth_container_layer_routes (struct berth_router *r)
{
  berth_router_add (r, layer_routes, sizeof (layer_routes) / sizeof (layer_routes[0]));
}
