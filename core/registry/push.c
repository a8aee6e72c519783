/* Pushing an image: see push.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "core/image/image-config.h"
#include "core/image/manifest.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/registry/blob-sources.h"
#include "core/registry/pull.h"
#include "core/registry/push.h"
#include "core/registry/retry.h"
#include "core/registry/transport.h"

#define MAX_UPLOADS_LIMIT 32

struct push
{
  struct image_service *svc;
  struct registry_client *client;
  const struct registry_push_opts *opts;
  const struct image_ref *ref;
  pthread_mutex_t lock; /* the layer queue, progress calls */
  atomic_bool cancel;
};

static void
progress (struct push *p, const char *id, const char *status, int64_t current, int64_t total)
{
  if (p->opts->progress == NULL)
    return;
  pthread_mutex_lock (&p->lock);
  p->opts->progress (p->opts->progress_ud, id, status, current, total);
  pthread_mutex_unlock (&p->lock);
}

static int
reply_error (const struct registry_reply *rp, const char *what, const char *repo, berth_error_t *err)
{
  cleanup_free char *text = registry_status_text (rp);

  if (rp->status == 401 || rp->status == 403)
    return berth_error_make (err, EACCES, "%s: access to the resource is denied (push to %s): %s", what, repo, text);
  return berth_error_make (err, rp->status == 404 ? ENOENT : EIO, "%s: %s", what, text);
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

/* gzip tar_fd into out_fd (a pipe to the upload), hashing the compressed
   bytes; *read_bytes follows the progress (atomic: read by the uploader). */
struct compress_job
{
  int tar_fd;
  int out_fd;
  _Atomic uint64_t read_bytes;
  char digest[DIGEST_BUF_SIZE];
  uint64_t size;
  berth_error_t err;
};

static void *
compress_thread (void *ud)
{
  struct compress_job *c = ud;
  cleanup_digest_ctx struct digest_ctx *dg = NULL;
  struct gz_out o;
  struct archive *a;
  struct archive_entry *e;
  char buf[128 * 1024];
  int r = 0;

  dg = digest_ctx_new (&c->err);
  if (dg == NULL)
    goto out;
  o.fd = c->out_fd;
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
    r = berth_error_make (&c->err, EIO, "gzip: %s", archive_error_string (a));
  while (r == 0)
    {
      ssize_t n = read (c->tar_fd, buf, sizeof (buf));
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          r = berth_error_errno (&c->err, errno, "read the layer tar");
          break;
        }
      if (n == 0)
        break;
      if (archive_write_data (a, buf, (size_t)n) != n)
        r = berth_error_make (&c->err, EIO, "gzip: %s", archive_error_string (a));
      atomic_fetch_add (&c->read_bytes, (uint64_t)n);
    }
  if (r == 0 && archive_write_close (a) != ARCHIVE_OK)
    r = berth_error_make (&c->err, EIO, "gzip: %s", archive_error_string (a));
  archive_entry_free (e);
  archive_write_free (a);
  if (r == 0)
    {
      c->size = digest_ctx_size (dg);
      digest_ctx_final (dg, c->digest, &c->err);
    }
out:
  /* EOF for the upload (or EPIPE for it when we failed) */
  close (c->out_fd);
  c->out_fd = -1;
  return NULL;
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

  if (registry_do_retry (p->client, &rq, &rp, true, &p->cancel, err) < 0)
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

/* POST an upload session, or with from_repo a cross-repository mount of
   digest: 1 mounted, 0 a session (*ret_location) to upload into. */
static int
upload_start (struct push *p, const char *digest, const char *from_repo, char **ret_location, berth_error_t *err)
{
  cleanup_free char *url = NULL;
  cleanup_free char *what = xasprintf ("upload of blob %s", digest != NULL ? digest : "");
  struct registry_request rq = { .method = "POST", .body_fd = -1 };
  struct registry_reply rp;
  int r = 0;

  if (from_repo != NULL)
    url = xasprintf ("/v2/%s/blobs/uploads/?mount=%s&from=%s", registry_client_repo (p->client), digest, from_repo);
  else
    url = xasprintf ("/v2/%s/blobs/uploads/", registry_client_repo (p->client));
  rq.url = url;
  *ret_location = NULL;
  if (registry_do_retry (p->client, &rq, &rp, true, &p->cancel, err) < 0)
    return berth_error_ret (err);
  if (from_repo != NULL && rp.status == 201)
    r = 1;
  else if (rp.status == 202 && rp.location != NULL)
    *ret_location = steal_pointer (&rp.location);
  else
    r = reply_error (&rp, what, registry_client_repo (p->client), err);
  registry_reply_clear (&rp);
  return r;
}

/* PUT ?digest= to finish a session: the whole blob (fd or memory), or
   nothing after PATCHes. */
static int
upload_finish (struct push *p, const char *location, const char *digest, int fd, const void *data, uint64_t size,
               berth_error_t *err)
{
  static const char *const octet[] = { "Content-Type: application/octet-stream", NULL };
  cleanup_free char *put = xasprintf ("%s%cdigest=%s", location, strchr (location, '?') != NULL ? '&' : '?', digest);
  cleanup_free char *what = xasprintf ("upload of blob %s", digest);
  /* a relative Location is relative to the registry */
  struct registry_request rq = {
    .method = "PUT", .url = put, .headers = octet, .body_fd = fd, .body_size = size, .body = data, .body_len = size
  };
  struct registry_reply rp;
  int r = 0;

  if (registry_do (p->client, &rq, &rp, err) < 0)
    return berth_error_wrap (err, "%s", what);
  if (rp.status != 201)
    r = reply_error (&rp, what, registry_client_repo (p->client), err);
  else if (rp.docker_content_digest != NULL && strcmp (rp.docker_content_digest, digest) != 0)
    r = berth_error_make (err, EIO, "%s: the registry stored digest %s", what, rp.docker_content_digest);
  registry_reply_clear (&rp);
  return r;
}

/* A small blob (the config) from memory. */
static int
upload_blob_mem (struct push *p, const char *digest, const void *data, size_t size, berth_error_t *err)
{
  cleanup_free char *location = NULL;

  if (upload_start (p, digest, NULL, &location, err) < 0)
    return berth_error_ret (err);
  return upload_finish (p, location, digest, -1, data, size, err);
}

struct layer_upload
{
  struct push *p;
  struct compress_job *c;
  const char *id;
  uint64_t total;
  int64_t last_ns;
};

static int64_t
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* "Pushing" with the bytes of the layer read so far, every 100 ms */
static int
upload_tick (void *ud)
{
  struct layer_upload *u = ud;
  int64_t t = now_ns ();

  if (atomic_load (&u->p->cancel))
    return 1;
  if (t - u->last_ns >= 100000000LL)
    {
      u->last_ns = t;
      progress (u->p, u->id, "Pushing", (int64_t)atomic_load (&u->c->read_bytes), (int64_t)u->total);
    }
  return 0;
}

/* Compress the layer into a chunked PATCH as it goes, then PUT ?digest=. */
static int
upload_layer_stream (struct push *p, const struct store_layer *l, const char *id, const char *location,
                     struct image_descriptor *d, berth_error_t *err)
{
  static const char *const octet[] = { "Content-Type: application/octet-stream", NULL };
  struct compress_job c = { .out_fd = -1 };
  struct layer_upload u = { .p = p, .c = &c, .id = id };
  cleanup_close int tar = -1, rfd = -1;
  cleanup_free char *next = NULL;
  struct registry_reply rp;
  struct stat st;
  pthread_t th;
  int pfd[2], e, r;

  tar = image_service_layer_tar_open (p->svc, l, err);
  if (tar < 0)
    return berth_error_ret (err);
  u.total = fstat (tar, &st) == 0 ? (uint64_t)st.st_size : 0;
  if (pipe2 (pfd, O_CLOEXEC) < 0)
    return berth_error_errno (err, errno, "create a pipe");
  rfd = pfd[0];
  c.tar_fd = tar;
  c.out_fd = pfd[1];
  if ((e = pthread_create (&th, NULL, compress_thread, &c)) != 0)
    {
      close (pfd[1]);
      return berth_error_errno (err, e, "start a compression thread");
    }
  progress (p, id, "Pushing", 0, (int64_t)u.total);
  u.last_ns = now_ns ();
  {
    struct registry_request rq = { .method = "PATCH",
                                   .url = location,
                                   .headers = octet,
                                   .body_fd = rfd,
                                   .body_size = REGISTRY_BODY_SIZE_UNKNOWN,
                                   .tick = upload_tick,
                                   .tick_ud = &u };
    r = registry_do (p->client, &rq, &rp, err);
  }
  /* the compressor sees the closed pipe if the upload stopped early */
  close (steal_fd (&rfd));
  pthread_join (th, NULL);
  if (c.err != NULL)
    {
      if (r == 0)
        registry_reply_clear (&rp);
      else
        berth_error_release (err);
      *err = steal_pointer (&c.err);
      return -1;
    }
  if (r < 0)
    return berth_error_wrap (err, "upload of layer %s", l->diff_id);
  if (rp.status != 202 || rp.location == NULL)
    {
      cleanup_free char *what = xasprintf ("upload of layer %s", l->diff_id);
      r = reply_error (&rp, what, registry_client_repo (p->client), err);
      registry_reply_clear (&rp);
      return r;
    }
  next = steal_pointer (&rp.location);
  registry_reply_clear (&rp);
  if (upload_finish (p, next, c.digest, -1, "", 0, err) < 0)
    return berth_error_ret (err);
  d->digest = xstrdup (c.digest);
  d->size = (int64_t)c.size;
  progress (p, id, "Pushing", (int64_t)u.total, (int64_t)u.total);
  return 0;
}

static int
push_layer (struct push *p, const struct store_layer *l, struct image_descriptor *d, berth_error_t *err)
{
  const char *host = image_ref_registry_host (p->ref), *repo = registry_client_repo (p->client);
  struct blob_source *known = NULL;
  cleanup_free char *location = NULL;
  size_t n_known = 0;
  char id[13];
  int r = 0;

  snprintf (id, sizeof (id), "%.12s", digest_hex (l->diff_id));
  d->media_type = xstrdup (MEDIA_TYPE_DOCKER_LAYER_GZIP);
  /* blobs this registry got before: here (HEAD), or in another repository
     (mount); any failure there only means an upload */
  blob_sources_find (p->opts->blob_sources, host, repo, l->diff_id, &known, &n_known, NULL);
  for (size_t i = 0; r == 0 && location == NULL && i < n_known; i++)
    {
      berth_error_t e = NULL;
      int found;

      if (strcmp (known[i].repo, repo) == 0)
        found = blob_exists (p, known[i].digest, &e);
      else
        found = upload_start (p, known[i].digest, known[i].repo, &location, &e);
      if (found < 0)
        {
          if (berth_error_code (&e) == ECANCELED)
            r = -1, *err = steal_pointer (&e);
          berth_error_release (&e);
          continue;
        }
      if (found == 1)
        {
          cleanup_free char *status = NULL;
          d->digest = xstrdup (known[i].digest);
          d->size = known[i].size;
          status = strcmp (known[i].repo, repo) == 0 ? xstrdup ("Layer already exists")
                                                     : xasprintf ("Mounted from %s", known[i].repo);
          progress (p, id, status, -1, -1);
          r = 1;
        }
    }
  blob_sources_free (known, n_known);
  if (r < 0)
    return r;
  if (r == 0)
    {
      if (location == NULL && upload_start (p, NULL, NULL, &location, err) < 0)
        return berth_error_wrap (err, "layer %s", l->diff_id);
      if (upload_layer_stream (p, l, id, location, d, err) < 0)
        return berth_error_wrap (err, "layer %s", l->diff_id);
      progress (p, id, "Pushed", -1, -1);
    }
  {
    cleanup_free char *diff_id = xstrdup (l->diff_id);
    struct blob_source b = { .digest = d->digest, .size = d->size, .diff_id = diff_id };
    berth_error_t e = NULL;
    if (blob_sources_record (p->opts->blob_sources, host, repo, &b, 1, &e) < 0)
      {
        log_warn ("record the sources of %s: %s", repo, berth_error_msg (&e));
        berth_error_release (&e);
      }
  }
  return 0;
}

/* ---- layers in parallel ---- */

struct layer_queue
{
  struct push *p;
  struct store_layer *layers;
  struct image_descriptor *descs;
  berth_error_t *errs;
  size_t n, next;
};

static void *
upload_worker (void *ud)
{
  struct layer_queue *q = ud;
  struct push *p = q->p;

  for (;;)
    {
      size_t i;

      pthread_mutex_lock (&p->lock);
      i = q->next < q->n && !atomic_load (&p->cancel) ? q->next++ : q->n;
      pthread_mutex_unlock (&p->lock);
      if (i == q->n)
        return NULL;
      if (push_layer (p, &q->layers[i], &q->descs[i], &q->errs[i]) < 0)
        atomic_store (&p->cancel, true);
    }
}

static int
push_layers (struct push *p, struct store_layer *layers, struct image_descriptor *descs, size_t n, berth_error_t *err)
{
  int n_workers = p->opts->max_uploads > 0 ? p->opts->max_uploads : REGISTRY_DEFAULT_UPLOADS;
  struct layer_queue q = { .p = p, .layers = layers, .descs = descs, .n = n };
  pthread_t threads[MAX_UPLOADS_LIMIT];
  int started = 0, r = 0;

  if (n_workers > MAX_UPLOADS_LIMIT)
    n_workers = MAX_UPLOADS_LIMIT;
  q.errs = xmalloc0 ((n + 1) * sizeof (*q.errs));
  for (int i = 0; i < n_workers && (size_t)i < n; i++)
    {
      int e = pthread_create (&threads[i], NULL, upload_worker, &q);
      if (e != 0)
        {
          if (started == 0)
            r = berth_error_errno (err, e, "start an upload thread");
          break;
        }
      started++;
    }
  for (int i = 0; i < started; i++)
    pthread_join (threads[i], NULL);
  /* the first failure in layer order; cancellations that followed it are not news */
  for (size_t i = 0; i < n; i++)
    {
      if (r == 0 && q.errs[i] != NULL && berth_error_code (&q.errs[i]) != ECANCELED)
        {
          *err = steal_pointer (&q.errs[i]);
          r = -1;
        }
      berth_error_release (&q.errs[i]);
    }
  for (size_t i = 0; r == 0 && i < n; i++)
    if (descs[i].digest == NULL)
      r = berth_error_make (err, ECANCELED, "layer %s: the push stopped", layers[i].diff_id);
  free (q.errs);
  return r;
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
  struct push p = { .svc = svc, .opts = opts, .ref = ref };
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
  if (registry_pull_client (ref, opts->docker_io_endpoint, &p.client, err) < 0)
    return berth_error_ret (err);
  pthread_mutex_init (&p.lock, NULL);
  registry_client_set_authorization (p.client, opts->authorization);
  registry_client_set_credentials (p.client, opts->credentials);

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
  if (r == 0)
    r = push_layers (&p, layers, m.layers, n, err);
  if (r == 0)
    {
      m.config.media_type = xstrdup (MEDIA_TYPE_DOCKER_CONFIG);
      m.config.digest = xstrdup (id);
      m.config.size = (int64_t)config_len;
      r = blob_exists (&p, id, err);
      if (r == 0)
        r = upload_blob_mem (&p, id, config, config_len, err);
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
  pthread_mutex_destroy (&p.lock);
  return r;
}
