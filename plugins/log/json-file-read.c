/* Reading json-file logs back: rotated files oldest first, then the live
 * one; Docker's semantics for tail (the last N lines, before the time
 * filters), since (inclusive) and until (stop after it); follow polls the
 * live file, survives rotation and truncation, and when cancel_fd becomes
 * readable makes a last pass and stops. */
#include "config.h"

#include "json-file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FOLLOW_POLL_MS 100

struct reader
{
  struct log_file_driver *d;
  const struct berth_log_read_opts *o;
  berth_log_msg_fn emit;
  void *ud;
  struct berth_error **err;
  bool until_passed;
  int max_file; /* files kept, the live one included */
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

/* A rotated file, whole, through an fd opened earlier (it may have been
   renamed or removed since). */
static int
read_whole_fd (struct reader *rd, int fd)
{
  FILE *f = fdopen (fd, "r");
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  int r = 0;

  if (f == NULL)
    {
      close (fd);
      return rd->d->h->error_set (rd->err, errno, "json-file: read a rotated log: %s", strerror (errno));
    }
  while (r == 0 && (n = getline (&line, &cap, f)) > 0)
    {
      if (line[n - 1] != '\n')
        break; /* a torn last line */
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

/* The live file and the rotated ones, opened as one consistent snapshot:
   the live file first, then .1, .2, ... up to max-file (gaps included).
   The writer only moves files up (.1 -> .2, live -> .1), so a file moving
   during the scan is seen twice (same inode) rather than missed; a snapshot
   with a duplicate, or whose live file was replaced before the scan ended,
   is taken again. */
struct snapshot
{
  int n; /* fds[0] live, fds[i] .i; -1 when absent */
  int *fds;
  ino_t *inos;
};

static void
snapshot_close (struct snapshot *sn, int from)
{
  for (int i = from; i < sn->n; i++)
    if (sn->fds[i] >= 0)
      close (sn->fds[i]);
}

static int
snapshot_take (struct reader *rd, const char *path, struct snapshot *sn)
{
  size_t plen = strlen (path) + 16;
  char name[PATH_MAX];

  if (plen > sizeof (name))
    return rd->d->h->error_set (rd->err, ENAMETOOLONG, "json-file: %s: path too long", path);
  for (int attempt = 0; attempt < 1000; attempt++)
    {
      struct stat st;
      bool consistent = true;

      for (int i = 0; i < sn->n; i++)
        {
          if (i == 0)
            snprintf (name, plen, "%s", path);
          else
            snprintf (name, plen, "%s.%d", path, i);
          sn->fds[i] = open (name, O_RDONLY | O_CLOEXEC);
          sn->inos[i] = 0;
          if (sn->fds[i] >= 0 && fstat (sn->fds[i], &st) == 0)
            sn->inos[i] = st.st_ino;
          for (int j = 0; j < i && consistent; j++)
            if (sn->fds[i] >= 0 && sn->fds[j] >= 0 && sn->inos[j] == sn->inos[i])
              consistent = false;
        }
      if (stat (path, &st) < 0 ? sn->fds[0] >= 0 : (sn->fds[0] < 0 || st.st_ino != sn->inos[0]))
        consistent = false;
      if (consistent)
        return 0;
      snapshot_close (sn, 0);
      usleep (1000);
    }
  return rd->d->h->error_set (rd->err, EAGAIN, "json-file: %s keeps rotating", path);
}

/* Read the rotated files newer than the one with inode `old` (all of them
   when it is gone or 0), oldest first, and open the live file in lv from
   its start (lv->fd -1 and lv->ino the newest file read when there is no
   live file yet). */
static int
catch_up (struct reader *rd, struct live *lv, const char *path, ino_t old)
{
  struct snapshot sn = { .n = rd->max_file + 1 };
  int start, r = 0;

  sn.fds = calloc ((size_t)sn.n, sizeof (int));
  sn.inos = calloc ((size_t)sn.n, sizeof (ino_t));
  if (sn.fds == NULL || sn.inos == NULL)
    {
      r = rd->d->h->error_set (rd->err, ENOMEM, "json-file: out of memory");
      goto out;
    }
  if ((r = snapshot_take (rd, path, &sn)) < 0)
    goto out;
  start = sn.n;
  for (int i = 1; i < sn.n && old != 0; i++)
    if (sn.fds[i] >= 0 && sn.inos[i] == old)
      start = i;
  for (int i = start - 1; i >= 1; i--)
    if (sn.fds[i] >= 0)
      {
        int fd = sn.fds[i];
        sn.fds[i] = -1;
        if (r == 0 && !rd->until_passed)
          r = read_whole_fd (rd, fd);
        else
          close (fd);
      }
  lv->fd = sn.fds[0];
  lv->ino = sn.inos[0];
  lv->len = 0;
  sn.fds[0] = -1;
  if (lv->fd < 0)
    {
      /* between the writer's rename and its new file: what was read last
         is the newest rotated file, the next call starts after it */
      lv->ino = old;
      for (int i = sn.n - 1; i >= 1; i--)
        if (sn.fds[i] >= 0 || (i < start && sn.inos[i] != 0))
          lv->ino = sn.inos[i];
    }
out:
  if (sn.fds != NULL)
    snapshot_close (&sn, 0);
  free (sn.fds);
  free (sn.inos);
  return r;
}

/* Poll the live file; when cancel_fd becomes readable make a last pass, so
   that all that was written before the cancel (the exit) is delivered. */
static int
follow (struct reader *rd, struct live *lv, const char *path)
{
  for (;;)
    {
      struct pollfd pfd = { .fd = rd->o->cancel_fd, .events = POLLIN };
      bool last = poll (&pfd, rd->o->cancel_fd >= 0 ? 1 : 0, FOLLOW_POLL_MS) > 0;
      struct stat st;
      bool gone;
      int r = 0;

      if (lv->fd < 0)
        r = catch_up (rd, lv, path, lv->ino);
      if (r == 0 && lv->fd >= 0)
        r = live_drain (rd, lv, path);
      if (r != 0 || rd->until_passed || lv->fd < 0)
        {
          if (r != 0 || rd->until_passed || last)
            return r;
          continue;
        }
      gone = stat (path, &st) < 0;
      if (gone || st.st_ino != lv->ino)
        {
          /* Rotated: what reached the old file before the rename is read
             now, then the files rotated after it, then the new live file. */
          ino_t old = lv->ino;
          if ((r = live_drain (rd, lv, path)) == 0 && !rd->until_passed)
            {
              close (lv->fd);
              lv->fd = -1;
              if ((r = catch_up (rd, lv, path, old)) == 0 && lv->fd >= 0)
                r = live_drain (rd, lv, path);
            }
        }
      else if (st.st_size < lseek (lv->fd, 0, SEEK_CUR))
        {
          /* Truncated (max-file 1): start from its beginning. */
          lseek (lv->fd, 0, SEEK_SET);
          lv->len = 0;
          r = live_drain (rd, lv, path);
        }
      if (r != 0 || rd->until_passed || last)
        return r;
    }
}

int
jf_read (void *drv, const struct berth_log_info *info, const struct berth_log_read_opts *o, berth_log_msg_fn emit,
         void *ud, struct berth_error **err)
{
  struct log_file_driver *d = drv;
  struct reader rd = { .d = d, .o = o, .emit = emit, .ud = ud, .err = err };
  struct live lv = { .fd = -1 };
  char *path = jf_log_path (d->h, info, err);
  struct log_file_opts opts;
  int r = 0;

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
  if (jf_parse_opts (d->h, info->opts, &opts, err) < 0)
    {
      r = -EINVAL;
      goto out;
    }
  rd.max_file = opts.max_file < 1 ? 1 : opts.max_file;
  r = catch_up (&rd, &lv, path, 0);
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
  free (path);
  return r;
}
