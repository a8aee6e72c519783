/* nftables through libnftables: commands as text, one transaction each. */
#include "config.h"

#include "bridge-nft.h"
#include "bridge-thread.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nftables/libnftables.h>

static int
fail (char msg[BNFT_MSG], int code, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (msg, BNFT_MSG, fmt, ap);
  va_end (ap);
  return code;
}

bool
bnft_name_ok (const char *name)
{
  size_t n = strlen (name);

  if (n == 0 || n > 63)
    return false;
  for (const char *p = name; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'
          || *p == '-'))
      return false;
  return true;
}

struct nft_job
{
  const char *cmds;
  int code;
  const char *what;
  char *msg;
};

static int run_here (const char *cmds, int code, const char *what, char msg[BNFT_MSG]);

static int
run_job (void *p)
{
  struct nft_job *j = p;
  return run_here (j->cmds, j->code, j->what, j->msg);
}

/* Run cmds; nft's own message (first line) on failure.  code is the errno
   to report, as nft's text does not carry one. */
static int
run (const char *cmds, int code, const char *what, char msg[BNFT_MSG])
{
  struct nft_job j = { cmds, code, what, msg };
  int r;

  msg[0] = '\0';
  r = bthread_call (run_job, &j);

  if (r < 0 && msg[0] == '\0')
    fail (msg, r, "nftables: %s: cannot start a thread", what);
  return r;
}

static int
run_here (const char *cmds, int code, const char *what, char msg[BNFT_MSG])
{
  struct nft_ctx *nft = nft_ctx_new (NFT_CTX_DEFAULT);
  int r;

  if (nft == NULL)
    return fail (msg, -ENOMEM, "nftables: cannot create a context");
  nft_ctx_buffer_output (nft);
  nft_ctx_buffer_error (nft);
  r = nft_run_cmd_from_buffer (nft, cmds);
  if (r != 0)
    {
      const char *e = nft_ctx_get_error_buffer (nft);
      size_t len = e ? strcspn (e, "\n") : 0;
      fail (msg, code, "nftables: %s: %.*s", what, (int) len, e ? e : "");
      nft_ctx_free (nft);
      return code;
    }
  nft_ctx_free (nft);
  return 0;
}

/* The IPv6 side: the same masquerade and isolation as the ip table's, and
   ports published on every address (the puball6 map). */
static char *
table6 (const char *table, const char *bridge, const char *subnet6, bool internal)
{
  char *t = NULL, masq[200];

  if (subnet6 == NULL)
    return asprintf (&t, "add table ip6 %1$s\ndelete table ip6 %1$s\n", table) < 0 ? NULL : t;
  if (internal)
    masq[0] = '\0';
  else
    snprintf (masq, sizeof (masq), "    ip6 saddr %s oifname != \"%s\" masquerade\n", subnet6, bridge);
  if (asprintf (&t,
                "add table ip6 %1$s\n"
                "delete table ip6 %1$s\n"
                "table ip6 %1$s {\n"
                "  map puball6 { type inet_proto . inet_service : ipv6_addr . inet_service; }\n"
                "  chain prerouting { type nat hook prerouting priority dstnat; policy accept;\n"
                "    fib daddr type local dnat ip6 to meta l4proto . th dport map @puball6\n"
                "  }\n"
                "  chain output { type nat hook output priority -100; policy accept;\n"
                "    ip6 daddr != ::1 fib daddr type local dnat ip6 to meta l4proto . th dport map @puball6\n"
                "  }\n"
                "  chain postrouting { type nat hook postrouting priority srcnat; policy accept;\n"
                "%3$s"
                "  }\n"
                "  chain forward { type filter hook forward priority filter; policy accept;\n"
                "    oifname \"%2$s\" ct state established,related accept\n"
                "    iifname \"%2$s\" oifname \"%2$s\" accept\n"
                "    iifname \"%2$s\" %4$s\n"
                "    oifname \"%2$s\" ct status dnat accept\n"
                "    oifname \"%2$s\" drop\n"
                "  }\n"
                "}\n",
                table, bridge, masq, internal ? "drop" : "accept")
      < 0)
    return NULL;
  return t;
}

/* a subnet that is safe inside an nft command: hex digits, ':', '.', '/' */
static bool
cidr_text_ok (const char *s)
{
  if (s == NULL || s[0] == '\0' || strlen (s) > 64)
    return false;
  for (const char *p = s; *p; p++)
    if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F') || *p == ':' || *p == '.'
          || *p == '/'))
      return false;
  return true;
}

int
bnft_table_setup (const char *table, const char *bridge, const char *subnet, const char *subnet6, bool internal,
                  char msg[BNFT_MSG])
{
  char *cmds = NULL, masq[160], *v6 = NULL;
  int r;

  if (!bnft_name_ok (table) || !bnft_name_ok (bridge))
    return fail (msg, -EINVAL, "nftables: bad table or bridge name");
  if (!cidr_text_ok (subnet) || (subnet6 != NULL && !cidr_text_ok (subnet6)))
    return fail (msg, -EINVAL, "nftables: bad subnet");
  v6 = table6 (table, bridge, subnet6, internal);
  if (v6 == NULL)
    return fail (msg, -ENOMEM, "out of memory");
  /* an internal network has no way out: no masquerade */
  if (internal)
    masq[0] = '\0';
  else
    snprintf (masq, sizeof (masq), "    ip saddr %s oifname != \"%s\" masquerade\n", subnet, bridge);
  /* "add" then "delete" so that the delete never fails; the whole buffer is
     one transaction, so the table is never seen half-built */
  if (asprintf (&cmds,
                "add table ip %1$s\n"
                "delete table ip %1$s\n"
                "table ip %1$s {\n"
                "  map pub4 { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }\n"
                "  map puball { type inet_proto . inet_service : ipv4_addr . inet_service; }\n"
                "  chain prerouting { type nat hook prerouting priority dstnat; policy accept;\n"
                "    fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @pub4\n"
                "    fib daddr type local dnat ip to meta l4proto . th dport map @puball\n"
                "  }\n"
                "  chain output { type nat hook output priority -100; policy accept;\n"
                "    fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @pub4\n"
                "    fib daddr type local dnat ip to meta l4proto . th dport map @puball\n"
                "  }\n"
                "  chain postrouting { type nat hook postrouting priority srcnat; policy accept;\n"
                "%3$s"
                "    oifname \"%2$s\" ip saddr 127.0.0.0/8 masquerade\n"
                /* hairpin: a container to a published port (its own or a
                   neighbour's) through a host address goes back into the
                   bridge (with br_netfilter DNATed at the bridge itself, no
                   input interface then): from the gateway's address, so
                   the answer comes back through conntrack and is un-NATed */
                "    oifname \"%2$s\" ip saddr %5$s ct status dnat masquerade\n"
                "  }\n"
                /* isolation: into the bridge only what its own containers
                   send, answers, and published ports; an internal network's
                   traffic never leaves its bridge */
                "  chain forward { type filter hook forward priority filter; policy accept;\n"
                "    oifname \"%2$s\" ct state established,related accept\n"
                "    iifname \"%2$s\" oifname \"%2$s\" accept\n"
                "    iifname \"%2$s\" %4$s\n"
                "    oifname \"%2$s\" ct status dnat accept\n"
                "    oifname \"%2$s\" drop\n"
                "  }\n"
                "}\n"
                "%6$s",
                table, bridge, masq, internal ? "drop" : "accept", subnet, v6)
      < 0)
    {
      free (v6);
      return fail (msg, -ENOMEM, "out of memory");
    }
  free (v6);
  r = run (cmds, -EIO, "set up the table", msg);
  free (cmds);
  return r;
}

int
bnft_table_remove (const char *table, char msg[BNFT_MSG])
{
  char cmds[320];

  if (!bnft_name_ok (table))
    return fail (msg, -EINVAL, "nftables: bad table name");
  snprintf (cmds, sizeof (cmds), "add table ip %1$s\ndelete table ip %1$s\nadd table ip6 %1$s\ndelete table ip6 %1$s\n",
            table);
  return run (cmds, -EIO, "remove the table", msg);
}

static bool
ipv4_ok (const char *s)
{
  struct in_addr a;
  return inet_pton (AF_INET, s, &a) == 1;
}

int
bnft_port (const char *table, bool add, const char *host_ip, uint16_t proto, uint16_t host_port,
           const char *container_ip, uint16_t container_port, char msg[BNFT_MSG])
{
  const char *p = proto == 17 ? "udp" : "tcp";
  bool any = host_ip == NULL || host_ip[0] == '\0' || strcmp (host_ip, "0.0.0.0") == 0;
  char cmds[320], key[96];

  if (!bnft_name_ok (table) || !ipv4_ok (container_ip) || (!any && !ipv4_ok (host_ip)))
    return fail (msg, -EINVAL, "nftables: bad table name or address");
  if (any)
    snprintf (key, sizeof (key), "%s . %u", p, host_port);
  else
    snprintf (key, sizeof (key), "%s . %s . %u", host_ip, p, host_port);
  if (add)
    snprintf (cmds, sizeof (cmds), "create element ip %s %s { %s : %s . %u }\n", table, any ? "puball" : "pub4", key,
              container_ip, container_port);
  else
    snprintf (cmds, sizeof (cmds), "delete element ip %s %s { %s }\n", table, any ? "puball" : "pub4", key);
  return run (cmds, add ? -EEXIST : -ENOENT, add ? "publish a port" : "unpublish a port", msg);
}

int
bnft_port6 (const char *table, bool add, uint16_t proto, uint16_t host_port, const char *container_ip6,
            uint16_t container_port, char msg[BNFT_MSG])
{
  const char *p = proto == 17 ? "udp" : "tcp";
  struct in6_addr a;
  char cmds[320];

  if (!bnft_name_ok (table) || inet_pton (AF_INET6, container_ip6, &a) != 1)
    return fail (msg, -EINVAL, "nftables: bad table name or address");
  if (add)
    snprintf (cmds, sizeof (cmds), "create element ip6 %s puball6 { %s . %u : %s . %u }\n", table, p, host_port,
              container_ip6, container_port);
  else
    snprintf (cmds, sizeof (cmds), "delete element ip6 %s puball6 { %s . %u }\n", table, p, host_port);
  return run (cmds, add ? -EEXIST : -ENOENT, add ? "publish a port over IPv6" : "unpublish a port over IPv6", msg);
}
