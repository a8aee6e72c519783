#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/lib/mem.h"
#include "core/network/net-options.h"
#include "core/network/service.h"

const char *
net_mode_container_target (const char *mode)
{
  size_t n = strlen (NET_MODE_CONTAINER_PREFIX);

  if (mode == NULL || strncmp (mode, NET_MODE_CONTAINER_PREFIX, n) != 0)
    return NULL;
  return mode + n;
}

static bool
ip_ok (const char *s)
{
  unsigned char buf[16];

  return inet_pton (AF_INET, s, buf) == 1 || inet_pton (AF_INET6, s, buf) == 1;
}

/* the docker CLI's validateDomain: letters, digits, '-' and '.', a letter
   somewhere, shorter than 255 ("." alone: no search domain) */
static bool
domain_ok (const char *s)
{
  bool alpha = false;
  size_t n = strlen (s);

  if (strcmp (s, ".") == 0)
    return true;
  if (n == 0 || n >= 255 || s[0] == '-' || s[0] == '.')
    return false;
  for (const char *p = s; *p; p++)
    {
      if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
        alpha = true;
      else if (!((*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
        return false;
    }
  return alpha;
}

static bool
has_space (const char *s)
{
  return s[0] == '\0' || strpbrk (s, " \t\r\n") != NULL;
}

static bool
nonempty (json_object *host, const char *key)
{
  json_object *v = json_object_object_get (host, key);

  return json_object_is_type (v, json_type_array) && json_object_array_length (v) > 0;
}

/* key: null or an array of strings */
static int
strings (json_object *host, const char *key, berth_error_t *err)
{
  json_object *v = json_object_object_get (host, key);

  if (v == NULL)
    return 0;
  if (!json_object_is_type (v, json_type_array))
    return berth_error_make (err, EINVAL, "HostConfig.%s: expected an array of strings", key);
  for (size_t i = 0; i < json_object_array_length (v); i++)
    if (!json_object_is_type (json_object_array_get_idx (v, i), json_type_string))
      return berth_error_make (err, EINVAL, "HostConfig.%s[%zu]: expected a string", key, i);
  return 0;
}

static const char *
item (json_object *host, const char *key, size_t i)
{
  return json_object_get_string (json_object_array_get_idx (json_object_object_get (host, key), i));
}

static size_t
count (json_object *host, const char *key)
{
  json_object *v = json_object_object_get (host, key);

  return json_object_is_type (v, json_type_array) ? json_object_array_length (v) : 0;
}

/* "name:ip" (the address may hold colons: IPv6) or, as newer docker CLIs
   send, "name=ip" */
static bool
split_extra_host (const char *s, char **name, char **ip)
{
  const char *sep = strpbrk (s, "=:");

  if (sep == NULL || sep == s || sep[1] == '\0')
    return false;
  *name = xstrndup (s, (size_t) (sep - s));
  *ip = xstrdup (sep + 1);
  /* "[::1]" as the CLI allows */
  if ((*ip)[0] == '[' && (*ip)[strlen (*ip) - 1] == ']')
    {
      char *bare = xstrndup (*ip + 1, strlen (*ip) - 2);
      free (*ip);
      *ip = bare;
    }
  return true;
}

int
net_options_check (json_object *config, json_object *host, berth_error_t *err)
{
  const char *mode = json_object_get_string (json_object_object_get (host, "NetworkMode"));
  const char *target = net_mode_container_target (mode);
  static const char *const keys[] = { "Dns", "DnsSearch", "DnsOptions", "ExtraHosts" };

  for (size_t k = 0; k < sizeof (keys) / sizeof (keys[0]); k++)
    if (strings (host, keys[k], err) < 0)
      return berth_error_ret (err);
  for (size_t i = 0; i < count (host, "Dns"); i++)
    if (!ip_ok (item (host, "Dns", i)))
      return berth_error_make (err, EINVAL, "HostConfig.Dns: IP address is not correctly formatted: %s",
                               item (host, "Dns", i));
  for (size_t i = 0; i < count (host, "DnsSearch"); i++)
    if (!domain_ok (item (host, "DnsSearch", i)))
      return berth_error_make (err, EINVAL, "HostConfig.DnsSearch: %s is not a valid domain",
                               item (host, "DnsSearch", i));
  for (size_t i = 0; i < count (host, "DnsOptions"); i++)
    if (has_space (item (host, "DnsOptions", i)))
      return berth_error_make (err, EINVAL, "HostConfig.DnsOptions: invalid option \"%s\"",
                               item (host, "DnsOptions", i));
  for (size_t i = 0; i < count (host, "ExtraHosts"); i++)
    {
      cleanup_free char *name = NULL, *ip = NULL;
      const char *s = item (host, "ExtraHosts", i);
      if (!split_extra_host (s, &name, &ip) || has_space (name))
        return berth_error_make (err, EINVAL, "bad format for add-host: \"%s\"", s);
      if (strcmp (ip, NET_HOST_GATEWAY) != 0 && !ip_ok (ip))
        return berth_error_make (err, EINVAL, "invalid IP address in add-host: \"%s\"", ip);
    }
  if (mode == NULL || strncmp (mode, "container", 9) != 0)
    return 0;
  /* moby's validateNetContainerMode, in its order and words */
  if (target == NULL || target[0] == '\0')
    return berth_error_make (err, EINVAL, "Invalid network mode: invalid container format container:<name|id>");
  {
    const char *hn = json_object_get_string (json_object_object_get (config, "Hostname"));
    json_object *exposed = json_object_object_get (config, "ExposedPorts");
    json_object *bindings = json_object_object_get (host, "PortBindings");
    if (hn != NULL && hn[0] != '\0')
      return berth_error_make (err, EINVAL, "conflicting options: hostname and the network mode");
    if (nonempty (host, "Dns"))
      return berth_error_make (err, EINVAL, "conflicting options: dns and the network mode");
    if (nonempty (host, "ExtraHosts"))
      return berth_error_make (err, EINVAL, "conflicting options: custom host-to-IP mapping and the network mode");
    if ((json_object_is_type (bindings, json_type_object) && json_object_object_length (bindings) > 0)
        || json_object_get_boolean (json_object_object_get (host, "PublishAllPorts")))
      return berth_error_make (err, EINVAL,
                               "conflicting options: port publishing and the container type network mode");
    if (json_object_is_type (exposed, json_type_object) && json_object_object_length (exposed) > 0)
      return berth_error_make (err, EINVAL, "conflicting options: port exposing and the container type network mode");
  }
  return 0;
}

/* --- host-gateway --- */

static pthread_mutex_t gw_lock = PTHREAD_MUTEX_INITIALIZER;
static char *host_gateway;

void
net_options_set_host_gateway (const char *ip)
{
  pthread_mutex_lock (&gw_lock);
  free (host_gateway);
  host_gateway = ip ? xstrdup (ip) : NULL;
  pthread_mutex_unlock (&gw_lock);
}

void
net_options_learn_host_gateway (struct network_service *s)
{
  berth_error_t err = NULL;
  json_object *net = NULL, *ipam, *cfg;
  const char *gw = NULL;

  if (s == NULL || network_service_inspect (s, NETWORK_DEFAULT_NAME, &net, &err) < 0)
    {
      berth_error_release (&err);
      return;
    }
  ipam = json_object_object_get (net, "IPAM");
  cfg = json_object_object_get (ipam, "Config");
  if (json_object_is_type (cfg, json_type_array) && json_object_array_length (cfg) > 0)
    gw = json_object_get_string (json_object_object_get (json_object_array_get_idx (cfg, 0), "Gateway"));
  net_options_set_host_gateway (gw != NULL && gw[0] != '\0' ? gw : NULL);
  json_object_put (net);
}

static char *
host_gateway_copy (void)
{
  char *r;

  pthread_mutex_lock (&gw_lock);
  r = host_gateway ? xstrdup (host_gateway) : NULL;
  pthread_mutex_unlock (&gw_lock);
  return r;
}

/* --- text --- */

static void
append (char **out, const char *fmt_a, const char *b)
{
  char *next = xasprintf ("%s%s%s", *out, fmt_a, b);

  free (*out);
  *out = next;
}

static bool
starts_word (const char *line, const char *word)
{
  size_t n = strlen (word);

  return strncmp (line, word, n) == 0 && (line[n] == ' ' || line[n] == '\t');
}

/* base's lines starting with one of the words, each with its newline */
static char *
lines_of (const char *base, const char *w1, const char *w2)
{
  cleanup_free char *copy = xstrdup (base ? base : "");
  char *out = xstrdup (""), *save = NULL;

  for (char *l = strtok_r (copy, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
    if (starts_word (l, w1) || (w2 != NULL && starts_word (l, w2)))
      {
        append (&out, l, "\n");
      }
  return out;
}

static char *
joined (json_object *host, const char *key)
{
  char *out = xstrdup ("");

  for (size_t i = 0; i < count (host, key); i++)
    append (&out, i ? " " : "", item (host, key, i));
  return out;
}

/* libnetwork's order: search, nameservers, options; what is not given is
   the host's */
char *
net_resolv_conf_apply (const char *base, json_object *host)
{
  char *out;

  if (count (host, "Dns") == 0 && count (host, "DnsSearch") == 0 && count (host, "DnsOptions") == 0)
    return xstrdup (base ? base : "");
  out = xstrdup ("");
  if (count (host, "DnsSearch") > 0)
    {
      cleanup_free char *s = joined (host, "DnsSearch");
      if (strcmp (s, ".") != 0) /* "." : no search domain at all */
        {
          append (&out, "search ", s);
          append (&out, "\n", "");
        }
    }
  else
    {
      cleanup_free char *s = lines_of (base, "search", "domain");
      append (&out, s, "");
    }
  if (count (host, "Dns") > 0)
    for (size_t i = 0; i < count (host, "Dns"); i++)
      {
        append (&out, "nameserver ", item (host, "Dns", i));
        append (&out, "\n", "");
      }
  else
    {
      cleanup_free char *s = lines_of (base, "nameserver", NULL);
      append (&out, s, "");
    }
  if (count (host, "DnsOptions") > 0)
    {
      cleanup_free char *s = joined (host, "DnsOptions");
      append (&out, "options ", s);
      append (&out, "\n", "");
    }
  else
    {
      cleanup_free char *s = lines_of (base, "options", NULL);
      append (&out, s, "");
    }
  return out;
}

int
net_extra_hosts_text (json_object *host, char **ret, berth_error_t *err)
{
  char *out = xstrdup ("");

  for (size_t i = 0; i < count (host, "ExtraHosts"); i++)
    {
      cleanup_free char *name = NULL, *ip = NULL, *line = NULL;
      if (!split_extra_host (item (host, "ExtraHosts", i), &name, &ip))
        continue; /* checked at create */
      if (strcmp (ip, NET_HOST_GATEWAY) == 0)
        {
          free (ip);
          ip = host_gateway_copy ();
          if (ip == NULL)
            {
              free (out);
              return berth_error_make (err, EINVAL, "unable to derive the IP value for host-gateway");
            }
        }
      line = xasprintf ("%s\t%s\n", ip, name);
      append (&out, line, "");
    }
  *ret = out;
  return 0;
}
