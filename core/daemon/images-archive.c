/* Routes that move whole images: load (POST /images/load), save
   (GET /images/get, /images/{name}/get) and import (POST /images/create
   with fromSrc; with fromImage it is a pull: images-registry.c).  All stream:
   bodies of any size in, tar or JSON message streams out. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "core/daemon/daemon.h"
#include "core/daemon/events.h"
#include "core/daemon/images.h"
#include "core/image/archive-load.h"
#include "core/image/archive-save.h"
#include "core/image/service.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"

#define JSON_STREAM_TYPE "application/json"

struct json_out
{
  struct berth_request *req;
  struct berth_response *resp;
  struct berthd *d; /* for events */
};

/* Start the JSON stream on the first message, so errors before any output
   still get a proper status. */
static void
send_message (struct json_out *o, const char *key, const char *text)
{
  struct json_object *msg;
  berth_error_t err = NULL;

  if (!berth_response_streaming (o->req)
      && berth_response_stream_begin (o->req, o->resp, 200, JSON_STREAM_TYPE, &err) < 0)
    {
      log_error ("%s", berth_error_msg (&err));
      berth_error_release (&err);
      return;
    }
  msg = json_object_new_object ();
  json_object_object_add (msg, key, json_object_new_string (text));
  if (berth_response_stream_json (o->req, msg, &err) < 0)
    berth_error_release (&err); /* the client left; the work goes on */
  json_object_put (msg);
}

/* An error after the stream began travels in the stream. */
static int
finish_json (struct json_out *o, int r, berth_error_t *err)
{
  if (r < 0 && berth_response_streaming (o->req))
    {
      berth_response_stream_json_error (o->req, berth_error_msg (err));
      berth_error_release (err);
      return 0;
    }
  return r;
}

/* ---- POST /images/load ---- */

static void
load_line (void *ud, const char *line)
{
  struct json_out *o = ud;
  cleanup_free char *text = xasprintf ("%s\n", line);
  char id[DIGEST_BUF_SIZE];

  send_message (ud, "stream", text);
  /* moby's "load" event: Actor.ID and name the image id */
  if (strncmp (line, "Loaded image ID: ", 17) == 0)
    berth_events_image (o->d->events, "load", line + 17, line + 17);
  else if (strncmp (line, "Loaded image: ", 14) == 0 && image_service_lookup (o->d->images, line + 14, id, NULL) == 0)
    berth_events_image (o->d->events, "load", id, id);
}

static int
handle_load (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  struct json_out o = { req, resp, d };
  int r = image_archive_load (d->images, req->body_fd, load_line, &o, err);

  if (r == 0 && !berth_request_body_complete (req) && !berth_response_streaming (req))
    r = berth_error_make (err, EINVAL, "the upload was interrupted");
  return finish_json (&o, r, err);
}

/* ---- GET /images/get, /images/{name}/get ---- */

static int
handle_save (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  const char *one = berth_request_capture (req, "name");
  cleanup_strv char **names = NULL;
  struct image_save_plan *plan = NULL;
  int r;

  if (one != NULL)
    {
      names = xmalloc0 (2 * sizeof (char *));
      names[0] = xstrdup (one);
    }
  else
    names = berth_request_query_all (req, "names");
  if (image_save_plan_new (d->images, names, &plan, err) < 0)
    return berth_error_ret (err);
  r = berth_response_stream_begin (req, resp, 200, "application/x-tar", err);
  if (r == 0)
    r = image_save_write (d->images, plan, berth_response_stream_fd (req), err);
  image_save_plan_free (plan);
  for (size_t i = 0; r == 0 && names != NULL && names[i] != NULL; i++)
    {
      char id[DIGEST_BUF_SIZE];
      if (image_service_lookup (d->images, names[i], id, NULL) == 0)
        berth_events_image (d->events, "save", id, names[i]);
    }
  return r;
}

/* ---- POST /images/create ---- */

/* The whole upload into an unnamed file first: an import must not turn
   a connection that broke off at a file boundary into an image. */
static int
spool_body (struct berthd *d, struct berth_request *req, berth_error_t *err)
{
  cleanup_close int fd = open (image_service_tmp_dir (d->images), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  char buf[64 * 1024];

  if (fd < 0)
    return berth_error_errno (err, errno, "create a scratch file in `%s`", image_service_tmp_dir (d->images));
  for (;;)
    {
      ssize_t n = read (req->body_fd, buf, sizeof (buf));
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return berth_error_errno (err, errno, "read the request body");
      if (n == 0)
        break;
      for (ssize_t off = 0; off < n;)
        {
          ssize_t w = write (fd, buf + off, (size_t)(n - off));
          if (w < 0 && errno == EINTR)
            continue;
          if (w < 0)
            return berth_error_errno (err, errno, "write the uploaded archive");
          off += w;
        }
    }
  if (!berth_request_body_complete (req))
    return berth_error_make (err, EINVAL, "the upload was interrupted");
  if (lseek (fd, 0, SEEK_SET) < 0)
    return berth_error_errno (err, errno, "rewind the uploaded archive");
  return steal_fd (&fd);
}

static int
import_ref (const char *repo, const char *tag, struct image_ref **ret, berth_error_t *err)
{
  struct image_ref *ref = NULL;

  *ret = NULL;
  if (repo == NULL || repo[0] == '\0')
    return 0;
  if (image_ref_parse (repo, 0, &ref, err) < 0)
    return berth_error_ret (err);
  if (ref->digest != NULL)
    {
      image_ref_free (ref);
      return berth_error_make (err, EINVAL, "cannot import digest reference");
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

static int
handle_create (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  const char *from_image = berth_request_query (req, "fromImage");
  const char *from_src = berth_request_query (req, "fromSrc");
  cleanup_image_ref struct image_ref *ref = NULL;
  cleanup_strv char **changes = berth_request_query_all (req, "changes");
  struct json_out o = { req, resp, d };
  char id[DIGEST_BUF_SIZE];
  cleanup_close int fd = -1;
  int r;

  if (from_image != NULL && from_image[0] != '\0')
    return berth_image_pull (d, req, resp, err);
  if (from_src == NULL || from_src[0] == '\0')
    return berth_error_make (err, EINVAL, "fromImage or fromSrc is required");
  if (strcmp (from_src, "-") != 0)
    return berth_error_make (err, ENOSYS,
                             "importing from a URL is not implemented yet (%s); download the archive and import "
                             "the file",
                             from_src);
  if (import_ref (berth_request_query (req, "repo"), berth_request_query (req, "tag"), &ref, err) < 0)
    return berth_error_ret (err);
  fd = spool_body (d, req, err);
  if (fd < 0)
    return fd;
  r = image_service_import (d->images, fd, changes, berth_request_query (req, "message"), ref, id, err);
  if (r == 0 && ref != NULL)
    {
      cleanup_free char *name = image_ref_familiar_string (ref);
      berth_events_image (d->events, "tag", id, name);
    }
  if (r == 0)
    berth_events_image (d->events, "import", id, id);
  if (r == 0)
    send_message (&o, "status", id);
  return finish_json (&o, r, err);
}

static const struct berth_route image_archive_routes[] = {
  { "POST", "/images/load", BERTH_BODY_STREAM, handle_load },
  { "GET", "/images/get", BERTH_BODY_STREAM, handle_save },
  { "GET", "/images/{name}/get", BERTH_BODY_STREAM, handle_save },
  { "POST", "/images/create", BERTH_BODY_STREAM, handle_create },
};

void
berth_image_archive_routes (struct berth_router *r)
{
  berth_router_add (r, image_archive_routes, sizeof (image_archive_routes) / sizeof (image_archive_routes[0]));
}
