/* CIDR ranges: see cidr.h. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/lib/cidr.h"
#include "core/lib/mem.h"

bool
berth_cidr_parse (const char *s, struct berth_cidr *ret)
{
  const char *slash = strchr (s, '/');
  cleanup_free char *ip = NULL;
  char *end;
  long n;

  if (slash == NULL || slash[1] < '0' || slash[1] > '9')
    return false;
  ip = xstrndup (s, (size_t)(slash - s));
  errno = 0;
  n = strtol (slash + 1, &end, 10);
  if (*end != '\0' || errno != 0 || n < 0)
    return false;
  memset (ret, 0, sizeof (*ret));
  if (inet_pton (AF_INET, ip, ret->addr) == 1 && n <= 32)
    ret->family = AF_INET;
  else if (inet_pton (AF_INET6, ip, ret->addr) == 1 && n <= 128)
    ret->family = AF_INET6;
  else
    return false;
  ret->prefix = (int)n;
  return true;
}

bool
berth_cidr_contains (const struct berth_cidr *c, int family, const unsigned char *addr)
{
  int full = c->prefix / 8, rest = c->prefix % 8;

  if (family != c->family || memcmp (addr, c->addr, (size_t)full) != 0)
    return false;
  return rest == 0 || ((addr[full] ^ c->addr[full]) & (unsigned char)(0xff << (8 - rest))) == 0;
}
