#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config/tree.h"
#include "core/container/container.h"
#include "core/container/id.h"
#include "core/lib/fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/network/dns-server.h"
#include "core/network/endpoint.h"
#include "core/network/ipam.h"
#include "core/network/ipam6.h"
#include "core/network/netdef.h"
#include "core/network/netns.h"
#include "core/network/ports.h"
#include "core/network/service.h"
#include "core/network/subnet-pick.h"
#include "core/network/subnet-pool.h"
#include "core/plugin/registry.h"

#define DEFAULT_BRIDGE "berth0"
#define DEFAULT_TABLE "berth"
#define DEFAULT_MTU 1500
#define DNS_PORT 53

struct network_service
{
  pthread_mutex_t lock;
  struct berth_driver *driver; /* NULL: not loaded */
  char *dir, *nets_dir, *eps_dir, *netns_dir;
  char *table;  /* the default bridge's; user networks' are <table>_<id 12> */
  uint32_t mtu; /* the default for user networks too */
  struct net_def **nets; /* [0] bridge, [1] host, [2] none, then user networks */
  size_t n_nets;
  struct net_endpoint **eps;
  size_t n_eps;
  struct dns_server *dns;
};

#define DEF_BRIDGE(s) ((s)->nets[0])

/* --- options --- */

struct opts_check
{
  berth_error_t *err;
};

static int
check_key (void *ud, const char *key, const char *value)
{
  static const char *const known[] = { "bridge", "subnet", "gateway", "mtu", "nft-table", "dns-forward",
                                       "ipv6", "fixed-cidr-v6", NULL };
  struct opts_check *x = ud;

  (void) value;
  for (size_t i = 0; known[i] != NULL; i++)
    if (strcmp (key, known[i]) == 0)
      return 0;
  berth_error_make (x->err, EINVAL,
                    "network-opts: unknown option `%s` (known: bridge, subnet, gateway, mtu, nft-table, dns-forward, "
                    "ipv6, fixed-cidr-v6)",
                    key);
  return -1;
}

static bool
name_ok (const char *s, size_t max, bool dots)
{
  size_t n = strlen (s);

  if (n == 0 || n > max)
    return false;
  for (const char *p = s; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'
          || (dots && *p == '.')))
      return false;
  return true;
}

static char *
new_id (berth_error_t *err)
{
  char id[CONTAINER_ID_LEN + 1];

  if (container_id_generate (id, err) < 0)
    return NULL;
  return xstrdup (id);
}

static json_object *
str (const char *s)
{
  return json_object_new_string (s ? s : "");
}

/* bridge.json: the network's id and the subnet picked, so a restart keeps them */
static int
load_or_pick (struct network_service *s, struct net_def *n, const struct berth_cfg *opts, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/bridge.json", s->dir), *text = NULL, *gw_s = NULL, *sub_s = NULL;
  const char *subnet = berth_cfg_string (opts, "subnet", NULL), *gateway = berth_cfg_string (opts, "gateway", NULL);
  json_object *saved = NULL, *o;
  const char *txt;
  size_t len;
  int r = 0;

  if (berth_read_file (path, 65536, &text, &len, NULL) == 0)
    saved = json_tokener_parse (text);
  if (json_object_is_type (json_object_object_get (saved, "Id"), json_type_string))
    n->id = xstrdup (json_object_get_string (json_object_object_get (saved, "Id")));
  else if ((n->id = new_id (err)) == NULL)
    {
      r = -1;
      goto out;
    }
  n->created = xstrdup (json_object_get_string (json_object_object_get (saved, "Created")) ?: "");
  if (n->created[0] == '\0')
    {
      free (n->created);
      n->created = container_now_rfc3339 (NULL);
    }
  if (subnet != NULL)
    {
      if (ipam4_parse_cidr (subnet, true, &n->subnet, &n->prefix, err) < 0)
        {
          r = berth_error_wrap (err, "network-opts: subnet");
          goto out;
        }
    }
  else if (saved != NULL
           && strcmp (json_object_get_string (json_object_object_get (saved, "Bridge")) ?: "", n->bridge) == 0
           && ipam4_parse_cidr (json_object_get_string (json_object_object_get (saved, "Subnet")), true, &n->subnet,
                                &n->prefix, NULL)
                  == 0)
    ;
  else if ((r = network_pick_subnet (n->bridge, &n->subnet, &n->prefix, err)) < 0)
    goto out;
  if (n->prefix < 8 || n->prefix > 30)
    {
      r = berth_error_make (err, EINVAL, "network-opts: subnet: the prefix must be /8 to /30");
      goto out;
    }
  if (gateway != NULL)
    {
      if (ipam4_parse_addr (gateway, &n->gateway, err) < 0)
        {
          r = berth_error_wrap (err, "network-opts: gateway");
          goto out;
        }
      if (n->gateway - n->subnet == 0 || n->gateway - n->subnet >= (1u << (32 - n->prefix)) - 1)
        {
          r = berth_error_make (err, EINVAL, "network-opts: gateway %s is not a host address of the subnet", gateway);
          goto out;
        }
    }
  else
    n->gateway = n->subnet + 1;
  sub_s = net_cidr_text (n->subnet, n->prefix);
  gw_s = ipam4_format (n->gateway);
  o = json_object_new_object ();
  json_object_object_add (o, "Id", str (n->id));
  json_object_object_add (o, "Created", str (n->created));
  json_object_object_add (o, "Bridge", str (n->bridge));
  json_object_object_add (o, "Subnet", str (sub_s));
  json_object_object_add (o, "Gateway", str (gw_s));
  txt = json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN);
  r = berth_write_file_atomic (path, txt, strlen (txt), 0600, err);
  json_object_put (o);
out:
  json_object_put (saved);
  return r;
}

static void
set_option (json_object *o, const char *key, const char *value)
{
  json_object_object_add (o, key, json_object_new_string (value));
}

/* network-opts ipv6 and fixed-cidr-v6 (daemon.json's ipv6 and
   fixed-cidr-v6): off by default; on without a subnet, a ULA /64 of the
   network's id.  Errors name the file and line of the key. */
static int
default_bridge_v6 (struct net_def *n, const struct berth_cfg *opts, berth_error_t *err)
{
  const char *cidr = berth_cfg_string (opts, "fixed-cidr-v6", NULL);
  int on = 0;

  if (berth_cfg_bool (opts, "ipv6", 0, &on, err) < 0)
    return -1;
  if (!on)
    {
      if (cidr != NULL)
        return berth_cfg_error_at (err, berth_cfg_map_get (opts, "fixed-cidr-v6"), true,
                                   "network-opts: fixed-cidr-v6 needs `ipv6: true`");
      return 0;
    }
  n->ipv6 = true;
  if (cidr == NULL)
    ipam6_ula_of_id (n->id, &n->subnet6, &n->prefix6);
  else if (ipam6_parse_cidr (cidr, true, &n->subnet6, &n->prefix6, NULL) < 0 || n->prefix6 > 124)
    return berth_cfg_error_at (err, berth_cfg_map_get (opts, "fixed-cidr-v6"), false,
                               "network-opts: fixed-cidr-v6 `%s`: expected an IPv6 subnet, /1 to /124, with no host "
                               "bits set (e.g. fd00:1::/64)",
                               cidr);
  n->gateway6 = ipam6_nth (&n->subnet6, 1);
  return 0;
}

static int
default_bridge (struct network_service *s, const struct berth_cfg *opts, berth_error_t *err)
{
  struct net_def *n = xmalloc0 (sizeof (*n));
  const char *bridge = berth_cfg_string (opts, "bridge", DEFAULT_BRIDGE);
  char mtu[16];

  s->nets = xrealloc (s->nets, (s->n_nets + 1) * sizeof (*s->nets));
  s->nets[s->n_nets++] = n;
  n->name = xstrdup (NETWORK_DEFAULT_NAME);
  n->driver = xstrdup ("bridge");
  n->predefined = true;
  n->mtu = s->mtu;
  n->table = xstrdup (s->table);
  if (!name_ok (bridge, IF_NAMESIZE - 1, true))
    return berth_error_make (err, EINVAL, "network-opts: bridge `%s`: 1 to %d of [a-zA-Z0-9_.-]", bridge,
                             IF_NAMESIZE - 1);
  n->bridge = xstrdup (bridge);
  if (load_or_pick (s, n, opts, err) < 0 || default_bridge_v6 (n, opts, err) < 0)
    return -1;
  n->labels = json_object_new_object ();
  n->options = json_object_new_object ();
  set_option (n->options, "com.docker.network.bridge.default_bridge", "true");
  set_option (n->options, "com.docker.network.bridge.name", n->bridge);
  snprintf (mtu, sizeof (mtu), "%u", n->mtu);
  set_option (n->options, "com.docker.network.driver.mtu", mtu);
  return 0;
}

/* host and none: ids kept in predefined.json */
static int
pseudo_networks (struct network_service *s, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/predefined.json", s->dir), *text = NULL;
  static const char *const names[] = { "host", "none" }, *const drivers[] = { "host", "null" };
  json_object *saved = NULL, *o = json_object_new_object ();
  const char *txt;
  size_t len;
  int r;

  if (berth_read_file (path, 65536, &text, &len, NULL) == 0)
    saved = json_tokener_parse (text);
  for (size_t i = 0; i < 2; i++)
    {
      struct net_def *n = xmalloc0 (sizeof (*n));
      const char *id = json_object_get_string (json_object_object_get (saved, names[i]));

      s->nets = xrealloc (s->nets, (s->n_nets + 1) * sizeof (*s->nets));
      s->nets[s->n_nets++] = n;
      n->name = xstrdup (names[i]);
      n->driver = xstrdup (drivers[i]);
      n->predefined = true;
      n->created = container_now_rfc3339 (NULL);
      n->labels = json_object_new_object ();
      n->options = json_object_new_object ();
      if (id != NULL && container_id_is_full (id))
        n->id = xstrdup (id);
      else if ((n->id = new_id (err)) == NULL)
        {
          json_object_put (saved);
          json_object_put (o);
          return -1;
        }
      json_object_object_add (o, names[i], str (n->id));
    }
  json_object_put (saved);
  txt = json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN);
  r = berth_write_file_atomic (path, txt, strlen (txt), 0600, err);
  json_object_put (o);
  return r;
}

static int
read_opts (struct network_service *s, const struct berth_cfg *opts, berth_error_t *err)
{
  struct opts_check x = { err };
  const char *table = berth_cfg_string (opts, "nft-table", DEFAULT_TABLE);
  int64_t mtu = DEFAULT_MTU;

  if (opts != NULL && berth_cfg_each (opts, check_key, &x) != 0)
    return berth_error_ret (err);
  /* room for the user networks' _<12 hex> */
  if (!name_ok (table, 50, false))
    return berth_error_make (err, EINVAL, "network-opts: nft-table `%s`: 1 to 50 of [a-zA-Z0-9_-]", table);
  if (berth_cfg_int64 (opts, "mtu", DEFAULT_MTU, &mtu, err) < 0)
    return berth_error_wrap (err, "network-opts");
  if (mtu < 68 || mtu > 65535)
    return berth_error_make (err, EINVAL, "network-opts: mtu %lld: must be 68 to 65535", (long long) mtu);
  s->table = xstrdup (table);
  s->mtu = (uint32_t) mtu;
  if (default_bridge (s, opts, err) < 0 || pseudo_networks (s, err) < 0)
    return -1;
  return 0;
}

/* --- networks in the driver --- */

static bool
is_bridge (const struct net_def *n)
{
  return strcmp (n->driver, "bridge") == 0;
}

static bool
is_user (const struct net_def *n)
{
  return !n->predefined;
}

static int
driver_create (struct network_service *s, struct net_def *n, berth_error_t *err)
{
  cleanup_free char *cidr = net_cidr_text (n->subnet, n->prefix), *gw = ipam4_format (n->gateway);
  cleanup_free char *cidr6 = n->ipv6 ? net_cidr6_text (&n->subnet6, n->prefix6) : NULL;
  cleanup_free char *gw6 = n->ipv6 ? ipam6_format (&n->gateway6) : NULL;
  struct berth_cfg *dopts = berth_cfg_new_map ("network");
  struct berth_net_config nc = { .struct_size = sizeof (nc), .mtu = n->mtu, .name = n->name, .subnet4 = cidr,
                                 .gateway4 = gw, .subnet6 = cidr6, .gateway6 = gw6, .internal = n->internal,
                                 .driver_opts = dopts };
  int r;

  berth_cfg_map_set (dopts, "com.docker.network.bridge.name", n->bridge);
  berth_cfg_map_set (dopts, "berth.nftables.table", n->table);
  r = s->driver->ops.network.network_create (s->driver->drv, n->id, &nc, err);
  berth_cfg_free (dopts);
  if (r == 0)
    {
      n->created_in_driver = true;
      log_info ("network %s: bridge %s, subnet %s, gateway %s%s%s%s%s, mtu %u, nftables table ip %s%s", n->name,
                n->bridge, cidr, gw, cidr6 ? ", IPv6 subnet " : "", cidr6 ? cidr6 : "", cidr6 ? ", gateway " : "",
                gw6 ? gw6 : "", n->mtu, n->table, n->internal ? ", internal" : "");
    }
  return r;
}

/* user networks: the embedded DNS on the gateway */
static void
dns_listen (struct network_service *s, struct net_def *n)
{
  berth_error_t e = NULL;

  if (s->dns == NULL || !is_user (n) || n->error != NULL)
    return;
  if (dns_server_listen (s->dns, n->id, n->gateway, if_nametoindex (n->bridge), n->subnet, n->prefix, &e) < 0)
    {
      log_warn ("network %s: no DNS for container names: %s", n->name, berth_error_msg (&e));
      berth_error_release (&e);
    }
}

/* ipam, then the bridge; a failure is kept in n->error */
static void
bring_up (struct network_service *s, struct net_def *n)
{
  cleanup_error berth_error_t e = NULL;

  if (!is_bridge (n))
    return;
  n->ipam = ipam4_new (n->subnet, n->prefix, n->gateway);
  if (n->has_range)
    ipam4_set_range (n->ipam, n->range, n->range_prefix);
  if (n->ipv6)
    n->ipam6 = ipam6_new (&n->subnet6, n->prefix6, &n->gateway6);
  if (s->driver == NULL)
    n->error = xstrdup ("the bridge network driver (network-bridge.so) is not loaded");
  else if (network_subnet_routed (n->bridge, n->subnet, n->prefix))
    {
      cleanup_free char *sub = net_cidr_text (n->subnet, n->prefix);
      n->error = xasprintf ("the subnet %s of bridge %s overlaps a route of the host", sub, n->bridge);
    }
  else if (driver_create (s, n, &e) < 0)
    n->error = xasprintf ("network %s: %s", n->name, berth_error_msg (&e));
  if (n->error != NULL)
    log_error ("%s: containers on network %s cannot start", n->error, n->name);
  else
    dns_listen (s, n);
}

static struct net_def *
find_net_by_id (struct network_service *s, const char *id)
{
  for (size_t i = 0; i < s->n_nets; i++)
    if (strcmp (s->nets[i]->id, id) == 0)
      return s->nets[i];
  return NULL;
}

/* Docker's order: full id, name, unique id prefix */
static struct net_def *
find_net (struct network_service *s, const char *what)
{
  struct net_def *hit = NULL;
  size_t len;

  if (what == NULL || what[0] == '\0')
    return NULL;
  if (strcmp (what, "default") == 0)
    return DEF_BRIDGE (s);
  if ((hit = find_net_by_id (s, what)) != NULL)
    return hit;
  for (size_t i = 0; i < s->n_nets; i++)
    if (strcmp (s->nets[i]->name, what) == 0)
      return s->nets[i];
  len = strlen (what);
  for (size_t i = 0; i < s->n_nets; i++)
    if (strncmp (s->nets[i]->id, what, len) == 0)
      {
        if (hit != NULL)
          return NULL;
        hit = s->nets[i];
      }
  return hit;
}

int
network_service_open (const struct network_service_opts *o, struct network_service **ret, berth_error_t *err)
{
  struct network_service *s = xmalloc0 (sizeof (*s));
  cleanup_error berth_error_t e = NULL;
  struct net_def **users = NULL;
  size_t n_users = 0;

  pthread_mutex_init (&s->lock, NULL);
  s->dir = xasprintf ("%s/network", o->data_root);
  s->nets_dir = xasprintf ("%s/networks", s->dir);
  s->eps_dir = xasprintf ("%s/endpoints", s->dir);
  s->netns_dir = xasprintf ("%s/netns", o->exec_root);
  if (berth_mkdir_p (s->eps_dir, 0700, err) < 0 || berth_mkdir_p (s->nets_dir, 0700, err) < 0
      || berth_mkdir_p (s->netns_dir, 0755, err) < 0 || read_opts (s, o->opts, err) < 0)
    {
      network_service_close (s);
      return berth_error_ret (err);
    }
  net_defs_load (s->nets_dir, &users, &n_users);
  for (size_t i = 0; i < n_users; i++)
    {
      s->nets = xrealloc (s->nets, (s->n_nets + 1) * sizeof (*s->nets));
      s->nets[s->n_nets++] = users[i];
    }
  free (users);
  s->driver = berth_plugins_find (o->plugins, BERTH_KIND_NETWORK, "bridge");
  if (dns_server_new (berth_cfg_string (o->opts, "dns-forward", NULL), DNS_PORT, &s->dns, &e) < 0)
    {
      log_warn ("%s: user networks will have no DNS for container names", berth_error_msg (&e));
      s->dns = NULL;
    }
  for (size_t i = 0; i < s->n_nets; i++)
    bring_up (s, s->nets[i]);
  net_endpoints_load (s->eps_dir, DEF_BRIDGE (s)->id, &s->eps, &s->n_eps);
  for (size_t i = 0; i < s->n_eps; i++)
    {
      struct net_def *n = find_net_by_id (s, s->eps[i]->net_id);
      if (n != NULL && n->ipam != NULL && ipam4_reserve (n->ipam, s->eps[i]->ip, &e) < 0)
        {
          log_warn ("endpoint of container %.12s: %s", s->eps[i]->cid, berth_error_msg (&e));
          berth_error_release (&e);
        }
      if (n != NULL && n->ipam6 != NULL && s->eps[i]->has_ip6 && ipam6_reserve (n->ipam6, &s->eps[i]->ip6, &e) < 0)
        {
          log_warn ("endpoint of container %.12s: %s", s->eps[i]->cid, berth_error_msg (&e));
          berth_error_release (&e);
        }
    }
  *ret = s;
  return 0;
}

void
network_service_close (struct network_service *s)
{
  if (s == NULL)
    return;
  dns_server_free (s->dns);
  for (size_t i = 0; i < s->n_eps; i++)
    net_endpoint_free (s->eps[i]);
  free (s->eps);
  for (size_t i = 0; i < s->n_nets; i++)
    net_def_free (s->nets[i]);
  free (s->nets);
  free (s->dir);
  free (s->nets_dir);
  free (s->eps_dir);
  free (s->netns_dir);
  free (s->table);
  pthread_mutex_destroy (&s->lock);
  free (s);
}

void
network_info_clear (struct network_info *i)
{
  free (i->id);
  free (i->name);
  free (i->driver);
  memset (i, 0, sizeof (*i));
}

int
network_service_find (struct network_service *s, const char *what, struct network_info *ret, berth_error_t *err)
{
  struct net_def *n;
  int r = 0;

  memset (ret, 0, sizeof (*ret));
  pthread_mutex_lock (&s->lock);
  n = find_net (s, what);
  if (n == NULL)
    r = berth_error_make (err, ENOENT, "network %s not found", what ? what : "");
  else
    {
      ret->id = xstrdup (n->id);
      ret->name = xstrdup (n->name);
      ret->driver = xstrdup (n->driver);
      ret->predefined = n->predefined;
      ret->user_subnet = n->user_subnet;
      ret->internal = n->internal;
      ret->ipv6 = n->ipv6;
    }
  pthread_mutex_unlock (&s->lock);
  return r;
}

/* --- endpoints --- */

static struct net_endpoint *
find_ep (struct network_service *s, const char *cid, const char *net_id)
{
  for (size_t i = 0; i < s->n_eps; i++)
    if (strcmp (s->eps[i]->cid, cid) == 0 && (net_id == NULL || strcmp (s->eps[i]->net_id, net_id) == 0))
      return s->eps[i];
  return NULL;
}

static bool
net_has_eps (struct network_service *s, const struct net_def *n)
{
  for (size_t i = 0; i < s->n_eps; i++)
    if (strcmp (s->eps[i]->net_id, n->id) == 0)
      return true;
  return false;
}

static void
forget_ep (struct network_service *s, struct net_endpoint *e)
{
  for (size_t i = 0; i < s->n_eps; i++)
    if (s->eps[i] == e)
      {
        memmove (&s->eps[i], &s->eps[i + 1], (s->n_eps - i - 1) * sizeof (*s->eps));
        s->n_eps--;
        break;
      }
  net_endpoint_free (e);
}

static void
log_release (const char *cid, const char *what, berth_error_t *err)
{
  log_warn ("container %.12s: %s: %s", cid, what, berth_error_msg (err));
  berth_error_release (err);
}

static struct berth_port_map *
port_maps (const struct net_endpoint *e)
{
  struct berth_port_map *maps = xmalloc0 ((e->n_ports + 1) * sizeof (*maps));

  for (size_t i = 0; i < e->n_ports; i++)
    {
      maps[i].struct_size = sizeof (maps[i]);
      maps[i].proto = e->ports[i].proto;
      maps[i].host_port = e->ports[i].host_port;
      maps[i].container_port = e->ports[i].container_port;
      maps[i].host_ip = e->ports[i].host_ip[0] != '\0' ? e->ports[i].host_ip : NULL;
    }
  return maps;
}

static int
declare (struct network_service *s, struct net_def *n, struct net_endpoint *e, berth_error_t *err)
{
  cleanup_free char *cidr = NULL;
  struct berth_endpoint ep = { .struct_size = sizeof (ep) };

  cleanup_free char *cidr6 = e->has_ip6 && n->ipv6 ? net_cidr6_text (&e->ip6, n->prefix6) : NULL;

  cidr = net_cidr_text (e->ip, n->prefix);
  ep.ipv4_cidr = cidr;
  ep.ipv6_cidr = cidr6;
  ep.flags = BERTH_EP_FLAGS_IFNUM (e->ifnum) | (e->ifnum > 0 ? BERTH_EP_NO_GATEWAY : 0);
  memcpy (ep.mac, e->mac, sizeof (ep.mac));
  if (s->driver->ops.network.endpoint_create (s->driver->drv, n->id, e->id, &ep, err) < 0)
    return berth_error_ret (err);
  e->declared = true;
  return 0;
}

static int
publish (struct network_service *s, struct net_def *n, struct net_endpoint *e, berth_error_t *err)
{
  cleanup_free struct berth_port_map *maps = NULL;

  if (e->n_ports == 0)
    return 0;
  if (s->driver->ops.network.publish == NULL)
    return berth_error_make (err, ENOTSUP, "the %s driver cannot publish ports", s->driver->name);
  maps = port_maps (e);
  return s->driver->ops.network.publish (s->driver->drv, n->id, e->id, maps, e->n_ports, err);
}

static void
dns_names (struct network_service *s, struct net_def *n, const struct net_endpoint *e, bool add)
{
  char short_id[CONTAINER_SHORT_ID_LEN + 1];

  if (s->dns == NULL || !is_user (n))
    return;
  dns_server_remove_names (s->dns, n->id, e->cid);
  if (!add)
    return;
  snprintf (short_id, sizeof (short_id), "%s", e->cid);
  dns_server_add_name (s->dns, n->id, e->cid, e->name, e->ip);
  dns_server_add_name (s->dns, n->id, e->cid, short_id, e->ip);
  for (size_t i = 0; e->aliases != NULL && e->aliases[i] != NULL; i++)
    dns_server_add_name (s->dns, n->id, e->cid, e->aliases[i], e->ip);
  if (e->has_ip6 && n->ipv6)
    dns_server_set_name6 (s->dns, n->id, e->cid, &e->ip6);
}

/* the container's --dns servers: the upstreams of the networks' DNS for it */
static void
dns_upstreams (struct network_service *s, const char *cid, json_object *host_config)
{
  json_object *dns = json_object_object_get (host_config, "Dns");
  size_t n = json_object_is_type (dns, json_type_array) ? json_object_array_length (dns) : 0, k = 0;
  cleanup_free const char **v = NULL;

  if (s->dns == NULL)
    return;
  v = xmalloc0 ((n + 1) * sizeof (*v));
  for (size_t i = 0; i < n; i++)
    if (json_object_is_type (json_object_array_get_idx (dns, i), json_type_string))
      v[k++] = json_object_get_string (json_object_array_get_idx (dns, i));
  dns_server_set_upstreams (s->dns, cid, v);
}

/* Everything of e, in the reverse order of attach; then e is forgotten.
   The namespace goes with the container's last endpoint.  gone: the
   container's processes are, so the driver may remove its interfaces after
   returning (leave_gone), off the path of `run --rm`. */
static void
undo (struct network_service *s, struct net_endpoint *e, bool gone)
{
  berth_error_t err = NULL;
  struct net_def *n = find_net_by_id (s, e->net_id);
  const struct berth_network_ops *ops = s->driver ? &s->driver->ops.network : NULL;
  bool last = true;

  if (n != NULL)
    dns_names (s, n, e, false);
  if (ops != NULL && n != NULL && n->error == NULL && n->created_in_driver)
    {
      /* an endpoint from before a restart: the driver must know it to remove its interfaces */
      if (!e->declared && declare (s, n, e, &err) < 0)
        log_release (e->cid, "network endpoint", &err);
      if (e->declared)
        {
          if (e->n_ports > 0 && ops->unpublish != NULL && ops->unpublish (s->driver->drv, n->id, e->id, &err) < 0)
            log_release (e->cid, "unpublish ports", &err);
          int (*leave) (void *, const char *, const char *, struct berth_error **)
              = gone && ops->leave_gone != NULL ? ops->leave_gone : ops->leave;
          if (leave (s->driver->drv, n->id, e->id, &err) < 0)
            log_release (e->cid, "leave the network", &err);
          if (ops->endpoint_delete (s->driver->drv, n->id, e->id, &err) < 0)
            log_release (e->cid, "delete the endpoint", &err);
        }
    }
  for (size_t i = 0; i < s->n_eps; i++)
    if (s->eps[i] != e && strcmp (s->eps[i]->cid, e->cid) == 0)
      last = false;
  if (last)
    {
      network_netns_remove (e->netns);
      if (s->dns != NULL)
        dns_server_set_upstreams (s->dns, e->cid, NULL);
    }
  if (n != NULL && n->ipam != NULL)
    ipam4_release (n->ipam, e->ip);
  if (n != NULL && n->ipam6 != NULL && e->has_ip6)
    ipam6_release (n->ipam6, &e->ip6);
  net_endpoint_unlink (s->eps_dir, DEF_BRIDGE (s)->id, e);
  forget_ep (s, e);
}

static bool
port_taken (struct network_service *s, uint16_t proto, uint16_t port, const char *ip)
{
  for (size_t i = 0; i < s->n_eps; i++)
    for (size_t j = 0; j < s->eps[i]->n_ports; j++)
      {
        const struct net_port *p = &s->eps[i]->ports[j];
        if (p->proto == proto && p->host_port == port
            && (p->host_ip[0] == '\0' || ip[0] == '\0' || strcmp (p->host_ip, ip) == 0))
          return true;
      }
  return false;
}

/* Host ports: a random one for 0, and none used twice (the driver's rules
   would shadow each other). */
static int
assign_ports (struct network_service *s, struct net_port *p, size_t n, berth_error_t *err)
{
  for (size_t i = 0; i < n; i++)
    {
      bool dup = false;

      if (p[i].host_port == 0)
        {
          for (int tries = 0; tries < 32 && p[i].host_port == 0; tries++)
            {
              uint16_t port;
              if (net_port_pick (p[i].proto, &port, err) < 0)
                return berth_error_ret (err);
              if (!port_taken (s, p[i].proto, port, p[i].host_ip))
                p[i].host_port = port;
            }
          if (p[i].host_port == 0)
            return berth_error_make (err, EADDRINUSE, "no free host port for %u", p[i].container_port);
          continue;
        }
      for (size_t j = 0; j < i; j++)
        dup |= p[j].proto == p[i].proto && p[j].host_port == p[i].host_port
               && (p[j].host_ip[0] == '\0' || p[i].host_ip[0] == '\0' || strcmp (p[j].host_ip, p[i].host_ip) == 0);
      if (dup || port_taken (s, p[i].proto, p[i].host_port, p[i].host_ip))
        return berth_error_make (err, EADDRINUSE, "Bind for %s:%u failed: port is already allocated",
                                 p[i].host_ip[0] ? p[i].host_ip : "0.0.0.0", p[i].host_port);
    }
  return 0;
}

static json_object *
strv_json (char *const *v)
{
  json_object *a;

  if (v == NULL || v[0] == NULL)
    return NULL;
  a = json_object_new_array ();
  for (size_t i = 0; v[i] != NULL; i++)
    json_object_array_add (a, str (v[i]));
  return a;
}

static json_object *
endpoint_json (const struct net_def *n, const struct net_endpoint *e)
{
  json_object *net = json_object_new_object (), *dns = json_object_new_array (), *ipam = NULL;
  cleanup_free char *ip = ipam4_format (e->ip), *gw = ipam4_format (n->gateway);
  cleanup_free char *mac = net_endpoint_mac_text (e->mac);
  char short_id[CONTAINER_SHORT_ID_LEN + 1];

  if (e->static_ip != NULL || e->static_ip6 != NULL)
    {
      ipam = json_object_new_object ();
      if (e->static_ip != NULL)
        json_object_object_add (ipam, "IPv4Address", str (e->static_ip));
      if (e->static_ip6 != NULL)
        json_object_object_add (ipam, "IPv6Address", str (e->static_ip6));
    }
  json_object_object_add (net, "IPAMConfig", ipam);
  json_object_object_add (net, "Links", NULL);
  json_object_object_add (net, "Aliases", strv_json (e->aliases));
  json_object_object_add (net, "MacAddress", str (mac));
  json_object_object_add (net, "DriverOpts", NULL);
  json_object_object_add (net, "GwPriority", json_object_new_int (0));
  json_object_object_add (net, "NetworkID", str (n->id));
  json_object_object_add (net, "EndpointID", str (e->id));
  json_object_object_add (net, "Gateway", str (n->internal ? "" : gw));
  json_object_object_add (net, "IPAddress", str (ip));
  json_object_object_add (net, "IPPrefixLen", json_object_new_int ((int) n->prefix));
  {
    bool v6 = e->has_ip6 && n->ipv6;
    cleanup_free char *ip6 = v6 ? ipam6_format (&e->ip6) : NULL, *gw6 = v6 ? ipam6_format (&n->gateway6) : NULL;
    json_object_object_add (net, "IPv6Gateway", str (n->internal ? "" : gw6));
    json_object_object_add (net, "GlobalIPv6Address", str (ip6));
    json_object_object_add (net, "GlobalIPv6PrefixLen", json_object_new_int (v6 ? (int) n->prefix6 : 0));
  }
  /* moby: the names the network's DNS answers for it (user networks only) */
  if (is_user (n))
    {
      snprintf (short_id, sizeof (short_id), "%s", e->cid);
      json_object_array_add (dns, str (e->name));
      json_object_array_add (dns, str (short_id));
      for (size_t i = 0; e->aliases != NULL && e->aliases[i] != NULL; i++)
        json_object_array_add (dns, str (e->aliases[i]));
      json_object_object_add (net, "DNSNames", dns);
    }
  else
    {
      json_object_put (dns);
      json_object_object_add (net, "DNSNames", NULL);
    }
  return net;
}

static json_object *
settings_locked (struct network_service *s, const char *cid, json_object *config)
{
  json_object *ns, *nets = json_object_new_object ();
  struct net_endpoint *first = NULL, *def = NULL;

  for (size_t i = 0; i < s->n_eps; i++)
    {
      struct net_endpoint *e = s->eps[i];
      struct net_def *n;
      if (strcmp (e->cid, cid) != 0 || (n = find_net_by_id (s, e->net_id)) == NULL)
        continue;
      if (first == NULL || e->ifnum < first->ifnum)
        first = e;
      if (n == DEF_BRIDGE (s))
        def = e;
      json_object_object_add (nets, n->name, endpoint_json (n, e));
    }
  if (first == NULL)
    {
      json_object_put (nets);
      return NULL;
    }
  ns = json_object_new_object ();
  json_object_object_add (ns, "Bridge", str (""));
  json_object_object_add (ns, "SandboxID", str (first->id));
  json_object_object_add (ns, "SandboxKey", str (first->netns));
  {
    struct net_endpoint *pub = first;
    for (size_t i = 0; i < s->n_eps; i++)
      if (strcmp (s->eps[i]->cid, cid) == 0 && s->eps[i]->n_ports > 0)
        pub = s->eps[i];
    json_object_object_add (
        ns, "Ports", net_ports_settings_json (pub->ports, pub->n_ports, json_object_object_get (config, "ExposedPorts")));
  }
  json_object_object_add (ns, "HairpinMode", json_object_new_boolean (false));
  json_object_object_add (ns, "LinkLocalIPv6Address", str (""));
  json_object_object_add (ns, "LinkLocalIPv6PrefixLen", json_object_new_int (0));
  json_object_object_add (ns, "SecondaryIPAddresses", NULL);
  json_object_object_add (ns, "SecondaryIPv6Addresses", NULL);
  /* moby fills these from the default bridge's endpoint only */
  {
    cleanup_free char *ip = def ? ipam4_format (def->ip) : NULL, *gw = def ? ipam4_format (DEF_BRIDGE (s)->gateway) : NULL;
    cleanup_free char *mac = def ? net_endpoint_mac_text (def->mac) : NULL;
    json_object_object_add (ns, "EndpointID", str (def ? def->id : ""));
    json_object_object_add (ns, "Gateway", str (gw));
    bool v6 = def != NULL && def->has_ip6 && DEF_BRIDGE (s)->ipv6;
    cleanup_free char *ip6 = v6 ? ipam6_format (&def->ip6) : NULL;
    cleanup_free char *gw6 = v6 ? ipam6_format (&DEF_BRIDGE (s)->gateway6) : NULL;
    json_object_object_add (ns, "GlobalIPv6Address", str (ip6));
    json_object_object_add (ns, "GlobalIPv6PrefixLen", json_object_new_int (v6 ? (int) DEF_BRIDGE (s)->prefix6 : 0));
    json_object_object_add (ns, "IPAddress", str (ip));
    json_object_object_add (ns, "IPPrefixLen", json_object_new_int (def ? (int) DEF_BRIDGE (s)->prefix : 0));
    json_object_object_add (ns, "IPv6Gateway", str (gw6));
    json_object_object_add (ns, "MacAddress", str (mac));
  }
  json_object_object_add (ns, "Networks", nets);
  return ns;
}

json_object *
network_service_settings (struct network_service *s, const char *cid, json_object *config)
{
  json_object *o;

  pthread_mutex_lock (&s->lock);
  o = settings_locked (s, cid, config);
  pthread_mutex_unlock (&s->lock);
  return o;
}

void
network_service_addresses (struct network_service *s, const char *cid, char **ret_ip, char **ret_dns)
{
  struct net_endpoint *first = NULL, *user = NULL;

  *ret_ip = NULL;
  *ret_dns = NULL;
  pthread_mutex_lock (&s->lock);
  for (size_t i = 0; i < s->n_eps; i++)
    {
      struct net_endpoint *e = s->eps[i];
      struct net_def *n;
      if (strcmp (e->cid, cid) != 0 || (n = find_net_by_id (s, e->net_id)) == NULL)
        continue;
      if (first == NULL || e->ifnum < first->ifnum)
        first = e;
      if (is_user (n) && (user == NULL || e->ifnum < user->ifnum))
        user = e;
    }
  if (first != NULL)
    *ret_ip = ipam4_format (first->ip);
  if (user != NULL && s->dns != NULL)
    *ret_dns = ipam4_format (find_net_by_id (s, user->net_id)->gateway);
  pthread_mutex_unlock (&s->lock);
}

char **
network_service_ips (struct network_service *s, const char *cid, const char *network)
{
  struct net_def *only = NULL;
  char **v;
  size_t k = 0;

  pthread_mutex_lock (&s->lock);
  if (network != NULL && (only = find_net (s, network)) == NULL)
    {
      pthread_mutex_unlock (&s->lock);
      return xmalloc0 (sizeof (char *));
    }
  v = xmalloc0 ((s->n_eps + 1) * sizeof (char *));
  /* by interface: eth0's first */
  for (unsigned ifnum = 0; ifnum < 32; ifnum++)
    for (size_t i = 0; i < s->n_eps; i++)
      if (s->eps[i]->ifnum == ifnum && strcmp (s->eps[i]->cid, cid) == 0
          && (only == NULL || strcmp (s->eps[i]->net_id, only->id) == 0))
        v[k++] = ipam4_format (s->eps[i]->ip);
  pthread_mutex_unlock (&s->lock);
  return v;
}

void
network_service_rename (struct network_service *s, const char *cid, const char *name)
{
  pthread_mutex_lock (&s->lock);
  for (size_t i = 0; i < s->n_eps; i++)
    {
      struct net_endpoint *e = s->eps[i];
      struct net_def *n;
      berth_error_t err = NULL;

      if (strcmp (e->cid, cid) != 0)
        continue;
      free (e->name);
      e->name = xstrdup (name);
      /* kept for a restart: the DNS learns its names from the record */
      if (net_endpoint_save (s->eps_dir, DEF_BRIDGE (s)->id, e, &err) < 0)
        log_release (cid, "rename its network endpoint", &err);
      if ((n = find_net_by_id (s, e->net_id)) != NULL)
        dns_names (s, n, e, true);
    }
  pthread_mutex_unlock (&s->lock);
}

void
network_service_container_dns (struct network_service *s, const char *cid, json_object *host_config)
{
  pthread_mutex_lock (&s->lock);
  if (find_ep (s, cid, NULL) != NULL)
    dns_upstreams (s, cid, host_config);
  pthread_mutex_unlock (&s->lock);
}

static int
static_address (struct net_def *n, const char *ip, uint32_t *ret, berth_error_t *err)
{
  if (n->predefined || !n->user_subnet)
    return berth_error_make (err, EINVAL,
                             "user specified IP address is supported only when connecting to networks with user "
                             "configured subnets");
  if (ipam4_parse_addr (ip, ret, err) < 0)
    return berth_error_ret (err);
  if (ipam4_reserve (n->ipam, *ret, err) < 0)
    {
      if (berth_error_code (err) == EEXIST)
        {
          berth_error_release (err);
          return berth_error_make (err, EEXIST, "Address already in use");
        }
      return berth_error_wrap (err, "invalid address %s", ip);
    }
  return 0;
}

static int
static_address6 (struct net_def *n, const char *ip, struct in6_addr *ret, berth_error_t *err)
{
  if (n->predefined)
    return berth_error_make (err, EINVAL, "user specified IPv6 address is supported only when connecting to "
                                          "user-defined networks with IPv6 enabled");
  if (ipam6_parse_addr (ip, ret, err) < 0)
    return berth_error_ret (err);
  if (ipam6_reserve (n->ipam6, ret, err) < 0)
    {
      if (berth_error_code (err) == EEXIST)
        {
          berth_error_release (err);
          return berth_error_make (err, EEXIST, "Address already in use");
        }
      return berth_error_wrap (err, "invalid address %s", ip);
    }
  return 0;
}

static int
attach_locked (struct network_service *s, const struct network_attach *a, char **ret_netns, berth_error_t *err)
{
  struct net_def *n = find_net (s, a->network);
  struct net_endpoint *e, *sibling = NULL;
  struct berth_join_result jr = { .struct_size = sizeof (jr) };
  char epid[CONTAINER_ID_LEN + 1];
  cleanup_close int fd = -1;
  uint32_t used = 0;
  bool new_netns;
  size_t n_aliases = 0;

  if (n == NULL)
    return berth_error_make (err, ENOENT, "network %s not found", a->network);
  if (!is_bridge (n))
    return berth_error_make (err, EINVAL, "container cannot be connected to the %s network", n->name);
  if (n->error != NULL)
    return berth_error_make (err, ENETUNREACH, "%s", n->error);
  if (find_ep (s, a->cid, n->id) != NULL)
    return berth_error_make (err, EEXIST, "endpoint with name %s already exists in network %s", a->name, n->name);
  for (size_t i = 0; i < s->n_eps; i++)
    if (strcmp (s->eps[i]->cid, a->cid) == 0)
      {
        sibling = s->eps[i];
        if (s->eps[i]->ifnum < 32)
          used |= 1u << s->eps[i]->ifnum;
      }
  if (container_id_generate (epid, err) < 0)
    return berth_error_ret (err);
  e = xmalloc0 (sizeof (*e));
  e->cid = xstrdup (a->cid);
  e->net_id = xstrdup (n->id);
  e->id = xstrdup (epid);
  e->name = xstrdup (a->name ? a->name : "");
  while (a->aliases != NULL && a->aliases[n_aliases] != NULL)
    n_aliases++;
  e->aliases = xmalloc0 ((n_aliases + 1) * sizeof (char *));
  for (size_t i = 0; i < n_aliases; i++)
    e->aliases[i] = xstrdup (a->aliases[i]);
  while (e->ifnum < 32 && (used & (1u << e->ifnum)))
    e->ifnum++;
  e->netns = sibling ? xstrdup (sibling->netns) : xasprintf ("%s/%s", s->netns_dir, a->cid);
  new_netns = sibling == NULL;
  if (a->publish
      && (net_ports_parse (json_object_object_get (a->host_config, "PortBindings"),
                           json_object_object_get (a->config, "ExposedPorts"),
                           json_object_get_boolean (json_object_object_get (a->host_config, "PublishAllPorts")),
                           &e->ports, &e->n_ports, err)
              < 0
          || assign_ports (s, e->ports, e->n_ports, err) < 0))
    {
      net_endpoint_free (e);
      return berth_error_ret (err);
    }
  if (a->static_ip != NULL && a->static_ip[0] != '\0')
    {
      if (static_address (n, a->static_ip, &e->ip, err) < 0)
        {
          net_endpoint_free (e);
          return berth_error_ret (err);
        }
      e->static_ip = xstrdup (a->static_ip);
    }
  else if (ipam4_alloc (n->ipam, &e->ip, err) < 0)
    {
      net_endpoint_free (e);
      return berth_error_ret (err);
    }
  if (n->ipam6 != NULL)
    {
      if (a->static_ip6 != NULL && a->static_ip6[0] != '\0' ? static_address6 (n, a->static_ip6, &e->ip6, err) < 0
                                                              : ipam6_alloc (n->ipam6, &e->ip6, err) < 0)
        {
          ipam4_release (n->ipam, e->ip);
          net_endpoint_free (e);
          return berth_error_ret (err);
        }
      e->has_ip6 = true;
      if (a->static_ip6 != NULL && a->static_ip6[0] != '\0')
        e->static_ip6 = xstrdup (a->static_ip6);
    }
  else if (a->static_ip6 != NULL && a->static_ip6[0] != '\0')
    {
      ipam4_release (n->ipam, e->ip);
      net_endpoint_free (e);
      return berth_error_make (err, EINVAL, "network %s has no IPv6 (--ip6 needs a network created with --ipv6)",
                               n->name);
    }
  net_endpoint_mac (e->ip, e->mac);
  s->eps = xrealloc (s->eps, (s->n_eps + 1) * sizeof (*s->eps));
  s->eps[s->n_eps++] = e;
  /* recorded first: a crash from here on is undone at the next start */
  if (net_endpoint_save (s->eps_dir, DEF_BRIDGE (s)->id, e, err) < 0)
    goto fail;
  if (new_netns)
    {
      network_netns_remove (e->netns); /* a leftover of a crash before the record */
      if (network_netns_create (e->netns, err) < 0)
        goto fail;
    }
  if ((fd = open (e->netns, O_RDONLY | O_CLOEXEC)) < 0)
    {
      berth_error_errno (err, errno, "open %s", e->netns);
      goto fail;
    }
  if (declare (s, n, e, err) < 0)
    goto fail;
  if (s->driver->ops.network.join (s->driver->drv, n->id, e->id, fd, &jr, err) < 0)
    goto fail;
  e->joined = true;
  e->claimed = true;
  if (publish (s, n, e, err) < 0)
    goto fail;
  dns_names (s, n, e, true);
  dns_upstreams (s, e->cid, a->host_config);
  if (ret_netns != NULL)
    *ret_netns = xstrdup (e->netns);
  return 0;
fail:
  /* publish rolled its own rules back: unpublish has nothing left to do */
  undo (s, e, false);
  return berth_error_wrap (err, "cannot connect the container to the %s network", n->name);
}

int
network_service_attach (struct network_service *s, const struct network_attach *a, char **ret_netns,
                        berth_error_t *err)
{
  int r;

  pthread_mutex_lock (&s->lock);
  r = attach_locked (s, a, ret_netns, err);
  pthread_mutex_unlock (&s->lock);
  return r;
}

void
network_service_detach (struct network_service *s, const char *cid)
{
  struct net_endpoint *e;

  pthread_mutex_lock (&s->lock);
  /* the later endpoints first: the first one's namespace goes last */
  while ((e = find_ep (s, cid, NULL)) != NULL)
    undo (s, e, true);
  pthread_mutex_unlock (&s->lock);
}

int
network_service_detach_one (struct network_service *s, const char *cid, const char *network, berth_error_t *err)
{
  struct net_def *n;
  struct net_endpoint *e = NULL;
  int r = 0;

  pthread_mutex_lock (&s->lock);
  n = find_net (s, network);
  if (n == NULL)
    r = berth_error_make (err, ENOENT, "network %s not found", network);
  else if ((e = find_ep (s, cid, n->id)) == NULL)
    r = berth_error_make (err, ENOENT, "container %.12s is not connected to network %s", cid, n->name);
  else
    undo (s, e, false);
  pthread_mutex_unlock (&s->lock);
  return r;
}

char *
network_service_restore (struct network_service *s, const char *cid, bool running)
{
  berth_error_t err = NULL;
  char *netns = NULL;

  pthread_mutex_lock (&s->lock);
  for (size_t i = s->n_eps; i-- > 0;)
    {
      struct net_endpoint *e = s->eps[i];
      struct net_def *n;

      if (strcmp (e->cid, cid) != 0)
        continue;
      n = find_net_by_id (s, e->net_id);
      if (!running || n == NULL)
        {
          undo (s, e, true);
          continue;
        }
      e->claimed = true;
      /* the interfaces and the namespace are the container's still; the
         driver learns the endpoint again and its ports get their rules back */
      if (n->error == NULL && (declare (s, n, e, &err) < 0 || publish (s, n, e, &err) < 0))
        log_release (cid, "restore its network endpoint", &err);
      e->joined = true;
      dns_names (s, n, e, true);
      if (netns == NULL)
        netns = xstrdup (e->netns);
    }
  pthread_mutex_unlock (&s->lock);
  return netns;
}

void
network_service_restore_done (struct network_service *s)
{
  pthread_mutex_lock (&s->lock);
  for (size_t i = s->n_eps; i-- > 0;)
    if (i < s->n_eps && !s->eps[i]->claimed)
      {
        log_info ("network endpoint of container %.12s, which is gone: removed", s->eps[i]->cid);
        undo (s, s->eps[i], true);
      }
  pthread_mutex_unlock (&s->lock);
}

/* --- the networks API --- */

static json_object *
containers_json (struct network_service *s, const struct net_def *n)
{
  json_object *o = json_object_new_object ();

  for (size_t i = 0; i < s->n_eps; i++)
    {
      const struct net_endpoint *e = s->eps[i];
      json_object *c;
      cleanup_free char *cidr = NULL, *mac = NULL;

      if (strcmp (e->net_id, n->id) != 0)
        continue;
      cidr = net_cidr_text (e->ip, n->prefix);
      mac = net_endpoint_mac_text (e->mac);
      c = json_object_new_object ();
      json_object_object_add (c, "Name", str (e->name));
      json_object_object_add (c, "EndpointID", str (e->id));
      json_object_object_add (c, "MacAddress", str (mac));
      json_object_object_add (c, "IPv4Address", str (cidr));
      {
        cleanup_free char *cidr6 = e->has_ip6 && n->ipv6 ? net_cidr6_text (&e->ip6, n->prefix6) : NULL;
        json_object_object_add (c, "IPv6Address", str (cidr6));
      }
      json_object_object_add (o, e->cid, c);
    }
  return o;
}

json_object *
network_service_list (struct network_service *s, bool containers)
{
  json_object *a = json_object_new_array ();

  pthread_mutex_lock (&s->lock);
  for (size_t i = 0; i < s->n_nets; i++)
    json_object_array_add (a, net_def_json (s->nets[i], containers ? containers_json (s, s->nets[i]) : NULL));
  pthread_mutex_unlock (&s->lock);
  return a;
}

int
network_service_inspect (struct network_service *s, const char *what, json_object **ret, berth_error_t *err)
{
  struct net_def *n;
  int r = 0;

  pthread_mutex_lock (&s->lock);
  n = find_net (s, what);
  if (n == NULL)
    r = berth_error_make (err, ENOENT, "network %s not found", what ? what : "");
  else
    *ret = net_def_json (n, containers_json (s, n));
  pthread_mutex_unlock (&s->lock);
  return r;
}

static const char *
opt_string (json_object *o, const char *key)
{
  json_object *v = json_object_object_get (o, key);
  return json_object_is_type (v, json_type_string) ? json_object_get_string (v) : NULL;
}

/* -o: the options berth acts on; any other is refused, not ignored */
static int
check_options (json_object *options, uint32_t *mtu, berth_error_t *err)
{
  static const char *const known[] = { "com.docker.network.bridge.name", "com.docker.network.driver.mtu",
                                       "berth.nftables.table", NULL };

  if (options == NULL || json_object_is_type (options, json_type_null))
    return 0;
  if (!json_object_is_type (options, json_type_object))
    return berth_error_make (err, EINVAL, "Options: expected an object of strings");
  json_object_object_foreach (options, key, val)
    {
      bool ok = false;
      for (size_t i = 0; known[i] != NULL; i++)
        ok |= strcmp (key, known[i]) == 0;
      if (!ok)
        return berth_error_make (err, EINVAL, "network option %s is not supported by berth (known: %s, %s, %s)", key,
                                 known[0], known[1], known[2]);
      if (!json_object_is_type (val, json_type_string))
        return berth_error_make (err, EINVAL, "network option %s: expected a string", key);
    }
  if (opt_string (options, "com.docker.network.driver.mtu") != NULL)
    {
      const char *t = opt_string (options, "com.docker.network.driver.mtu");
      char *end;
      long v = strtol (t, &end, 10);
      if (t[0] == '\0' || *end != '\0' || v < 68 || v > 65535)
        return berth_error_make (err, EINVAL, "invalid MTU %s: must be 68 to 65535", t);
      *mtu = (uint32_t) v;
    }
  return 0;
}

static bool
net_name_valid (const char *name)
{
  if (name == NULL || name[0] == '\0' || !((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z')
                                           || (name[0] >= '0' && name[0] <= '9')))
    return false;
  return name_ok (name, 128, true);
}

static int
ipam_config (struct network_service *s, struct net_def *n, const struct network_create_req *r, berth_error_t *err)
{
  bool given = r->subnet != NULL && r->subnet[0] != '\0';

  if (given)
    {
      if (ipam4_parse_cidr (r->subnet, false, &n->subnet, &n->prefix, err) < 0)
        return berth_error_ret (err);
      if (n->prefix < 8 || n->prefix > 30)
        return berth_error_make (err, EINVAL, "invalid subnet %s: the prefix must be /8 to /30", r->subnet);
      n->subnet &= 0xffffffffu << (32 - n->prefix);
      n->user_subnet = true;
      for (size_t i = 0; i < s->n_nets; i++)
        if (is_bridge (s->nets[i])
            && net_subnets_overlap (s->nets[i]->subnet, s->nets[i]->prefix, n->subnet, n->prefix))
          return berth_error_make (err, EPERM, "invalid pool request: Pool overlaps with other one on this address "
                                               "space");
    }
  else
    {
      struct net_subnet *taken = xmalloc0 ((s->n_nets + 1) * sizeof (*taken));
      size_t k = 0;
      int rc;

      if ((r->gateway != NULL && r->gateway[0] != '\0') || (r->range != NULL && r->range[0] != '\0'))
        {
          free (taken);
          return berth_error_make (err, EINVAL, "a --gateway or --ip-range needs a --subnet");
        }
      for (size_t i = 0; i < s->n_nets; i++)
        if (is_bridge (s->nets[i]))
          taken[k++] = (struct net_subnet) { s->nets[i]->subnet, s->nets[i]->prefix };
      rc = network_pool_pick (taken, k, &n->subnet, &n->prefix, err);
      free (taken);
      if (rc < 0)
        return rc;
    }
  if (r->gateway != NULL && r->gateway[0] != '\0')
    {
      if (ipam4_parse_addr (r->gateway, &n->gateway, err) < 0)
        return berth_error_ret (err);
      if (n->gateway - n->subnet == 0 || n->gateway - n->subnet >= (1u << (32 - n->prefix)) - 1
          || n->gateway < n->subnet)
        return berth_error_make (err, EINVAL, "no matching subnet for gateway %s", r->gateway);
    }
  else
    n->gateway = n->subnet + 1;
  if (r->range != NULL && r->range[0] != '\0')
    {
      if (ipam4_parse_cidr (r->range, false, &n->range, &n->range_prefix, err) < 0)
        return berth_error_ret (err);
      n->range &= n->range_prefix == 0 ? 0 : 0xffffffffu << (32 - n->range_prefix);
      if (n->range_prefix < n->prefix || !net_subnets_overlap (n->range, n->range_prefix, n->subnet, n->prefix))
        return berth_error_make (err, EINVAL, "no matching subnet for range %s", r->range);
      n->has_range = true;
    }
  return 0;
}

/* EnableIPv6: the v6 subnet given (--subnet with an IPv6 CIDR) or a ULA
   /64 of the network's id, its gateway given or the first address; no
   overlap with another network's v6 subnet. */
static int
ipam6_config (struct network_service *s, struct net_def *n, const struct network_create_req *r, berth_error_t *err)
{
  bool given = r->subnet6 != NULL && r->subnet6[0] != '\0';

  if (!n->ipv6)
    {
      if (given || (r->gateway6 != NULL && r->gateway6[0] != '\0'))
        return berth_error_make (err, EINVAL, "an IPv6 subnet or gateway needs --ipv6 (EnableIPv6)");
      return 0;
    }
  if (given)
    {
      if (ipam6_parse_cidr (r->subnet6, false, &n->subnet6, &n->prefix6, err) < 0)
        return berth_error_ret (err);
      if (n->prefix6 > 124)
        return berth_error_make (err, EINVAL, "invalid subnet %s: the prefix must be /1 to /124", r->subnet6);
      ipam6_mask (&n->subnet6, n->prefix6);
    }
  else if (r->gateway6 != NULL && r->gateway6[0] != '\0')
    return berth_error_make (err, EINVAL, "an IPv6 gateway needs an IPv6 subnet");
  else
    ipam6_ula_of_id (n->id, &n->subnet6, &n->prefix6);
  for (size_t i = 0; i < s->n_nets; i++)
    if (s->nets[i]->ipv6 && ipam6_overlap (&s->nets[i]->subnet6, s->nets[i]->prefix6, &n->subnet6, n->prefix6))
      return berth_error_make (err, EPERM, "invalid pool request: Pool overlaps with other one on this address space");
  if (r->gateway6 != NULL && r->gateway6[0] != '\0')
    {
      if (ipam6_parse_addr (r->gateway6, &n->gateway6, err) < 0)
        return berth_error_ret (err);
      if (!ipam6_contains (&n->subnet6, n->prefix6, &n->gateway6)
          || memcmp (&n->gateway6, &n->subnet6, sizeof (n->gateway6)) == 0)
        return berth_error_make (err, EINVAL, "no matching subnet for gateway %s", r->gateway6);
    }
  else
    n->gateway6 = ipam6_nth (&n->subnet6, 1);
  return 0;
}

int
network_service_create (struct network_service *s, const struct network_create_req *r, char **ret_id,
                        berth_error_t *err)
{
  struct net_def *n;
  const char *bridge, *table;
  int rc = 0;

  if (!net_name_valid (r->name))
    return berth_error_make (err, EINVAL, "invalid network name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                             r->name ? r->name : "");
  if (r->driver != NULL && r->driver[0] != '\0' && strcmp (r->driver, "bridge") != 0)
    {
      if (strcmp (r->driver, "host") == 0 || strcmp (r->driver, "null") == 0)
        return berth_error_make (err, EPERM, "only one instance of \"%s\" network is allowed", r->driver);
      return berth_error_make (err, ENOENT, "plugin \"%s\" not found", r->driver);
    }
  if (r->labels != NULL && !json_object_is_type (r->labels, json_type_null)
      && !json_object_is_type (r->labels, json_type_object))
    return berth_error_make (err, EINVAL, "Labels: expected an object of strings");
  n = xmalloc0 (sizeof (*n));
  n->mtu = s->mtu;
  if (check_options (r->options, &n->mtu, err) < 0)
    {
      net_def_free (n);
      return -1;
    }
  pthread_mutex_lock (&s->lock);
  for (size_t i = 0; i < s->n_nets; i++)
    if (strcmp (s->nets[i]->name, r->name) == 0)
      {
        rc = s->nets[i]->predefined ? berth_error_make (err, EPERM, "operation is not permitted on predefined %s network",
                                                        r->name)
                                    : berth_error_make (err, EEXIST, "network with name %s already exists", r->name);
        goto fail;
      }
  if ((n->id = new_id (err)) == NULL)
    {
      rc = -1;
      goto fail;
    }
  n->name = xstrdup (r->name);
  n->driver = xstrdup ("bridge");
  n->created = container_now_rfc3339 (NULL);
  n->internal = r->internal;
  n->attachable = r->attachable;
  n->labels = json_object_new_object ();
  if (json_object_is_type (r->labels, json_type_object))
    {
      json_object_object_foreach (r->labels, k, v)
        json_object_object_add (n->labels, k, str (json_object_get_string (v)));
    }
  n->options = json_object_new_object ();
  if (json_object_is_type (r->options, json_type_object))
    {
      json_object_object_foreach (r->options, k2, v2)
        json_object_object_add (n->options, k2, str (json_object_get_string (v2)));
    }
  bridge = opt_string (r->options, "com.docker.network.bridge.name");
  table = opt_string (r->options, "berth.nftables.table");
  n->bridge = bridge != NULL ? xstrdup (bridge) : xasprintf ("br-%.12s", n->id);
  n->table = table != NULL ? xstrdup (table) : xasprintf ("%s_%.12s", s->table, n->id);
  if (!name_ok (n->bridge, IF_NAMESIZE - 1, true))
    {
      rc = berth_error_make (err, EINVAL, "bridge name `%s`: 1 to %d of [a-zA-Z0-9_.-]", n->bridge, IF_NAMESIZE - 1);
      goto fail;
    }
  if (!name_ok (n->table, 63, false))
    {
      rc = berth_error_make (err, EINVAL, "nftables table `%s`: 1 to 63 of [a-zA-Z0-9_-]", n->table);
      goto fail;
    }
  for (size_t i = 0; i < s->n_nets; i++)
    if (is_bridge (s->nets[i])
        && (strcmp (s->nets[i]->bridge, n->bridge) == 0 || strcmp (s->nets[i]->table, n->table) == 0))
      {
        rc = berth_error_make (err, EEXIST, "bridge %s or table %s is used by network %s already", n->bridge, n->table,
                               s->nets[i]->name);
        goto fail;
      }
  n->ipv6 = r->ipv6;
  if (ipam_config (s, n, r, err) < 0 || ipam6_config (s, n, r, err) < 0)
    {
      rc = -1;
      goto fail;
    }
  if (s->driver == NULL)
    {
      rc = berth_error_make (err, ENOTSUP, "the bridge network driver (network-bridge.so) is not loaded");
      goto fail;
    }
  /* recorded first: a crash later is completed at the next start */
  if (net_def_save (s->nets_dir, n, err) < 0)
    {
      rc = -1;
      goto fail;
    }
  n->ipam = ipam4_new (n->subnet, n->prefix, n->gateway);
  if (n->has_range)
    ipam4_set_range (n->ipam, n->range, n->range_prefix);
  if (n->ipv6)
    n->ipam6 = ipam6_new (&n->subnet6, n->prefix6, &n->gateway6);
  if (network_subnet_routed (n->bridge, n->subnet, n->prefix))
    {
      cleanup_free char *sub = net_cidr_text (n->subnet, n->prefix);
      rc = berth_error_make (err, EPERM, "subnet %s overlaps a route of the host", sub);
    }
  else if (driver_create (s, n, err) < 0)
    rc = -1;
  if (rc < 0)
    {
      net_def_unlink (s->nets_dir, n->id);
      goto fail;
    }
  dns_listen (s, n);
  s->nets = xrealloc (s->nets, (s->n_nets + 1) * sizeof (*s->nets));
  s->nets[s->n_nets++] = n;
  *ret_id = xstrdup (n->id);
  pthread_mutex_unlock (&s->lock);
  return 0;
fail:
  pthread_mutex_unlock (&s->lock);
  net_def_free (n);
  return rc < 0 ? rc : -1;
}

static int
remove_locked (struct network_service *s, struct net_def *n, berth_error_t *err)
{
  if (n->predefined)
    return berth_error_make (err, EPERM, "%s is a pre-defined network and cannot be removed", n->name);
  if (net_has_eps (s, n))
    return berth_error_make (err, EPERM, "error while removing network: network %s id %s has active endpoints",
                             n->name, n->id);
  if (s->dns != NULL)
    dns_server_unlisten (s->dns, n->id);
  if (n->created_in_driver && s->driver != NULL
      && s->driver->ops.network.network_delete (s->driver->drv, n->id, err) < 0)
    {
      dns_listen (s, n);
      return berth_error_wrap (err, "error while removing network %s", n->name);
    }
  net_def_unlink (s->nets_dir, n->id);
  for (size_t i = 0; i < s->n_nets; i++)
    if (s->nets[i] == n)
      {
        memmove (&s->nets[i], &s->nets[i + 1], (s->n_nets - i - 1) * sizeof (*s->nets));
        s->n_nets--;
        break;
      }
  log_info ("network %s removed", n->name);
  net_def_free (n);
  return 0;
}

int
network_service_remove (struct network_service *s, const char *what, berth_error_t *err)
{
  struct net_def *n;
  int r;

  pthread_mutex_lock (&s->lock);
  n = find_net (s, what);
  if (n == NULL)
    r = berth_error_make (err, ENOENT, "network %s not found", what ? what : "");
  else
    r = remove_locked (s, n, err);
  pthread_mutex_unlock (&s->lock);
  return r;
}

json_object *
network_service_prune (struct network_service *s, bool (*keep) (void *ud, json_object *net), void *ud)
{
  json_object *names = json_object_new_array ();

  pthread_mutex_lock (&s->lock);
  for (size_t i = s->n_nets; i-- > 0;)
    {
      struct net_def *n = s->nets[i];
      json_object *o;
      cleanup_free char *name = NULL;
      berth_error_t e = NULL;
      bool kept;

      if (n->predefined || net_has_eps (s, n))
        continue;
      o = net_def_json (n, NULL);
      kept = keep != NULL && keep (ud, o);
      json_object_put (o);
      if (kept)
        continue;
      name = xstrdup (n->name);
      if (remove_locked (s, n, &e) < 0)
        {
          log_warn ("network prune: %s", berth_error_msg (&e));
          berth_error_release (&e);
          continue;
        }
      json_object_array_add (names, str (name));
    }
  pthread_mutex_unlock (&s->lock);
  return names;
}
