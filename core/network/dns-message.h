/* The few DNS messages (RFC 1035) the embedded responder reads and writes:
   a query with one question, and an answer with A records for it.  Every
   read is bounds-checked against the packet's length; a name with a
   compression pointer, a label over 63 bytes or a name over 255 is
   refused.  Forwarded queries and their answers are relayed as bytes and
   never parsed beyond the header. */
#ifndef BERTH_NETWORK_DNS_MESSAGE_H
#define BERTH_NETWORK_DNS_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_HEADER_LEN 12
#define DNS_TYPE_A 1
#define DNS_TYPE_AAAA 28
#define DNS_CLASS_IN 1
#define DNS_RCODE_NOERROR 0
#define DNS_RCODE_FORMERR 1
#define DNS_RCODE_SERVFAIL 2
#define DNS_RCODE_NXDOMAIN 3
#define DNS_RCODE_REFUSED 5

struct dns_question
{
  uint16_t id;
  bool rd;              /* recursion desired */
  char name[256];       /* lower case, dotted, no trailing dot ("" = the root) */
  uint16_t qtype, qclass;
  size_t end;           /* offset just past the question */
};

/* 0, or -1 when buf is not a standard query with exactly one question. */
int dns_parse_query (const uint8_t *buf, size_t len, struct dns_question *q);

/* An answer to q (whose query is buf[0..q->end)): rcode and n A records
   of ttl seconds (addresses in host byte order).  Returns its length, or 0
   when out is too small. */
size_t dns_build_answer (const uint8_t *buf, const struct dns_question *q, unsigned rcode, const uint32_t *ips,
                         size_t n, uint32_t ttl, uint8_t *out, size_t out_len);

/* The same with n AAAA records (N1: IPv6 networks). */
struct in6_addr;
size_t dns_build_answer6 (const uint8_t *buf, const struct dns_question *q, const struct in6_addr *ips, size_t n,
                          uint32_t ttl, uint8_t *out, size_t out_len);

/* A header-only error answer (FORMERR, SERVFAIL, REFUSED) to a packet
   that has at least a header; 0 when it has not. */
size_t dns_build_error (const uint8_t *buf, size_t len, unsigned rcode, uint8_t *out, size_t out_len);

/* Whether buf is a response with this id (for a forwarded query). */
bool dns_is_response_to (const uint8_t *buf, size_t len, uint16_t id);

#endif
