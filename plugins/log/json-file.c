/* Log driver `json-file`: Docker's default format, one JSON object a line,
 *
 *   {"log":"hello\n","stream":"stdout","time":"2024-05-01T10:00:00.123456789Z"}
 *
 * in <log_dir>/<container_id>-json.log.  "log" ends with "\n" unless the
 * message was partial (BERTH_LOG_PARTIAL).  With max-size the file is rotated
 * to <id>-json.log.1, .2, ... keeping max-file files in all. */
#include "config.h"

#include "json-file.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct jf_stream
{
  struct log_file_driver *drv;
  char *path;
  int fd;
  int64_t size;
  struct log_file_opts opts;
  pthread_mutex_t lock;
};

/* ---- options ---- */

static const struct log_file_opts_spec jf_opts_spec = {
  .driver = "json-file",
  .size_hint = "a size like 10m, 512k or 1g, or -1 for no limit",
  .unlimited_size = true,
};

int
jf_parse_opts (const struct berth_host_api *h, const struct berth_cfg *opts, struct log_file_opts *ret,
               struct berth_error **err)
{
  struct log_file_opts o = { .max_size = -1, .max_file = 1 };
  int r = log_file_opts_parse (h, opts, &jf_opts_spec, &o, err);

  if (r < 0)
    return r;
  if (o.max_size < 0 && o.max_file > 1)
    return h->cfg_error (err, opts, "max-file", "json-file: max-file needs max-size");
  *ret = o;
  return 0;
}

static int
jf_validate (const struct berth_host_api *h, const struct berth_cfg *opts, struct berth_error **err)
{
  struct log_file_opts o;
  return jf_parse_opts (h, opts, &o, err);
}

char *
jf_log_path (const struct berth_host_api *h, const struct berth_log_info *info, struct berth_error **err)
{
  const char *id = info->container_id;
  char *path;

  if (info->log_dir == NULL || info->log_dir[0] != '/')
    {
      h->error_set (err, EINVAL, "json-file: the log directory must be an absolute path");
      return NULL;
    }
  if (id == NULL || id[0] == '\0' || id[0] == '.' || strchr (id, '/') != NULL)
    {
      h->error_set (err, EINVAL, "json-file: bad container id `%s`", id ? id : "(null)");
      return NULL;
    }
  if (asprintf (&path, "%s/%s-json.log", info->log_dir, id) < 0)
    {
      h->error_set (err, ENOMEM, "json-file: out of memory");
      return NULL;
    }
  return path;
}

/* ---- time ---- */

void
jf_format_time (int64_t ts_ns, char buf[40])
{
  time_t sec = (time_t)(ts_ns / 1000000000);
  long nsec = (long)(ts_ns % 1000000000);
  struct tm tm;
  size_t n;

  if (nsec < 0)
    {
      nsec += 1000000000;
      sec--;
    }
  gmtime_r (&sec, &tm);
  n = strftime (buf, 40, "%Y-%m-%dT%H:%M:%S", &tm);
  if (nsec != 0)
    {
      int digits = 9;
      while (nsec % 10 == 0)
        {
          nsec /= 10;
          digits--;
        }
      n += (size_t)snprintf (buf + n, 40 - n, ".%0*ld", digits, nsec);
    }
  snprintf (buf + n, 40 - n, "Z");
}

int
jf_parse_time (const char *s, int64_t *ret_ns)
{
  struct tm tm = { 0 };
  int consumed = 0;
  int64_t frac = 0, sec;
  const char *p;

  if (sscanf (s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
              &consumed)
          != 6
      || consumed != 19)
    return -1;
  p = s + consumed;
  if (*p == '.')
    {
      int digits = 0;
      for (p++; *p >= '0' && *p <= '9'; p++, digits++)
        if (digits < 9)
          frac = frac * 10 + (*p - '0');
      if (digits == 0)
        return -1;
      for (; digits < 9; digits++)
        frac *= 10;
    }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  sec = (int64_t)timegm (&tm);
  if (*p == 'Z' || *p == 'z')
    p++;
  else if (*p == '+' || *p == '-')
    {
      int hh, mm;
      if (sscanf (p + 1, "%2d:%2d", &hh, &mm) != 2 || strlen (p) < 6)
        return -1;
      sec -= (*p == '+' ? 1 : -1) * (int64_t)(hh * 3600 + mm * 60);
      p += 6;
    }
  else
    return -1;
  if (*p != '\0')
    return -1;
  *ret_ns = sec * 1000000000 + frac;
  return 0;
}

/* ---- writing ---- */

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t
utf8_seq_len (const unsigned char *s, size_t n)
{
  size_t len;
  uint32_t cp;

  if (s[0] < 0x80)
    return 1;
  if ((s[0] & 0xE0) == 0xC0)
    len = 2, cp = s[0] & 0x1F;
  else if ((s[0] & 0xF0) == 0xE0)
    len = 3, cp = s[0] & 0x0F;
  else if ((s[0] & 0xF8) == 0xF0)
    len = 4, cp = s[0] & 0x07;
  else
    return 0;
  if (len > n)
    return 0;
  for (size_t i = 1; i < len; i++)
    {
      if ((s[i] & 0xC0) != 0x80)
        return 0;
      cp = (cp << 6) | (s[i] & 0x3F);
    }
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))
      || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

/* JSON strings are UTF-8: invalid bytes become U+FFFD, as Docker does.  Appends "\n" when asked. */
static char *
sanitize (const uint8_t *line, size_t len, bool newline, size_t *ret_len)
{
  char *out = malloc (len * 3 + 2);
  size_t o = 0;

  if (out == NULL)
    return NULL;
  for (size_t i = 0; i < len;)
    {
      size_t n = utf8_seq_len (line + i, len - i);
      if (n == 0)
        {
          memcpy (out + o, "\xEF\xBF\xBD", 3);
          o += 3;
          i++;
          continue;
        }
      memcpy (out + o, line + i, n);
      o += n;
      i += n;
    }
  if (newline)
    out[o++] = '\n';
  out[o] = '\0';
  *ret_len = o;
  return out;
}

static int
rotate (struct jf_stream *s, struct berth_error **err)
{
  const struct berth_host_api *h = s->drv->h;
  size_t plen = strlen (s->path) + 16;
  char *from = malloc (plen), *to = malloc (plen);
  int fd, r = 0;

  if (from == NULL || to == NULL)
    {
      r = h->error_set (err, ENOMEM, "json-file: out of memory");
      goto out;
    }
  if (s->opts.max_file <= 1)
    {
      /* Only one file: start it again. */
      if (ftruncate (s->fd, 0) < 0)
        r = h->error_set (err, errno, "json-file: truncate %s: %s", s->path, strerror (errno));
      else
        s->size = 0;
      goto out;
    }
  snprintf (to, plen, "%s.%d", s->path, s->opts.max_file - 1);
  if (unlink (to) < 0 && errno != ENOENT)
    {
      r = h->error_set (err, errno, "json-file: remove %s: %s", to, strerror (errno));
      goto out;
    }
  for (int i = s->opts.max_file - 2; i >= 1; i--)
    {
      snprintf (from, plen, "%s.%d", s->path, i);
      snprintf (to, plen, "%s.%d", s->path, i + 1);
      if (rename (from, to) < 0 && errno != ENOENT)
        {
          r = h->error_set (err, errno, "json-file: rename %s: %s", from, strerror (errno));
          goto out;
        }
    }
  snprintf (to, plen, "%s.1", s->path);
  if (rename (s->path, to) < 0)
    {
      r = h->error_set (err, errno, "json-file: rename %s: %s", s->path, strerror (errno));
      goto out;
    }
  fd = open (s->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0)
    {
      r = h->error_set (err, errno, "json-file: open %s: %s", s->path, strerror (errno));
      goto out;
    }
  close (s->fd);
  s->fd = fd;
  s->size = 0;
out:
  free (from);
  free (to);
  return r;
}

static int
jf_open (void *drv, const struct berth_log_info *info, void **ret_stream, struct berth_error **err)
{
  struct log_file_driver *d = drv;
  struct jf_stream *s;
  struct log_file_opts o;
  struct stat st;
  char *path;

  if (jf_parse_opts (d->h, info->opts, &o, err) < 0)
    return -EINVAL;
  path = jf_log_path (d->h, info, err);
  if (path == NULL)
    return -EINVAL;
  s = calloc (1, sizeof (*s));
  if (s == NULL)
    {
      free (path);
      return d->h->error_set (err, ENOMEM, "json-file: out of memory");
    }
  s->drv = d;
  s->path = path;
  s->opts = o;
  s->fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (s->fd < 0 || fstat (s->fd, &st) < 0)
    {
      int e = errno;
      if (s->fd >= 0)
        close (s->fd);
      free (s->path);
      free (s);
      return d->h->error_set (err, e, "json-file: open %s: %s", path, strerror (e));
    }
  s->size = st.st_size;
  pthread_mutex_init (&s->lock, NULL);
  *ret_stream = s;
  return 0;
}

static int
jf_write (void *stream, const struct berth_log_msg *m, struct berth_error **err)
{
  struct jf_stream *s = stream;
  const struct berth_host_api *h = s->drv->h;
  json_object *obj;
  char ts[40], *text;
  const char *json;
  size_t text_len, json_len;
  struct timespec now;
  int64_t ts_ns = m->ts_unix_ns;
  int r = 0;

  if (ts_ns == 0)
    {
      clock_gettime (CLOCK_REALTIME, &now);
      ts_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
    }
  text = sanitize (m->line, m->len, !(m->flags & BERTH_LOG_PARTIAL), &text_len);
  if (text == NULL)
    return h->error_set (err, ENOMEM, "json-file: out of memory");
  jf_format_time (ts_ns, ts);
  obj = json_object_new_object ();
  json_object_object_add (obj, "log", json_object_new_string_len (text, (int)text_len));
  json_object_object_add (obj, "stream", json_object_new_string (m->stream == BERTH_LOG_STDERR ? "stderr" : "stdout"));
  json_object_object_add (obj, "time", json_object_new_string (ts));
  free (text);
  json = json_object_to_json_string_length (obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &json_len);

  pthread_mutex_lock (&s->lock);
  /* Rotate before a line that would cross max-size, so files stay under it
     unless a single line is bigger. */
  if (s->opts.max_size > 0 && s->size > 0 && s->size + (int64_t)json_len + 1 > s->opts.max_size)
    r = rotate (s, err);
  if (r == 0)
    {
      char *line = malloc (json_len + 1);
      if (line == NULL)
        r = h->error_set (err, ENOMEM, "json-file: out of memory");
      else
        {
          memcpy (line, json, json_len);
          line[json_len] = '\n';
          r = log_file_write_all (s->fd, line, json_len + 1);
          if (r < 0)
            r = h->error_set (err, -r, "json-file: write %s: %s", s->path, strerror (-r));
          else
            s->size += (int64_t)json_len + 1;
          free (line);
        }
    }
  pthread_mutex_unlock (&s->lock);
  json_object_put (obj);
  return r;
}

static int
jf_close (void *stream, struct berth_error **err)
{
  struct jf_stream *s = stream;
  int r = 0;

  if (s == NULL)
    return 0;
  if (close (s->fd) < 0)
    r = s->drv->h->error_set (err, errno, "json-file: close %s: %s", s->path, strerror (errno));
  pthread_mutex_destroy (&s->lock);
  free (s->path);
  free (s);
  return r;
}

static int
jf_init (const struct berth_host_api *h, struct berth_host_ctx *ctx, const struct berth_cfg *opts, void **ret_drv,
         struct berth_error **err)
{
  return log_file_driver_new (h, ctx, "json-file", ret_drv, err);
}

static const struct berth_log_ops jf_ops = {
  .life = {
    .caps = BERTH_LOG_CAP_READ,
    .validate = jf_validate,
    .init = jf_init,
    .shutdown = log_file_driver_free,
  },
  .open = jf_open,
  .write = jf_write,
  .close = jf_close,
  .read = jf_read,
};

static const struct berth_plugin_descriptor jf_descriptor
    = BERTH_PLUGIN_DESCRIPTOR_INIT (BERTH_KIND_LOG, "json-file", PACKAGE_VERSION,
                                    "Docker's JSON lines in <container>-json.log, with rotation", &jf_ops);

BERTH_PLUGIN_DEFINE (jf_descriptor)
