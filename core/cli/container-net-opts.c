/* run/create flags for a container's DNS and hosts files, checked as the
   docker CLI does: --dns, --dns-search, --dns-option, --add-host,
   --domainname. */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "core/cli/container.h"
#include "core/lib/mem.h"

static int
complain (const char *arg, const char *flag, const char *why)
{
  fprintf (stderr, "invalid argument \"%s\" for \"%s\" flag: %s\n", arg, flag, why);
  return 1;
}

static bool
ip_ok (const char *s)
{
  unsigned char buf[16];

  return inet_pton (AF_INET, s, buf) == 1 || inet_pton (AF_INET6, s, buf) == 1;
}

static void
add (struct json_object **arr, const char *s)
{
  if (*arr == NULL)
    *arr = json_object_new_array ();
  json_object_array_add (*arr, json_object_new_string (s));
}

/* "name:ip" or "name=ip"; ip an address, "[v6]" or host-gateway */
static int
add_host (struct berth_create_opts *o, const char *arg)
{
  const char *sep = strpbrk (arg, "=:");
  cleanup_free char *ip = NULL, *why = NULL;
  size_t n;

  if (sep == NULL || sep == arg || sep[1] == '\0')
    {
      why = xasprintf ("bad format for add-host: \"%s\"", arg);
      return complain (arg, "--add-host", why);
    }
  ip = xstrdup (sep + 1);
  n = strlen (ip);
  if (n > 2 && ip[0] == '[' && ip[n - 1] == ']')
    {
      memmove (ip, ip + 1, n - 2);
      ip[n - 2] = '\0';
    }
  if (strcmp (ip, "host-gateway") != 0 && !ip_ok (ip))
    {
      why = xasprintf ("invalid IP address in add-host: \"%s\"", ip);
      return complain (arg, "--add-host", why);
    }
  {
    /* the daemon gets name:ip, as the docker CLI sends it */
    cleanup_free char *name = xstrndup (arg, (size_t) (sep - arg));
    cleanup_free char *entry = xasprintf ("%s:%s", name, ip);
    add (&o->extra_hosts, entry);
  }
  return 0;
}

int
berth_container_opt_net (struct berth_create_opts *o, int opt, const char *arg)
{
  cleanup_free char *why = NULL;

  switch (opt)
    {
    case BERTH_OPT_DNS:
      if (!ip_ok (arg))
        {
          why = xasprintf ("IP address is not correctly formatted: %s", arg);
          return complain (arg, "--dns", why);
        }
      add (&o->dns, arg);
      return 0;
    case BERTH_OPT_DNS_SEARCH:
      {
        bool alpha = strcmp (arg, ".") == 0;
        for (const char *p = arg; *p; p++)
          alpha |= (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
        if (!alpha || strlen (arg) >= 255 || arg[0] == '-' || strpbrk (arg, " \t/_:") != NULL)
          {
            why = xasprintf ("%s is not a valid domain", arg);
            return complain (arg, "--dns-search", why);
          }
        add (&o->dns_search, arg);
        return 0;
      }
    case BERTH_OPT_DNS_OPTION:
      add (&o->dns_options, arg);
      return 0;
    case BERTH_OPT_ADD_HOST:
      return add_host (o, arg);
    case BERTH_OPT_DOMAINNAME:
      o->domainname = arg;
      return 0;
    }
  return 1;
}

void
berth_container_opts_net_body (const struct berth_create_opts *o, struct json_object *host)
{
  struct json_object *const lists[] = { o->dns, o->dns_search, o->dns_options, o->extra_hosts };
  static const char *const keys[] = { "Dns", "DnsSearch", "DnsOptions", "ExtraHosts" };

  for (size_t i = 0; i < sizeof (keys) / sizeof (keys[0]); i++)
    json_object_object_add (host, keys[i], lists[i] != NULL ? json_object_get (lists[i]) : json_object_new_array ());
}

void
berth_container_opts_net_free (struct berth_create_opts *o)
{
  json_object_put (o->dns);
  json_object_put (o->dns_search);
  json_object_put (o->dns_options);
  json_object_put (o->extra_hosts);
  o->dns = o->dns_search = o->dns_options = o->extra_hosts = NULL;
}
