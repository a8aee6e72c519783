/* Network driver `bridge`: a Linux bridge per network with the gateway
 * address on it, a veth pair per endpoint (the host side `berth<hash>` on
 * the bridge, the peer `eth0` in the container's network namespace with
 * the address, MAC and default route the core gives), masquerade out and
 * published ports as DNAT, in an nftables table of the driver's own.
 *
 * Addresses come from the core's IPAM (BERTH_NET_CAP_IPAM).  Options of a
 * network (driver_opts): com.docker.network.bridge.name (default berth0),
 * berth.nftables.table (default berth).  Every network has its own bridge
 * and table; each table lets into its bridge only its own traffic, answers
 * and published ports, so networks cannot reach each other.  An internal
 * network (c->internal) has no masquerade, no default route in its
 * containers and nothing forwarded out of its bridge.
 *
 * IPv6 (c->subnet6 and gateway6): the bridge gets the v6 gateway address
 * too, net.ipv6.conf.all.forwarding is set, the table has an ip6 twin
 * (masquerade and isolation), and an endpoint with ipv6_cidr gets that
 * address and a default v6 route; one without has IPv6 disabled on its
 * interface, as Docker does.
 *
 * An endpoint's interfaces are made at join and removed at leave, so a
 * daemon that restarts while containers run declares their endpoints again
 * (endpoint_create, publish) without touching the interfaces, and the
 * later leave still finds and removes them by name.  leave_gone (the
 * container's processes are gone) queues the veth's deletion to a worker
 * (bridge-link.c), so `run --rm` does not wait for it; a join of the same
 * name and network_delete wait for what is queued. */
#include "config.h"

#include <berth/network.h>

#include "bridge-link.h"
#include "bridge-nft.h"

#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct bport
{
  char *host_ip;
  uint16_t proto, host_port, container_port;
};

struct bep
{
  char *id;
  char veth[IF_NAMESIZE];
  char ifname[IF_NAMESIZE]; /* in the container: eth<N> */
  bool no_gateway;
  char *ip, *cidr, *cidr6, *ip6;
  uint8_t mac[6];
  bool joined;
  struct bport *ports;
  size_t n_ports;
  struct bep *next;
};

struct bnet
{
  char *id, *bridge, *table, *subnet, *gateway;
  char *subnet6, *gateway6; /* NULL: IPv4 only */
  uint32_t mtu;
  bool internal;
  struct bep *eps;
  struct bnet *next;
};

struct bridge
{
  const struct berth_host_api *h;
  struct berth_host_ctx *ctx;
  pthread_mutex_t lock;
  struct bnet *nets;
};

static struct bnet *
find_net (struct bridge *b, const char *id)
{
  for (struct bnet *n = b->nets; n; n = n->next)
    if (strcmp (n->id, id) == 0)
      return n;
  return NULL;
}

static struct bep *
find_ep (struct bnet *n, const char *id)
{
  for (struct bep *e = n->eps; e; e = e->next)
    if (strcmp (e->id, id) == 0)
      return e;
  return NULL;
}

static void
ep_free (struct bep *e)
{
  for (size_t i = 0; i < e->n_ports; i++)
    free (e->ports[i].host_ip);
  free (e->ports);
  free (e->id);
  free (e->ip);
  free (e->cidr);
  free (e->cidr6);
  free (e->ip6);
  free (e);
}

static void
net_free (struct bnet *n)
{
  while (n->eps)
    {
      struct bep *e = n->eps;
      n->eps = e->next;
      ep_free (e);
    }
  free (n->id);
  free (n->bridge);
  free (n->table);
  free (n->subnet);
  free (n->gateway);
  free (n->subnet6);
  free (n->gateway6);
  free (n);
}

static void
report_reap (void *ud, const char *msg)
{
  struct bridge *b = ud;

  b->h->log (b->ctx, BERTH_LOG_LEVEL_WARN, "bridge: %s", msg);
}

static int
bridge_init (const struct berth_host_api *h, struct berth_host_ctx *ctx, const struct berth_cfg *opts, void **ret_drv,
             struct berth_error **err)
{
  struct bridge *b = calloc (1, sizeof (*b));

  (void) opts;
  if (b == NULL)
    return h->error_set (err, ENOMEM, "bridge: out of memory");
  b->h = h;
  b->ctx = ctx;
  pthread_mutex_init (&b->lock, NULL);
  blink_reaper_init (report_reap, b);
  *ret_drv = b;
  return 0;
}

/* Interfaces and rules stay: containers outlive the daemon. */
static void
bridge_shutdown (void *drv)
{
  struct bridge *b = drv;

  blink_reaper_stop ();
  while (b->nets)
    {
      struct bnet *n = b->nets;
      b->nets = n->next;
      net_free (n);
    }
  pthread_mutex_destroy (&b->lock);
  free (b);
}

static bool
ifname_ok (const char *s)
{
  size_t n = strlen (s);

  if (n == 0 || n >= IF_NAMESIZE)
    return false;
  for (const char *p = s; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'
          || *p == '-' || *p == '.'))
      return false;
  return true;
}

static int
setup_network (struct bridge *b, struct bnet *n, struct berth_error **err)
{
  const struct berth_host_api *h = b->h;
  const char *slash = strchr (n->subnet, '/');
  char gw_cidr[64], gw6_cidr[96], path[96], msg[BNFT_MSG];
  bool have_ipv6 = access ("/proc/sys/net/ipv6", F_OK) == 0;
  int changed = 0, r;

  snprintf (gw_cidr, sizeof (gw_cidr), "%s%s", n->gateway, slash);
  if (n->subnet6 != NULL && !have_ipv6)
    return h->error_set (err, EAFNOSUPPORT, "bridge: network %s wants IPv6, which this kernel does not have", n->id);
  r = blink_bridge_ensure (n->bridge, n->mtu, gw_cidr, NULL, msg);
  if (r < 0)
    return h->error_set (err, -r, "bridge: %s", msg);
  /* IPv4 only: no IPv6 on the bridge either (which also drops a v6
     gateway address left by a configuration with IPv6); with IPv6, a
     disable_ipv6 (the default's, or from such a past) is cleared before
     the v6 gateway address is added */
  snprintf (path, sizeof (path), "net/ipv6/conf/%s/disable_ipv6", n->bridge);
  if (have_ipv6 && (r = blink_sysctl_put (path, n->subnet6 != NULL ? '0' : '1', &changed, msg)) < 0)
    return h->error_set (err, -r, "bridge: %s", msg);
  if (n->subnet6 != NULL)
    {
      snprintf (gw6_cidr, sizeof (gw6_cidr), "%s%s", n->gateway6, strchr (n->subnet6, '/'));
      if ((r = blink_bridge_ensure (n->bridge, n->mtu, gw_cidr, gw6_cidr, msg)) < 0)
        return h->error_set (err, -r, "bridge: %s", msg);
      r = blink_sysctl_on ("net/ipv6/conf/all/forwarding", &changed, msg);
      if (r < 0)
        return h->error_set (err, -r, "bridge: cannot enable IPv6 forwarding: %s", msg);
      if (changed)
        h->log (b->ctx, BERTH_LOG_LEVEL_INFO,
                "set net.ipv6.conf.all.forwarding=1 so that containers on %s reach other networks over IPv6 "
                "(interfaces with accept_ra=1 stop taking router advertisements; set accept_ra=2 where needed)",
                n->bridge);
    }
  r = blink_sysctl_on ("net/ipv4/ip_forward", &changed, msg);
  if (r < 0)
    return h->error_set (err, -r, "bridge: cannot enable IPv4 forwarding: %s", msg);
  if (changed)
    h->log (b->ctx, BERTH_LOG_LEVEL_INFO, "set net.ipv4.ip_forward=1 so that containers on %s reach other networks",
            n->bridge);
  /* DNAT of the host's loopback to a container: the kernel drops 127/8
     sources on other interfaces unless told otherwise */
  snprintf (path, sizeof (path), "net/ipv4/conf/%s/route_localnet", n->bridge);
  r = blink_sysctl_on (path, &changed, msg);
  if (r < 0)
    return h->error_set (err, -r, "bridge: %s", msg);
  r = bnft_table_setup (n->table, n->bridge, n->subnet, n->subnet6, n->internal, msg);
  if (r < 0)
    return h->error_set (err, -r, "bridge: %s", msg);
  return 0;
}

static int
bridge_network_create (void *drv, const char *net_id, const struct berth_net_config *c, struct berth_error **err)
{
  struct bridge *b = drv;
  const struct berth_host_api *h = b->h;
  const char *bridge = h->cfg_string (c->driver_opts, "com.docker.network.bridge.name", "berth0");
  const char *table = h->cfg_string (c->driver_opts, "berth.nftables.table", "berth");
  struct bnet *n;
  int r;

  if (c->subnet4 == NULL || c->gateway4 == NULL || strchr (c->subnet4, '/') == NULL)
    return h->error_set (err, EINVAL, "bridge: network %s needs an IPv4 subnet and gateway", net_id);
  if ((c->subnet6 == NULL) != (c->gateway6 == NULL) || (c->subnet6 != NULL && strchr (c->subnet6, '/') == NULL))
    return h->error_set (err, EINVAL, "bridge: network %s: an IPv6 subnet (CIDR) goes with an IPv6 gateway", net_id);
  if (!ifname_ok (bridge))
    return h->error_set (err, EINVAL, "bridge: bad bridge name `%s` (1 to %d of [a-zA-Z0-9_.-])", bridge,
                         IF_NAMESIZE - 1);
  if (!bnft_name_ok (table))
    return h->error_set (err, EINVAL, "bridge: bad nftables table name `%s` (1 to 63 of [a-zA-Z0-9_-])", table);
  pthread_mutex_lock (&b->lock);
  if (find_net (b, net_id) != NULL)
    {
      pthread_mutex_unlock (&b->lock);
      return h->error_set (err, EEXIST, "bridge: network %s exists", net_id);
    }
  n = calloc (1, sizeof (*n));
  if (n == NULL || (n->id = strdup (net_id)) == NULL || (n->bridge = strdup (bridge)) == NULL
      || (n->table = strdup (table)) == NULL || (n->subnet = strdup (c->subnet4)) == NULL
      || (n->gateway = strdup (c->gateway4)) == NULL
      || (c->subnet6 != NULL && ((n->subnet6 = strdup (c->subnet6)) == NULL || (n->gateway6 = strdup (c->gateway6)) == NULL)))
    {
      pthread_mutex_unlock (&b->lock);
      if (n != NULL)
        net_free (n);
      return h->error_set (err, ENOMEM, "bridge: out of memory");
    }
  n->mtu = c->mtu;
  n->internal = c->internal != 0;
  r = setup_network (b, n, err);
  if (r < 0)
    net_free (n);
  else
    {
      n->next = b->nets;
      b->nets = n;
    }
  pthread_mutex_unlock (&b->lock);
  return r;
}

static int
bridge_network_delete (void *drv, const char *net_id, struct berth_error **err)
{
  struct bridge *b = drv;
  const struct berth_host_api *h = b->h;
  char msg[BNFT_MSG];
  struct bnet **pp, *n;
  int r = 0;

  blink_delete_settle (NULL); /* the veths of gone containers first */
  pthread_mutex_lock (&b->lock);
  for (pp = &b->nets; *pp && strcmp ((*pp)->id, net_id) != 0; pp = &(*pp)->next)
    ;
  n = *pp;
  if (n == NULL)
    r = h->error_set (err, ENOENT, "bridge: no network %s", net_id);
  else if (n->eps != NULL)
    r = h->error_set (err, EBUSY, "bridge: network %s has active endpoints", net_id);
  else if ((r = bnft_table_remove (n->table, msg)) < 0 || (r = blink_delete (n->bridge, msg)) < 0)
    r = h->error_set (err, -r, "bridge: %s", msg);
  else
    {
      *pp = n->next;
      net_free (n);
    }
  pthread_mutex_unlock (&b->lock);
  return r;
}

/* berth + 7 hex digits of the endpoint id's FNV-1a hash, as Docker's veth<7> */
static void
veth_name (const char *ep_id, char out[IF_NAMESIZE])
{
  uint32_t hash = 2166136261u;

  for (const char *p = ep_id; *p; p++)
    hash = (hash ^ (unsigned char) *p) * 16777619u;
  snprintf (out, IF_NAMESIZE, "berth%07x", hash & 0xfffffff);
}

static int
bridge_endpoint_create (void *drv, const char *net_id, const char *ep_id, const struct berth_endpoint *ep,
                        struct berth_error **err)
{
  struct bridge *b = drv;
  const struct berth_host_api *h = b->h;
  struct bnet *n;
  struct bep *e;
  const char *slash;
  int r = 0;

  pthread_mutex_lock (&b->lock);
  n = find_net (b, net_id);
  if (n == NULL)
    r = h->error_set (err, ENOENT, "bridge: no network %s", net_id);
  else if (find_ep (n, ep_id) != NULL)
    r = h->error_set (err, EEXIST, "bridge: endpoint %s exists", ep_id);
  else if (ep->ipv4_cidr == NULL || (slash = strchr (ep->ipv4_cidr, '/')) == NULL)
    r = h->error_set (err, EINVAL, "bridge: endpoint %s needs an IPv4 address (CIDR)", ep_id);
  else if (ep->ipv6_cidr != NULL && (n->subnet6 == NULL || strchr (ep->ipv6_cidr, '/') == NULL))
    r = h->error_set (err, EINVAL, "bridge: endpoint %s: an IPv6 address (CIDR) on a network with IPv6 only", ep_id);
  else if ((e = calloc (1, sizeof (*e))) == NULL || (e->id = strdup (ep_id)) == NULL
           || (e->cidr = strdup (ep->ipv4_cidr)) == NULL || (e->ip = strndup (ep->ipv4_cidr, (size_t) (slash - ep->ipv4_cidr))) == NULL
           || (ep->ipv6_cidr != NULL
               && ((e->cidr6 = strdup (ep->ipv6_cidr)) == NULL
                   || (e->ip6 = strndup (ep->ipv6_cidr, strcspn (ep->ipv6_cidr, "/"))) == NULL)))
    {
      if (e != NULL)
        ep_free (e);
      r = h->error_set (err, ENOMEM, "bridge: out of memory");
    }
  else
    {
      memcpy (e->mac, ep->mac, sizeof (e->mac));
      veth_name (ep_id, e->veth);
      snprintf (e->ifname, sizeof (e->ifname), "eth%u", (unsigned) BERTH_EP_IFNUM (ep->flags));
      e->no_gateway = (ep->flags & BERTH_EP_NO_GATEWAY) != 0 || n->internal;
      e->next = n->eps;
      n->eps = e;
    }
  pthread_mutex_unlock (&b->lock);
  return r;
}

static int
bridge_endpoint_delete (void *drv, const char *net_id, const char *ep_id, struct berth_error **err)
{
  struct bridge *b = drv;
  const struct berth_host_api *h = b->h;
  struct bnet *n;
  struct bep **pp, *e;
  char msg[BLINK_MSG];
  int r = 0;

  pthread_mutex_lock (&b->lock);
  n = find_net (b, net_id);
  if (n == NULL)
    {
      pthread_mutex_unlock (&b->lock);
      return h->error_set (err, ENOENT, "bridge: no network %s", net_id);
    }
  for (pp = &n->eps; *pp && strcmp ((*pp)->id, ep_id) != 0; pp = &(*pp)->next)
    ;
  e = *pp;
  if (e == NULL)
    r = h->error_set (err, ENOENT, "bridge: no endpoint %s", ep_id);
  else if (e->joined)
    r = h->error_set (err, EBUSY, "bridge: endpoint %s is joined", ep_id);
  else if ((r = blink_delete_later (e->veth, msg)) < 0)
    r = h->error_set (err, -r, "bridge: %s", msg);
  else
    {
      *pp = e->next;
      ep_free (e);
    }
  pthread_mutex_unlock (&b->lock);
  return r;
}

static int
bridge_join (void *drv, const char *net_id, const char *ep_id, int netns_fd, struct berth_join_result *ret,
             struct berth_error **err)
{
  struct bridge *b = drv;
  const struct berth_host_api *h = b->h;
  struct bnet *n;
  struct bep *e = NULL;
  char msg[BLINK_MSG];
  int r = 0;

  pthread_mutex_lock (&b->lock);
  n = find_net (b, net_id);
  if (n == NULL || (e = find_ep (n, ep_id)) == NULL)
    r = h->error_set (err, ENOENT, "bridge: no %s %s", n == NULL ? "network" : "endpoint", n == NULL ? net_id : ep_id);
  else if (e->joined)
    r = h->error_set (err, EBUSY, "bridge: endpoint %s is joined already", ep_id);
  else if (netns_fd < 0)
    r = h->error_set (err, EINVAL, "bridge: endpoint %s: the container needs a network namespace", ep_id);
  else
    {
      blink_delete_settle (e->veth); /* a leave_gone's deletion of the same name */
      r = blink_endpoint_setup (e->veth, n->bridge, netns_fd, e->ifname, e->mac, n->mtu, e->cidr,
                                e->no_gateway ? NULL : n->gateway, e->cidr6,
                                e->no_gateway || e->cidr6 == NULL ? NULL : n->gateway6, msg);
      if (r < 0)
        r = h->error_set (err, -r, "bridge: %s", msg);
      else
        {
          e->joined = true;
          snprintf (ret->ifname, sizeof (ret->ifname), "%s", e->ifname);
          snprintf (ret->gateway4, sizeof (ret->gateway4), "%s", n->gateway);
          snprintf (ret->gateway6, sizeof (ret->gateway6), "%s", e->cidr6 != NULL ? n->gateway6 : "");
        }
    }
  pthread_mutex_unlock (&b->lock);
  return r;
}

static int
leave (struct bridge *b, const char *net_id, const char *ep_id, bool later, struct berth_error **err)
{
  const struct berth_host_api *h = b->h;
  struct bnet *n;
  struct bep *e = NULL;
  char msg[BLINK_MSG];
  int r = 0;

  pthread_mutex_lock (&b->lock);
  n = find_net (b, net_id);
  if (n == NULL || (e = find_ep (n, ep_id)) == NULL)
    r = h->error_set (err, ENOENT, "bridge: no %s %s", n == NULL ? "network" : "endpoint", n == NULL ? net_id : ep_id);
  else if ((r = later ? blink_delete_later (e->veth, msg) : blink_delete (e->veth, msg)) < 0)
    r = h->error_set (err, -r, "bridge: %s", msg);
  else
    e->joined = false;
  pthread_mutex_unlock (&b->lock);
  return r;
}

static int
bridge_leave (void *drv, const char *net_id, const char *ep_id, struct berth_error **err)
{
  return leave (drv, net_id, ep_id, false, err);
}

/* The container is gone and its namespace goes next: the veth pair's
   deletion (~13 ms in the kernel) need not hold up `run --rm`. */
static int
bridge_leave_gone (void *drv, const char *net_id, const char *ep_id, struct berth_error **err)
{
  return leave (drv, net_id, ep_id, true, err);
}

static void
drop_ports (struct bnet *n, struct bep *e, size_t from)
{
  char msg[BNFT_MSG];

  for (size_t i = e->n_ports; i-- > from;)
    {
      struct bport *p = &e->ports[i];
      bnft_port (n->table, false, p->host_ip, p->proto, p->host_port, e->ip, p->container_port, msg);
      if (e->ip6 != NULL && p->host_ip == NULL)
        bnft_port6 (n->table, false, p->proto, p->host_port, e->ip6, p->container_port, msg);
      free (p->host_ip);
    }
  e->n_ports = from;
}

static int
bridge_publish (void *drv, const char *net_id, const char *ep_id, const struct berth_port_map *maps, size_t count,
                struct berth_error **err)
{
  struct bridge *b = drv;
  const struct berth_host_api *h = b->h;
  struct bnet *n;
  struct bep *e = NULL;
  char msg[BNFT_MSG];
  size_t first;
  struct bport *grown;
  int r = 0;

  pthread_mutex_lock (&b->lock);
  n = find_net (b, net_id);
  if (n == NULL || (e = find_ep (n, ep_id)) == NULL)
    {
      pthread_mutex_unlock (&b->lock);
      return h->error_set (err, ENOENT, "bridge: no %s %s", n == NULL ? "network" : "endpoint",
                           n == NULL ? net_id : ep_id);
    }
  grown = realloc (e->ports, (e->n_ports + count + 1) * sizeof (*grown));
  if (grown == NULL)
    {
      pthread_mutex_unlock (&b->lock);
      return h->error_set (err, ENOMEM, "bridge: out of memory");
    }
  e->ports = grown;
  first = e->n_ports;
  for (size_t i = 0; i < count && r == 0; i++)
    {
      const struct berth_port_map *m = &maps[i];
      if (m->proto != BERTH_PROTO_TCP && m->proto != BERTH_PROTO_UDP)
        {
          r = h->error_set (err, EINVAL, "bridge: protocol %u is not tcp or udp", m->proto);
          break;
        }
      r = bnft_port (n->table, true, m->host_ip, m->proto, m->host_port, e->ip, m->container_port, msg);
      if (r < 0)
        {
          if (r == -EEXIST)
            r = h->error_set (err, EEXIST, "Bind for %s:%u failed: port is already allocated",
                              m->host_ip ? m->host_ip : "0.0.0.0", (unsigned) m->host_port);
          else
            r = h->error_set (err, -r, "bridge: %s", msg);
          break;
        }
      /* every address (no host IP given) is the IPv6 ones too, as Docker's */
      if (e->ip6 != NULL && m->host_ip == NULL
          && (r = bnft_port6 (n->table, true, m->proto, m->host_port, e->ip6, m->container_port, msg)) < 0)
        {
          char ignored[BNFT_MSG];
          bnft_port (n->table, false, m->host_ip, m->proto, m->host_port, e->ip, m->container_port, ignored);
          if (r == -EEXIST)
            r = h->error_set (err, EEXIST, "Bind for [::]:%u failed: port is already allocated", (unsigned) m->host_port);
          else
            r = h->error_set (err, -r, "bridge: %s", msg);
          break;
        }
      e->ports[e->n_ports].host_ip = m->host_ip ? strdup (m->host_ip) : NULL;
      e->ports[e->n_ports].proto = m->proto;
      e->ports[e->n_ports].host_port = m->host_port;
      e->ports[e->n_ports].container_port = m->container_port;
      e->n_ports++;
    }
  if (r < 0)
    drop_ports (n, e, first);
  pthread_mutex_unlock (&b->lock);
  return r;
}

static int
bridge_unpublish (void *drv, const char *net_id, const char *ep_id, struct berth_error **err)
{
  struct bridge *b = drv;
  struct bnet *n;
  struct bep *e = NULL;
  int r = 0;

  pthread_mutex_lock (&b->lock);
  n = find_net (b, net_id);
  if (n == NULL || (e = find_ep (n, ep_id)) == NULL)
    r = b->h->error_set (err, ENOENT, "bridge: no %s %s", n == NULL ? "network" : "endpoint",
                         n == NULL ? net_id : ep_id);
  else
    drop_ports (n, e, 0);
  pthread_mutex_unlock (&b->lock);
  return r;
}

static int
bridge_endpoint_info (void *drv, const char *net_id, const char *ep_id, berth_kv_fn emit, void *ud,
                      struct berth_error **err)
{
  struct bridge *b = drv;
  struct bnet *n;
  struct bep *e = NULL;
  char veth[IF_NAMESIZE], bridge[IF_NAMESIZE];
  int r;

  pthread_mutex_lock (&b->lock);
  n = find_net (b, net_id);
  if (n == NULL || (e = find_ep (n, ep_id)) == NULL)
    {
      pthread_mutex_unlock (&b->lock);
      return b->h->error_set (err, ENOENT, "bridge: no %s %s", n == NULL ? "network" : "endpoint",
                              n == NULL ? net_id : ep_id);
    }
  snprintf (veth, sizeof (veth), "%s", e->veth);
  snprintf (bridge, sizeof (bridge), "%s", n->bridge);
  pthread_mutex_unlock (&b->lock);
  r = emit (ud, "bridge", bridge);
  if (r == 0)
    r = emit (ud, "veth", veth);
  return r < 0 ? r : 0;
}

static const struct berth_network_ops bridge_ops = {
  .life = {
    .caps = BERTH_NET_CAP_OWN_NETNS | BERTH_NET_CAP_PUBLISH | BERTH_NET_CAP_IPAM,
    .init = bridge_init,
    .shutdown = bridge_shutdown,
  },
  .network_create = bridge_network_create,
  .network_delete = bridge_network_delete,
  .endpoint_create = bridge_endpoint_create,
  .endpoint_delete = bridge_endpoint_delete,
  .join = bridge_join,
  .leave = bridge_leave,
  .publish = bridge_publish,
  .unpublish = bridge_unpublish,
  .endpoint_info = bridge_endpoint_info,
  .leave_gone = bridge_leave_gone,
};

static const struct berth_plugin_descriptor bridge_descriptor = BERTH_PLUGIN_DESCRIPTOR_INIT (
    BERTH_KIND_NETWORK, "bridge", PACKAGE_VERSION, "Linux bridge, veth pairs, NAT and published ports (nftables)",
    &bridge_ops);

BERTH_PLUGIN_DEFINE (bridge_descriptor)
