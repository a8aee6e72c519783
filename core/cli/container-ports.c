/* -p/--publish, -P/--publish-all and --expose of run/create: docker's
   [ip:][hostPort:]containerPort[/proto] with port ranges, into
   HostConfig.PortBindings, PublishAllPorts and Config.ExposedPorts. */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cli/container.h"
#include "core/lib/mem.h"

static int
complain (const char *arg, const char *flag, const char *why)
{
  fprintf (stderr, "invalid argument \"%s\" for \"%s\" flag: %s\n", arg, flag, why);
  return 1;
}

/* "80" or "8000-8010": first and last; 0 on success */
static int
port_range (const char *s, unsigned *lo, unsigned *hi)
{
  char *end;
  unsigned long a, b;

  if (s[0] < '0' || s[0] > '9')
    return -1;
  a = strtoul (s, &end, 10);
  b = a;
  if (*end == '-')
    {
      const char *t = end + 1;
      if (t[0] < '0' || t[0] > '9')
        return -1;
      b = strtoul (t, &end, 10);
    }
  if (*end != '\0' || a == 0 || a > 65535 || b < a || b > 65535)
    return -1;
  *lo = (unsigned) a;
  *hi = (unsigned) b;
  return 0;
}

static void
expose (struct berth_create_opts *o, unsigned port, const char *proto)
{
  cleanup_free char *key = xasprintf ("%u/%s", port, proto);

  if (o->exposed_ports == NULL)
    o->exposed_ports = json_object_new_object ();
  if (!json_object_object_get_ex (o->exposed_ports, key, NULL))
    json_object_object_add (o->exposed_ports, key, json_object_new_object ());
}

static void
bind_port (struct berth_create_opts *o, unsigned cport, const char *proto, const char *ip, unsigned hport)
{
  cleanup_free char *key = xasprintf ("%u/%s", cport, proto);
  cleanup_free char *hp = hport ? xasprintf ("%u", hport) : xstrdup ("");
  json_object *list, *b = json_object_new_object ();

  if (o->port_bindings == NULL)
    o->port_bindings = json_object_new_object ();
  if (!json_object_object_get_ex (o->port_bindings, key, &list))
    {
      list = json_object_new_array ();
      json_object_object_add (o->port_bindings, key, list);
    }
  json_object_object_add (b, "HostIp", json_object_new_string (ip));
  json_object_object_add (b, "HostPort", json_object_new_string (hp));
  json_object_array_add (list, b);
  expose (o, cport, proto);
}

static int
publish (struct berth_create_opts *o, const char *arg)
{
  cleanup_free char *spec = xstrdup (arg);
  char *proto = strchr (spec, '/'), *parts[3] = { NULL, NULL, NULL };
  const char *ip = "", *host = "", *cont;
  unsigned clo, chi, hlo = 0, hhi = 0;
  size_t n = 0;
  struct in_addr a;

  if (proto != NULL)
    *proto++ = '\0';
  else
    proto = (char *) "tcp";
  if (strcmp (proto, "tcp") != 0 && strcmp (proto, "udp") != 0)
    return complain (arg, "-p, --publish", "invalid proto (tcp or udp)");
  /* split at ':' keeping empty fields (ip::80) */
  parts[n++] = spec;
  for (char *c = spec; *c; c++)
    if (*c == ':')
      {
        if (n == 3)
          return complain (arg, "-p, --publish", "too many colons (IPv6 addresses are not supported)");
        *c = '\0';
        parts[n++] = c + 1;
      }
  cont = parts[n - 1];
  if (n == 2)
    host = parts[0];
  else if (n == 3)
    {
      ip = parts[0];
      host = parts[1];
    }
  if (ip[0] != '\0' && inet_pton (AF_INET, ip, &a) != 1)
    return complain (arg, "-p, --publish", "invalid IP address");
  if (port_range (cont, &clo, &chi) < 0)
    return complain (arg, "-p, --publish", "invalid containerPort");
  if (host[0] != '\0' && port_range (host, &hlo, &hhi) < 0)
    return complain (arg, "-p, --publish", "invalid hostPort");
  if (host[0] != '\0' && hhi - hlo != chi - clo)
    return complain (arg, "-p, --publish", "the host and container port ranges must have the same size");
  for (unsigned p = clo; p <= chi; p++)
    bind_port (o, p, proto, ip, host[0] != '\0' ? hlo + (p - clo) : 0);
  return 0;
}

int
berth_container_opt_ports (struct berth_create_opts *o, int opt, const char *arg)
{
  switch (opt)
    {
    case 'p':
      return publish (o, arg);
    case 'P':
      o->publish_all = true;
      return 0;
    case BERTH_OPT_EXPOSE:
      {
        cleanup_free char *spec = xstrdup (arg);
        char *proto = strchr (spec, '/');
        unsigned lo, hi;
        if (proto != NULL)
          *proto++ = '\0';
        if ((proto != NULL && strcmp (proto, "tcp") != 0 && strcmp (proto, "udp") != 0)
            || port_range (spec, &lo, &hi) < 0)
          return complain (arg, "--expose", "invalid port (PORT[-PORT][/tcp|udp])");
        for (unsigned p = lo; p <= hi; p++)
          expose (o, p, proto ? proto : "tcp");
        return 0;
      }
    }
  return 1;
}

void
berth_container_opts_ports_body (const struct berth_create_opts *o, struct json_object *body, struct json_object *host)
{
  if (o->exposed_ports != NULL)
    json_object_object_add (body, "ExposedPorts", json_object_get (o->exposed_ports));
  if (o->port_bindings != NULL)
    json_object_object_add (host, "PortBindings", json_object_get (o->port_bindings));
  json_object_object_add (host, "PublishAllPorts", json_object_new_boolean (o->publish_all));
}

void
berth_container_opts_ports_free (struct berth_create_opts *o)
{
  json_object_put (o->port_bindings);
  json_object_put (o->exposed_ports);
  o->port_bindings = o->exposed_ports = NULL;
}
