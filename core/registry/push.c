/* Pushing an image: see push.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "core/image/image-config.h"
#include "core/image/manifest.h"
#include "core/lib/mem.h"
#include "core/registry/push.h"
#include "core/registry/transport.h"

struct push
{
  struct image_service *svc;
  struct registry_client *client;
  const struct registry_push_opts *opts;
};

static void
progress (struct push *p, const char *id, const char *status, int64_t current, int64_t total)
{
  if (p->opts->progress != NULL)
    p->opts->progress (p->opts->progress_ud, id, status, current, total);
}

static int
reply_error (const struct registry_reply *rp, const char *what, const char *repo, berth_error_t *err)
{
  cleanup_free char *text = registry_reply_error_text (rp);

  if (rp->status == 401 || rp->status == 403)
    return berth_error_make (err, EACCES, "%s: access to the resource is denied (push to %s): %s", what, repo, text);
  return berth_error_make (err, EIO, "%s: registry answered %ld: %s", what, rp->status, text);
}

/* ---- gzip into a scratch file, hashing what is written ---- */

struct gz_out
{
  int fd;
  struct digest_ctx *dg;
};

static la_ssize_t
gz_write (struct archive *a, void *ud, const void *buf, size_t len)
{
  struct gz_out *o = ud;
  const char *b = buf;
  size_t left = len;

  while (left > 0)
    {
      ssize_t n = write (o->fd, b, left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          archive_set_error (a, errno, "write the compressed layer");
          return -1;
        }
      b += n;
      left -= (size_t)n;
    }
  digest_ctx_update (o->dg, buf, len);
  return (la_ssize_t)len;
}

/* Compress tar_fd into an unnamed scratch file in dir; returns its fd
   (positioned at 0), the digest and size of the compressed bytes. */
static int
compress_layer (int tar_fd, const char *dir, char ret_digest[DIGEST_BUF_SIZE], uint64_t *ret_size, berth_error_t *err)
{
  cleanup_close int fd = open (dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  cleanup_digest_ctx struct digest_ctx *dg = NULL;
  struct gz_out o;
  struct archive *a;
  struct archive_entry *e;
  char buf[128 * 1024];
  int r = 0;

  if (fd < 0)
    return berth_error_errno (err, errno, "create a scratch file in `%s`", dir);
  dg = digest_ctx_new (err);
  if (dg == NULL)
    return berth_error_ret (err);
  o.fd = fd;
  o.dg = dg;
  a = archive_write_new ();
  e = archive_entry_new ();
  archive_entry_set_pathname (e, "layer.tar");
  archive_entry_set_filetype (e, AE_IFREG);
  /* no timestamp in the gzip header: the same layer compresses to the same
     blob on every push, so a re-push finds it in the registry */
  if (archive_write_add_filter_gzip (a) != ARCHIVE_OK
      || archive_write_set_filter_option (a, "gzip", "timestamp", NULL) != ARCHIVE_OK
      || archive_write_set_format_raw (a) != ARCHIVE_OK || archive_write_set_bytes_in_last_block (a, 1) != ARCHIVE_OK
      || archive_write_open (a, &o, NULL, gz_write, NULL) != ARCHIVE_OK || archive_write_header (a, e) != ARCHIVE_OK)
    r = berth_error_make (err, EIO, "gzip: %s", archive_error_string (a));
  while (r == 0)
    {
      ssize_t n = read (tar_fd, buf, sizeof (buf));
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          r = berth_error_errno (err, errno, "read the layer tar");
          break;
        }
      if (n == 0)
        break;
      if (archive_write_data (a, buf, (size_t)n) != n)
        r = berth_error_make (err, EIO, "gzip: %s", archive_error_string (a));
    }
  if (r == 0 && archive_write_close (a) != ARCHIVE_OK)
    r = berth_error_make (err, EIO, "gzip: %s", archive_error_string (a));
  archive_entry_free (e);
  archive_write_free (a);
  if (r < 0)
    return r;
  *ret_size = digest_ctx_size (dg);
  if (digest_ctx_final (dg, ret_digest, err) < 0)
    return berth_error_ret (err);
  if (lseek (fd, 0, SEEK_SET) < 0)
    return berth_error_errno (err, errno, "rewind the compressed layer");
  return steal_fd (&fd);
}

/* ---- blobs ---- */

/* 1 when the registry has the blob, 0 when not */
static int
blob_exists (struct push *p, const char *digest, berth_error_t *err)
{
  cleanup_free char *url = xasprintf ("/v2/%s/blobs/%s", registry_client_repo (p->client), digest);
  struct registry_request rq = { .method = "HEAD", .url = url, .body_fd = -1 };
  struct registry_reply rp;
  int r;

  if (registry_do (p->client, &rq, &rp, err) < 0)
    return berth_error_ret (err);
  if (rp.status == 200)
    r = 1;
  else if (rp.status == 404)
    r = 0;
  else
    r = reply_error (&rp, "check for a blob", registry_client_repo (p->client), err);
  registry_reply_clear (&rp);
  return r;
}

/* POST an upload session, then PUT the whole blob (from fd or memory). */
static int
upload_blob (struct push *p, const char *digest, int fd, const void *data, uint64_t size, berth_error_t *err)
{
  cleanup_free char *url = xasprintf ("/v2/%s/blobs/uploads/", registry_client_repo (p->client));
  cleanup_free char *put = NULL;
  cleanup_free char *what = xasprintf ("upload of blob %s", digest);
  static const char *const octet[] = { "Content-Type: application/octet-stream", NULL };
  struct registry_request rq = { .method = "POST", .url = url, .body_fd = -1 };
  struct registry_reply rp;
  int r = 0;

  if (registry_do (p->client, &rq, &rp, err) < 0)
    return berth_error_ret (err);
  if (rp.status != 202 || rp.location == NULL)
    {
      r = reply_error (&rp, what, registry_client_repo (p->client), err);
      registry_reply_clear (&rp);
      return r;
    }
  put = xasprintf ("%s%cdigest=%s", rp.location, strchr (rp.location, '?') != NULL ? '&' : '?', digest);
  registry_reply_clear (&rp);
  {
    /* a relative Location is relative to the registry */
    struct registry_request prq = { .method = "PUT",
                                    .url = put,
                                    .headers = octet,
                                    .body_fd = fd,
                                    .body_size = size,
                                    .body = data,
                                    .body_len = (size_t)size };
    if (registry_do (p->client, &prq, &rp, err) < 0)
      return berth_error_wrap (err, "%s", what);
  }
  if (rp.status != 201)
    r = reply_error (&rp, what, registry_client_repo (p->client), err);
  else if (rp.docker_content_digest != NULL && strcmp (rp.docker_content_digest, digest) != 0)
    r = berth_error_make (err, EIO, "%s: the registry stored digest %s", what, rp.docker_content_digest);
  registry_reply_clear (&rp);
  return r;
}

static int
push_layer (struct push *p, const struct store_layer *l, struct image_descriptor *d, berth_error_t *err)
{
  char id[13], digest[DIGEST_BUF_SIZE];
  cleanup_close int tar = -1, gz = -1;
  uint64_t size;
  int r;

  snprintf (id, sizeof (id), "%.12s", digest_hex (l->diff_id));
  tar = image_service_layer_tar_open (p->svc, l, err);
  if (tar < 0)
    return berth_error_ret (err);
  gz = compress_layer (tar, image_service_tmp_dir (p->svc), digest, &size, err);
  if (gz < 0)
    return berth_error_wrap (err, "layer %s", l->diff_id);
  d->media_type = xstrdup (MEDIA_TYPE_DOCKER_LAYER_GZIP);
  d->digest = xstrdup (digest);
  d->size = (int64_t)size;
  r = blob_exists (p, digest, err);
  if (r < 0)
    return berth_error_wrap (err, "layer %s", l->diff_id);
  if (r == 1)
    {
      progress (p, id, "Layer already exists", -1, -1);
      return 0;
    }
  progress (p, id, "Pushing", 0, (int64_t)size);
  if (upload_blob (p, digest, gz, NULL, size, err) < 0)
    return berth_error_wrap (err, "layer %s", l->diff_id);
  progress (p, id, "Pushed", -1, -1);
  return 0;
}

static void
free_descriptor (struct image_descriptor *d)
{
  free (d->media_type);
  free (d->digest);
}

int
registry_push (struct image_service *svc, const struct image_ref *ref, const struct registry_push_opts *opts,
               struct registry_push_result *ret, berth_error_t *err)
{
  struct push p = { .svc = svc, .opts = opts };
  cleanup_free char *name = image_ref_string (ref);
  cleanup_free char *config = NULL, *body = NULL, *url = NULL;
  cleanup_store_image struct store_image *img = NULL;
  struct image_manifest m = { .kind = MANIFEST_KIND_DOCKER_MANIFEST };
  struct store_layer *layers = NULL;
  char id[DIGEST_BUF_SIZE];
  size_t config_len = 0, body_len = 0, n = 0;
  int r;

  memset (ret, 0, sizeof (*ret));
  if (ref->tag == NULL)
    return berth_error_make (err, EINVAL, "push %s: a tag is needed", name);
  if (image_service_lookup (svc, name, id, err) < 0)
    {
      cleanup_free char *familiar = image_ref_familiar_name (ref);
      berth_error_release (err);
      return berth_error_make (err, ENOENT, "An image does not exist locally with the tag: %s", familiar);
    }
  if (registry_client_new (ref, &p.client, err) < 0)
    return berth_error_ret (err);
  registry_client_set_authorization (p.client, opts->authorization);

  image_service_pin (svc);
  r = store_image_get (image_service_store (svc), id, &img, err);
  if (r == 0)
    r = store_blob_read (image_service_store (svc), id, IMAGE_CONFIG_MAX_SIZE, &config, &config_len, err);
  for (; r == 0 && img->layers != NULL && img->layers[n] != NULL; n++)
    ;
  if (r == 0)
    {
      layers = xmalloc0 ((n + 1) * sizeof (*layers));
      m.layers = xmalloc0 ((n + 1) * sizeof (*m.layers));
      m.n_layers = n;
    }
  for (size_t i = 0; r == 0 && i < n; i++)
    {
      char lid[13];
      r = store_layer_get (image_service_store (svc), img->layers[i], &layers[i], err);
      if (r == 0)
        {
          snprintf (lid, sizeof (lid), "%.12s", digest_hex (layers[i].diff_id));
          progress (&p, lid, "Preparing", -1, -1);
        }
    }
  for (size_t i = 0; r == 0 && i < n; i++)
    r = push_layer (&p, &layers[i], &m.layers[i], err);
  if (r == 0)
    {
      m.config.media_type = xstrdup (MEDIA_TYPE_DOCKER_CONFIG);
      m.config.digest = xstrdup (id);
      m.config.size = (int64_t)config_len;
      r = blob_exists (&p, id, err);
      if (r == 0)
        r = upload_blob (&p, id, -1, config, config_len, err);
      else if (r == 1)
        r = 0;
      if (r < 0)
        berth_error_wrap (err, "image config %s", id);
    }
  if (r == 0)
    {
      static const char *const type[] = { "Content-Type: " MEDIA_TYPE_DOCKER_MANIFEST, NULL };
      struct registry_reply rp;
      body = manifest_emit (&m, &body_len);
      url = xasprintf ("/v2/%s/manifests/%s", registry_client_repo (p.client), ref->tag);
      struct registry_request rq
          = { .method = "PUT", .url = url, .headers = type, .body = body, .body_len = body_len, .body_fd = -1 };
      r = digest_buffer (body, body_len, ret->manifest_digest, err);
      if (r == 0)
        r = registry_do (p.client, &rq, &rp, err);
      if (r == 0)
        {
          if (rp.status != 201)
            r = reply_error (&rp, "put manifest", registry_client_repo (p.client), err);
          else if (rp.docker_content_digest != NULL && strcmp (rp.docker_content_digest, ret->manifest_digest) != 0)
            r = berth_error_make (err, EIO, "put manifest: the registry stored digest %s, we sent %s",
                                  rp.docker_content_digest, ret->manifest_digest);
          registry_reply_clear (&rp);
        }
      ret->manifest_size = (int64_t)body_len;
    }
  if (r == 0)
    {
      /* what was pushed is now a RepoDigest of the image */
      struct image_ref dref = { .domain = ref->domain, .path = ref->path, .digest = ret->manifest_digest };
      r = store_tag_add (image_service_store (svc), &dref, id, true, err);
    }
  image_service_unpin (svc, false);
  for (size_t i = 0; i < m.n_layers; i++)
    free_descriptor (&m.layers[i]);
  free (m.layers);
  free_descriptor (&m.config);
  free (layers);
  registry_client_free (p.client);
  return r;
}
