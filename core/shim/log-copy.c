#include "config.h"

#include <string.h>
#include <time.h>

#include "core/lib/error.h"
#include "core/lib/log.h"
#include "core/shim/log-copy.h"

static void
emit (struct shim_log *l, uint32_t stream, const uint8_t *line, size_t len, uint32_t flags)
{
  struct berth_log_msg m = { .struct_size = sizeof (m), .stream = stream, .flags = flags, .line = line, .len = len };
  struct timespec ts;
  berth_error_t err = NULL;

  clock_gettime (CLOCK_REALTIME, &ts);
  m.ts_unix_ns = (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
  if (l->driver->ops.log.write (l->stream, &m, &err) < 0)
    {
      /* one line per failure burst; output keeps flowing to attach clients */
      if (l->write_errors++ == 0)
        log_warn ("log driver %s: %s", l->driver->name, berth_error_msg (&err));
      berth_error_release (&err);
    }
  else
    l->write_errors = 0;
}

void
shim_log_feed (struct shim_log *l, uint32_t stream, const uint8_t *data, size_t len)
{
  struct shim_log_buf *b = stream == BERTH_LOG_STDERR ? &l->err : &l->out;

  b->stream = stream;
  while (len > 0)
    {
      const uint8_t *nl = memchr (data, '\n', len);
      size_t take = nl ? (size_t) (nl - data) + 1 : len;

      if (take > SHIM_LOG_MAX_LINE - b->len)
        take = SHIM_LOG_MAX_LINE - b->len;
      memcpy (b->data + b->len, data, take);
      b->len += take;
      data += take;
      len -= take;
      if (b->data[b->len - 1] == '\n')
        {
          /* a message is the line without its newline (the driver adds it) */
          emit (l, stream, b->data, b->len - 1, 0);
          b->len = 0;
        }
      else if (b->len == SHIM_LOG_MAX_LINE)
        {
          emit (l, stream, b->data, b->len, BERTH_LOG_PARTIAL);
          b->len = 0;
        }
    }
}

void
shim_log_flush (struct shim_log *l)
{
  if (l->out.len > 0)
    emit (l, BERTH_LOG_STDOUT, l->out.data, l->out.len, BERTH_LOG_PARTIAL);
  if (l->err.len > 0)
    emit (l, BERTH_LOG_STDERR, l->err.data, l->err.len, BERTH_LOG_PARTIAL);
  l->out.len = l->err.len = 0;
}
