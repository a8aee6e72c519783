/* Netlink for the bridge driver (libnl-route-3). */
#include "config.h"

#include "bridge-link.h"
#include "bridge-thread.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>

static int
fail (char msg[BLINK_MSG], int code, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (msg, BLINK_MSG, fmt, ap);
  va_end (ap);
  return code;
}

/* libnl's codes to errno, for the few the callers tell apart */
static int
nl_to_errno (int nle)
{
  switch (-nle)
    {
    case NLE_EXIST:
      return -EEXIST;
    case NLE_NODEV:
    case NLE_OBJ_NOTFOUND:
      return -ENODEV;
    case NLE_PERM:
      return -EPERM;
    case NLE_BUSY:
      return -EBUSY;
    default:
      return -EIO;
    }
}

static struct nl_sock *
route_socket (char msg[BLINK_MSG])
{
  struct nl_sock *sk = nl_socket_alloc ();
  int r;

  if (sk == NULL)
    {
      fail (msg, -ENOMEM, "netlink: out of memory");
      return NULL;
    }
  r = nl_connect (sk, NETLINK_ROUTE);
  if (r < 0)
    {
      fail (msg, nl_to_errno (r), "netlink: connect: %s", nl_geterror (r));
      nl_socket_free (sk);
      return NULL;
    }
  return sk;
}

static int
link_up (struct nl_sock *sk, struct rtnl_link *l, char msg[BLINK_MSG])
{
  struct rtnl_link *change = rtnl_link_alloc ();
  int r;

  if (change == NULL)
    return fail (msg, -ENOMEM, "netlink: out of memory");
  rtnl_link_set_flags (change, IFF_UP);
  r = rtnl_link_change (sk, l, change, 0);
  rtnl_link_put (change);
  if (r < 0)
    return fail (msg, nl_to_errno (r), "set %s up: %s", rtnl_link_get_name (l), nl_geterror (r));
  return 0;
}

static int
add_address (struct nl_sock *sk, int ifindex, const char *cidr, const char *ifname, char msg[BLINK_MSG])
{
  struct rtnl_addr *a = rtnl_addr_alloc ();
  struct nl_addr *local = NULL;
  int r;

  bool v6 = strchr (cidr, ':') != NULL;

  if (a == NULL)
    return fail (msg, -ENOMEM, "netlink: out of memory");
  r = nl_addr_parse (cidr, v6 ? AF_INET6 : AF_INET, &local);
  if (r < 0)
    {
      rtnl_addr_put (a);
      return fail (msg, -EINVAL, "bad address %s: %s", cidr, nl_geterror (r));
    }
  rtnl_addr_set_ifindex (a, ifindex);
  rtnl_addr_set_local (a, local);
  if (v6)
    rtnl_addr_set_flags (a, IFA_F_NODAD); /* usable at once, no tentative state */
  r = rtnl_addr_add (sk, a, 0);
  nl_addr_put (local);
  rtnl_addr_put (a);
  if (r < 0 && r != -NLE_EXIST)
    return fail (msg, nl_to_errno (r), "add %s to %s: %s", cidr, ifname, nl_geterror (r));
  return 0;
}

/* 02:42 and 4 random bytes (locally administered, unicast), or NULL */
static struct nl_addr *
bridge_mac (void)
{
  uint8_t mac[6] = { 0x02, 0x42 };

  if (getrandom (mac + 2, 4, 0) != 4)
    return NULL;
  return nl_addr_build (AF_LLC, mac, 6);
}

static int
bridge_ensure_here (const char *name, uint32_t mtu, const char *gw_cidr, const char *gw6_cidr, char msg[BLINK_MSG])
{
  struct nl_sock *sk = route_socket (msg);
  struct rtnl_link *l = NULL;
  struct nl_addr *mac = NULL;
  int r;

  if (sk == NULL)
    return -EIO;
  r = rtnl_link_get_kernel (sk, 0, name, &l);
  if (r == -NLE_NODEV || r == -NLE_OBJ_NOTFOUND)
    {
      struct rtnl_link *br = rtnl_link_bridge_alloc ();
      if (br == NULL)
        {
          nl_socket_free (sk);
          return fail (msg, -ENOMEM, "netlink: out of memory");
        }
      rtnl_link_set_name (br, name);
      if (mtu > 0)
        rtnl_link_set_mtu (br, mtu);
      /* a MAC of its own (as Docker's bridge): otherwise the bridge takes
         its lowest port's, and changes it as ports come and go, while the
         containers' neighbour caches still hold the gateway's old one */
      if ((mac = bridge_mac ()) != NULL)
        rtnl_link_set_addr (br, mac);
      r = rtnl_link_add (sk, br, NLM_F_CREATE | NLM_F_EXCL);
      rtnl_link_put (br);
      if (mac != NULL)
        nl_addr_put (mac);
      if (r < 0 && r != -NLE_EXIST)
        {
          nl_socket_free (sk);
          return fail (msg, nl_to_errno (r), "create bridge %s: %s", name, nl_geterror (r));
        }
      r = rtnl_link_get_kernel (sk, 0, name, &l);
    }
  if (r < 0)
    {
      nl_socket_free (sk);
      return fail (msg, nl_to_errno (r), "look up %s: %s", name, nl_geterror (r));
    }
  if (!rtnl_link_is_bridge (l))
    r = fail (msg, -EEXIST, "%s exists and is not a bridge", name);
  else if ((r = add_address (sk, rtnl_link_get_ifindex (l), gw_cidr, name, msg)) == 0
           && (gw6_cidr == NULL || (r = add_address (sk, rtnl_link_get_ifindex (l), gw6_cidr, name, msg)) == 0))
    r = link_up (sk, l, msg);
  rtnl_link_put (l);
  nl_socket_free (sk);
  return r;
}

static int
veth_create_here (const char *host_name, const char *bridge, int netns_fd, const char *peer_name, const uint8_t mac[6],
                  uint32_t mtu, char msg[BLINK_MSG])
{
  struct nl_sock *sk = route_socket (msg);
  struct rtnl_link *veth = NULL, *peer = NULL;
  struct nl_addr *lladdr = NULL;
  unsigned br_index;
  int r;

  if (sk == NULL)
    return -EIO;
  br_index = if_nametoindex (bridge);
  if (br_index == 0)
    {
      nl_socket_free (sk);
      return fail (msg, -ENODEV, "bridge %s: %s", bridge, strerror (errno));
    }
  veth = rtnl_link_veth_alloc ();
  lladdr = nl_addr_build (AF_LLC, mac, 6);
  if (veth == NULL || lladdr == NULL)
    {
      r = fail (msg, -ENOMEM, "netlink: out of memory");
      goto out;
    }
  rtnl_link_set_name (veth, host_name);
  rtnl_link_set_master (veth, (int) br_index);
  rtnl_link_set_flags (veth, IFF_UP);
  peer = rtnl_link_veth_get_peer (veth);
  rtnl_link_set_name (peer, peer_name);
  rtnl_link_set_ns_fd (peer, netns_fd);
  rtnl_link_set_addr (peer, lladdr);
  if (mtu > 0)
    {
      rtnl_link_set_mtu (veth, mtu);
      rtnl_link_set_mtu (peer, mtu);
    }
  r = rtnl_link_add (sk, veth, NLM_F_CREATE | NLM_F_EXCL);
  if (r < 0)
    r = fail (msg, nl_to_errno (r), "create veth %s: %s", host_name, nl_geterror (r));
out:
  if (peer != NULL)
    rtnl_link_put (peer);
  if (veth != NULL)
    rtnl_link_put (veth);
  if (lladdr != NULL)
    nl_addr_put (lladdr);
  nl_socket_free (sk);
  return r;
}

struct ns_job
{
  int netns_fd;
  const char *ifname, *cidr, *gateway, *cidr6, *gateway6;
  char *msg;
};

/* net.ipv6.conf.<ifname>.* in the namespace this thread entered, before
   the link goes up: no IPv6 at all without cidr6; else no router
   advertisements and no duplicate address detection.  A kernel without
   IPv6 has no such files: nothing to disable then. */
static int
ipv6_sysctls_here (struct ns_job *j)
{
  static const char *const keys[] = { "accept_ra", "accept_dad" };
  char path[96];
  int changed, r;

  if (j->cidr6 == NULL)
    {
      snprintf (path, sizeof (path), "net/ipv6/conf/%s/disable_ipv6", j->ifname);
      r = blink_sysctl_put (path, '1', &changed, j->msg);
      return r == -ENOENT ? 0 : r;
    }
  for (size_t i = 0; i < sizeof (keys) / sizeof (keys[0]); i++)
    {
      snprintf (path, sizeof (path), "net/ipv6/conf/%s/%s", j->ifname, keys[i]);
      if ((r = blink_sysctl_put (path, '0', &changed, j->msg)) < 0)
        return r;
    }
  return 0;
}

static int
default_route (struct nl_sock *sk, int ifindex, int family, const char *gateway, char msg[BLINK_MSG])
{
  struct rtnl_route *rt = rtnl_route_alloc ();
  struct rtnl_nexthop *nh = rtnl_route_nh_alloc ();
  struct nl_addr *dst = NULL, *gw = NULL;
  int r;

  if (rt == NULL || nh == NULL)
    {
      r = fail (msg, -ENOMEM, "netlink: out of memory");
      goto out;
    }
  if (nl_addr_parse (family == AF_INET6 ? "::/0" : "0.0.0.0/0", family, &dst) < 0
      || nl_addr_parse (gateway, family, &gw) < 0)
    {
      r = fail (msg, -EINVAL, "bad gateway %s", gateway);
      goto out;
    }
  rtnl_route_set_family (rt, (uint8_t) family);
  rtnl_route_set_dst (rt, dst);
  rtnl_route_nh_set_ifindex (nh, ifindex);
  rtnl_route_nh_set_gateway (nh, gw);
  rtnl_route_add_nexthop (rt, nh);
  nh = NULL; /* the route owns it */
  r = rtnl_route_add (sk, rt, NLM_F_CREATE | NLM_F_EXCL);
  if (r < 0)
    r = fail (msg, nl_to_errno (r), "default route via %s: %s", gateway, nl_geterror (r));
out:
  if (nh != NULL)
    rtnl_route_nh_free (nh);
  if (rt != NULL)
    rtnl_route_put (rt);
  if (dst != NULL)
    nl_addr_put (dst);
  if (gw != NULL)
    nl_addr_put (gw);
  return r;
}

static int
configure_here (struct ns_job *j)
{
  struct nl_sock *sk = route_socket (j->msg);
  struct rtnl_link *lo = NULL, *eth = NULL;
  int r, ifindex;

  if (sk == NULL)
    return -EIO;
  if ((r = rtnl_link_get_kernel (sk, 0, "lo", &lo)) < 0 || (r = rtnl_link_get_kernel (sk, 0, j->ifname, &eth)) < 0)
    {
      r = fail (j->msg, nl_to_errno (r), "container namespace: %s", nl_geterror (r));
      goto out;
    }
  ifindex = rtnl_link_get_ifindex (eth);
  if ((r = ipv6_sysctls_here (j)) < 0 || (r = link_up (sk, lo, j->msg)) < 0 || (r = link_up (sk, eth, j->msg)) < 0
      || (r = add_address (sk, ifindex, j->cidr, j->ifname, j->msg)) < 0)
    goto out;
  if (j->cidr6 != NULL
      && ((r = add_address (sk, ifindex, j->cidr6, j->ifname, j->msg)) < 0
          || (j->gateway6 != NULL && (r = default_route (sk, ifindex, AF_INET6, j->gateway6, j->msg)) < 0)))
    goto out;
  if (j->gateway != NULL)
    r = default_route (sk, ifindex, AF_INET, j->gateway, j->msg);
out:
  if (lo != NULL)
    rtnl_link_put (lo);
  if (eth != NULL)
    rtnl_link_put (eth);
  nl_socket_free (sk);
  return r;
}

struct setup_job
{
  const char *host_name, *bridge, *peer_name, *cidr, *gateway, *cidr6, *gateway6;
  const uint8_t *mac;
  uint32_t mtu;
  int netns_fd;
  char *msg;
};

/* The host's side first (the veth, its hairpin), then the thread enters
   the namespace for the peer's; the thread ends with the job, so the rest
   of the process never leaves the host's namespace. */
static int
setup_run (void *p)
{
  struct setup_job *j = p;
  struct ns_job nj = { .netns_fd = j->netns_fd, .ifname = j->peer_name, .cidr = j->cidr, .gateway = j->gateway,
                       .cidr6 = j->cidr6, .gateway6 = j->gateway6, .msg = j->msg };
  int r;

  r = veth_create_here (j->host_name, j->bridge, j->netns_fd, j->peer_name, j->mac, j->mtu, j->msg);
  if (r < 0)
    return r;
  r = blink_port_hairpin (j->host_name, j->msg);
  if (r == 0 && setns (j->netns_fd, CLONE_NEWNET) < 0)
    r = fail (j->msg, -errno, "enter the container's network namespace: %s", strerror (errno));
  else if (r == 0)
    r = configure_here (&nj);
  return r;
}

int
blink_endpoint_setup (const char *host_name, const char *bridge, int netns_fd, const char *peer_name,
                      const uint8_t mac[6], uint32_t mtu, const char *cidr, const char *gateway, const char *cidr6,
                      const char *gateway6, char msg[BLINK_MSG])
{
  struct setup_job j = { .host_name = host_name, .bridge = bridge, .peer_name = peer_name, .cidr = cidr,
                         .gateway = gateway, .cidr6 = cidr6, .gateway6 = gateway6, .mac = mac, .mtu = mtu,
                         .netns_fd = netns_fd, .msg = msg };
  int r;

  msg[0] = '\0';
  r = bthread_call (setup_run, &j);
  if (r < 0 && msg[0] == '\0')
    fail (msg, r, "cannot start a thread");
  if (r < 0)
    {
      /* here, not on the job's thread: that one may be in the container's namespace */
      char ignored[BLINK_MSG];
      blink_delete (host_name, ignored);
    }
  return r;
}

static int
delete_with (struct nl_sock *sk, const char *name, char msg[BLINK_MSG])
{
  struct rtnl_link *l = NULL;
  int r = rtnl_link_get_kernel (sk, 0, name, &l);

  if (r == 0)
    {
      r = rtnl_link_delete (sk, l);
      rtnl_link_put (l);
    }
  if (r == -NLE_NODEV || r == -NLE_OBJ_NOTFOUND)
    return 0;
  if (r < 0)
    return fail (msg, nl_to_errno (r), "delete %s: %s", name, nl_geterror (r));
  return 0;
}

static int
delete_here (const char *name, char msg[BLINK_MSG])
{
  struct nl_sock *sk = route_socket (msg);
  int r;

  if (sk == NULL)
    return -EIO;
  r = delete_with (sk, name, msg);
  nl_socket_free (sk);
  return r;
}

int
blink_sysctl_on (const char *path, int *changed, char msg[BLINK_MSG])
{
  char full[256], cur = '\0';
  int fd;

  snprintf (full, sizeof (full), "/proc/sys/%s", path);
  fd = open (full, O_RDWR | O_CLOEXEC);
  if (fd < 0)
    return fail (msg, -errno, "open %s: %s", full, strerror (errno));
  if (read (fd, &cur, 1) != 1)
    cur = '\0';
  *changed = cur != '1';
  if (*changed && (lseek (fd, 0, SEEK_SET) < 0 || write (fd, "1\n", 2) != 2))
    {
      int e = errno;
      close (fd);
      return fail (msg, -e, "write %s: %s", full, strerror (e));
    }
  close (fd);
  return 0;
}

int
blink_sysctl_put (const char *path, char value, int *changed, char msg[BLINK_MSG])
{
  char full[256], cur = '\0', buf[2] = { value, '\n' };
  int fd;

  snprintf (full, sizeof (full), "/proc/sys/%s", path);
  fd = open (full, O_RDWR | O_CLOEXEC);
  if (fd < 0)
    return fail (msg, -errno, "open %s: %s", full, strerror (errno));
  if (read (fd, &cur, 1) != 1)
    cur = '\0';
  *changed = cur != value;
  if (*changed && (lseek (fd, 0, SEEK_SET) < 0 || write (fd, buf, 2) != 2))
    {
      int e = errno;
      close (fd);
      return fail (msg, -e, "write %s: %s", full, strerror (e));
    }
  close (fd);
  return 0;
}

int
blink_port_hairpin (const char *port, char msg[BLINK_MSG])
{
  char path[96];
  int fd;

  /* sysfs: one write, where netlink would need a second RTM_SETLINK
     (AF_BRIDGE) round trip after the enslaving one */
  snprintf (path, sizeof (path), "/sys/class/net/%s/brport/hairpin_mode", port);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return fail (msg, -errno, "open %s: %s", path, strerror (errno));
  if (write (fd, "1", 1) != 1)
    {
      int e = errno;
      close (fd);
      return fail (msg, -e, "write %s: %s", path, strerror (e));
    }
  close (fd);
  return 0;
}

/* --- the entry points, each on a thread with a stack of its own size --- */

struct link_job
{
  int op;
  const char *name, *cidr, *cidr6;
  uint32_t mtu;
  char *msg;
};

static int
link_job_run (void *p)
{
  struct link_job *j = p;

  switch (j->op)
    {
    case 0:
      return bridge_ensure_here (j->name, j->mtu, j->cidr, j->cidr6, j->msg);
    default:
      return delete_here (j->name, j->msg);
    }
}

static int
link_call (struct link_job *j)
{
  int r;

  j->msg[0] = '\0';
  r = bthread_call (link_job_run, j);
  if (r < 0 && j->msg[0] == '\0')
    fail (j->msg, r, "cannot start a thread");
  return r;
}

int
blink_bridge_ensure (const char *name, uint32_t mtu, const char *gw_cidr, const char *gw6_cidr, char msg[BLINK_MSG])
{
  struct link_job j = { .op = 0, .name = name, .mtu = mtu, .cidr = gw_cidr, .cidr6 = gw6_cidr, .msg = msg };
  return link_call (&j);
}

int
blink_delete (const char *name, char msg[BLINK_MSG])
{
  struct link_job j = { .op = 2, .name = name, .msg = msg };
  return link_call (&j);
}

/* --- deletions off the caller's path ---
   Deleting a veth costs ~13 ms in the kernel (RTNL, an RCU grace period),
   which `run --rm` would otherwise wait for on the container's exit.  One
   worker thread with one netlink socket of the host's does them in order;
   a name queued and not yet deleted is "pending", and a new link of that
   name waits for it (blink_delete_settle). */

struct reap
{
  struct reap *next;
  char name[IF_NAMESIZE];
};

static pthread_mutex_t reap_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t reap_work = PTHREAD_COND_INITIALIZER, reap_done = PTHREAD_COND_INITIALIZER;
static struct reap *reap_head, **reap_tail = &reap_head;
static char reap_busy[IF_NAMESIZE];
static bool reap_running, reap_stop;
static pthread_t reap_thread;
static void (*reap_report) (void *ud, const char *msg);
static void *reap_ud;

static void *
reaper (void *p)
{
  struct nl_sock *sk = NULL;
  char msg[BLINK_MSG];

  (void) p;
  pthread_mutex_lock (&reap_lock);
  for (;;)
    {
      struct reap *r;
      int rc;

      while (reap_head == NULL && !reap_stop)
        pthread_cond_wait (&reap_work, &reap_lock);
      if (reap_head == NULL)
        break;
      r = reap_head;
      reap_head = r->next;
      if (reap_head == NULL)
        reap_tail = &reap_head;
      memcpy (reap_busy, r->name, sizeof (reap_busy));
      pthread_mutex_unlock (&reap_lock);
      if (sk == NULL)
        sk = route_socket (msg);
      rc = sk != NULL ? delete_with (sk, r->name, msg) : -EIO;
      if (rc < 0 && reap_report != NULL)
        reap_report (reap_ud, msg);
      free (r);
      pthread_mutex_lock (&reap_lock);
      reap_busy[0] = '\0';
      pthread_cond_broadcast (&reap_done);
    }
  pthread_mutex_unlock (&reap_lock);
  if (sk != NULL)
    nl_socket_free (sk);
  return NULL;
}

void
blink_reaper_init (void (*report) (void *ud, const char *msg), void *ud)
{
  pthread_mutex_lock (&reap_lock);
  reap_report = report;
  reap_ud = ud;
  pthread_mutex_unlock (&reap_lock);
}

static bool
reap_pending (const char *name)
{
  if (name == NULL)
    return reap_head != NULL || reap_busy[0] != '\0';
  if (strcmp (reap_busy, name) == 0)
    return true;
  for (struct reap *r = reap_head; r != NULL; r = r->next)
    if (strcmp (r->name, name) == 0)
      return true;
  return false;
}

int
blink_delete_later (const char *name, char msg[BLINK_MSG])
{
  struct reap *r = calloc (1, sizeof (*r));

  if (r == NULL)
    return blink_delete (name, msg);
  snprintf (r->name, sizeof (r->name), "%s", name);
  pthread_mutex_lock (&reap_lock);
  if (!reap_running)
    {
      pthread_attr_t attr;
      int e;

      pthread_attr_init (&attr);
      pthread_attr_setstacksize (&attr, 2u * 1024 * 1024);
      reap_stop = false;
      e = pthread_create (&reap_thread, &attr, reaper, NULL);
      pthread_attr_destroy (&attr);
      if (e != 0)
        {
          pthread_mutex_unlock (&reap_lock);
          free (r);
          return blink_delete (name, msg); /* no worker: the caller waits */
        }
      reap_running = true;
    }
  *reap_tail = r;
  reap_tail = &r->next;
  pthread_cond_signal (&reap_work);
  pthread_mutex_unlock (&reap_lock);
  return 0;
}

void
blink_delete_settle (const char *name)
{
  pthread_mutex_lock (&reap_lock);
  while (reap_pending (name))
    pthread_cond_wait (&reap_done, &reap_lock);
  pthread_mutex_unlock (&reap_lock);
}

void
blink_reaper_stop (void)
{
  bool joinable;

  pthread_mutex_lock (&reap_lock);
  reap_stop = true;
  joinable = reap_running;
  reap_running = false;
  pthread_cond_signal (&reap_work);
  pthread_mutex_unlock (&reap_lock);
  /* the worker drains the queue before it ends */
  if (joinable)
    pthread_join (reap_thread, NULL);
  pthread_mutex_lock (&reap_lock);
  reap_report = NULL;
  pthread_mutex_unlock (&reap_lock);
}
