/* docker cp's routes: HEAD (stat), GET (tar out) and PUT (extract in)
   /containers/{id}/archive?path=.  The stat travels base64-encoded JSON in
   the X-Docker-Container-Path-Stat header, as moby sends it. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/container/archive.h"
#include "core/daemon/containers.h"
#include "core/lib/mem.h"

#define STAT_HEADER "X-Docker-Container-Path-Stat"

static void
set_stat_header (struct berth_response *resp, const struct container_path_stat *st)
{
  json_object *o = container_path_stat_json (st);
  const char *text = json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  size_t len = strlen (text);
  cleanup_free char *b64 = xmalloc (4 * ((len + 2) / 3) + 1);

  EVP_EncodeBlock ((unsigned char *)b64, (const unsigned char *)text, (int)len);
  berth_response_header (resp, STAT_HEADER, b64);
  json_object_put (o);
}

static int
handle_head (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  struct container_path_stat st = { 0 };
  struct container *c = berth_container_get (d, req, err);
  int r;

  if (c == NULL)
    return berth_error_ret (err);
  r = container_archive_stat (d->containers, c, berth_request_capture (req, "id"), berth_request_query (req, "path"),
                              &st, err);
  container_manager_put (d->containers, c);
  if (r < 0)
    return r;
  set_stat_header (resp, &st);
  container_path_stat_clear (&st);
  berth_response_text (resp, 200, "text/plain; charset=utf-8", "");
  return 0;
}

struct get_ctx
{
  struct berth_request *req;
  struct berth_response *resp;
};

static int
get_begin (void *ud, const struct container_path_stat *st, berth_error_t *err)
{
  struct get_ctx *g = ud;

  set_stat_header (g->resp, st);
  if (berth_response_stream_begin (g->req, g->resp, 200, "application/x-tar", err) < 0)
    return berth_error_ret (err);
  return berth_response_stream_fd (g->req);
}

static int
handle_get (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  struct get_ctx g = { req, resp };
  struct container *c = berth_container_get (d, req, err);
  int r;

  if (c == NULL)
    return berth_error_ret (err);
  r = container_archive_get (d->containers, c, berth_request_capture (req, "id"), berth_request_query (req, "path"),
                             get_begin, &g, err);
  container_manager_put (d->containers, c);
  return r;
}

static int
handle_put (struct berthd *d, struct berth_request *req, struct berth_response *resp, berth_error_t *err)
{
  struct container_extract_opts o = {
    .no_overwrite_dir_non_dir = berth_request_query_bool (req, "noOverwriteDirNonDir"),
    .copy_uid_gid = berth_request_query_bool (req, "copyUIDGID"),
  };
  struct container *c = berth_container_get (d, req, err);
  int r;

  if (c == NULL)
    return berth_error_ret (err);
  r = container_archive_extract (d->containers, c, berth_request_capture (req, "id"), berth_request_query (req, "path"),
                                 req->body_fd, &o, err);
  container_manager_put (d->containers, c);
  if (r < 0)
    return r;
  berth_response_text (resp, 200, "text/plain; charset=utf-8", "");
  return 0;
}

static const struct berth_route archive_routes[] = {
  { "HEAD", "/containers/{id}/archive", BERTH_BODY_IGNORE, handle_head },
  { "GET", "/containers/{id}/archive", BERTH_BODY_STREAM, handle_get },
  { "PUT", "/containers/{id}/archive", BERTH_BODY_STREAM, handle_put },
};

void
berth_container_archive_routes (struct berth_router *r)
{
  berth_router_add (r, archive_routes, sizeof (archive_routes) / sizeof (archive_routes[0]));
}
