#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/lib/fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/network/dns-message.h"
#include "core/network/dns-server.h"

#define MAX_UPSTREAMS 3
#define MAX_PENDING 128
#define UPSTREAM_TIMEOUT_MS 2000
#define MAX_ANSWERS 32
#define LOCAL_TTL 600
#define PKT_MAX 4096

struct listener
{
  char *net_id;
  int fd;
  unsigned ifindex;
  uint32_t subnet, mask;
};

struct name
{
  char *net_id, *cid, *name;
  uint32_t ip;
  bool has_ip6; /* on a network with IPv6: AAAA answers */
  struct in6_addr ip6;
};

/* a container's own upstreams: its --dns servers */
struct own_upstreams
{
  char *cid;
  struct sockaddr_in up[MAX_UPSTREAMS];
  size_t n_up;
};

struct pending
{
  int fd; /* -1: free */
  struct sockaddr_in up[MAX_UPSTREAMS]; /* the asker's, copied: they may change meanwhile */
  size_t n_up;
  char *net_id;
  struct sockaddr_in client;
  uint16_t id;
  uint8_t *query;
  size_t len;
  size_t upstream;
  int64_t deadline;
};

struct dns_server
{
  pthread_mutex_t lock;
  pthread_t thread;
  bool started, stop;
  int wake[2];
  unsigned gen; /* bumped when listeners change */
  uint16_t port;
  struct sockaddr_in up[MAX_UPSTREAMS];
  size_t n_up;
  struct listener *ls;
  size_t n_ls;
  struct name *names;
  size_t n_names;
  struct own_upstreams *own;
  size_t n_own;
  struct pending pend[MAX_PENDING];
};

static int64_t
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- upstreams --- */

static void
add_upstream (struct sockaddr_in *up, size_t *n_up, const char *text)
{
  cleanup_free char *host = xstrdup (text);
  char *colon = strchr (host, ':');
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons (53) };

  if (colon != NULL)
    {
      char *end;
      long port = strtol (colon + 1, &end, 10);
      *colon = '\0';
      if (*end != '\0' || port < 1 || port > 65535)
        {
          log_warn ("dns: upstream server `%s`: bad port, ignored", text);
          return;
        }
      a.sin_port = htons ((uint16_t) port);
    }
  if (inet_pton (AF_INET, host, &a.sin_addr) != 1)
    return; /* IPv6 servers: not yet */
  if (*n_up < MAX_UPSTREAMS)
    up[(*n_up)++] = a;
}

static void
upstreams_from_resolv_conf (struct dns_server *srv)
{
  static const char *const files[] = { "/run/systemd/resolve/resolv.conf", "/etc/resolv.conf", NULL };
  cleanup_free char *text = NULL;
  char *save = NULL;
  size_t len;

  for (size_t i = 0; files[i] != NULL && text == NULL; i++)
    if (berth_read_file (files[i], 1 << 20, &text, &len, NULL) < 0)
      text = NULL;
  for (char *line = text ? strtok_r (text, "\n", &save) : NULL; line; line = strtok_r (NULL, "\n", &save))
    {
      char addr[64];
      if (sscanf (line, " nameserver %63s", addr) == 1)
        add_upstream (srv->up, &srv->n_up, addr);
    }
}

/* --- answering --- */

static struct listener *
listener_of (struct dns_server *srv, const char *net_id)
{
  for (size_t i = 0; i < srv->n_ls; i++)
    if (strcmp (srv->ls[i].net_id, net_id) == 0)
      return &srv->ls[i];
  return NULL;
}

static void
reply (int fd, const struct sockaddr_in *to, const uint8_t *p, size_t len)
{
  if (len > 0)
    sendto (fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL, (const struct sockaddr *) to, sizeof (*to));
}

/* The names the asker may resolve: those of every network its container
   is on (it asks the DNS of its first user network only), found through
   its address on net; -1 when the name is not ours. */
static bool
asker_on (struct dns_server *srv, const char *cid, const char *net_id)
{
  for (size_t i = 0; i < srv->n_names; i++)
    if (strcmp (srv->names[i].cid, cid) == 0 && strcmp (srv->names[i].net_id, net_id) == 0)
      return true;
  return false;
}

/* the container that has address asker on net_id, or NULL */
static const char *
asker_cid (struct dns_server *srv, const char *net_id, uint32_t asker)
{
  for (size_t i = 0; i < srv->n_names; i++)
    if (srv->names[i].ip == asker && strcmp (srv->names[i].net_id, net_id) == 0)
      return srv->names[i].cid;
  return NULL;
}

static int
lookup (struct dns_server *srv, const char *net_id, uint32_t asker, const char *qname, uint32_t *ips, size_t max)
{
  const char *cid = asker_cid (srv, net_id, asker);
  int n = -1;
  for (size_t i = 0; i < srv->n_names; i++)
    if (strcmp (srv->names[i].name, qname) == 0
        && (strcmp (srv->names[i].net_id, net_id) == 0 || (cid != NULL && asker_on (srv, cid, srv->names[i].net_id))))
      {
        bool dup = false;
        if (n < 0)
          n = 0;
        for (int j = 0; j < n; j++)
          dup |= ips[j] == srv->names[i].ip;
        if (!dup && (size_t) n < max)
          ips[n++] = srv->names[i].ip;
      }
  return n;
}

/* the AAAA side of lookup: the v6 addresses of the names it finds */
static size_t
lookup6 (struct dns_server *srv, const char *net_id, uint32_t asker, const char *qname, struct in6_addr *ips,
         size_t max)
{
  const char *cid = asker_cid (srv, net_id, asker);
  size_t n = 0;

  for (size_t i = 0; i < srv->n_names && n < max; i++)
    if (srv->names[i].has_ip6 && strcmp (srv->names[i].name, qname) == 0
        && (strcmp (srv->names[i].net_id, net_id) == 0 || (cid != NULL && asker_on (srv, cid, srv->names[i].net_id))))
      {
        bool dup = false;
        for (size_t j = 0; j < n; j++)
          dup |= memcmp (&ips[j], &srv->names[i].ip6, sizeof (ips[j])) == 0;
        if (!dup)
          ips[n++] = srv->names[i].ip6;
      }
  return n;
}

static int
forward_send (struct pending *p)
{
  if (p->fd >= 0)
    close (p->fd);
  p->fd = socket (AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (p->fd < 0)
    return -1;
  if (connect (p->fd, (const struct sockaddr *) &p->up[p->upstream], sizeof (p->up[0])) < 0
      || send (p->fd, p->query, p->len, MSG_NOSIGNAL) < 0)
    return -1;
  p->deadline = now_ms () + UPSTREAM_TIMEOUT_MS;
  return 0;
}

static void
pending_free (struct pending *p)
{
  if (p->fd >= 0)
    close (p->fd);
  p->fd = -1;
  free (p->net_id);
  free (p->query);
  p->net_id = NULL;
  p->query = NULL;
}

static const struct own_upstreams *
own_of (struct dns_server *srv, const char *cid)
{
  for (size_t i = 0; cid != NULL && i < srv->n_own; i++)
    if (strcmp (srv->own[i].cid, cid) == 0)
      return &srv->own[i];
  return NULL;
}

/* to the asking container's --dns servers when it has some, else the daemon's */
static void
forward (struct dns_server *srv, struct listener *l, const struct sockaddr_in *from, const uint8_t *q, size_t len,
         uint16_t id)
{
  const struct own_upstreams *own = own_of (srv, asker_cid (srv, l->net_id, ntohl (from->sin_addr.s_addr)));
  const struct sockaddr_in *up = own != NULL ? own->up : srv->up;
  size_t n_up = own != NULL ? own->n_up : srv->n_up;
  uint8_t out[DNS_HEADER_LEN];
  struct pending *p = NULL;

  for (size_t i = 0; i < MAX_PENDING && p == NULL; i++)
    if (srv->pend[i].fd < 0 && srv->pend[i].query == NULL)
      p = &srv->pend[i];
  if (p == NULL || n_up == 0)
    {
      reply (l->fd, from, out, dns_build_error (q, len, DNS_RCODE_SERVFAIL, out, sizeof (out)));
      return;
    }
  p->net_id = xstrdup (l->net_id);
  p->client = *from;
  p->id = id;
  p->query = xmalloc (len);
  memcpy (p->query, q, len);
  p->len = len;
  memcpy (p->up, up, n_up * sizeof (*up));
  p->n_up = n_up;
  p->upstream = 0;
  while (forward_send (p) < 0)
    if (++p->upstream >= p->n_up)
      {
        reply (l->fd, from, out, dns_build_error (q, len, DNS_RCODE_SERVFAIL, out, sizeof (out)));
        pending_free (p);
        return;
      }
}

static void
on_query (struct dns_server *srv, struct listener *l)
{
  for (int round = 0; round < 64; round++)
    {
      uint8_t buf[PKT_MAX], out[PKT_MAX];
      char cbuf[CMSG_SPACE (sizeof (struct in_pktinfo))];
      struct sockaddr_in from;
      struct iovec iov = { buf, sizeof (buf) };
      struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof (from), .msg_iov = &iov, .msg_iovlen = 1,
                           .msg_control = cbuf, .msg_controllen = sizeof (cbuf) };
      struct dns_question q;
      unsigned ifindex = 0;
      uint32_t ips[MAX_ANSWERS];
      ssize_t n = recvmsg (l->fd, &mh, MSG_DONTWAIT);
      int found;

      if (n < 0)
        return;
      for (struct cmsghdr *c = CMSG_FIRSTHDR (&mh); c != NULL; c = CMSG_NXTHDR (&mh, c))
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
          {
            struct in_pktinfo pi;
            memcpy (&pi, CMSG_DATA (c), sizeof (pi));
            ifindex = (unsigned) pi.ipi_ifindex;
          }
      if (mh.msg_namelen < sizeof (from) || from.sin_family != AF_INET)
        continue;
      /* only the network's own containers: through its bridge, from its subnet */
      if ((l->ifindex != 0 && ifindex != l->ifindex) || (ntohl (from.sin_addr.s_addr) & l->mask) != l->subnet)
        {
          reply (l->fd, &from, out, dns_build_error (buf, (size_t) n, DNS_RCODE_REFUSED, out, sizeof (out)));
          continue;
        }
      if (dns_parse_query (buf, (size_t) n, &q) < 0)
        {
          if ((size_t) n >= DNS_HEADER_LEN && (buf[2] & 0x80) == 0)
            reply (l->fd, &from, out, dns_build_error (buf, (size_t) n, DNS_RCODE_FORMERR, out, sizeof (out)));
          continue;
        }
      found = q.qclass == DNS_CLASS_IN
                  ? lookup (srv, l->net_id, ntohl (from.sin_addr.s_addr), q.name, ips, MAX_ANSWERS)
                  : -1;
      if (found >= 0 && q.qtype == DNS_TYPE_AAAA)
        {
          struct in6_addr ips6[MAX_ANSWERS];
          size_t n6 = lookup6 (srv, l->net_id, ntohl (from.sin_addr.s_addr), q.name, ips6, MAX_ANSWERS);
          reply (l->fd, &from, out, dns_build_answer6 (buf, &q, ips6, n6, LOCAL_TTL, out, sizeof (out)));
        }
      else if (found >= 0)
        reply (l->fd, &from, out,
               dns_build_answer (buf, &q, DNS_RCODE_NOERROR, ips, q.qtype == DNS_TYPE_A ? (size_t) found : 0,
                                 LOCAL_TTL, out, sizeof (out)));
      else
        forward (srv, l, &from, buf, (size_t) n, q.id);
    }
}

static void
on_upstream (struct dns_server *srv, struct pending *p)
{
  uint8_t buf[PKT_MAX];
  ssize_t n = recv (p->fd, buf, sizeof (buf), MSG_DONTWAIT);
  struct listener *l;

  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n < 0 || !dns_is_response_to (buf, (size_t) n, p->id))
    {
      if (n >= 0)
        return; /* not the answer: keep waiting */
      p->deadline = 0; /* refused (ICMP): the next server at once */
      return;
    }
  l = listener_of (srv, p->net_id);
  if (l != NULL)
    reply (l->fd, &p->client, buf, (size_t) n);
  pending_free (p);
}

static void
on_timeouts (struct dns_server *srv, int64_t now)
{
  for (size_t i = 0; i < MAX_PENDING; i++)
    {
      struct pending *p = &srv->pend[i];
      bool sent = false;

      if (p->query == NULL || p->deadline > now)
        continue;
      while (!sent && ++p->upstream < p->n_up)
        sent = forward_send (p) == 0;
      if (!sent)
        {
          struct listener *l = listener_of (srv, p->net_id);
          uint8_t out[DNS_HEADER_LEN];
          if (l != NULL)
            reply (l->fd, &p->client, out, dns_build_error (p->query, p->len, DNS_RCODE_SERVFAIL, out, sizeof (out)));
          pending_free (p);
        }
    }
}

static void *
serve (void *arg)
{
  struct dns_server *srv = arg;
  struct pollfd *pfds = NULL;
  size_t *slot = NULL; /* pfds[i]: listener index, or MAX_PENDING+pending index... see below */

  pthread_mutex_lock (&srv->lock);
  while (!srv->stop)
    {
      size_t n = 1, cap = 1 + srv->n_ls + MAX_PENDING;
      int64_t now = now_ms (), next = -1;
      unsigned gen = srv->gen;
      int r;

      pfds = xrealloc (pfds, cap * sizeof (*pfds));
      slot = xrealloc (slot, cap * sizeof (*slot));
      pfds[0] = (struct pollfd) { .fd = srv->wake[0], .events = POLLIN };
      for (size_t i = 0; i < srv->n_ls; i++, n++)
        {
          pfds[n] = (struct pollfd) { .fd = srv->ls[i].fd, .events = POLLIN };
          slot[n] = i;
        }
      for (size_t i = 0; i < MAX_PENDING; i++)
        if (srv->pend[i].query != NULL)
          {
            pfds[n] = (struct pollfd) { .fd = srv->pend[i].fd, .events = POLLIN };
            slot[n++] = MAX_PENDING + i;
            if (next < 0 || srv->pend[i].deadline < next)
              next = srv->pend[i].deadline;
          }
      pthread_mutex_unlock (&srv->lock);
      r = poll (pfds, n, next < 0 ? -1 : (int) (next > now ? next - now : 0));
      pthread_mutex_lock (&srv->lock);
      if (r < 0 && errno != EINTR)
        {
          log_error ("dns: poll: %s", strerror (errno));
          break;
        }
      if (r > 0 && (pfds[0].revents & POLLIN))
        {
          char drain[64];
          while (read (srv->wake[0], drain, sizeof (drain)) > 0)
            ;
        }
      if (srv->gen != gen)
        continue; /* a listener went: these fds may not be ours any more */
      for (size_t i = 1; r > 0 && i < n; i++)
        {
          if (pfds[i].revents == 0)
            continue;
          if (slot[i] < MAX_PENDING)
            on_query (srv, &srv->ls[slot[i]]);
          else if (srv->pend[slot[i] - MAX_PENDING].query != NULL)
            on_upstream (srv, &srv->pend[slot[i] - MAX_PENDING]);
        }
      on_timeouts (srv, now_ms ());
    }
  pthread_mutex_unlock (&srv->lock);
  free (pfds);
  free (slot);
  return NULL;
}

/* --- the API --- */

int
dns_server_new (const char *upstreams, uint16_t port, struct dns_server **ret, berth_error_t *err)
{
  struct dns_server *srv = xmalloc0 (sizeof (*srv));
  int r;

  pthread_mutex_init (&srv->lock, NULL);
  srv->port = port;
  for (size_t i = 0; i < MAX_PENDING; i++)
    srv->pend[i].fd = -1;
  if (upstreams != NULL)
    {
      cleanup_free char *copy = xstrdup (upstreams);
      char *save = NULL;
      for (char *t = strtok_r (copy, ", \t", &save); t; t = strtok_r (NULL, ", \t", &save))
        add_upstream (srv->up, &srv->n_up, t);
    }
  else
    upstreams_from_resolv_conf (srv);
  if (pipe2 (srv->wake, O_CLOEXEC | O_NONBLOCK) < 0)
    {
      berth_error_errno (err, errno, "dns: pipe");
      free (srv);
      return -1;
    }
  r = pthread_create (&srv->thread, NULL, serve, srv);
  if (r != 0)
    {
      close (srv->wake[0]);
      close (srv->wake[1]);
      free (srv);
      return berth_error_make (err, r, "dns: cannot start its thread: %s", strerror (r));
    }
  srv->started = true;
  if (srv->n_up == 0)
    log_warn ("dns: no IPv4 upstream server: names other than containers' will not resolve");
  *ret = srv;
  return 0;
}

static void
wake (struct dns_server *srv)
{
  if (write (srv->wake[1], "x", 1) < 0)
    {
      /* a full pipe wakes it already */
    }
}

void
dns_server_free (struct dns_server *srv)
{
  if (srv == NULL)
    return;
  pthread_mutex_lock (&srv->lock);
  srv->stop = true;
  wake (srv);
  pthread_mutex_unlock (&srv->lock);
  if (srv->started)
    pthread_join (srv->thread, NULL);
  for (size_t i = 0; i < srv->n_ls; i++)
    {
      close (srv->ls[i].fd);
      free (srv->ls[i].net_id);
    }
  free (srv->ls);
  for (size_t i = 0; i < srv->n_names; i++)
    {
      free (srv->names[i].net_id);
      free (srv->names[i].cid);
      free (srv->names[i].name);
    }
  free (srv->names);
  for (size_t i = 0; i < srv->n_own; i++)
    free (srv->own[i].cid);
  free (srv->own);
  for (size_t i = 0; i < MAX_PENDING; i++)
    pending_free (&srv->pend[i]);
  close (srv->wake[0]);
  close (srv->wake[1]);
  pthread_mutex_destroy (&srv->lock);
  free (srv);
}

int
dns_server_listen (struct dns_server *srv, const char *net_id, uint32_t addr, unsigned ifindex, uint32_t subnet,
                   unsigned prefix, berth_error_t *err)
{
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons (srv->port), .sin_addr.s_addr = htonl (addr) };
  int one = 1, fd;
  char text[INET_ADDRSTRLEN];

  dns_server_unlisten (srv, net_id);
  inet_ntop (AF_INET, &a.sin_addr, text, sizeof (text));
  fd = socket (AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return berth_error_errno (err, errno, "dns: socket");
  if (setsockopt (fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof (one)) < 0
      || bind (fd, (struct sockaddr *) &a, sizeof (a)) < 0)
    {
      int e = errno;
      close (fd);
      return berth_error_errno (err, e, "dns: listen on %s:%u", text, (unsigned) srv->port);
    }
  pthread_mutex_lock (&srv->lock);
  srv->ls = xrealloc (srv->ls, (srv->n_ls + 1) * sizeof (*srv->ls));
  srv->ls[srv->n_ls++] = (struct listener) { .net_id = xstrdup (net_id), .fd = fd, .ifindex = ifindex,
                                             .mask = prefix == 0 ? 0 : 0xffffffffu << (32 - prefix),
                                             .subnet = subnet };
  srv->gen++;
  wake (srv);
  pthread_mutex_unlock (&srv->lock);
  return 0;
}

void
dns_server_unlisten (struct dns_server *srv, const char *net_id)
{
  pthread_mutex_lock (&srv->lock);
  for (size_t i = 0; i < srv->n_ls; i++)
    if (strcmp (srv->ls[i].net_id, net_id) == 0)
      {
        close (srv->ls[i].fd);
        free (srv->ls[i].net_id);
        memmove (&srv->ls[i], &srv->ls[i + 1], (srv->n_ls - i - 1) * sizeof (*srv->ls));
        srv->n_ls--;
        srv->gen++;
        wake (srv);
        break;
      }
  pthread_mutex_unlock (&srv->lock);
}

void
dns_server_add_name (struct dns_server *srv, const char *net_id, const char *cid, const char *name, uint32_t ip)
{
  char *lower;

  if (name == NULL || name[0] == '\0')
    return;
  lower = xstrdup (name);
  for (char *p = lower; *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      *p = (char) (*p + 32);
  pthread_mutex_lock (&srv->lock);
  srv->names = xrealloc (srv->names, (srv->n_names + 1) * sizeof (*srv->names));
  srv->names[srv->n_names++] = (struct name) { .net_id = xstrdup (net_id), .cid = xstrdup (cid), .name = lower,
                                               .ip = ip };
  pthread_mutex_unlock (&srv->lock);
}

void
dns_server_set_name6 (struct dns_server *srv, const char *net_id, const char *cid, const struct in6_addr *ip6)
{
  pthread_mutex_lock (&srv->lock);
  for (size_t i = 0; i < srv->n_names; i++)
    if (strcmp (srv->names[i].net_id, net_id) == 0 && strcmp (srv->names[i].cid, cid) == 0)
      {
        srv->names[i].has_ip6 = true;
        srv->names[i].ip6 = *ip6;
      }
  pthread_mutex_unlock (&srv->lock);
}

void
dns_server_remove_names (struct dns_server *srv, const char *net_id, const char *cid)
{
  size_t k = 0;

  pthread_mutex_lock (&srv->lock);
  for (size_t i = 0; i < srv->n_names; i++)
    if (strcmp (srv->names[i].net_id, net_id) == 0 && strcmp (srv->names[i].cid, cid) == 0)
      {
        free (srv->names[i].net_id);
        free (srv->names[i].cid);
        free (srv->names[i].name);
      }
    else
      srv->names[k++] = srv->names[i];
  srv->n_names = k;
  pthread_mutex_unlock (&srv->lock);
}

void
dns_server_set_upstreams (struct dns_server *srv, const char *cid, const char *const *servers)
{
  struct own_upstreams o = { 0 };

  for (size_t i = 0; servers != NULL && servers[i] != NULL; i++)
    {
      struct in_addr a;
      if (inet_pton (AF_INET, servers[i], &a) == 1) /* a bare address: port 53 */
        add_upstream (o.up, &o.n_up, servers[i]);
    }
  pthread_mutex_lock (&srv->lock);
  for (size_t i = 0; i < srv->n_own; i++)
    if (strcmp (srv->own[i].cid, cid) == 0)
      {
        free (srv->own[i].cid);
        memmove (&srv->own[i], &srv->own[i + 1], (srv->n_own - i - 1) * sizeof (*srv->own));
        srv->n_own--;
        break;
      }
  if (o.n_up > 0)
    {
      o.cid = xstrdup (cid);
      srv->own = xrealloc (srv->own, (srv->n_own + 1) * sizeof (*srv->own));
      srv->own[srv->n_own++] = o;
    }
  pthread_mutex_unlock (&srv->lock);
}
