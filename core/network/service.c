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
#include "core/container/id.h"
#include "core/lib/fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/network/endpoint.h"
#include "core/network/ipam.h"
#include "core/network/netns.h"
#include "core/network/ports.h"
#include "core/network/service.h"
#include "core/network/subnet-pick.h"
#include "core/plugin/registry.h"

#define DEFAULT_BRIDGE "berth0"
#define DEFAULT_TABLE "berth"
#define DEFAULT_MTU 1500

struct network_service
{
  pthread_mutex_t lock;
  struct berth_driver *driver; /* NULL: not loaded */
  char *error;                 /* why the bridge cannot be used, or NULL */
  char *eps_dir, *netns_dir;
  char *net_id, *bridge, *table;
  uint32_t subnet, gateway, mtu;
  unsigned prefix;
  struct ipam4 *ipam;
  struct net_endpoint **eps;
  size_t n_eps;
};

/* --- options --- */

struct opts_check
{
  berth_error_t *err;
};

static int
check_key (void *ud, const char *key, const char *value)
{
  static const char *const known[] = { "bridge", "subnet", "gateway", "mtu", "nft-table", NULL };
  struct opts_check *x = ud;

  (void) value;
  for (size_t i = 0; known[i] != NULL; i++)
    if (strcmp (key, known[i]) == 0)
      return 0;
  berth_error_make (x->err, EINVAL, "network-opts: unknown option `%s` (known: bridge, subnet, gateway, mtu, nft-table)",
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

/* bridge.json: the network's id and the subnet picked, so a restart keeps them */
static int
load_or_pick (struct network_service *s, const char *dir, const struct berth_cfg *opts, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/bridge.json", dir), *text = NULL, *gw_s = NULL, *sub_s = NULL;
  const char *subnet = berth_cfg_string (opts, "subnet", NULL), *gateway = berth_cfg_string (opts, "gateway", NULL);
  json_object *saved = NULL, *o;
  const char *txt;
  size_t len;
  int r = 0;

  if (berth_read_file (path, 65536, &text, &len, NULL) == 0)
    saved = json_tokener_parse (text);
  if (json_object_is_type (json_object_object_get (saved, "Id"), json_type_string))
    s->net_id = xstrdup (json_object_get_string (json_object_object_get (saved, "Id")));
  else
    {
      char id[CONTAINER_ID_LEN + 1];
      if ((r = container_id_generate (id, err)) < 0)
        goto out;
      s->net_id = xstrdup (id);
    }
  if (subnet != NULL)
    {
      if (ipam4_parse_cidr (subnet, true, &s->subnet, &s->prefix, err) < 0)
        {
          r = berth_error_wrap (err, "network-opts: subnet");
          goto out;
        }
    }
  else if (saved != NULL
           && strcmp (json_object_get_string (json_object_object_get (saved, "Bridge")) ?: "", s->bridge) == 0
           && ipam4_parse_cidr (json_object_get_string (json_object_object_get (saved, "Subnet")), true, &s->subnet,
                                &s->prefix, NULL)
                  == 0)
    ;
  else if ((r = network_pick_subnet (s->bridge, &s->subnet, &s->prefix, err)) < 0)
    goto out;
  if (s->prefix < 8 || s->prefix > 30)
    {
      r = berth_error_make (err, EINVAL, "network-opts: subnet: the prefix must be /8 to /30");
      goto out;
    }
  if (gateway != NULL)
    {
      if (ipam4_parse_addr (gateway, &s->gateway, err) < 0)
        {
          r = berth_error_wrap (err, "network-opts: gateway");
          goto out;
        }
      if (s->gateway - s->subnet == 0 || s->gateway - s->subnet >= (1u << (32 - s->prefix)) - 1)
        {
          r = berth_error_make (err, EINVAL, "network-opts: gateway %s is not a host address of the subnet", gateway);
          goto out;
        }
    }
  else
    s->gateway = s->subnet + 1;
  sub_s = ipam4_format (s->subnet);
  o = json_object_new_object ();
  json_object_object_add (o, "Id", json_object_new_string (s->net_id));
  json_object_object_add (o, "Bridge", json_object_new_string (s->bridge));
  {
    cleanup_free char *cidr = xasprintf ("%s/%u", sub_s, s->prefix);
    json_object_object_add (o, "Subnet", json_object_new_string (cidr));
  }
  gw_s = ipam4_format (s->gateway);
  json_object_object_add (o, "Gateway", json_object_new_string (gw_s));
  txt = json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN);
  r = berth_write_file_atomic (path, txt, strlen (txt), 0600, err);
  json_object_put (o);
out:
  json_object_put (saved);
  return r;
}

static int
read_opts (struct network_service *s, const char *dir, const struct berth_cfg *opts, berth_error_t *err)
{
  struct opts_check x = { err };
  const char *bridge = berth_cfg_string (opts, "bridge", DEFAULT_BRIDGE);
  const char *table = berth_cfg_string (opts, "nft-table", DEFAULT_TABLE);
  int64_t mtu = DEFAULT_MTU;

  if (opts != NULL && berth_cfg_each (opts, check_key, &x) != 0)
    return berth_error_ret (err);
  if (!name_ok (bridge, IF_NAMESIZE - 1, true))
    return berth_error_make (err, EINVAL, "network-opts: bridge `%s`: 1 to %d of [a-zA-Z0-9_.-]", bridge,
                             IF_NAMESIZE - 1);
  if (!name_ok (table, 63, false))
    return berth_error_make (err, EINVAL, "network-opts: nft-table `%s`: 1 to 63 of [a-zA-Z0-9_-]", table);
  if (berth_cfg_int64 (opts, "mtu", DEFAULT_MTU, &mtu, err) < 0)
    return berth_error_wrap (err, "network-opts");
  if (mtu < 68 || mtu > 65535)
    return berth_error_make (err, EINVAL, "network-opts: mtu %lld: must be 68 to 65535", (long long) mtu);
  s->bridge = xstrdup (bridge);
  s->table = xstrdup (table);
  s->mtu = (uint32_t) mtu;
  return load_or_pick (s, dir, opts, err);
}

/* --- the driver --- */

static int
create_network (struct network_service *s, berth_error_t *err)
{
  cleanup_free char *sub = ipam4_format (s->subnet), *gw = ipam4_format (s->gateway);
  cleanup_free char *cidr = xasprintf ("%s/%u", sub, s->prefix);
  struct berth_cfg *dopts = berth_cfg_new_map ("network-opts");
  struct berth_net_config nc = { .struct_size = sizeof (nc), .mtu = s->mtu, .name = NETWORK_DEFAULT_NAME,
                                 .subnet4 = cidr, .gateway4 = gw, .driver_opts = dopts };
  int r;

  berth_cfg_map_set (dopts, "com.docker.network.bridge.name", s->bridge);
  berth_cfg_map_set (dopts, "berth.nftables.table", s->table);
  r = s->driver->ops.network.network_create (s->driver->drv, s->net_id, &nc, err);
  berth_cfg_free (dopts);
  if (r == 0)
    log_info ("default network: bridge %s, subnet %s, gateway %s, mtu %u, nftables table ip %s", s->bridge, cidr, gw,
              s->mtu, s->table);
  return r;
}

int
network_service_open (const struct network_service_opts *o, struct network_service **ret, berth_error_t *err)
{
  struct network_service *s = xmalloc0 (sizeof (*s));
  cleanup_free char *dir = xasprintf ("%s/network", o->data_root);
  cleanup_error berth_error_t e = NULL;

  pthread_mutex_init (&s->lock, NULL);
  s->eps_dir = xasprintf ("%s/endpoints", dir);
  s->netns_dir = xasprintf ("%s/netns", o->exec_root);
  if (berth_mkdir_p (s->eps_dir, 0700, err) < 0 || berth_mkdir_p (s->netns_dir, 0755, err) < 0
      || read_opts (s, dir, o->opts, err) < 0)
    {
      network_service_close (s);
      return berth_error_ret (err);
    }
  s->ipam = ipam4_new (s->subnet, s->prefix, s->gateway);
  net_endpoints_load (s->eps_dir, &s->eps, &s->n_eps);
  for (size_t i = 0; i < s->n_eps; i++)
    if (ipam4_reserve (s->ipam, s->eps[i]->ip, &e) < 0)
      {
        log_warn ("endpoint of container %.12s: %s", s->eps[i]->cid, berth_error_msg (&e));
        berth_error_release (&e);
      }
  s->driver = berth_plugins_find (o->plugins, BERTH_KIND_NETWORK, "bridge");
  if (s->driver == NULL)
    s->error = xstrdup ("the bridge network driver (network-bridge.so) is not loaded");
  else if (network_subnet_routed (s->bridge, s->subnet, s->prefix))
    {
      cleanup_free char *sub = ipam4_format (s->subnet);
      s->error = xasprintf ("the subnet %s/%u of bridge %s overlaps a route of the host", sub, s->prefix, s->bridge);
    }
  else if (create_network (s, &e) < 0)
    s->error = xasprintf ("default bridge network: %s", berth_error_msg (&e));
  if (s->error != NULL)
    log_error ("%s: containers on the default bridge network cannot start", s->error);
  *ret = s;
  return 0;
}

void
network_service_close (struct network_service *s)
{
  if (s == NULL)
    return;
  for (size_t i = 0; i < s->n_eps; i++)
    net_endpoint_free (s->eps[i]);
  free (s->eps);
  ipam4_free (s->ipam);
  free (s->error);
  free (s->eps_dir);
  free (s->netns_dir);
  free (s->net_id);
  free (s->bridge);
  free (s->table);
  pthread_mutex_destroy (&s->lock);
  free (s);
}

/* --- endpoints --- */

static struct net_endpoint *
find_ep (struct network_service *s, const char *cid)
{
  for (size_t i = 0; i < s->n_eps; i++)
    if (strcmp (s->eps[i]->cid, cid) == 0)
      return s->eps[i];
  return NULL;
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
declare (struct network_service *s, struct net_endpoint *e, berth_error_t *err)
{
  cleanup_free char *ip = ipam4_format (e->ip);
  cleanup_free char *cidr = xasprintf ("%s/%u", ip, s->prefix);
  struct berth_endpoint ep = { .struct_size = sizeof (ep), .ipv4_cidr = cidr };

  memcpy (ep.mac, e->mac, sizeof (ep.mac));
  if (s->driver->ops.network.endpoint_create (s->driver->drv, s->net_id, e->id, &ep, err) < 0)
    return berth_error_ret (err);
  e->declared = true;
  return 0;
}

static int
publish (struct network_service *s, struct net_endpoint *e, berth_error_t *err)
{
  cleanup_free struct berth_port_map *maps = NULL;

  if (e->n_ports == 0)
    return 0;
  if (s->driver->ops.network.publish == NULL)
    return berth_error_make (err, ENOTSUP, "the %s driver cannot publish ports", s->driver->name);
  maps = port_maps (e);
  return s->driver->ops.network.publish (s->driver->drv, s->net_id, e->id, maps, e->n_ports, err);
}

/* Everything of e, in the reverse order of attach; then e is forgotten. */
static void
undo (struct network_service *s, struct net_endpoint *e)
{
  berth_error_t err = NULL;
  const struct berth_network_ops *ops = s->driver ? &s->driver->ops.network : NULL;

  if (ops != NULL && s->error == NULL)
    {
      /* an endpoint from before a restart: the driver must know it to remove its interfaces */
      if (!e->declared && declare (s, e, &err) < 0)
        log_release (e->cid, "network endpoint", &err);
      if (e->declared)
        {
          if (e->n_ports > 0 && ops->unpublish != NULL
              && ops->unpublish (s->driver->drv, s->net_id, e->id, &err) < 0)
            log_release (e->cid, "unpublish ports", &err);
          if (ops->leave (s->driver->drv, s->net_id, e->id, &err) < 0)
            log_release (e->cid, "leave the network", &err);
          if (ops->endpoint_delete (s->driver->drv, s->net_id, e->id, &err) < 0)
            log_release (e->cid, "delete the endpoint", &err);
        }
    }
  network_netns_remove (e->netns);
  ipam4_release (s->ipam, e->ip);
  net_endpoint_unlink (s->eps_dir, e->cid);
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
str (const char *s)
{
  return json_object_new_string (s);
}

static json_object *
settings_json (struct network_service *s, const struct net_endpoint *e, json_object *config)
{
  json_object *ns = json_object_new_object (), *net = json_object_new_object (), *nets = json_object_new_object ();
  cleanup_free char *ip = ipam4_format (e->ip), *gw = ipam4_format (s->gateway);
  cleanup_free char *mac = net_endpoint_mac_text (e->mac);

  json_object_object_add (ns, "Bridge", str (""));
  json_object_object_add (ns, "SandboxID", str (e->id));
  json_object_object_add (ns, "SandboxKey", str (e->netns));
  json_object_object_add (ns, "Ports",
                          net_ports_settings_json (e->ports, e->n_ports, json_object_object_get (config, "ExposedPorts")));
  json_object_object_add (ns, "HairpinMode", json_object_new_boolean (false));
  json_object_object_add (ns, "LinkLocalIPv6Address", str (""));
  json_object_object_add (ns, "LinkLocalIPv6PrefixLen", json_object_new_int (0));
  json_object_object_add (ns, "SecondaryIPAddresses", NULL);
  json_object_object_add (ns, "SecondaryIPv6Addresses", NULL);
  json_object_object_add (ns, "EndpointID", str (e->id));
  json_object_object_add (ns, "Gateway", str (gw));
  json_object_object_add (ns, "GlobalIPv6Address", str (""));
  json_object_object_add (ns, "GlobalIPv6PrefixLen", json_object_new_int (0));
  json_object_object_add (ns, "IPAddress", str (ip));
  json_object_object_add (ns, "IPPrefixLen", json_object_new_int ((int) s->prefix));
  json_object_object_add (ns, "IPv6Gateway", str (""));
  json_object_object_add (ns, "MacAddress", str (mac));

  json_object_object_add (net, "IPAMConfig", NULL);
  json_object_object_add (net, "Links", NULL);
  json_object_object_add (net, "Aliases", NULL);
  json_object_object_add (net, "MacAddress", str (mac));
  json_object_object_add (net, "DriverOpts", NULL);
  json_object_object_add (net, "GwPriority", json_object_new_int (0));
  json_object_object_add (net, "NetworkID", str (s->net_id));
  json_object_object_add (net, "EndpointID", str (e->id));
  json_object_object_add (net, "Gateway", str (gw));
  json_object_object_add (net, "IPAddress", str (ip));
  json_object_object_add (net, "IPPrefixLen", json_object_new_int ((int) s->prefix));
  json_object_object_add (net, "IPv6Gateway", str (""));
  json_object_object_add (net, "GlobalIPv6Address", str (""));
  json_object_object_add (net, "GlobalIPv6PrefixLen", json_object_new_int (0));
  json_object_object_add (net, "DNSNames", NULL);
  json_object_object_add (nets, NETWORK_DEFAULT_NAME, net);
  json_object_object_add (ns, "Networks", nets);
  return ns;
}

static int
attach_locked (struct network_service *s, const char *cid, json_object *config, json_object *host_config,
               json_object **ret_settings, char **ret_netns, berth_error_t *err)
{
  struct net_endpoint *e;
  struct berth_join_result jr = { .struct_size = sizeof (jr) };
  char epid[CONTAINER_ID_LEN + 1];
  cleanup_close int fd = -1;

  if (s->error != NULL)
    return berth_error_make (err, ENETUNREACH, "%s", s->error);
  if (find_ep (s, cid) != NULL)
    return berth_error_make (err, EEXIST, "container %.12s is already on the %s network", cid, NETWORK_DEFAULT_NAME);
  if (container_id_generate (epid, err) < 0)
    return berth_error_ret (err);
  e = xmalloc0 (sizeof (*e));
  e->cid = xstrdup (cid);
  e->id = xstrdup (epid);
  e->netns = xasprintf ("%s/%s", s->netns_dir, cid);
  if (net_ports_parse (json_object_object_get (host_config, "PortBindings"),
                       json_object_object_get (config, "ExposedPorts"),
                       json_object_get_boolean (json_object_object_get (host_config, "PublishAllPorts")), &e->ports,
                       &e->n_ports, err)
          < 0
      || assign_ports (s, e->ports, e->n_ports, err) < 0 || ipam4_alloc (s->ipam, &e->ip, err) < 0)
    {
      net_endpoint_free (e);
      return berth_error_ret (err);
    }
  net_endpoint_mac (e->ip, e->mac);
  s->eps = xrealloc (s->eps, (s->n_eps + 1) * sizeof (*s->eps));
  s->eps[s->n_eps++] = e;
  /* recorded first: a crash from here on is undone at the next start */
  if (net_endpoint_save (s->eps_dir, e, err) < 0)
    goto fail;
  network_netns_remove (e->netns); /* a leftover of a crash before the record */
  if (network_netns_create (e->netns, err) < 0)
    goto fail;
  if ((fd = open (e->netns, O_RDONLY | O_CLOEXEC)) < 0)
    {
      berth_error_errno (err, errno, "open %s", e->netns);
      goto fail;
    }
  if (declare (s, e, err) < 0)
    goto fail;
  if (s->driver->ops.network.join (s->driver->drv, s->net_id, e->id, fd, &jr, err) < 0)
    goto fail;
  e->joined = true;
  if (publish (s, e, err) < 0)
    goto fail;
  *ret_settings = settings_json (s, e, config);
  *ret_netns = xstrdup (e->netns);
  return 0;
fail:
  /* publish rolled its own rules back: unpublish has nothing left to do */
  undo (s, e);
  return berth_error_wrap (err, "cannot connect the container to the %s network", NETWORK_DEFAULT_NAME);
}

int
network_service_attach (struct network_service *s, const char *cid, json_object *config, json_object *host_config,
                        json_object **ret_settings, char **ret_netns, berth_error_t *err)
{
  int r;

  pthread_mutex_lock (&s->lock);
  r = attach_locked (s, cid, config, host_config, ret_settings, ret_netns, err);
  pthread_mutex_unlock (&s->lock);
  return r;
}

void
network_service_detach (struct network_service *s, const char *cid)
{
  struct net_endpoint *e;

  pthread_mutex_lock (&s->lock);
  e = find_ep (s, cid);
  if (e != NULL)
    undo (s, e);
  pthread_mutex_unlock (&s->lock);
}

json_object *
network_service_restore (struct network_service *s, const char *cid, json_object *config, bool running,
                         char **ret_netns)
{
  berth_error_t err = NULL;
  struct net_endpoint *e;
  json_object *settings = NULL;

  pthread_mutex_lock (&s->lock);
  e = find_ep (s, cid);
  if (e != NULL && !running)
    undo (s, e);
  else if (e != NULL)
    {
      e->claimed = true;
      /* the interfaces and the namespace are the container's still; the
         driver learns the endpoint again and its ports get their rules back */
      if (s->error == NULL && (declare (s, e, &err) < 0 || publish (s, e, &err) < 0))
        log_release (cid, "restore its network endpoint", &err);
      e->joined = true;
      settings = settings_json (s, e, config);
      *ret_netns = xstrdup (e->netns);
    }
  pthread_mutex_unlock (&s->lock);
  return settings;
}

void
network_service_restore_done (struct network_service *s)
{
  pthread_mutex_lock (&s->lock);
  for (size_t i = s->n_eps; i-- > 0;)
    if (!s->eps[i]->claimed)
      {
        log_info ("network endpoint of container %.12s, which is gone: removed", s->eps[i]->cid);
        undo (s, s->eps[i]);
      }
  pthread_mutex_unlock (&s->lock);
}
