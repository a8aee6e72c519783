/* Pulling an image: see pull.h. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "core/image/image-config.h"
#include "core/image/manifest.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/registry/blob-sources.h"
#include "core/registry/pull.h"
#include "core/registry/retry.h"
#include "core/registry/transport.h"

#define MAX_DOWNLOADS_LIMIT 32
/* progress messages for one layer at most this often */
#define PROGRESS_INTERVAL_NS 100000000LL

static const char *const manifest_accept[] = {
  "Accept: " MEDIA_TYPE_OCI_INDEX,
  "Accept: " MEDIA_TYPE_OCI_MANIFEST,
  "Accept: " MEDIA_TYPE_DOCKER_LIST,
  "Accept: " MEDIA_TYPE_DOCKER_MANIFEST,
  NULL,
};

struct pull;

struct layer_job
{
  struct pull *p;
  const struct image_descriptor *desc;
  const char *diff_id;
  char short_id[13];
  bool needed;
  int state; /* 0 waiting, 1 spooled, -1 failed (err set) */
  struct image_spooled_layer sp;
  berth_error_t err;
  /* the download side */
  int wfd;
  uint64_t received;
  struct registry_reply *rp; /* of the current try: its Content-Range */
  uint64_t resume_from;      /* asked for with Range on this try */
  uint64_t skip;             /* bytes to drop: the registry ignored the Range */
  bool first_write;
  int64_t last_report_ns;
  berth_error_t fetch_err;
  bool write_failed;
};

struct pull
{
  struct image_service *svc;
  struct registry_client *client;
  const struct registry_pull_opts *opts;
  pthread_mutex_t lock; /* job states, progress calls */
  pthread_cond_t changed;
  struct layer_job *jobs;
  size_t n_jobs;
  size_t next_job;
  atomic_bool cancel;
};

static void
progress (struct pull *p, const char *id, const char *status, int64_t current, int64_t total)
{
  if (p->opts->progress == NULL)
    return;
  pthread_mutex_lock (&p->lock);
  p->opts->progress (p->opts->progress_ud, id, status, current, total);
  pthread_mutex_unlock (&p->lock);
}

static int64_t
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int
registry_platform_parse (const char *s, char **ret_os, char **ret_arch, char **ret_variant, berth_error_t *err)
{
  cleanup_free char *copy = NULL;
  char *os, *arch, *variant;

  *ret_os = *ret_arch = *ret_variant = NULL;
  if (s == NULL || s[0] == '\0')
    return berth_error_make (err, EINVAL, "empty platform");
  copy = xstrdup (s);
  os = copy;
  arch = strchr (os, '/');
  if (arch == NULL || arch[1] == '\0' || arch == os)
    return berth_error_make (err, EINVAL, "invalid platform \"%s\": expected os/arch[/variant]", s);
  *arch++ = '\0';
  variant = strchr (arch, '/');
  if (variant != NULL)
    {
      *variant++ = '\0';
      if (variant[0] == '\0' || strchr (variant, '/') != NULL)
        return berth_error_make (err, EINVAL, "invalid platform \"%s\": expected os/arch[/variant]", s);
    }
  *ret_os = xstrdup (os);
  *ret_arch = xstrdup (arch);
  *ret_variant = variant != NULL ? xstrdup (variant) : NULL;
  return 0;
}

/* The error for a reply that is not what we asked for, in moby's words
   where it has some, naming the HTTP status. */
static int
reply_error (struct pull *p, const struct registry_reply *rp, const char *what, const char *name, berth_error_t *err)
{
  cleanup_free char *text = registry_status_text (rp);

  (void)p;
  if (rp->status == 401 || rp->status == 403)
    return berth_error_make (err, EACCES,
                             "pull access denied for %s, repository does not exist or may require 'docker login': %s",
                             name, text);
  if (rp->status == 404)
    return berth_error_make (err, ENOENT, "%s not found: %s", what, text);
  if (rp->status == 429)
    return berth_error_make (err, EAGAIN, "%s: too many requests: %s", what, text);
  return berth_error_make (err, EIO, "%s: %s", what, text);
}

/* GET a manifest (by tag or digest); the body's digest is checked against
   the digest asked for, or the registry's Docker-Content-Digest. */
static int
fetch_manifest (struct pull *p, const char *reference, const char *name, char **ret_body, size_t *ret_len,
                char **ret_type, char ret_digest[DIGEST_BUF_SIZE], berth_error_t *err)
{
  cleanup_free char *url = xasprintf ("/v2/%s/manifests/%s", registry_client_repo (p->client), reference);
  cleanup_free char *what = xasprintf ("manifest for %s", name);
  struct registry_request rq
      = { .method = "GET", .url = url, .headers = manifest_accept, .body_fd = -1, .max_body = MANIFEST_MAX_SIZE };
  struct registry_reply rp;
  char digest[DIGEST_BUF_SIZE];

  if (registry_do_retry (p->client, &rq, &rp, true, &p->cancel, err) < 0)
    {
      if (berth_error_code (err) == EFBIG)
        return berth_error_wrap (err, "manifest for %s refused: larger than %u bytes", name, MANIFEST_MAX_SIZE);
      return berth_error_ret (err);
    }
  if (rp.status != 200)
    {
      int r = reply_error (p, &rp, what, name, err);
      registry_reply_clear (&rp);
      return r;
    }
  if (rp.body == NULL)
    {
      registry_reply_clear (&rp);
      return berth_error_make (err, EINVAL, "manifest for %s: the registry sent an empty body", name);
    }
  if (digest_buffer (rp.body, rp.body_len, digest, err) < 0)
    {
      registry_reply_clear (&rp);
      return berth_error_ret (err);
    }
  if (strncmp (reference, DIGEST_PREFIX, DIGEST_PREFIX_LEN) == 0 && strcmp (reference, digest) != 0)
    {
      registry_reply_clear (&rp);
      return berth_error_make (err, EINVAL, "manifest verification failed for digest %s: the content has digest %s",
                               reference, digest);
    }
  if (rp.docker_content_digest != NULL && digest_is_valid (rp.docker_content_digest)
      && strcmp (rp.docker_content_digest, digest) != 0)
    {
      berth_error_make (err, EINVAL, "manifest for %s: the registry says its digest is %s, the content's is %s", name,
                        rp.docker_content_digest, digest);
      registry_reply_clear (&rp);
      return -EINVAL;
    }
  *ret_body = steal_pointer (&rp.body);
  *ret_len = rp.body_len;
  *ret_type = steal_pointer (&rp.content_type);
  memcpy (ret_digest, digest, DIGEST_BUF_SIZE);
  registry_reply_clear (&rp);
  return 0;
}

/* GET /v2/: is this a registry, and can we reach it?  401 is an answer
   too (credentials are asked for per repository later). */
static int
probe (struct pull *p, berth_error_t *err)
{
  struct registry_request rq = { .method = "GET", .url = "/v2/", .body_fd = -1 };
  struct registry_reply rp;
  int r = 0;

  if (registry_do_retry (p->client, &rq, &rp, false, &p->cancel, err) < 0)
    return berth_error_wrap (err, "cannot reach registry %s", registry_client_host (p->client));
  if (rp.status == 429 || rp.status >= 500)
    {
      cleanup_free char *text = registry_status_text (&rp);
      r = berth_error_make (err, EIO, "registry %s: GET /v2/: %s", registry_client_host (p->client), text);
    }
  else if (rp.status != 200 && rp.status != 401)
    r = berth_error_make (err, EIO, "registry %s: GET /v2/ answered %ld; is it a Docker registry (API v2)?",
                          registry_client_host (p->client), rp.status);
  registry_reply_clear (&rp);
  return r;
}

/* A small blob (the config) into memory, verified. */
static int
fetch_blob_mem (struct pull *p, const struct image_descriptor *d, size_t max, char **ret, size_t *ret_len,
                berth_error_t *err)
{
  cleanup_free char *url = xasprintf ("/v2/%s/blobs/%s", registry_client_repo (p->client), d->digest);
  cleanup_free char *what = xasprintf ("blob %s", d->digest);
  struct registry_request rq = { .method = "GET", .url = url, .body_fd = -1, .max_body = max };
  struct registry_reply rp;
  char digest[DIGEST_BUF_SIZE];

  if (d->size < 0 || (uint64_t)d->size > max)
    return berth_error_make (err, EFBIG, "blob %s: its size %lld is over the limit of %zu bytes", d->digest,
                             (long long)d->size, max);
  if (registry_do_retry (p->client, &rq, &rp, true, &p->cancel, err) < 0)
    return berth_error_ret (err);
  if (rp.status != 200)
    {
      int r = reply_error (p, &rp, what, registry_client_repo (p->client), err);
      registry_reply_clear (&rp);
      return r;
    }
  if (digest_buffer (rp.body != NULL ? rp.body : "", rp.body_len, digest, err) < 0)
    {
      registry_reply_clear (&rp);
      return berth_error_ret (err);
    }
  if (strcmp (digest, d->digest) != 0 || rp.body_len != (size_t)d->size)
    {
      berth_error_make (err, EINVAL, "blob %s: the registry sent %zu bytes with digest %s (expected %lld bytes)",
                        d->digest, rp.body_len, digest, (long long)d->size);
      registry_reply_clear (&rp);
      return -EINVAL;
    }
  *ret = rp.body != NULL ? steal_pointer (&rp.body) : xstrdup ("");
  *ret_len = rp.body_len;
  registry_reply_clear (&rp);
  return 0;
}

/* ---- layer downloads ---- */

static int
layer_sink (void *ud, const void *data, size_t len)
{
  struct layer_job *j = ud;
  const char *b = data;
  int64_t t;

  if (j->first_write)
    {
      unsigned long long start;

      j->first_write = false;
      j->skip = 0;
      /* a registry may answer a Range request with the whole blob (200):
         what the spool already has is dropped from it */
      if (j->resume_from > 0)
        {
          if (j->rp->content_range == NULL || sscanf (j->rp->content_range, "bytes %llu-", &start) != 1)
            j->skip = j->resume_from;
          else if (start != j->resume_from)
            {
              berth_error_make (&j->fetch_err, EIO, "the registry resumed the download at byte %llu, not %llu", start,
                                (unsigned long long)j->resume_from);
              return -1;
            }
        }
    }
  if (j->skip > 0)
    {
      size_t n = len < j->skip ? len : (size_t)j->skip;
      j->skip -= n;
      b += n;
      len -= n;
    }
  if (j->received + len > (uint64_t)j->desc->size)
    {
      berth_error_make (&j->fetch_err, EINVAL, "the registry sent more than the %lld bytes the manifest declares",
                        (long long)j->desc->size);
      return -1;
    }
  while (len > 0)
    {
      ssize_t n = send (j->wfd, b, len, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          j->write_failed = true; /* the spool stopped; its error tells why */
          return -1;
        }
      b += n;
      len -= (size_t)n;
      j->received += (uint64_t)n;
    }
  t = now_ns ();
  if (t - j->last_report_ns >= PROGRESS_INTERVAL_NS)
    {
      j->last_report_ns = t;
      progress (j->p, j->short_id, "Downloading", (int64_t)j->received, j->desc->size);
    }
  return 0;
}

static int
layer_tick (void *ud)
{
  struct layer_job *j = ud;
  return atomic_load (&j->p->cancel) ? 1 : 0;
}

/* One try at the rest of the blob: 0 done, 1 worth another try (e set),
   -1 final (j->fetch_err or e set). */
static int
layer_fetch_once (struct layer_job *j, const char *url, struct registry_reply *rp, berth_error_t *e)
{
  struct pull *p = j->p;
  char range[64];
  const char *headers[] = { range, NULL };
  struct registry_request rq = { .method = "GET",
                                 .url = url,
                                 .headers = j->received > 0 ? headers : NULL,
                                 .body_fd = -1,
                                 .sink = layer_sink,
                                 .sink_ud = j,
                                 .tick = layer_tick,
                                 .tick_ud = j };
  int r;

  snprintf (range, sizeof (range), "Range: bytes=%llu-", (unsigned long long)j->received);
  j->resume_from = j->received;
  j->first_write = true;
  j->rp = rp;
  r = registry_do (p->client, &rq, rp, e);
  j->rp = NULL;
  if (r < 0)
    {
      if (j->fetch_err != NULL || j->write_failed || atomic_load (&p->cancel))
        return -1;
      return registry_error_transient (berth_error_code (e), true) ? 1 : -1;
    }
  if (rp->status == 200 || rp->status == 206)
    {
      if (j->received == (uint64_t)j->desc->size)
        return 0;
      /* a body shorter than announced without a transport error */
      berth_error_make (e, EIO, "the download ended after %llu of %lld bytes", (unsigned long long)j->received,
                        (long long)j->desc->size);
      return 1;
    }
  {
    cleanup_free char *what = xasprintf ("blob %s", j->desc->digest);
    reply_error (p, rp, what, registry_client_repo (p->client), e);
  }
  return registry_status_transient (rp->status) ? 1 : -1;
}

/* Fetch the blob into the spool's socket; a dropped connection is resumed
   where it stopped (Range), REGISTRY_ATTEMPTS tries in all. */
static void *
layer_fetch_thread (void *ud)
{
  struct layer_job *j = ud;
  struct pull *p = j->p;
  cleanup_free char *url = xasprintf ("/v2/%s/blobs/%s", registry_client_repo (p->client), j->desc->digest);

  for (int attempt = 1;; attempt++)
    {
      struct registry_reply rp;
      berth_error_t e = NULL;
      int r, delay;

      memset (&rp, 0, sizeof (rp));
      r = layer_fetch_once (j, url, &rp, &e);
      delay = r == 1 && attempt < REGISTRY_ATTEMPTS ? registry_retry_delay (&rp, attempt) : -1;
      registry_reply_clear (&rp);
      if (r == 0)
        break;
      if (delay < 0)
        {
          if (j->fetch_err == NULL && !j->write_failed && e != NULL)
            {
              j->fetch_err = steal_pointer (&e);
              if (attempt > 1)
                berth_error_wrap (&j->fetch_err, "download failed after %d attempts", attempt);
            }
          berth_error_release (&e);
          break;
        }
      log_warn ("layer %s: %s; retrying in %d s from byte %llu", j->desc->digest, berth_error_msg (&e), delay,
                (unsigned long long)j->received);
      berth_error_release (&e);
      {
        char status[64];
        snprintf (status, sizeof (status), "Retrying in %d second%s", delay, delay == 1 ? "" : "s");
        progress (p, j->short_id, status, -1, -1);
      }
      if (registry_sleep (delay, &p->cancel))
        break;
    }
  /* EOF for the spool */
  close (j->wfd);
  j->wfd = -1;
  return NULL;
}

/* Download one layer into a spooled tar, verifying both digests. */
static void
run_job (struct layer_job *j)
{
  struct pull *p = j->p;
  pthread_t fetcher;
  int sv[2];
  int r;

  progress (p, j->short_id, "Downloading", 0, j->desc->size);
  j->last_report_ns = now_ns ();
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    {
      berth_error_errno (&j->err, errno, "create a socket pair");
      goto out;
    }
  j->wfd = sv[1];
  if ((r = pthread_create (&fetcher, NULL, layer_fetch_thread, j)) != 0)
    {
      close (sv[0]);
      close (sv[1]);
      berth_error_errno (&j->err, r, "start a download thread");
      goto out;
    }
  /* digests are checked as the bytes pass: the end of the spool is moby's
     "Verifying Checksum" */
  r = image_service_layer_spool (p->svc, sv[0], j->desc->digest, j->diff_id, &j->sp, &j->err);
  /* the fetcher sees the closed socket and stops */
  close (sv[0]);
  pthread_join (fetcher, NULL);
  if (j->fetch_err != NULL)
    {
      /* the download's failure explains a spool error (truncated stream) */
      berth_error_release (&j->err);
      j->err = steal_pointer (&j->fetch_err);
      if (r == 0)
        image_service_spooled_discard (&j->sp);
      r = -1;
    }
  if (r == 0)
    {
      progress (p, j->short_id, "Verifying Checksum", -1, -1);
      progress (p, j->short_id, "Download complete", -1, -1);
    }
out:
  if (j->err != NULL)
    berth_error_wrap (&j->err, "layer %s", j->desc->digest);
  pthread_mutex_lock (&p->lock);
  j->state = j->err != NULL ? -1 : 1;
  pthread_cond_broadcast (&p->changed);
  pthread_mutex_unlock (&p->lock);
}

static void *
worker (void *ud)
{
  struct pull *p = ud;

  for (;;)
    {
      struct layer_job *j = NULL;

      pthread_mutex_lock (&p->lock);
      while (p->next_job < p->n_jobs && !p->jobs[p->next_job].needed)
        p->next_job++;
      if (p->next_job < p->n_jobs && !atomic_load (&p->cancel))
        j = &p->jobs[p->next_job++];
      pthread_mutex_unlock (&p->lock);
      if (j == NULL)
        return NULL;
      run_job (j);
    }
}

/* Download the needed layers in parallel and add every layer in order;
   ret_top gets the top chain id.  Pinned by the caller. */
static int
pull_layers (struct pull *p, const struct image_manifest *m, const struct image_config *cfg, char **chains,
             char ret_top[DIGEST_BUF_SIZE], berth_error_t *err)
{
  int n_workers = p->opts->max_downloads > 0 ? p->opts->max_downloads : REGISTRY_DEFAULT_DOWNLOADS;
  pthread_t threads[MAX_DOWNLOADS_LIMIT];
  int started = 0, r = 0;
  size_t n_needed = 0;

  if (n_workers > MAX_DOWNLOADS_LIMIT)
    n_workers = MAX_DOWNLOADS_LIMIT;
  p->n_jobs = m->n_layers;
  p->jobs = xmalloc0 (p->n_jobs * sizeof (*p->jobs));
  for (size_t i = 0; i < p->n_jobs; i++)
    {
      struct layer_job *j = &p->jobs[i];
      struct store_layer l;

      j->p = p;
      j->desc = &m->layers[i];
      j->diff_id = cfg->diff_ids[i];
      j->wfd = -1;
      j->sp.fd = -1;
      snprintf (j->short_id, sizeof (j->short_id), "%.12s", digest_hex (j->desc->digest));
      j->needed = !(store_layer_get (image_service_store (p->svc), chains[i], &l, NULL) == 0 && l.ready);
      n_needed += j->needed;
      progress (p, j->short_id, j->needed ? "Pulling fs layer" : "Already exists", -1, -1);
    }
  for (int i = 0; i < n_workers && (size_t)i < n_needed; i++)
    {
      int e = pthread_create (&threads[i], NULL, worker, p);
      if (e != 0)
        {
          if (started == 0)
            r = berth_error_errno (err, e, "start a download thread");
          break;
        }
      started++;
    }
  /* add layers in order while the later ones download */
  ret_top[0] = '\0';
  for (size_t i = 0; r == 0 && i < p->n_jobs; i++)
    {
      struct layer_job *j = &p->jobs[i];
      struct store_layer l;

      if (j->needed)
        {
          pthread_mutex_lock (&p->lock);
          while (j->state == 0)
            pthread_cond_wait (&p->changed, &p->lock);
          pthread_mutex_unlock (&p->lock);
          if (j->state < 0)
            {
              *err = steal_pointer (&j->err);
              r = -1;
              break;
            }
          progress (p, j->short_id, "Extracting", -1, -1);
          r = image_service_layer_add_spooled (p->svc, i > 0 ? chains[i - 1] : NULL, &j->sp, &l, err);
          if (r < 0)
            {
              berth_error_wrap (err, "layer %s", j->desc->digest);
              break;
            }
          progress (p, j->short_id, "Pull complete", -1, -1);
        }
      memcpy (ret_top, chains[i], DIGEST_BUF_SIZE);
    }
  if (r < 0)
    atomic_store (&p->cancel, true);
  for (int i = 0; i < started; i++)
    pthread_join (threads[i], NULL);
  for (size_t i = 0; i < p->n_jobs; i++)
    {
      if (p->jobs[i].sp.path != NULL || p->jobs[i].sp.fd >= 0)
        image_service_spooled_discard (&p->jobs[i].sp);
      berth_error_release (&p->jobs[i].err);
      berth_error_release (&p->jobs[i].fetch_err);
    }
  free (p->jobs);
  p->jobs = NULL;
  return r;
}

/* ---- the whole pull ---- */

static int
select_platform (struct pull *p, const struct image_manifest *idx, const char *name, char **ret_digest,
                 berth_error_t *err)
{
  cleanup_free char *os = NULL, *arch = NULL, *variant = NULL;
  int i;

  if (p->opts->platform != NULL && p->opts->platform[0] != '\0')
    {
      if (registry_platform_parse (p->opts->platform, &os, &arch, &variant, err) < 0)
        return berth_error_ret (err);
    }
  else
    {
      os = xstrdup ("linux");
      arch = xstrdup (image_service_host_arch ());
    }
  i = manifest_index_select (idx, os, arch, variant, err);
  if (i < 0)
    return berth_error_wrap (err, "no matching manifest for %s/%s%s%s in the manifest list entries of %s", os, arch,
                             variant != NULL ? "/" : "", variant != NULL ? variant : "", name);
  *ret_digest = xstrdup (idx->manifests[i].digest);
  return 0;
}

static int
check_config_platform (struct pull *p, const struct image_config *cfg, const char *name, berth_error_t *err)
{
  cleanup_free char *os = NULL, *arch = NULL, *variant = NULL;

  if (p->opts->platform == NULL || p->opts->platform[0] == '\0')
    return 0;
  if (registry_platform_parse (p->opts->platform, &os, &arch, &variant, err) < 0)
    return berth_error_ret (err);
  if (strcmp (os, cfg->os != NULL ? cfg->os : "") != 0
      || strcmp (arch, cfg->architecture != NULL ? cfg->architecture : "") != 0)
    return berth_error_make (err, ENOENT,
                             "image with reference %s was found but its platform (%s/%s) does not match the "
                             "specified platform (%s/%s)",
                             name, cfg->os, cfg->architecture, os, arch);
  return 0;
}

int
registry_pull_client (const struct image_ref *ref, const char *docker_io_endpoint, struct registry_client **ret,
                      berth_error_t *err)
{
  if (docker_io_endpoint != NULL && docker_io_endpoint[0] != '\0'
      && strcmp (ref->domain, IMAGE_REF_DEFAULT_DOMAIN) == 0)
    return registry_client_new_at (ref, docker_io_endpoint, ret, err);
  return registry_client_new (ref, ret, err);
}

/* Record where the layers came from, for pushes (mounts, skipped
   compressions); a failure only costs speed later. */
static void
record_sources (struct pull *p, const struct image_ref *ref, const struct image_manifest *m,
                const struct image_config *cfg)
{
  struct blob_source *v;
  berth_error_t e = NULL;
  size_t n = 0;

  if (p->opts->blob_sources == NULL || m->n_layers == 0)
    return;
  v = xmalloc0 (m->n_layers * sizeof (*v));
  /* only gzip blobs: a push declares what it mounts as gzip layers */
  for (size_t i = 0; i < m->n_layers; i++)
    if (m->layers[i].media_type != NULL
        && (strcmp (m->layers[i].media_type, MEDIA_TYPE_DOCKER_LAYER_GZIP) == 0
            || strcmp (m->layers[i].media_type, MEDIA_TYPE_OCI_LAYER_GZIP) == 0))
      {
        v[n].digest = m->layers[i].digest;
        v[n].size = m->layers[i].size;
        v[n++].diff_id = cfg->diff_ids[i];
      }
  if (blob_sources_record (p->opts->blob_sources, image_ref_registry_host (ref), ref->path, v, n, &e) < 0)
    {
      log_warn ("record the sources of %s: %s", ref->path, berth_error_msg (&e));
      berth_error_release (&e);
    }
  free (v);
}

/* The whole pull from the endpoint of p->client. */
static int
pull_from (struct pull *p, const struct image_ref *ref, struct registry_pull_result *ret, berth_error_t *err)
{
  struct image_service *svc = p->svc;
  cleanup_free char *full = image_ref_familiar_string (ref);
  cleanup_free char *body = NULL, *type = NULL, *config = NULL;
  cleanup_manifest struct image_manifest *m = NULL;
  cleanup_image_config struct image_config *cfg = NULL;
  cleanup_strv char **chains = NULL;
  const char *reference = ref->digest != NULL ? ref->digest : ref->tag;
  char digest[DIGEST_BUF_SIZE], unused[DIGEST_BUF_SIZE], top[DIGEST_BUF_SIZE], prev[DIGEST_BUF_SIZE] = "";
  size_t len = 0, config_len = 0;
  int r;

  r = probe (p, err);
  if (r == 0)
    r = fetch_manifest (p, reference, full, &body, &len, &type, digest, err);
  if (r == 0 && (r = manifest_parse (body, len, type, &m, err)) < 0)
    berth_error_wrap (err, "manifest for %s refused", full);
  if (r == 0 && manifest_is_index (m))
    {
      cleanup_free char *chosen = NULL;
      r = select_platform (p, m, full, &chosen, err);
      if (r == 0)
        {
          free (body);
          free (type);
          body = type = NULL;
          manifest_free (steal_pointer (&m));
          r = fetch_manifest (p, chosen, full, &body, &len, &type, unused, err);
          if (r == 0 && (r = manifest_parse (body, len, type, &m, err)) < 0)
            berth_error_wrap (err, "manifest %s refused", chosen);
          if (r == 0 && manifest_is_index (m))
            r = berth_error_make (err, EINVAL, "manifest %s: an index inside an index is not supported", chosen);
        }
    }
  if (r == 0)
    r = manifest_check_image (m, err);
  if (r < 0)
    return r;
  {
    cleanup_free char *status = xasprintf ("Pulling from %s", ref->path);
    progress (p, ref->digest != NULL ? ref->digest : ref->tag, status, -1, -1);
  }
  r = fetch_blob_mem (p, &m->config, IMAGE_CONFIG_MAX_SIZE, &config, &config_len, err);
  if (r == 0)
    r = image_config_parse (config, config_len, &cfg, err);
  if (r == 0)
    r = check_config_platform (p, cfg, full, err);
  if (r == 0 && image_config_n_layers (cfg) != m->n_layers)
    r = berth_error_make (err, EINVAL, "image %s: the manifest lists %zu layers, its config %zu diff ids", full,
                          m->n_layers, image_config_n_layers (cfg));
  if (r == 0)
    r = image_chain_ids (cfg->diff_ids, &chains, err);
  if (r < 0)
    return berth_error_wrap (err, "image config %s", m->config.digest);

  image_service_pin (svc);
  /* "up to date": the tag (or, by digest, the store) already had the image */
  {
    char id[DIGEST_BUF_SIZE];
    struct store_image *img = NULL;
    if (digest_buffer (config, config_len, id, NULL) == 0)
      {
        if (ref->tag != NULL && ref->digest == NULL)
          ret->up_to_date
              = store_tag_lookup (image_service_store (svc), ref, prev, NULL) == 0 && strcmp (prev, id) == 0;
        else
          ret->up_to_date = store_image_get (image_service_store (svc), id, &img, NULL) == 0;
        store_image_free (img);
      }
  }
  r = pull_layers (p, m, cfg, chains, top, err);
  if (r == 0)
    r = image_service_image_add (svc, config, config_len, m->config.digest, m->n_layers > 0 ? top : NULL, ret->image_id,
                                 err);
  if (r == 0)
    {
      struct image_ref dref = { .domain = ref->domain, .path = ref->path, .digest = digest };
      if (ref->tag != NULL && ref->digest == NULL)
        r = image_service_tag (svc, ref, ret->image_id, NULL, err);
      if (r == 0)
        r = store_tag_add (image_service_store (svc), &dref, ret->image_id, true, err);
    }
  image_service_unpin (svc, r < 0);
  if (r == 0)
    {
      memcpy (ret->manifest_digest, digest, DIGEST_BUF_SIZE);
      record_sources (p, ref, m, cfg);
    }
  return r;
}

int
registry_pull (struct image_service *svc, const struct image_ref *ref, const struct registry_pull_opts *opts,
               struct registry_pull_result *ret, berth_error_t *err)
{
  cleanup_free char *name = image_ref_familiar_name (ref);
  bool docker_io = strcmp (ref->domain, IMAGE_REF_DEFAULT_DOMAIN) == 0;
  size_t n_mirrors = 0;
  int r = -1;

  memset (ret, 0, sizeof (*ret));
  if (ref->digest == NULL && ref->tag == NULL)
    return berth_error_make (err, EINVAL, "pull %s: a tag or a digest is needed", name);
  while (docker_io && opts->mirrors != NULL && opts->mirrors[n_mirrors] != NULL)
    n_mirrors++;
  /* the mirrors in order, then the registry itself */
  for (size_t i = 0; i <= n_mirrors; i++)
    {
      struct pull p = { .svc = svc, .opts = opts };

      if (i < n_mirrors)
        r = registry_client_new_at (ref, opts->mirrors[i], &p.client, err);
      else
        r = registry_pull_client (ref, opts->docker_io_endpoint, &p.client, err);
      if (r < 0)
        {
          if (i == n_mirrors)
            return berth_error_ret (err);
          log_warn ("registry mirror %s: %s", opts->mirrors[i], berth_error_msg (err));
          berth_error_release (err);
          continue;
        }
      pthread_mutex_init (&p.lock, NULL);
      pthread_cond_init (&p.changed, NULL);
      registry_client_set_authorization (p.client, opts->authorization);
      registry_client_set_credentials (p.client, opts->credentials);
      memset (ret, 0, sizeof (*ret));
      r = pull_from (&p, ref, ret, err);
      registry_client_free (p.client);
      pthread_cond_destroy (&p.changed);
      pthread_mutex_destroy (&p.lock);
      if (r == 0 || i == n_mirrors)
        break;
      /* as moby: any failure at a mirror falls back to the next endpoint */
      log_warn ("pull %s from mirror %s failed, falling back: %s", name, opts->mirrors[i], berth_error_msg (err));
      berth_error_release (err);
    }
  return r;
}

/* ---- tags ---- */

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

/* the next page of a Link: <url>; rel="next" header, or NULL */
static char *
next_link (const char *link)
{
  const char *lt, *gt;

  if (link == NULL || strstr (link, "rel=\"next\"") == NULL)
    return NULL;
  lt = strchr (link, '<');
  gt = lt != NULL ? strchr (lt, '>') : NULL;
  return gt != NULL ? xstrndup (lt + 1, (size_t)(gt - lt - 1)) : NULL;
}

int
registry_list_tags (const struct image_ref *ref, const struct registry_pull_opts *opts, char ***ret, berth_error_t *err)
{
  struct registry_client *client = NULL;
  cleanup_free char *url = NULL;
  char **tags = xmalloc0 (sizeof (char *));
  size_t n = 0;
  int r = 0;

  *ret = NULL;
  if (registry_pull_client (ref, opts->docker_io_endpoint, &client, err) < 0)
    {
      free (tags);
      return berth_error_ret (err);
    }
  registry_client_set_authorization (client, opts->authorization);
  registry_client_set_credentials (client, opts->credentials);
  url = xasprintf ("/v2/%s/tags/list", registry_client_repo (client));
  /* pages, as long as the registry links a next one (bounded) */
  for (int page = 0; r == 0 && url != NULL && page < 1000; page++)
    {
      struct registry_request rq = { .method = "GET", .url = url, .body_fd = -1, .max_body = 16u << 20 };
      struct registry_reply rp;
      json_object *doc = NULL, *list;
      cleanup_free char *name = image_ref_familiar_name (ref);

      if (registry_do_retry (client, &rq, &rp, true, NULL, err) < 0)
        {
          r = -1;
          break;
        }
      if (rp.status != 200)
        {
          cleanup_free char *text = registry_status_text (&rp);
          r = berth_error_make (err,
                                rp.status == 404                       ? ENOENT
                                : rp.status == 401 || rp.status == 403 ? EACCES
                                                                       : EIO,
                                "tags of %s: %s", name, text);
        }
      else if (rp.body == NULL || (doc = json_tokener_parse (rp.body)) == NULL
               || !json_object_object_get_ex (doc, "tags", &list)
               || !(json_object_is_type (list, json_type_array) || json_object_is_type (list, json_type_null)))
        r = berth_error_make (err, EINVAL, "tags of %s: the registry's answer is not a tag list", name);
      else
        for (size_t i = 0; json_object_is_type (list, json_type_array) && i < json_object_array_length (list); i++)
          {
            const char *t = json_object_get_string (json_object_array_get_idx (list, i));
            if (t == NULL || !image_ref_tag_valid (t))
              continue;
            tags = xrealloc (tags, (n + 2) * sizeof (char *));
            tags[n++] = xstrdup (t);
            tags[n] = NULL;
          }
      json_object_put (doc);
      free (url);
      url = r == 0 ? next_link (rp.link) : NULL;
      registry_reply_clear (&rp);
    }
  registry_client_free (client);
  if (r < 0)
    {
      strv_free (tags);
      return r;
    }
  qsort (tags, n, sizeof (char *), cmp_str);
  *ret = tags;
  return 0;
}
