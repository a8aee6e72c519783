#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/lib/mem.h"
#include "core/network/ipam6.h"

/* Leases are kept as a sorted array of offsets: a network holds few
   containers, and a bitmap of a /64 is out of the question. */
struct ipam6
{
  struct in6_addr subnet;
  unsigned prefix;
  uint64_t size; /* offsets usable: [0, size) */
  uint64_t next; /* where the next search starts */
  uint64_t gw;   /* the gateway's offset (0: none inside) */
  uint64_t *used;
  size_t n_used, cap;
};

int
ipam6_parse_addr (const char *s, struct in6_addr *ret, berth_error_t *err)
{
  if (s == NULL || inet_pton (AF_INET6, s, ret) != 1)
    return berth_error_make (err, EINVAL, "invalid IPv6 address: %s", s ? s : "(none)");
  return 0;
}

void
ipam6_mask (struct in6_addr *a, unsigned prefix)
{
  for (unsigned i = 0; i < 16; i++)
    {
      unsigned bits = prefix > i * 8 ? prefix - i * 8 : 0;
      if (bits < 8)
        a->s6_addr[i] &= (uint8_t) (0xff00u >> bits);
    }
}

int
ipam6_parse_cidr (const char *s, bool strict, struct in6_addr *ret_addr, unsigned *ret_prefix, berth_error_t *err)
{
  const char *slash = s ? strchr (s, '/') : NULL;
  cleanup_free char *addr = NULL;
  struct in6_addr masked;
  char *end;
  long prefix;

  if (slash == NULL)
    return berth_error_make (err, EINVAL, "invalid CIDR address: %s (expected an IPv6 address/n)", s ? s : "(none)");
  addr = xstrndup (s, (size_t) (slash - s));
  prefix = strtol (slash + 1, &end, 10);
  if (slash[1] == '\0' || *end != '\0' || prefix < 1 || prefix > 127 || ipam6_parse_addr (addr, ret_addr, NULL) < 0)
    return berth_error_make (err, EINVAL, "invalid CIDR address: %s", s);
  masked = *ret_addr;
  ipam6_mask (&masked, (unsigned) prefix);
  if (strict && memcmp (&masked, ret_addr, sizeof (masked)) != 0)
    return berth_error_make (err, EINVAL, "invalid subnet %s: host bits are set", s);
  *ret_prefix = (unsigned) prefix;
  return 0;
}

char *
ipam6_format (const struct in6_addr *a)
{
  char buf[INET6_ADDRSTRLEN];

  inet_ntop (AF_INET6, a, buf, sizeof (buf));
  return xstrdup (buf);
}

static uint64_t
low64 (const struct in6_addr *a)
{
  uint64_t v = 0;

  for (unsigned i = 8; i < 16; i++)
    v = (v << 8) | a->s6_addr[i];
  return v;
}

struct in6_addr
ipam6_nth (const struct in6_addr *subnet, uint64_t off)
{
  struct in6_addr a = *subnet;
  uint64_t v = low64 (subnet) + off;

  for (unsigned i = 16; i-- > 8;)
    {
      a.s6_addr[i] = (uint8_t) v;
      v >>= 8;
    }
  return a;
}

bool
ipam6_contains (const struct in6_addr *subnet, unsigned prefix, const struct in6_addr *a)
{
  struct in6_addr m = *a;

  ipam6_mask (&m, prefix);
  return memcmp (&m, subnet, sizeof (m)) == 0;
}

bool
ipam6_overlap (const struct in6_addr *a, unsigned ap, const struct in6_addr *b, unsigned bp)
{
  unsigned p = ap < bp ? ap : bp;
  struct in6_addr x = *a, y = *b;

  ipam6_mask (&x, p);
  ipam6_mask (&y, p);
  return memcmp (&x, &y, sizeof (x)) == 0;
}

/* the offset of a in p, or false when a is outside what p hands out */
static bool
offset_of (const struct ipam6 *p, const struct in6_addr *a, uint64_t *ret)
{
  if (!ipam6_contains (&p->subnet, p->prefix, a) || memcmp (a->s6_addr, p->subnet.s6_addr, 8) != 0)
    return false;
  *ret = low64 (a) - low64 (&p->subnet);
  return *ret < p->size;
}

static size_t
find_pos (const struct ipam6 *p, uint64_t off, bool *found)
{
  size_t lo = 0, hi = p->n_used;

  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      if (p->used[mid] < off)
        lo = mid + 1;
      else
        hi = mid;
    }
  *found = lo < p->n_used && p->used[lo] == off;
  return lo;
}

static bool
mark (struct ipam6 *p, uint64_t off)
{
  bool found;
  size_t pos = find_pos (p, off, &found);

  if (found)
    return false;
  if (p->n_used == p->cap)
    {
      p->cap = p->cap ? p->cap * 2 : 16;
      p->used = xrealloc (p->used, p->cap * sizeof (*p->used));
    }
  memmove (&p->used[pos + 1], &p->used[pos], (p->n_used - pos) * sizeof (*p->used));
  p->used[pos] = off;
  p->n_used++;
  return true;
}

int
ipam6_ula_of_id (const char *hex_id, struct in6_addr *ret, unsigned *ret_prefix)
{
  memset (ret, 0, sizeof (*ret));
  ret->s6_addr[0] = 0xfd;
  for (unsigned i = 0; i < 10; i++)
    {
      char c = hex_id[i];
      unsigned v = c >= '0' && c <= '9' ? (unsigned) (c - '0') : c >= 'a' && c <= 'f' ? (unsigned) (c - 'a' + 10) : 16;
      if (v == 16)
        return -EINVAL;
      ret->s6_addr[1 + i / 2] |= (uint8_t) (i % 2 ? v : v << 4);
    }
  *ret_prefix = 64;
  return 0;
}

struct ipam6 *
ipam6_new (const struct in6_addr *subnet, unsigned prefix, const struct in6_addr *gateway)
{
  struct ipam6 *p = xmalloc0 (sizeof (*p));
  uint64_t gw;

  p->subnet = *subnet;
  p->prefix = prefix;
  p->size = prefix <= 64 ? UINT64_MAX : (uint64_t) 1 << (128 - prefix);
  mark (p, 0); /* the subnet-router anycast address */
  if (gateway != NULL && offset_of (p, gateway, &gw))
    {
      mark (p, gw);
      p->gw = gw;
    }
  p->next = 1;
  return p;
}

void
ipam6_free (struct ipam6 *p)
{
  if (p == NULL)
    return;
  free (p->used);
  free (p);
}

int
ipam6_alloc (struct ipam6 *p, struct in6_addr *ret, berth_error_t *err)
{
  /* leases are few: at most n_used + 1 steps find a free offset */
  for (size_t i = 0; i <= p->n_used; i++)
    {
      uint64_t off = p->next;
      bool found;

      p->next = p->next + 1 >= p->size ? 1 : p->next + 1;
      find_pos (p, off, &found);
      if (found)
        continue;
      mark (p, off);
      *ret = ipam6_nth (&p->subnet, off);
      return 0;
    }
  {
    cleanup_free char *s = ipam6_format (&p->subnet);
    return berth_error_make (err, ENOSPC, "no available IPv6 addresses on this network's address pools: %s/%u", s,
                             p->prefix);
  }
}

int
ipam6_reserve (struct ipam6 *p, const struct in6_addr *a, berth_error_t *err)
{
  cleanup_free char *s = ipam6_format (a);
  uint64_t off;

  if (!offset_of (p, a, &off))
    return berth_error_make (err, EINVAL, "address %s is outside the subnet", s);
  if (!mark (p, off))
    return berth_error_make (err, EEXIST, "address %s is already in use", s);
  return 0;
}

void
ipam6_release (struct ipam6 *p, const struct in6_addr *a)
{
  uint64_t off;
  bool found;
  size_t pos;

  /* the anycast address and the gateway stay marked */
  if (!offset_of (p, a, &off) || off == 0 || off == p->gw)
    return;
  pos = find_pos (p, off, &found);
  if (!found)
    return;
  memmove (&p->used[pos], &p->used[pos + 1], (p->n_used - pos - 1) * sizeof (*p->used));
  p->n_used--;
}

bool
ipam6_leased (const struct ipam6 *p, const struct in6_addr *a)
{
  uint64_t off;
  bool found;

  if (!offset_of (p, a, &off))
    return false;
  find_pos (p, off, &found);
  return found;
}
