#include "config.h"

#include "core/lib/detach-keys.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

int
berth_detach_keys_parse (const char *text, unsigned char out[BERTH_DETACH_KEYS_MAX], size_t *n)
{
  const char *p = text;

  *n = 0;
  if (text == NULL)
    return -1;
  for (;;)
    {
      const char *end = strchr (p, ',');
      size_t len = end ? (size_t) (end - p) : strlen (p);
      unsigned char b;

      if (len == 1)
        b = (unsigned char) p[0];
      else if (len == 6 && strncasecmp (p, "ctrl-", 5) == 0)
        {
          char ch = p[5];
          if (ch >= 'a' && ch <= 'z')
            b = (unsigned char) (ch - 'a' + 1);
          else if (ch >= 'A' && ch <= 'Z')
            b = (unsigned char) (ch - 'A' + 1);
          else if (ch == '@')
            b = 0;
          else if (ch >= '[' && ch <= '_')
            b = (unsigned char) (ch - '[' + 27);
          else
            return -1;
        }
      else
        return -1;
      if (*n == BERTH_DETACH_KEYS_MAX)
        return -1;
      out[(*n)++] = b;
      if (end == NULL)
        return 0;
      p = end + 1;
    }
}

static int
send_all (int fd, const char *p, size_t len)
{
  while (len > 0)
    {
      ssize_t n = send (fd, p, len, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      if (n == 0)
        {
          errno = EPIPE;
          return -1;
        }
      p += n;
      len -= (size_t) n;
    }
  return 0;
}

int
berth_detach_filter_send (struct berth_detach_filter *f, int fd, const char *in, size_t len)
{
  char out[8192 + 2 * BERTH_DETACH_KEYS_MAX];
  size_t n = 0;

  if (f->keys == NULL || f->n_keys == 0)
    return send_all (fd, in, len);
  for (size_t i = 0; i < len; i++)
    {
      unsigned char b = (unsigned char) in[i];
      if (b == f->keys[f->matched])
        {
          if (++f->matched == f->n_keys)
            return n == 0 || send_all (fd, out, n) == 0 ? 1 : -1;
          continue;
        }
      /* the held prefix was not the sequence after all */
      memcpy (out + n, f->keys, f->matched);
      n += f->matched;
      f->matched = 0;
      if (b == f->keys[0])
        {
          f->matched = 1;
          if (f->n_keys == 1)
            return n == 0 || send_all (fd, out, n) == 0 ? 1 : -1;
        }
      else
        out[n++] = (char) b;
      if (n >= sizeof (out) - BERTH_DETACH_KEYS_MAX - 1)
        {
          if (send_all (fd, out, n) < 0)
            return -1;
          n = 0;
        }
    }
  return n == 0 || send_all (fd, out, n) == 0 ? 0 : -1;
}
