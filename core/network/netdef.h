/* A network as the daemon keeps it: the predefined `bridge`, `host` and
   `none`, and the user-defined ones (`network create`), each recorded in
   <data-root>/network/networks/<id>.json (atomically).  The default bridge
   keeps its own record (bridge.json, service.c) and host/none theirs
   (predefined.json) so that their ids survive a restart. */
#ifndef BERTH_NETWORK_NETDEF_H
#define BERTH_NETWORK_NETDEF_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "core/lib/error.h"

struct ipam4;
struct ipam6;

struct net_def
{
  char *id, *name;
  char *driver;  /* "bridge", "host", "null" */
  char *created; /* RFC 3339 with nanoseconds */
  bool predefined, internal, attachable, ipv6;
  /* bridge networks only */
  uint32_t subnet, gateway; /* host byte order */
  unsigned prefix;
  bool has_range; /* --ip-range */
  uint32_t range;
  unsigned range_prefix;
  bool user_subnet; /* the subnet was given (--ip is allowed, as Docker's rule) */
  /* ipv6 (EnableIPv6): the v6 pool beside the v4 one */
  struct in6_addr subnet6, gateway6;
  unsigned prefix6;
  uint32_t mtu;
  char *bridge, *table;  /* interface and nftables table */
  json_object *labels;   /* object, owned */
  json_object *options;  /* object, owned: Options as given */
  /* in memory only */
  struct ipam4 *ipam;
  struct ipam6 *ipam6; /* when ipv6 */
  char *error;   /* why it cannot be used now, or NULL */
  bool created_in_driver;
};

void net_def_free (struct net_def *n);
/* <dir>/<id>.json */
int net_def_save (const char *dir, const struct net_def *n, berth_error_t *err);
void net_def_unlink (const char *dir, const char *id);
/* every readable record of dir; bad ones logged and skipped */
void net_defs_load (const char *dir, struct net_def ***ret, size_t *ret_n);
/* Docker's network object; containers (owned, may be NULL: {}) */
json_object *net_def_json (const struct net_def *n, json_object *containers);
/* "a.b.c.d/n" of subnet/prefix (malloc'd) */
char *net_cidr_text (uint32_t addr, unsigned prefix);
/* "addr/n" of an IPv6 subnet or address (malloc'd) */
char *net_cidr6_text (const struct in6_addr *addr, unsigned prefix);

#endif
