/* Reading json-file logs back: rotated files oldest first, then the live
 * one; Docker's semantics for tail (the last N lines, before the time
 * filters), since (inclusive) and until (stop after it); follow polls the
 * live file, survives rotation and truncation, and stops when cancel_fd
 * becomes readable. */
#include "config.h"

#include "json-file.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FOLLOW_POLL_MS 100
#define MAX_ROTATED 10000

struct reader
{
  struct jf_driver *d;
  const struct berth_log_read_opts *o;
  berth_log_msg_fn emit;
  void *ud;
  struct berth_error **err;
  bool until_passed;
  /* tail: a ring of the last `tail` raw lines */
  char **ring;
  size_t ring_cap, ring_n, ring_head;
};

/* Decode one line and hand it on.  Returns emit's non-zero value to stop;
   malformed lines are skipped with a debug message. */
static int
deliver (struct reader *rd, const char *raw)
{
  json_object *obj = json_tokener_parse (raw), *jlog, *jstream, *jtime;
  struct berth_log_msg m = { .struct_size = sizeof (m) };
  const char *text;
  size_t len;
  int r = 0;

  if (obj == NULL || !json_object_object_get_ex (obj, "log", &jlog) || !json_object_object_get_ex (obj, "time", &jtime)
      || jf_parse_time (json_object_get_string (jtime), &m.ts_unix_ns) < 0)
    {
      rd->d->h->log (rd->d->ctx, BERTH_LOG_LEVEL_DEBUG, "skipping a malformed log line");
      goto out;
    }
  if (rd->o->since_ns != 0 && m.ts_unix_ns < rd->o->since_ns)
    goto out;
  if (rd->o->until_ns != 0 && m.ts_unix_ns > rd->o->until_ns)
    {
      rd->until_passed = true;
      goto out;
    }
  text = json_object_get_string (jlog);
  len = (size_t)json_object_get_string_len (jlog);
  if (len > 0 && text[len - 1] == '\n')
    len--;
  else
    m.flags |= BERTH_LOG_PARTIAL;
  m.stream
      = json_object_object_get_ex (obj, "stream", &jstream) && strcmp (json_object_get_string (jstream), "stderr") == 0
            ? BERTH_LOG_STDERR
            : BERTH_LOG_STDOUT;
  m.line = (const uint8_t *)text;
  m.len = len;
  r = rd->emit (rd->ud, &m);
out:
  json_object_put (obj);
  return r;
}

static int
handle_line (struct reader *rd, const char *raw)
{
  char *copy;

  if (rd->until_passed)
    return 0;
  if (rd->o->tail < 0)
    return deliver (rd, raw);
  if (rd->ring_cap == 0)
    return 0;
  copy = strdup (raw);
  if (copy == NULL)
    return rd->d->h->error_set (rd->err, ENOMEM, "json-file: out of memory");
  if (rd->ring_n == rd->ring_cap)
    {
      free (rd->ring[rd->ring_head]);
      rd->ring[rd->ring_head] = copy;
      rd->ring_head = (rd->ring_head + 1) % rd->ring_cap;
    }
  else
    rd->ring[(rd->ring_head + rd->ring_n++) % rd->ring_cap] = copy;
  return 0;
}

static int
flush_ring (struct reader *rd)
{
  int r = 0;

  for (size_t i = 0; i < rd->ring_n && r == 0; i++)
    if (!rd->until_passed)
      r = deliver (rd, rd->ring[(rd->ring_head + i) % rd->ring_cap]);
  return r;
}

static int
read_whole_file (struct reader *rd, const char *path)
{
  FILE *f = fopen (path, "re");
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  int r = 0;

  if (f == NULL)
    return errno == ENOENT ? 0 : rd->d->h->error_set (rd->err, errno, "json-file: open %s: %s", path, strerror (errno));
  while (r == 0 && (n = getline (&line, &cap, f)) > 0)
    {
      if (line[n - 1] != '\n')
        break; /* a line still being written */
      line[n - 1] = '\0';
      r = handle_line (rd, line);
    }
  free (line);
  fclose (f);
  return r;
}

/* Incremental reader of the live file: complete lines only, keeping the rest. */
struct live
{
  int fd;
  ino_t ino;
  char *buf;
  size_t len, cap;
};

static int
live_drain (struct reader *rd, struct live *lv, const char *path)
{
  for (;;)
    {
      ssize_t n;
      char *nl, *start;
      int r = 0;

      if (lv->cap - lv->len < 65536)
        {
          char *b = realloc (lv->buf, lv->cap + 65536);
          if (b == NULL)
            return rd->d->h->error_set (rd->err, ENOMEM, "json-file: out of memory");
          lv->buf = b;
          lv->cap += 65536;
        }
      n = read (lv->fd, lv->buf + lv->len, lv->cap - lv->len - 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return rd->d->h->error_set (rd->err, errno, "json-file: read %s: %s", path, strerror (errno));
      if (n == 0)
        return 0;
      lv->len += (size_t)n;
      start = lv->buf;
      while (r == 0 && (nl = memchr (start, '\n', lv->len - (size_t)(start - lv->buf))) != NULL)
        {
          *nl = '\0';
          r = handle_line (rd, start);
          start = nl + 1;
        }
      lv->len -= (size_t)(start - lv->buf);
      memmove (lv->buf, start, lv->len);
      if (r != 0)
        return r;
    }
}

static int
live_open (struct reader *rd, struct live *lv, const char *path)
{
  struct stat st;

  lv->fd = open (path, O_RDONLY | O_CLOEXEC);
  if (lv->fd < 0)
    {
      if (errno == ENOENT)
        return 0;
      return rd->d->h->error_set (rd->err, errno, "json-file: open %s: %s", path, strerror (errno));
    }
  if (fstat (lv->fd, &st) == 0)
    lv->ino = st.st_ino;
  lv->len = 0;
  return 0;
}

/* After a rotation: read the rotated files newer than the one with inode
   `old` (all of them when it is gone), oldest first.  Several rotations can
   happen between two polls. */
static int
read_newer_rotated (struct reader *rd, const char *path, ino_t old)
{
  size_t plen = strlen (path) + 16;
  char *name = malloc (plen);
  int n = 0, start, r = 0;

  if (name == NULL)
    return rd->d->h->error_set (rd->err, ENOMEM, "json-file: out of memory");
  start = 0;
  for (n = 1; n <= MAX_ROTATED; n++)
    {
      struct stat st;
      snprintf (name, plen, "%s.%d", path, n);
      if (stat (name, &st) < 0)
        break;
      if (st.st_ino == old)
        start = n;
    }
  /* .1 .. .(n-1) exist; the newer ones are .(start-1) .. .1, or all when `old` is gone */
  for (int i = (start ? start : n) - 1; i >= 1 && r == 0; i--)
    {
      snprintf (name, plen, "%s.%d", path, i);
      r = read_whole_file (rd, name);
    }
  free (name);
  return r;
}

static int
follow (struct reader *rd, struct live *lv, const char *path)
{
  for (;;)
    {
      struct pollfd pfd = { .fd = rd->o->cancel_fd, .events = POLLIN };
      struct stat st;
      int r;

      if (poll (&pfd, rd->o->cancel_fd >= 0 ? 1 : 0, FOLLOW_POLL_MS) > 0)
        return 0;
      if (lv->fd < 0)
        {
          if ((r = live_open (rd, lv, path)) != 0)
            return r;
          if (lv->fd < 0)
            continue;
        }
      if ((r = live_drain (rd, lv, path)) != 0 || rd->until_passed)
        return r;
      if (stat (path, &st) < 0 || st.st_ino != lv->ino)
        {
          /* Rotated: what reached the old file before the rename is read
             now, then the files rotated after it, then the new live file. */
          if ((r = live_drain (rd, lv, path)) != 0 || rd->until_passed)
            return r;
          close (lv->fd);
          lv->fd = -1;
          if ((r = read_newer_rotated (rd, path, lv->ino)) != 0)
            return r;
          continue;
        }
      if (st.st_size < lseek (lv->fd, 0, SEEK_CUR))
        {
          /* Truncated (max-file 1): start from its beginning. */
          lseek (lv->fd, 0, SEEK_SET);
          lv->len = 0;
        }
    }
}

int
jf_read (void *drv, const struct berth_log_info *info, const struct berth_log_read_opts *o, berth_log_msg_fn emit,
         void *ud, struct berth_error **err)
{
  struct jf_driver *d = drv;
  struct reader rd = { .d = d, .o = o, .emit = emit, .ud = ud, .err = err };
  struct live lv = { .fd = -1 };
  char *path = jf_log_path (d->h, info, err);
  char *rotated = NULL;
  int newest_rotated = 0, r = 0;

  if (path == NULL)
    return -EINVAL;
  if (o->tail >= 0)
    {
      rd.ring_cap = (size_t)o->tail;
      rd.ring = o->tail > 0 ? calloc ((size_t)o->tail, sizeof (char *)) : NULL;
      if (o->tail > 0 && rd.ring == NULL)
        {
          r = d->h->error_set (err, ENOMEM, "json-file: out of memory");
          goto out;
        }
    }
  rotated = malloc (strlen (path) + 16);
  if (rotated == NULL)
    {
      r = d->h->error_set (err, ENOMEM, "json-file: out of memory");
      goto out;
    }
  while (newest_rotated < MAX_ROTATED)
    {
      sprintf (rotated, "%s.%d", path, newest_rotated + 1);
      if (access (rotated, F_OK) < 0)
        break;
      newest_rotated++;
    }
  for (int i = newest_rotated; i >= 1 && r == 0; i--)
    {
      sprintf (rotated, "%s.%d", path, i);
      r = read_whole_file (&rd, rotated);
    }
  if (r == 0)
    r = live_open (&rd, &lv, path);
  if (r == 0 && lv.fd >= 0)
    r = live_drain (&rd, &lv, path);
  if (r == 0 && o->tail >= 0)
    r = flush_ring (&rd);
  if (r == 0 && (o->flags & BERTH_LOG_FOLLOW) && !rd.until_passed)
    {
      /* From here on every new line is delivered at once. */
      struct berth_log_read_opts all = *o;
      all.tail = -1;
      rd.o = &all;
      r = follow (&rd, &lv, path);
      rd.o = o;
    }
out:
  if (lv.fd >= 0)
    close (lv.fd);
  free (lv.buf);
  for (size_t i = 0; i < rd.ring_n; i++)
    free (rd.ring[(rd.ring_head + i) % rd.ring_cap]);
  free (rd.ring);
  free (rotated);
  free (path);
  return r;
}
