/* The embedded DNS's message code: a known query parsed and answered
   byte for byte, malformed ones refused, and random and mutated packets
   (a brief fuzz) never read or write out of bounds (run it under ASan to
   be sure) and never yield a name longer than a DNS name can be. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/network/dns-message.h"

static int failures;

#define CHECK(cond)                                                                                                    \
  do                                                                                                                   \
    {                                                                                                                  \
      if (!(cond))                                                                                                     \
        {                                                                                                              \
          fprintf (stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond);                                                  \
          failures++;                                                                                                  \
        }                                                                                                              \
    }                                                                                                                  \
  while (0)

/* id 0x1234, RD, one question: Web.Example A IN */
static const uint8_t query[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'W', 'e', 'b', 7, 'E', 'x',
                                 'a',  'm',  'p',  'l',  'e', 0, 0, 1, 0, 1 };

static void
known (void)
{
  struct dns_question q;
  uint8_t out[512];
  uint32_t ips[2] = { 0x0a000002, 0x0a000003 };
  size_t n;

  CHECK (dns_parse_query (query, sizeof (query), &q) == 0);
  CHECK (strcmp (q.name, "web.example") == 0);
  CHECK (q.id == 0x1234 && q.rd && q.qtype == DNS_TYPE_A && q.qclass == DNS_CLASS_IN);
  CHECK (q.end == sizeof (query));
  n = dns_build_answer (query, &q, DNS_RCODE_NOERROR, ips, 2, 600, out, sizeof (out));
  CHECK (n == sizeof (query) + 32);
  CHECK (out[0] == 0x12 && out[1] == 0x34 && (out[2] & 0x80) && out[7] == 2);
  CHECK (memcmp (out + 12, query + 12, sizeof (query) - 12) == 0);
  CHECK (out[sizeof (query)] == 0xc0 && out[sizeof (query) + 1] == 12);
  CHECK (memcmp (out + sizeof (query) + 12, "\x0a\x00\x00\x02", 4) == 0);
  CHECK (dns_build_answer (query, &q, DNS_RCODE_NOERROR, ips, 2, 600, out, sizeof (query) + 31) == 0);
  CHECK (dns_build_error (query, sizeof (query), DNS_RCODE_REFUSED, out, sizeof (out)) == 12);
  CHECK ((out[3] & 0xf) == DNS_RCODE_REFUSED && out[0] == 0x12);
  CHECK (dns_is_response_to (out, 12, 0x1234) && !dns_is_response_to (out, 11, 0x1234));
}

static void
malformed (void)
{
  struct dns_question q;
  uint8_t p[sizeof (query)];

  CHECK (dns_parse_query (query, 11, &q) < 0);                   /* short header */
  CHECK (dns_parse_query (query, sizeof (query) - 1, &q) < 0);  /* cut class */
  memcpy (p, query, sizeof (p));
  p[2] |= 0x80; /* a response */
  CHECK (dns_parse_query (p, sizeof (p), &q) < 0);
  memcpy (p, query, sizeof (p));
  p[5] = 2; /* two questions */
  CHECK (dns_parse_query (p, sizeof (p), &q) < 0);
  memcpy (p, query, sizeof (p));
  p[12] = 0xc0; /* a compression pointer */
  CHECK (dns_parse_query (p, sizeof (p), &q) < 0);
  memcpy (p, query, sizeof (p));
  p[12] = 60; /* a label past the end */
  CHECK (dns_parse_query (p, sizeof (p), &q) < 0);
  memcpy (p, query, sizeof (p));
  p[14] = '.'; /* a dot inside a label */
  CHECK (dns_parse_query (p, sizeof (p), &q) < 0);
  CHECK (dns_parse_query (NULL, 0, &q) < 0);
}

static void
long_names (void)
{
  uint8_t p[600];
  struct dns_question q;
  size_t off = 12;

  memset (p, 0, sizeof (p));
  p[5] = 1;
  for (int i = 0; i < 5; i++) /* 5 labels of 63: 319 bytes, too long */
    {
      p[off++] = 63;
      memset (p + off, 'a', 63);
      off += 63;
    }
  p[off++] = 0;
  p[off + 1] = 1;
  p[off + 3] = 1;
  off += 4;
  CHECK (dns_parse_query (p, off, &q) < 0);
}

static void
fuzz (void)
{
  uint8_t p[700], out[700];
  struct dns_question q;
  uint32_t ips[3] = { 1, 2, 3 };

  srand (12345);
  for (int i = 0; i < 300000; i++)
    {
      size_t len = (size_t) (rand () % 600);
      /* half random, half a valid query with a few bytes changed */
      if (i % 2 == 0)
        for (size_t k = 0; k < len; k++)
          p[k] = (uint8_t) rand ();
      else
        {
          memcpy (p, query, sizeof (query));
          len = sizeof (query) - (size_t) (rand () % 4) + (size_t) (rand () % 3);
          for (int k = 0; k < 3; k++)
            p[rand () % (int) len] = (uint8_t) rand ();
          if (rand () % 2)
            p[2] &= 0x7f, p[4] = 0, p[5] = 1;
        }
      {
        /* an exact-size copy: a read past len is a read past the allocation (ASan) */
        uint8_t *exact = malloc (len ? len : 1);
        memcpy (exact, p, len);
        if (dns_parse_query (exact, len, &q) == 0)
          {
            CHECK (q.end <= len && strlen (q.name) <= 253);
            CHECK (dns_build_answer (exact, &q, 0, ips, 3, 60, out, sizeof (out)) == q.end + 48);
          }
        dns_build_error (exact, len, DNS_RCODE_FORMERR, out, sizeof (out));
        dns_is_response_to (exact, len, 1);
        free (exact);
      }
    }
}

int
main (void)
{
  known ();
  malformed ();
  long_names ();
  fuzz ();
  if (failures == 0)
    printf ("ok - dns message: known query, malformed ones refused, 300000 fuzzed packets\n");
  return failures == 0 ? 0 : 1;
}
