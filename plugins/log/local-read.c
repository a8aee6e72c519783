/* Reading `local` logs back.  Files are taken in the order of the sequence
 * numbers in their headers, not of their names, so that a writer rotating
 * (renaming, gzipping, removing) while we read neither makes us skip a file
 * nor read one twice: having read file N, the next one is N+1 wherever it
 * is now.  Docker's semantics for tail (the last N records, before the time
 * filters), since (inclusive) and until (stop after it).  Follow polls the
 * live file; when cancel_fd becomes readable it makes a last pass, so all
 * that was written before the cancel (a container's exit) is delivered. */
#include "config.h"

#include "local.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FOLLOW_POLL_MS 100

struct saved
{
  struct berth_log_msg m;
  uint8_t *data;
};

struct reader
{
  struct log_file_driver *d;
  const struct berth_log_read_opts *o;
  berth_log_msg_fn emit;
  void *ud;
  struct berth_error **err;
  char *path; /* local-logs/container.log */
  int max_file;
  bool until_passed;
  uint64_t next_seq; /* the file to read after the current one */
  struct saved *ring;
  size_t ring_cap, ring_n, ring_head;
};

/* One file being read: plain (fd) or gzipped. */
struct src
{
  int fd;
  struct ll_gz *gz;
};

static long
src_read (struct src *s, void *buf, size_t len)
{
  if (s->gz != NULL)
    return ll_gz_read (s->gz, buf, len);
  for (;;)
    {
      ssize_t n = read (s->fd, buf, len);
      if (n < 0 && errno == EINTR)
        continue;
      return (long)n;
    }
}

static void
src_close (struct src *s)
{
  if (s->gz != NULL)
    ll_gz_close (s->gz);
  else if (s->fd >= 0)
    close (s->fd);
  s->gz = NULL;
  s->fd = -1;
}

/* Open a file and read its header: 0 with *ret_seq, -1 when absent or not ours. */
static int
src_open (struct src *s, const char *path, bool gz, uint64_t *ret_seq)
{
  uint8_t hdr[LL_HEADER_LEN];
  long n = 0;
  int e;

  s->fd = -1;
  s->gz = NULL;
  if (gz)
    {
      if ((s->gz = ll_gz_open (path, &e)) == NULL)
        return -1;
    }
  else if ((s->fd = open (path, O_RDONLY | O_CLOEXEC)) < 0)
    return -1;
  while (n < LL_HEADER_LEN)
    {
      long k = src_read (s, hdr + n, sizeof (hdr) - (size_t)n);
      if (k <= 0)
        break;
      n += k;
    }
  if (n < LL_HEADER_LEN || ll_header_seq (hdr, sizeof (hdr), ret_seq) < 0)
    {
      src_close (s);
      return -1;
    }
  return 0;
}

/* ---- delivering records ---- */

static int
deliver (struct reader *rd, const struct berth_log_msg *m)
{
  if (rd->until_passed)
    return 0;
  if (rd->o->since_ns != 0 && m->ts_unix_ns < rd->o->since_ns)
    return 0;
  if (rd->o->until_ns != 0 && m->ts_unix_ns > rd->o->until_ns)
    {
      rd->until_passed = true;
      return 0;
    }
  return rd->emit (rd->ud, m);
}

static int
handle (struct reader *rd, const struct berth_log_msg *m)
{
  struct saved *slot;

  if (rd->o->tail < 0)
    return deliver (rd, m);
  if (rd->ring_cap == 0)
    return 0;
  if (rd->ring_n == rd->ring_cap)
    {
      slot = &rd->ring[rd->ring_head];
      free (slot->data);
      rd->ring_head = (rd->ring_head + 1) % rd->ring_cap;
    }
  else
    slot = &rd->ring[(rd->ring_head + rd->ring_n++) % rd->ring_cap];
  slot->m = *m;
  slot->data = malloc (m->len ? m->len : 1);
  if (slot->data == NULL)
    {
      slot->m.len = 0;
      return rd->d->h->error_set (rd->err, ENOMEM, "local: out of memory");
    }
  memcpy (slot->data, m->line, m->len);
  slot->m.line = slot->data;
  return 0;
}

static int
flush_ring (struct reader *rd)
{
  int r = 0;

  for (size_t i = 0; i < rd->ring_n && r == 0; i++)
    r = deliver (rd, &rd->ring[(rd->ring_head + i) % rd->ring_cap].m);
  return r;
}

/* Records in buf[0..len): handles the complete ones and tells how many
   bytes they took.  *corrupt when the bytes are not records. */
static int
parse (struct reader *rd, const uint8_t *buf, size_t len, size_t *used, bool *corrupt)
{
  size_t off = 0;
  int r = 0;

  *corrupt = false;
  while (r == 0 && len - off >= 4)
    {
      uint32_t body = ll_get_u32 (buf + off);
      struct berth_log_msg m = { .struct_size = sizeof (m) };
      const uint8_t *b;

      if (body < LL_REC_FIXED || body > LL_MAX_BODY)
        {
          *corrupt = true;
          break;
        }
      if (len - off < (size_t)body + 8)
        break;
      b = buf + off + 4;
      if (ll_get_u32 (b + body) != body || (b[0] != 1 && b[0] != 2))
        {
          *corrupt = true;
          break;
        }
      m.stream = b[0] == 2 ? BERTH_LOG_STDERR : BERTH_LOG_STDOUT;
      m.flags = (b[1] & 1) ? BERTH_LOG_PARTIAL : 0;
      m.ts_unix_ns = (int64_t)ll_get_u64 (b + 4);
      m.line = b + LL_REC_FIXED;
      m.len = body - LL_REC_FIXED;
      r = handle (rd, &m);
      off += (size_t)body + 8;
    }
  *used = off;
  return r;
}

/* An incremental reader: the bytes of a record not complete yet are kept. */
struct cursor
{
  struct src src;
  uint64_t seq;
  ino_t ino;
  uint8_t *buf;
  size_t len, cap;
  bool corrupt;
};

/* Read what the file has now; 0 at its (current) end. */
static int
drain (struct reader *rd, struct cursor *c, const char *name)
{
  for (;;)
    {
      size_t used;
      bool corrupt;
      long n;
      int r;

      if (c->corrupt)
        return 0;
      if (c->cap - c->len < 65536)
        {
          uint8_t *b = realloc (c->buf, c->cap + 65536);
          if (b == NULL)
            return rd->d->h->error_set (rd->err, ENOMEM, "local: out of memory");
          c->buf = b;
          c->cap += 65536;
        }
      n = src_read (&c->src, c->buf + c->len, c->cap - c->len);
      if (n < 0)
        return rd->d->h->error_set (rd->err, EIO, "local: read %s failed", name);
      if (n == 0)
        return 0;
      c->len += (size_t)n;
      r = parse (rd, c->buf, c->len, &used, &corrupt);
      c->len -= used;
      memmove (c->buf, c->buf + used, c->len);
      if (corrupt)
        {
          rd->d->h->log (rd->d->ctx, BERTH_LOG_LEVEL_WARN, "local: %s: damaged record, the rest of the file skipped",
                         name);
          c->corrupt = true;
        }
      if (r != 0)
        return r;
    }
}

static void
cursor_reset (struct cursor *c)
{
  src_close (&c->src);
  c->len = 0;
  c->corrupt = false;
}

/* The file with the smallest sequence number >= want, opened past its
   header: the live file first, then the rotated ones by ascending index
   (the writer only moves them up), so none is missed.  0 when found. */
static int
find_from (struct reader *rd, uint64_t want, struct cursor *c, bool *ret_live)
{
  size_t plen = strlen (rd->path) + 32;
  char *name = malloc (plen);
  bool found = false;

  if (name == NULL)
    return rd->d->h->error_set (rd->err, ENOMEM, "local: out of memory");
  for (int i = 0; i <= rd->max_file; i++)
    for (int gz = 0; gz <= (i > 0); gz++)
      {
        struct src s;
        struct stat st;
        uint64_t seq;

        if (i == 0)
          snprintf (name, plen, "%s", rd->path);
        else
          snprintf (name, plen, "%s.%d%s", rd->path, i, gz ? ".gz" : "");
        if (src_open (&s, name, gz, &seq) < 0 || seq < want || (found && seq >= c->seq))
          {
            src_close (&s);
            continue;
          }
        if (found)
          src_close (&c->src);
        c->src = s;
        c->seq = seq;
        c->ino = (!gz && fstat (s.fd, &st) == 0) ? st.st_ino : 0;
        *ret_live = i == 0;
        found = true;
      }
  free (name);
  return found ? 0 : -1;
}

/* Read the files from rd->next_seq on, up to the live one, which is left
   open in `live` (fd -1 when there is none yet). */
static int
catch_up (struct reader *rd, struct cursor *live)
{
  for (;;)
    {
      struct cursor c = { .src = { .fd = -1 } };
      bool is_live = false;
      int r;

      if (find_from (rd, rd->next_seq, &c, &is_live) < 0)
        return 0;
      if (is_live)
        {
          live->src = c.src;
          live->seq = c.seq;
          live->ino = c.ino;
          live->len = 0;
          live->corrupt = false;
          rd->next_seq = c.seq + 1;
          return 0;
        }
      r = drain (rd, &c, "rotated log");
      cursor_reset (&c);
      free (c.buf);
      rd->next_seq = c.seq + 1;
      if (r != 0 || rd->until_passed)
        return r;
    }
}

static int
follow (struct reader *rd, struct cursor *live)
{
  for (;;)
    {
      struct pollfd pfd = { .fd = rd->o->cancel_fd, .events = POLLIN };
      bool last = poll (&pfd, rd->o->cancel_fd >= 0 ? 1 : 0, FOLLOW_POLL_MS) > 0;
      struct stat st;
      int r;

      if (live->src.fd < 0)
        r = catch_up (rd, live);
      else if ((r = drain (rd, live, rd->path)) == 0 && !rd->until_passed
               && (stat (rd->path, &st) < 0 || st.st_ino != live->ino))
        {
          /* rotated: finish the old file (its fd still reads it), then
             the ones after it */
          if ((r = drain (rd, live, rd->path)) == 0)
            {
              cursor_reset (live);
              r = catch_up (rd, live);
            }
        }
      if (r == 0 && live->src.fd >= 0 && !rd->until_passed)
        r = drain (rd, live, rd->path);
      if (r != 0 || rd->until_passed || last)
        return r;
    }
}

int
ll_read (void *drv, const struct berth_log_info *info, const struct berth_log_read_opts *o, berth_log_msg_fn emit,
         void *ud, struct berth_error **err)
{
  struct log_file_driver *d = drv;
  struct reader rd = { .d = d, .o = o, .emit = emit, .ud = ud, .err = err };
  struct cursor live = { .src = { .fd = -1 } };
  struct log_file_opts opts;
  char *dir;
  int r = 0;

  if (ll_parse_opts (d->h, info->opts, &opts, err) < 0)
    return -EINVAL;
  rd.max_file = opts.max_file;
  dir = ll_dir (d->h, info, err);
  if (dir == NULL)
    return -EINVAL;
  if (asprintf (&rd.path, "%s/container.log", dir) < 0)
    {
      free (dir);
      return d->h->error_set (err, ENOMEM, "local: out of memory");
    }
  free (dir);
  if (o->tail >= 0)
    {
      rd.ring_cap = (size_t)o->tail;
      rd.ring = o->tail > 0 ? calloc ((size_t)o->tail, sizeof (*rd.ring)) : NULL;
      if (o->tail > 0 && rd.ring == NULL)
        {
          r = d->h->error_set (err, ENOMEM, "local: out of memory");
          goto out;
        }
    }
  r = catch_up (&rd, &live);
  if (r == 0 && live.src.fd >= 0 && !rd.until_passed)
    r = drain (&rd, &live, rd.path);
  if (r == 0 && o->tail >= 0)
    r = flush_ring (&rd);
  if (r == 0 && (o->flags & BERTH_LOG_FOLLOW) && !rd.until_passed)
    {
      /* from here on every new record is delivered at once */
      struct berth_log_read_opts all = *o;
      all.tail = -1;
      rd.o = &all;
      r = follow (&rd, &live);
      rd.o = o;
    }
out:
  cursor_reset (&live);
  free (live.buf);
  for (size_t i = 0; i < rd.ring_n; i++)
    free (rd.ring[(rd.ring_head + i) % rd.ring_cap].data);
  free (rd.ring);
  free (rd.path);
  return r;
}
