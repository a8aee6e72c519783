#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lib/mem.h"
#include "core/network/ipam.h"

struct ipam4
{
  uint32_t subnet, gateway;
  unsigned prefix;
  uint32_t size; /* addresses in the subnet */
  uint32_t next; /* offset where the next search starts */
  uint32_t lo, hi; /* offsets alloc picks from: [lo, hi) */
  uint8_t *used; /* bitmap of offsets */
};

int
ipam4_parse_addr (const char *s, uint32_t *ret, berth_error_t *err)
{
  struct in_addr a;

  if (s == NULL || inet_pton (AF_INET, s, &a) != 1)
    return berth_error_make (err, EINVAL, "invalid IPv4 address: %s", s ? s : "(none)");
  *ret = ntohl (a.s_addr);
  return 0;
}

int
ipam4_parse_cidr (const char *s, bool strict, uint32_t *ret_addr, unsigned *ret_prefix, berth_error_t *err)
{
  const char *slash = s ? strchr (s, '/') : NULL;
  cleanup_free char *addr = NULL;
  char *end;
  long prefix;

  if (slash == NULL)
    return berth_error_make (err, EINVAL, "invalid CIDR address: %s (expected a.b.c.d/n)", s ? s : "(none)");
  addr = xstrndup (s, (size_t) (slash - s));
  prefix = strtol (slash + 1, &end, 10);
  if (slash[1] == '\0' || *end != '\0' || prefix < 0 || prefix > 32 || ipam4_parse_addr (addr, ret_addr, NULL) < 0)
    return berth_error_make (err, EINVAL, "invalid CIDR address: %s", s);
  if (strict && (*ret_addr & ~(prefix == 0 ? 0u : 0xffffffffu << (32 - prefix))) != 0)
    return berth_error_make (err, EINVAL, "invalid subnet %s: host bits are set", s);
  *ret_prefix = (unsigned) prefix;
  return 0;
}

char *
ipam4_format (uint32_t addr)
{
  return xasprintf ("%u.%u.%u.%u", addr >> 24, (addr >> 16) & 255, (addr >> 8) & 255, addr & 255);
}

static bool
bit (const struct ipam4 *p, uint32_t off)
{
  return p->used[off / 8] & (1u << (off % 8));
}

static void
set_bit (struct ipam4 *p, uint32_t off, bool on)
{
  if (on)
    p->used[off / 8] |= (uint8_t) (1u << (off % 8));
  else
    p->used[off / 8] &= (uint8_t) ~(1u << (off % 8));
}

struct ipam4 *
ipam4_new (uint32_t subnet, unsigned prefix, uint32_t gateway)
{
  struct ipam4 *p = xmalloc0 (sizeof (*p));

  p->subnet = subnet;
  p->prefix = prefix;
  p->gateway = gateway;
  p->size = 1u << (32 - prefix);
  p->used = xmalloc0 (p->size / 8 + 1);
  set_bit (p, 0, true);           /* the network */
  set_bit (p, p->size - 1, true); /* broadcast */
  if (gateway - subnet < p->size)
    set_bit (p, gateway - subnet, true);
  p->next = 1;
  p->lo = 0;
  p->hi = p->size;
  return p;
}

void
ipam4_set_range (struct ipam4 *p, uint32_t range, unsigned prefix)
{
  uint32_t lo = range - p->subnet, n = prefix >= 32 ? 1 : 1u << (32 - prefix);

  if (range < p->subnet || lo >= p->size || n > p->size - lo)
    return;
  p->lo = lo;
  p->hi = lo + n;
  p->next = lo;
}

void
ipam4_free (struct ipam4 *p)
{
  if (p == NULL)
    return;
  free (p->used);
  free (p);
}

int
ipam4_alloc (struct ipam4 *p, uint32_t *ret, berth_error_t *err)
{
  uint32_t span = p->hi - p->lo;

  for (uint32_t i = 0; i < span; i++)
    {
      uint32_t off = p->lo + (p->next - p->lo + i) % span;
      if (!bit (p, off))
        {
          set_bit (p, off, true);
          p->next = p->lo + (off + 1 - p->lo) % span;
          *ret = p->subnet + off;
          return 0;
        }
    }
  {
    cleanup_free char *s = ipam4_format (p->subnet);
    return berth_error_make (err, ENOSPC, "no available IPv4 addresses on this network's address pools: %s/%u", s,
                             p->prefix);
  }
}

int
ipam4_reserve (struct ipam4 *p, uint32_t addr, berth_error_t *err)
{
  uint32_t off = addr - p->subnet;
  cleanup_free char *s = ipam4_format (addr);

  if (addr < p->subnet || off >= p->size)
    return berth_error_make (err, EINVAL, "address %s is outside the subnet", s);
  if (bit (p, off))
    return berth_error_make (err, EEXIST, "address %s is already in use", s);
  set_bit (p, off, true);
  return 0;
}

void
ipam4_release (struct ipam4 *p, uint32_t addr)
{
  uint32_t off = addr - p->subnet;

  if (addr < p->subnet || off >= p->size || off == 0 || off == p->size - 1 || addr == p->gateway)
    return;
  set_bit (p, off, false);
}

bool
ipam4_leased (const struct ipam4 *p, uint32_t addr)
{
  uint32_t off = addr - p->subnet;
  return addr >= p->subnet && off < p->size && bit (p, off);
}
