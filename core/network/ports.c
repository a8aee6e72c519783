#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/lib/mem.h"
#include "core/network/ports.h"

static int
parse_u16 (const char *s, uint16_t *ret)
{
  char *end;
  long v;

  if (s == NULL || s[0] < '0' || s[0] > '9')
    return -1;
  errno = 0;
  v = strtol (s, &end, 10);
  if (*end != '\0' || errno != 0 || v < 0 || v > 65535)
    return -1;
  *ret = (uint16_t) v;
  return 0;
}

int
net_port_key_parse (const char *key, uint16_t *port, uint16_t *proto, berth_error_t *err)
{
  const char *slash = strchr (key, '/');
  cleanup_free char *num = xstrndup (key, slash ? (size_t) (slash - key) : strlen (key));

  if (parse_u16 (num, port) < 0 || *port == 0)
    return berth_error_make (err, EINVAL, "invalid port specification: \"%s\"", key);
  if (slash == NULL || strcmp (slash + 1, "tcp") == 0)
    *proto = IPPROTO_TCP;
  else if (strcmp (slash + 1, "udp") == 0)
    *proto = IPPROTO_UDP;
  else
    return berth_error_make (err, EINVAL, "invalid proto: %s (berth publishes tcp and udp)", slash + 1);
  return 0;
}

static void
add_port (struct net_port **p, size_t *n, uint16_t proto, uint16_t cport, uint16_t hport, const char *hip)
{
  *p = xrealloc (*p, (*n + 1) * sizeof (**p));
  (*p)[*n] = (struct net_port) { .proto = proto, .container_port = cport, .host_port = hport,
                                 .host_ip = xstrdup (hip ? hip : "") };
  (*n)++;
}

static int
parse_binding (const char *key, json_object *b, uint16_t proto, uint16_t cport, struct net_port **p, size_t *n,
               berth_error_t *err)
{
  json_object *hip = json_object_object_get (b, "HostIp"), *hport = json_object_object_get (b, "HostPort");
  const char *ip = hip ? json_object_get_string (hip) : "";
  const char *hp = hport ? json_object_get_string (hport) : "";
  uint16_t host_port = 0;
  struct in_addr a;

  if (!json_object_is_type (b, json_type_object))
    return berth_error_make (err, EINVAL, "HostConfig.PortBindings[%s]: each binding must be an object", key);
  if (ip != NULL && ip[0] != '\0' && inet_pton (AF_INET, ip, &a) != 1)
    return berth_error_make (err, EINVAL, "invalid IP address: %s (berth publishes on IPv4 addresses)", ip);
  if (hp != NULL && hp[0] != '\0' && parse_u16 (hp, &host_port) < 0)
    return berth_error_make (err, EINVAL, "invalid port specification: \"%s\" (a range is given by the client as "
                                          "one binding per port)", hp);
  add_port (p, n, proto, cport, host_port, ip);
  return 0;
}

int
net_ports_parse (json_object *bindings, json_object *exposed, bool publish_all, struct net_port **ret,
                 size_t *ret_n, berth_error_t *err)
{
  struct net_port *p = NULL;
  size_t n = 0;

  if (bindings != NULL && !json_object_is_type (bindings, json_type_null))
    {
      if (!json_object_is_type (bindings, json_type_object))
        return berth_error_make (err, EINVAL, "HostConfig.PortBindings must be an object");
      json_object_object_foreach (bindings, key, list)
        {
          uint16_t proto, cport;
          if (net_port_key_parse (key, &cport, &proto, err) < 0)
            goto fail;
          if (list == NULL || json_object_is_type (list, json_type_null))
            continue;
          if (!json_object_is_type (list, json_type_array))
            {
              berth_error_make (err, EINVAL, "HostConfig.PortBindings[%s] must be a list", key);
              goto fail;
            }
          for (size_t i = 0; i < json_object_array_length (list); i++)
            if (parse_binding (key, json_object_array_get_idx (list, i), proto, cport, &p, &n, err) < 0)
              goto fail;
        }
    }
  if (publish_all && json_object_is_type (exposed, json_type_object))
    {
      json_object_object_foreach (exposed, key, unused)
        {
          uint16_t proto, cport;
          bool bound = false;
          (void) unused;
          if (net_port_key_parse (key, &cport, &proto, err) < 0)
            goto fail;
          for (size_t i = 0; i < n; i++)
            bound |= p[i].container_port == cport && p[i].proto == proto;
          if (!bound)
            add_port (&p, &n, proto, cport, 0, "");
        }
    }
  *ret = p;
  *ret_n = n;
  return 0;
fail:
  net_ports_free (p, n);
  return berth_error_ret (err);
}

void
net_ports_free (struct net_port *p, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (p[i].host_ip);
  free (p);
}

int
net_port_pick (uint16_t proto, uint16_t *ret, berth_error_t *err)
{
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_ANY), .sin_port = 0 };
  socklen_t len = sizeof (a);
  cleanup_close int fd = socket (AF_INET, (proto == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);

  if (fd < 0)
    return berth_error_errno (err, errno, "socket");
  if (bind (fd, (struct sockaddr *) &a, sizeof (a)) < 0 || getsockname (fd, (struct sockaddr *) &a, &len) < 0)
    return berth_error_errno (err, errno, "cannot find a free host port");
  *ret = ntohs (a.sin_port);
  return 0;
}

static const char *
proto_name (uint16_t proto)
{
  return proto == IPPROTO_UDP ? "udp" : "tcp";
}

json_object *
net_ports_settings_json (const struct net_port *p, size_t n, json_object *exposed)
{
  json_object *o = json_object_new_object ();

  if (json_object_is_type (exposed, json_type_object))
    {
      json_object_object_foreach (exposed, key, unused)
        {
          uint16_t port, proto;
          (void) unused;
          if (net_port_key_parse (key, &port, &proto, NULL) == 0)
            {
              cleanup_free char *k = xasprintf ("%u/%s", port, proto_name (proto));
              json_object_object_add (o, k, NULL);
            }
        }
    }
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *k = xasprintf ("%u/%s", p[i].container_port, proto_name (p[i].proto));
      cleanup_free char *hp = xasprintf ("%u", p[i].host_port);
      json_object *list = json_object_object_get (o, k), *b = json_object_new_object ();
      if (list == NULL)
        {
          list = json_object_new_array ();
          json_object_object_add (o, k, list);
        }
      json_object_object_add (b, "HostIp", json_object_new_string (p[i].host_ip[0] ? p[i].host_ip : "0.0.0.0"));
      json_object_object_add (b, "HostPort", json_object_new_string (hp));
      json_object_array_add (list, b);
    }
  return o;
}

json_object *
net_ports_to_json (const struct net_port *p, size_t n)
{
  json_object *a = json_object_new_array ();

  for (size_t i = 0; i < n; i++)
    {
      json_object *o = json_object_new_object ();
      json_object_object_add (o, "Proto", json_object_new_string (proto_name (p[i].proto)));
      json_object_object_add (o, "ContainerPort", json_object_new_int (p[i].container_port));
      json_object_object_add (o, "HostPort", json_object_new_int (p[i].host_port));
      json_object_object_add (o, "HostIp", json_object_new_string (p[i].host_ip));
      json_object_array_add (a, o);
    }
  return a;
}

int
net_ports_from_json (json_object *a, struct net_port **ret, size_t *ret_n)
{
  struct net_port *p = NULL;
  size_t n = 0;

  for (size_t i = 0; json_object_is_type (a, json_type_array) && i < json_object_array_length (a); i++)
    {
      json_object *o = json_object_array_get_idx (a, i);
      const char *proto = json_object_get_string (json_object_object_get (o, "Proto"));
      add_port (&p, &n, proto && strcmp (proto, "udp") == 0 ? IPPROTO_UDP : IPPROTO_TCP,
                (uint16_t) json_object_get_int (json_object_object_get (o, "ContainerPort")),
                (uint16_t) json_object_get_int (json_object_object_get (o, "HostPort")),
                json_object_get_string (json_object_object_get (o, "HostIp")));
    }
  *ret = p;
  *ret_n = n;
  return 0;
}
