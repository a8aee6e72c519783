#include "config.h"

#include <netinet/in.h>
#include <string.h>

#include "core/network/dns-message.h"

static uint16_t
get16 (const uint8_t *p)
{
  return (uint16_t) ((p[0] << 8) | p[1]);
}

static void
put16 (uint8_t *p, uint16_t v)
{
  p[0] = (uint8_t) (v >> 8);
  p[1] = (uint8_t) v;
}

static void
put32 (uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t) (v >> 24);
  p[1] = (uint8_t) (v >> 16);
  p[2] = (uint8_t) (v >> 8);
  p[3] = (uint8_t) v;
}

int
dns_parse_query (const uint8_t *buf, size_t len, struct dns_question *q)
{
  size_t off = DNS_HEADER_LEN, out = 0;
  uint16_t flags;

  memset (q, 0, sizeof (*q));
  if (buf == NULL || len < DNS_HEADER_LEN)
    return -1;
  q->id = get16 (buf);
  flags = get16 (buf + 2);
  q->rd = (flags & 0x0100) != 0;
  /* QR 0 (a query), opcode 0 (standard), one question */
  if ((flags & 0x8000) != 0 || ((flags >> 11) & 0xf) != 0 || get16 (buf + 4) != 1)
    return -1;
  for (;;)
    {
      unsigned l;

      if (off >= len)
        return -1;
      l = buf[off++];
      if (l == 0)
        break;
      if (l > 63 || l > len - off)
        return -1; /* compression pointers (0xc0) are > 63: refused */
      /* the dotted form must fit: label, a dot or the final NUL */
      if (out + l + 1 > sizeof (q->name) - 1)
        return -1;
      if (out > 0)
        q->name[out++] = '.';
      for (unsigned i = 0; i < l; i++)
        {
          uint8_t c = buf[off + i];
          if (c == '.' || c == '\0')
            return -1;
          q->name[out++] = (char) (c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
      off += l;
    }
  q->name[out] = '\0';
  if (len - off < 4)
    return -1;
  q->qtype = get16 (buf + off);
  q->qclass = get16 (buf + off + 2);
  q->end = off + 4;
  return 0;
}

size_t
dns_build_answer (const uint8_t *buf, const struct dns_question *q, unsigned rcode, const uint32_t *ips, size_t n,
                  uint32_t ttl, uint8_t *out, size_t out_len)
{
  size_t need = q->end + n * 16, off;

  if (q->end < DNS_HEADER_LEN || need > out_len || n > 0xffff)
    return 0;
  memcpy (out, buf, q->end);
  /* QR, AA, RD as asked, RA; opcode 0 */
  put16 (out + 2, (uint16_t) (0x8000 | 0x0400 | (q->rd ? 0x0100 : 0) | 0x0080 | (rcode & 0xf)));
  put16 (out + 4, 1);
  put16 (out + 6, (uint16_t) n);
  put16 (out + 8, 0);
  put16 (out + 10, 0);
  off = q->end;
  for (size_t i = 0; i < n; i++)
    {
      put16 (out + off, 0xc000 | DNS_HEADER_LEN); /* the question's name */
      put16 (out + off + 2, DNS_TYPE_A);
      put16 (out + off + 4, DNS_CLASS_IN);
      put32 (out + off + 6, ttl);
      put16 (out + off + 10, 4);
      put32 (out + off + 12, ips[i]);
      off += 16;
    }
  return off;
}

size_t
dns_build_answer6 (const uint8_t *buf, const struct dns_question *q, const struct in6_addr *ips, size_t n,
                   uint32_t ttl, uint8_t *out, size_t out_len)
{
  /* the header and the question as for A records, then 28-byte AAAA records */
  size_t off = dns_build_answer (buf, q, DNS_RCODE_NOERROR, NULL, 0, ttl, out, out_len);

  if (off == 0 || n > 0xffff || off + n * 28 > out_len)
    return 0;
  put16 (out + 6, (uint16_t) n);
  for (size_t i = 0; i < n; i++)
    {
      put16 (out + off, 0xc000 | DNS_HEADER_LEN);
      put16 (out + off + 2, DNS_TYPE_AAAA);
      put16 (out + off + 4, DNS_CLASS_IN);
      put32 (out + off + 6, ttl);
      put16 (out + off + 10, 16);
      memcpy (out + off + 12, ips[i].s6_addr, 16);
      off += 28;
    }
  return off;
}

size_t
dns_build_error (const uint8_t *buf, size_t len, unsigned rcode, uint8_t *out, size_t out_len)
{
  if (buf == NULL || len < DNS_HEADER_LEN || out_len < DNS_HEADER_LEN)
    return 0;
  memset (out, 0, DNS_HEADER_LEN);
  out[0] = buf[0];
  out[1] = buf[1];
  put16 (out + 2, (uint16_t) (0x8000 | (get16 (buf + 2) & 0x7900) | 0x0080 | (rcode & 0xf)));
  return DNS_HEADER_LEN;
}

bool
dns_is_response_to (const uint8_t *buf, size_t len, uint16_t id)
{
  return buf != NULL && len >= DNS_HEADER_LEN && get16 (buf) == id && (buf[2] & 0x80) != 0;
}
