/* Log driver `local`: compact length-prefixed binary records (format in
 * docs/logging.md) in <log_dir>/local-logs/container.log, rotated at
 * max-size (default 20m) keeping max-file files (default 5), rotated files
 * gzipped (compress, default true) by a background thread so the
 * container's output is not held up.  At most one compression runs: the
 * next rotation waits for it, which keeps the file names still while it
 * runs. */
#include "config.h"

#include "local.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct ll_stream
{
  struct log_file_driver *drv;
  char *dir, *path; /* local-logs/, local-logs/container.log */
  int fd;
  int64_t size;
  uint64_t seq;
  struct log_file_opts opts;
  pthread_mutex_t lock;
  /* the compression of container.log.1, when one runs */
  pthread_t gz_thread;
  bool gz_running;
};

/* ---- the format's integers ---- */

void
ll_put_u32 (uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

void
ll_put_u64 (uint8_t *p, uint64_t v)
{
  ll_put_u32 (p, (uint32_t)(v >> 32));
  ll_put_u32 (p + 4, (uint32_t)v);
}

uint32_t
ll_get_u32 (const uint8_t *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

uint64_t
ll_get_u64 (const uint8_t *p)
{
  return (uint64_t)ll_get_u32 (p) << 32 | ll_get_u32 (p + 4);
}

int
ll_header_seq (const uint8_t *p, size_t len, uint64_t *ret)
{
  if (len < LL_HEADER_LEN || memcmp (p, LL_MAGIC, 8) != 0)
    return -1;
  *ret = ll_get_u64 (p + 8);
  return 0;
}

/* ---- options ---- */

static const struct log_file_opts_spec ll_opts_spec = {
  .driver = "local",
  .size_hint = "a positive size like 20m, 512k or 1g",
  .compress = true,
};

int
ll_parse_opts (const struct berth_host_api *h, const struct berth_cfg *opts, struct log_file_opts *ret,
               struct berth_error **err)
{
  struct log_file_opts o = { .max_size = 20 * 1024 * 1024, .max_file = 5, .compress = true };
  int r = log_file_opts_parse (h, opts, &ll_opts_spec, &o, err);

  if (r < 0)
    return r;
  *ret = o;
  return 0;
}

static int
ll_validate (const struct berth_host_api *h, const struct berth_cfg *opts, struct berth_error **err)
{
  struct log_file_opts o;
  return ll_parse_opts (h, opts, &o, err);
}

char *
ll_dir (const struct berth_host_api *h, const struct berth_log_info *info, struct berth_error **err)
{
  char *dir;

  if (info->log_dir == NULL || info->log_dir[0] != '/')
    {
      h->error_set (err, EINVAL, "local: the log directory must be an absolute path");
      return NULL;
    }
  if (asprintf (&dir, "%s/local-logs", info->log_dir) < 0)
    {
      h->error_set (err, ENOMEM, "local: out of memory");
      return NULL;
    }
  return dir;
}

/* ---- writing ---- */

/* A new file holding only the header of `seq`, at `path` (replaced). */
static int
create_file (struct ll_stream *s, const char *path, uint64_t seq, struct berth_error **err)
{
  uint8_t hdr[LL_HEADER_LEN];
  int fd, r;

  memcpy (hdr, LL_MAGIC, 8);
  ll_put_u64 (hdr + 8, seq);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0)
    return s->drv->h->error_set (err, errno, "local: create %s: %s", path, strerror (errno));
  if ((r = log_file_write_all (fd, hdr, sizeof (hdr))) < 0)
    {
      close (fd);
      return s->drv->h->error_set (err, -r, "local: write %s: %s", path, strerror (-r));
    }
  return fd;
}

/* the sequence number in the first bytes of a plain or gzipped file */
static int
file_seq (const char *path, bool gz, uint64_t *ret)
{
  uint8_t hdr[LL_HEADER_LEN];
  long n = 0;
  int e;

  if (gz)
    {
      struct ll_gz *g = ll_gz_open (path, &e);
      if (g == NULL)
        return -1;
      while (n < LL_HEADER_LEN)
        {
          long k = ll_gz_read (g, hdr + n, sizeof (hdr) - (size_t)n);
          if (k <= 0)
            break;
          n += k;
        }
      ll_gz_close (g);
    }
  else
    {
      int fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        return -1;
      n = (long)pread (fd, hdr, sizeof (hdr), 0);
      close (fd);
    }
  return n == LL_HEADER_LEN ? ll_header_seq (hdr, sizeof (hdr), ret) : -1;
}

static void *
gzip_main (void *arg)
{
  struct ll_stream *s = arg;
  size_t plen = strlen (s->path) + 16;
  char *from = malloc (plen), *to = malloc (plen);

  if (from != NULL && to != NULL)
    {
      snprintf (from, plen, "%s.1", s->path);
      snprintf (to, plen, "%s.1.gz", s->path);
      if (ll_gzip_file (s->drv->h, from, to, NULL) == 0)
        unlink (from);
      else /* the rotated file stays, uncompressed: readers take both */
        s->drv->h->log (s->drv->ctx, BERTH_LOG_LEVEL_WARN, "local: compression failed, kept %s uncompressed", from);
    }
  free (from);
  free (to);
  return NULL;
}

static void
gzip_wait (struct ll_stream *s)
{
  if (s->gz_running)
    {
      pthread_join (s->gz_thread, NULL);
      s->gz_running = false;
    }
}

/* rename a rotated file in both its forms; a missing one is fine */
static int
shift (struct ll_stream *s, const char *from, const char *to, struct berth_error **err)
{
  if (rename (from, to) < 0 && errno != ENOENT)
    return s->drv->h->error_set (err, errno, "local: rename %s: %s", from, strerror (errno));
  return 0;
}

static int
rotate (struct ll_stream *s, struct berth_error **err)
{
  size_t plen = strlen (s->path) + 32;
  char *from = malloc (plen), *to = malloc (plen), *next = malloc (plen);
  int fd, r = 0;

  if (from == NULL || to == NULL || next == NULL)
    {
      r = s->drv->h->error_set (err, ENOMEM, "local: out of memory");
      goto out;
    }
  gzip_wait (s);
  /* the next file is complete (header written) before it gets the live name */
  snprintf (next, plen, "%s.next", s->path);
  fd = create_file (s, next, s->seq + 1, err);
  if (fd < 0)
    {
      r = fd;
      goto out;
    }
  if (s->opts.max_file <= 1)
    {
      if (rename (next, s->path) < 0)
        {
          r = s->drv->h->error_set (err, errno, "local: rename %s: %s", next, strerror (errno));
          close (fd);
          goto out;
        }
    }
  else
    {
      for (int i = s->opts.max_file - 1; i >= 1 && r == 0; i--)
        for (int gz = 0; gz <= 1 && r == 0; gz++)
          {
            const char *ext = gz ? ".gz" : "";
            snprintf (from, plen, "%s.%d%s", s->path, i, ext);
            if (i == s->opts.max_file - 1)
              {
                if (unlink (from) < 0 && errno != ENOENT)
                  r = s->drv->h->error_set (err, errno, "local: remove %s: %s", from, strerror (errno));
                continue;
              }
            snprintf (to, plen, "%s.%d%s", s->path, i + 1, ext);
            r = shift (s, from, to, err);
          }
      snprintf (to, plen, "%s.1", s->path);
      if (r == 0 && rename (s->path, to) < 0)
        r = s->drv->h->error_set (err, errno, "local: rename %s: %s", s->path, strerror (errno));
      if (r == 0 && rename (next, s->path) < 0)
        r = s->drv->h->error_set (err, errno, "local: rename %s: %s", next, strerror (errno));
      if (r < 0)
        {
          close (fd);
          unlink (next);
          goto out;
        }
    }
  close (s->fd);
  s->fd = fd;
  s->size = LL_HEADER_LEN;
  s->seq++;
  if (s->opts.compress && s->opts.max_file > 1)
    s->gz_running = pthread_create (&s->gz_thread, NULL, gzip_main, s) == 0;
out:
  free (from);
  free (to);
  free (next);
  return r;
}

static int
ll_open (void *drv, const struct berth_log_info *info, void **ret_stream, struct berth_error **err)
{
  struct log_file_driver *d = drv;
  struct ll_stream *s;
  struct log_file_opts o;
  struct stat st;
  uint64_t seq = 0;
  char *rotated;

  if (ll_parse_opts (d->h, info->opts, &o, err) < 0)
    return -EINVAL;
  s = calloc (1, sizeof (*s));
  if (s == NULL)
    return d->h->error_set (err, ENOMEM, "local: out of memory");
  s->drv = d;
  s->opts = o;
  s->fd = -1;
  s->dir = ll_dir (d->h, info, err);
  if (s->dir == NULL)
    goto fail;
  if (mkdir (s->dir, 0750) < 0 && errno != EEXIST)
    {
      d->h->error_set (err, errno, "local: create %s: %s", s->dir, strerror (errno));
      goto fail;
    }
  if (asprintf (&s->path, "%s/container.log", s->dir) < 0)
    {
      s->path = NULL;
      d->h->error_set (err, ENOMEM, "local: out of memory");
      goto fail;
    }
  /* a restarted container appends to its live file; a missing or torn one
     is started again after the newest rotated file */
  if (file_seq (s->path, false, &seq) == 0 && (s->fd = open (s->path, O_WRONLY | O_APPEND | O_CLOEXEC)) >= 0
      && fstat (s->fd, &st) == 0)
    {
      s->seq = seq;
      s->size = st.st_size;
    }
  else
    {
      if (s->fd >= 0)
        close (s->fd);
      seq = 0;
      if (asprintf (&rotated, "%s.1", s->path) >= 0)
        {
          if (file_seq (rotated, false, &seq) < 0)
            {
              free (rotated);
              if (asprintf (&rotated, "%s.1.gz", s->path) < 0)
                rotated = NULL;
              else if (file_seq (rotated, true, &seq) < 0)
                seq = 0;
            }
          free (rotated);
        }
      s->seq = seq + 1;
      s->fd = create_file (s, s->path, s->seq, err);
      if (s->fd < 0)
        goto fail;
      s->size = LL_HEADER_LEN;
    }
  pthread_mutex_init (&s->lock, NULL);
  *ret_stream = s;
  return 0;
fail:
  free (s->dir);
  free (s->path);
  free (s);
  return -EINVAL;
}

static int
ll_write (void *stream, const struct berth_log_msg *m, struct berth_error **err)
{
  struct ll_stream *s = stream;
  const struct berth_host_api *h = s->drv->h;
  size_t len = m->len > LL_MAX_BODY - LL_REC_FIXED ? LL_MAX_BODY - LL_REC_FIXED : m->len;
  size_t body = LL_REC_FIXED + len, total = 4 + body + 4;
  int64_t ts_ns = m->ts_unix_ns;
  uint8_t *rec;
  int r = 0;

  if (ts_ns == 0)
    {
      struct timespec now;
      clock_gettime (CLOCK_REALTIME, &now);
      ts_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
    }
  rec = malloc (total);
  if (rec == NULL)
    return h->error_set (err, ENOMEM, "local: out of memory");
  ll_put_u32 (rec, (uint32_t)body);
  rec[4] = m->stream == BERTH_LOG_STDERR ? 2 : 1;
  rec[5] = (m->flags & BERTH_LOG_PARTIAL) ? 1 : 0;
  rec[6] = rec[7] = 0;
  ll_put_u64 (rec + 8, (uint64_t)ts_ns);
  memcpy (rec + 16, m->line, len);
  ll_put_u32 (rec + 4 + body, (uint32_t)body);

  pthread_mutex_lock (&s->lock);
  /* rotate before a record that would cross max-size */
  if (s->size > LL_HEADER_LEN && s->size + (int64_t)total > s->opts.max_size)
    r = rotate (s, err);
  if (r == 0)
    {
      /* one write per record: a reader sees whole records or a torn tail */
      r = log_file_write_all (s->fd, rec, total);
      if (r < 0)
        r = h->error_set (err, -r, "local: write %s: %s", s->path, strerror (-r));
      else
        s->size += (int64_t)total;
    }
  pthread_mutex_unlock (&s->lock);
  free (rec);
  return r;
}

static int
ll_close (void *stream, struct berth_error **err)
{
  struct ll_stream *s = stream;
  int r = 0;

  if (s == NULL)
    return 0;
  gzip_wait (s);
  if (close (s->fd) < 0)
    r = s->drv->h->error_set (err, errno, "local: close %s: %s", s->path, strerror (errno));
  pthread_mutex_destroy (&s->lock);
  free (s->dir);
  free (s->path);
  free (s);
  return r;
}

static int
ll_init (const struct berth_host_api *h, struct berth_host_ctx *ctx, const struct berth_cfg *opts, void **ret_drv,
         struct berth_error **err)
{
  return log_file_driver_new (h, ctx, "local", ret_drv, err);
}

static const struct berth_log_ops ll_ops = {
  .life = {
    .caps = BERTH_LOG_CAP_READ,
    .validate = ll_validate,
    .init = ll_init,
    .shutdown = log_file_driver_free,
  },
  .open = ll_open,
  .write = ll_write,
  .close = ll_close,
  .read = ll_read,
};

static const struct berth_plugin_descriptor ll_descriptor = BERTH_PLUGIN_DESCRIPTOR_INIT (
    BERTH_KIND_LOG, "local", PACKAGE_VERSION, "compact binary records in local-logs/, rotated and gzipped", &ll_ops);

BERTH_PLUGIN_DEFINE (ll_descriptor)
