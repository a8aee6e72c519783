/* log-counter: an example berth log driver, built out of tree.
 *
 * It keeps no log text.  For each container it counts lines and bytes per
 * stream and keeps the totals in <log_dir>/<container_id>-counter.json,
 * rewritten atomically every `flush-every` lines (option, default 100) and
 * when the container's stream is closed:
 *
 *   {"stdout":{"lines":12,"bytes":345},"stderr":{"lines":0,"bytes":0}}
 *
 * Everything it needs comes from <berth/log.h> and the host table; it links
 * against nothing but libc.  See docs/plugins.md. */
#include <berth/log.h>

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct counter_driver
{
  const struct berth_host_api *h;
  struct berth_host_ctx *ctx;
};

struct counter_stream
{
  struct counter_driver *drv;
  char *path;
  int64_t flush_every;
  uint64_t lines[2], bytes[2]; /* [0] stdout, [1] stderr */
  uint64_t since_flush;
  pthread_mutex_t lock;
};

static int parse_opts (const struct berth_host_api *h, const struct berth_cfg *opts, int64_t *flush_every,
                       struct berth_error **err);

struct check
{
  const struct berth_host_api *h;
  const struct berth_cfg *opts;
  struct berth_error **err;
  int r;
};

static int
check_key (void *ud, const char *key, const char *value)
{
  struct check *c = ud;
  if (strcmp (key, "flush-every") != 0)
    c->r = c->h->cfg_error (c->err, c->opts, key, "counter: unknown log option `%s` (supported: flush-every)", key);
  return c->r;
}

static int
parse_opts (const struct berth_host_api *h, const struct berth_cfg *opts, int64_t *flush_every,
            struct berth_error **err)
{
  struct check c = { h, opts, err, 0 };

  h->cfg_each (opts, check_key, &c);
  if (c.r < 0)
    return c.r;
  if (h->cfg_int64 (opts, "flush-every", 100, flush_every, err) < 0)
    return -EINVAL;
  if (*flush_every < 1)
    return h->cfg_error (err, opts, "flush-every", "counter: flush-every must be at least 1");
  return 0;
}

static int
counter_validate (const struct berth_host_api *h, const struct berth_cfg *opts, struct berth_error **err)
{
  int64_t n;
  return parse_opts (h, opts, &n, err);
}

static int
counter_init (const struct berth_host_api *h, struct berth_host_ctx *ctx, const struct berth_cfg *opts, void **ret_drv,
              struct berth_error **err)
{
  struct counter_driver *d = calloc (1, sizeof (*d));

  if (d == NULL)
    return h->error_set (err, ENOMEM, "counter: out of memory");
  d->h = h;
  d->ctx = ctx;
  *ret_drv = d;
  return 0;
}

static void
counter_shutdown (void *drv)
{
  free (drv);
}

/* Called with s->lock held. */
static int
flush (struct counter_stream *s, struct berth_error **err)
{
  char buf[256];
  int n = snprintf (buf, sizeof (buf),
                    "{\"stdout\":{\"lines\":%" PRIu64 ",\"bytes\":%" PRIu64 "},"
                    "\"stderr\":{\"lines\":%" PRIu64 ",\"bytes\":%" PRIu64 "}}\n",
                    s->lines[0], s->bytes[0], s->lines[1], s->bytes[1]);

  s->since_flush = 0;
  return s->drv->h->write_file_atomic (s->path, buf, (size_t)n, 0640, err);
}

static int
counter_open (void *drv, const struct berth_log_info *info, void **ret_stream, struct berth_error **err)
{
  struct counter_driver *d = drv;
  struct counter_stream *s;
  size_t len;
  int r;

  if (info->log_dir == NULL || info->container_id == NULL || strchr (info->container_id, '/') != NULL)
    return d->h->error_set (err, EINVAL, "counter: a log directory and a container id are needed");
  s = calloc (1, sizeof (*s));
  if (s == NULL)
    return d->h->error_set (err, ENOMEM, "counter: out of memory");
  s->drv = d;
  r = parse_opts (d->h, info->opts, &s->flush_every, err);
  len = strlen (info->log_dir) + strlen (info->container_id) + sizeof ("/-counter.json");
  if (r == 0 && (s->path = malloc (len)) == NULL)
    r = d->h->error_set (err, ENOMEM, "counter: out of memory");
  if (r < 0)
    {
      free (s);
      return r;
    }
  snprintf (s->path, len, "%s/%s-counter.json", info->log_dir, info->container_id);
  pthread_mutex_init (&s->lock, NULL);
  pthread_mutex_lock (&s->lock);
  r = flush (s, err); /* the file exists from the start, with zeros */
  pthread_mutex_unlock (&s->lock);
  if (r < 0)
    {
      pthread_mutex_destroy (&s->lock);
      free (s->path);
      free (s);
      return r;
    }
  *ret_stream = s;
  return 0;
}

static int
counter_write (void *stream, const struct berth_log_msg *m, struct berth_error **err)
{
  struct counter_stream *s = stream;
  int i = m->stream == BERTH_LOG_STDERR ? 1 : 0;
  int r = 0;

  pthread_mutex_lock (&s->lock);
  if (!(m->flags & BERTH_LOG_PARTIAL))
    s->lines[i]++;
  s->bytes[i] += m->len;
  if (++s->since_flush >= (uint64_t)s->flush_every)
    r = flush (s, err);
  pthread_mutex_unlock (&s->lock);
  return r;
}

static int
counter_close (void *stream, struct berth_error **err)
{
  struct counter_stream *s = stream;
  int r;

  pthread_mutex_lock (&s->lock);
  r = flush (s, err);
  pthread_mutex_unlock (&s->lock);
  pthread_mutex_destroy (&s->lock);
  free (s->path);
  free (s);
  return r;
}

static const struct berth_log_ops counter_ops = {
  .life = {
    .caps = 0, /* the text is not kept: no BERTH_LOG_CAP_READ */
    .validate = counter_validate,
    .init = counter_init,
    .shutdown = counter_shutdown,
  },
  .open = counter_open,
  .write = counter_write,
  .close = counter_close,
};

static const struct berth_plugin_descriptor counter_descriptor = BERTH_PLUGIN_DESCRIPTOR_INIT (
    BERTH_KIND_LOG, "counter", "1.0", "count container output lines and bytes per stream", &counter_ops);

BERTH_PLUGIN_DEFINE (counter_descriptor)
