/* Base64 encoding and lenient decoding: see base64.h. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/lib/base64.h"
#include "core/lib/mem.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
berth_base64_encode (const void *data, size_t len)
{
  const unsigned char *in = data;
  char *out = xmalloc ((len + 2) / 3 * 4 + 1), *o = out;

  for (size_t i = 0; i < len; i += 3)
    {
      uint32_t v = (uint32_t)in[i] << 16;
      size_t n = len - i < 3 ? len - i : 3;

      if (n > 1)
        v |= (uint32_t)in[i + 1] << 8;
      if (n > 2)
        v |= in[i + 2];
      *o++ = alphabet[(v >> 18) & 63];
      *o++ = alphabet[(v >> 12) & 63];
      *o++ = n > 1 ? alphabet[(v >> 6) & 63] : '=';
      *o++ = n > 2 ? alphabet[v & 63] : '=';
    }
  *o = '\0';
  return out;
}

static int
sextet (char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+' || c == '-')
    return 62;
  if (c == '/' || c == '_')
    return 63;
  return -1;
}

char *
berth_base64_decode (const char *s, size_t *ret_len)
{
  size_t len = strlen (s), pad = 0, n = 0;
  uint32_t acc = 0;
  int bits = 0;
  char *out;

  while (len > 0 && s[len - 1] == '=' && pad < 2)
    {
      len--;
      pad++;
    }
  /* padding, when present, must complete the last group */
  if (pad > 0 && (len + pad) % 4 != 0)
    return NULL;
  if (len % 4 == 1)
    return NULL;
  out = xmalloc (len / 4 * 3 + 3);
  for (size_t i = 0; i < len; i++)
    {
      int v = sextet (s[i]);
      if (v < 0)
        {
          free (out);
          return NULL;
        }
      acc = (acc << 6) | (uint32_t)v;
      bits += 6;
      if (bits >= 8)
        {
          bits -= 8;
          out[n++] = (char)((acc >> bits) & 0xff);
        }
    }
  out[n] = '\0';
  *ret_len = n;
  return out;
}
