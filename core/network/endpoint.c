#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "core/container/id.h"
#include "core/lib/fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/network/endpoint.h"
#include "core/network/ipam.h"
#include "core/network/ipam6.h"

void
net_endpoint_mac (uint32_t ip, uint8_t mac[6])
{
  mac[0] = 0x02;
  mac[1] = 0x42;
  mac[2] = (uint8_t) (ip >> 24);
  mac[3] = (uint8_t) (ip >> 16);
  mac[4] = (uint8_t) (ip >> 8);
  mac[5] = (uint8_t) ip;
}

char *
net_endpoint_mac_text (const uint8_t mac[6])
{
  return xasprintf ("%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

static char *
record_path (const char *dir, const char *default_net, const char *cid, const char *net_id)
{
  if (strcmp (net_id, default_net) == 0)
    return xasprintf ("%s/%s.json", dir, cid);
  return xasprintf ("%s/%s-%s.json", dir, cid, net_id);
}

int
net_endpoint_save (const char *dir, const char *default_net, const struct net_endpoint *e, berth_error_t *err)
{
  cleanup_free char *path = record_path (dir, default_net, e->cid, e->net_id), *ip = ipam4_format (e->ip);
  json_object *o = json_object_new_object (), *al = json_object_new_array ();
  const char *text;
  int r;

  json_object_object_add (o, "EndpointID", json_object_new_string (e->id));
  json_object_object_add (o, "IPAddress", json_object_new_string (ip));
  if (e->has_ip6)
    {
      cleanup_free char *ip6 = ipam6_format (&e->ip6);
      json_object_object_add (o, "GlobalIPv6Address", json_object_new_string (ip6));
    }
  json_object_object_add (o, "SandboxKey", json_object_new_string (e->netns));
  json_object_object_add (o, "Ports", net_ports_to_json (e->ports, e->n_ports));
  json_object_object_add (o, "NetworkID", json_object_new_string (e->net_id));
  json_object_object_add (o, "Name", json_object_new_string (e->name ? e->name : ""));
  for (size_t i = 0; e->aliases != NULL && e->aliases[i] != NULL; i++)
    json_object_array_add (al, json_object_new_string (e->aliases[i]));
  json_object_object_add (o, "Aliases", al);
  if (e->static_ip != NULL)
    json_object_object_add (o, "StaticIP", json_object_new_string (e->static_ip));
  if (e->static_ip6 != NULL)
    json_object_object_add (o, "StaticIP6", json_object_new_string (e->static_ip6));
  json_object_object_add (o, "IfNum", json_object_new_int ((int) e->ifnum));
  text = json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  /* what it records (veth, namespace, the lease of a running container)
     does not outlive a reboot: write+rename survives a daemon crash, and
     an fsync would cost milliseconds on every start (H16, issue 7 item 8) */
  r = berth_write_file_replace (path, text, strlen (text), 0600, err);
  json_object_put (o);
  return r;
}

void
net_endpoint_unlink (const char *dir, const char *default_net, const struct net_endpoint *e)
{
  cleanup_free char *path = record_path (dir, default_net, e->cid, e->net_id);
  unlink (path);
}

static struct net_endpoint *
load_one (const char *dir, const char *file, const char *cid, const char *default_net)
{
  cleanup_free char *path = xasprintf ("%s/%s", dir, file), *text = NULL;
  struct net_endpoint *e;
  json_object *o;
  size_t len;
  const char *id, *netns;
  uint32_t ip;

  if (berth_read_file (path, 1 << 20, &text, &len, NULL) < 0 || (o = json_tokener_parse (text)) == NULL)
    return NULL;
  id = json_object_get_string (json_object_object_get (o, "EndpointID"));
  netns = json_object_get_string (json_object_object_get (o, "SandboxKey"));
  if (id == NULL || netns == NULL
      || ipam4_parse_addr (json_object_get_string (json_object_object_get (o, "IPAddress")), &ip, NULL) < 0)
    {
      json_object_put (o);
      return NULL;
    }
  e = xmalloc0 (sizeof (*e));
  e->cid = xstrdup (cid);
  e->id = xstrdup (id);
  e->ip = ip;
  net_endpoint_mac (ip, e->mac);
  e->netns = xstrdup (netns);
  net_ports_from_json (json_object_object_get (o, "Ports"), &e->ports, &e->n_ports);
  {
    const char *net = json_object_get_string (json_object_object_get (o, "NetworkID"));
    const char *name = json_object_get_string (json_object_object_get (o, "Name"));
    const char *sip = json_object_get_string (json_object_object_get (o, "StaticIP"));
    const char *sip6 = json_object_get_string (json_object_object_get (o, "StaticIP6"));
    json_object *al = json_object_object_get (o, "Aliases");
    size_t n = json_object_is_type (al, json_type_array) ? json_object_array_length (al) : 0;

    e->net_id = xstrdup (net != NULL && net[0] != '\0' ? net : default_net);
    e->name = name != NULL ? xstrdup (name) : NULL;
    e->static_ip = sip != NULL ? xstrdup (sip) : NULL;
    e->static_ip6 = sip6 != NULL ? xstrdup (sip6) : NULL;
    e->ifnum = (unsigned) json_object_get_int (json_object_object_get (o, "IfNum"));
    e->has_ip6 = ipam6_parse_addr (json_object_get_string (json_object_object_get (o, "GlobalIPv6Address")), &e->ip6,
                                   NULL)
                 == 0;
    e->aliases = xmalloc0 ((n + 1) * sizeof (char *));
    for (size_t i = 0; i < n; i++)
      e->aliases[i] = xstrdup (json_object_get_string (json_object_array_get_idx (al, i)) ?: "");
  }
  json_object_put (o);
  return e;
}

void
net_endpoints_load (const char *dir, const char *default_net, struct net_endpoint ***ret, size_t *ret_n)
{
  cleanup_dir DIR *d = opendir (dir);
  struct dirent *de;

  *ret = NULL;
  *ret_n = 0;
  while (d != NULL && (de = readdir (d)) != NULL)
    {
      size_t len = strlen (de->d_name);
      cleanup_free char *cid = NULL;
      struct net_endpoint *e;

      if ((len != CONTAINER_ID_LEN + 5 && len != 2 * CONTAINER_ID_LEN + 6)
          || strcmp (de->d_name + len - 5, ".json") != 0)
        continue;
      cid = xstrndup (de->d_name, CONTAINER_ID_LEN);
      e = load_one (dir, de->d_name, cid, default_net);
      if (e == NULL)
        {
          log_warn ("network endpoint record %s/%s is unreadable: ignored", dir, de->d_name);
          continue;
        }
      *ret = xrealloc (*ret, (*ret_n + 1) * sizeof (**ret));
      (*ret)[(*ret_n)++] = e;
    }
}

void
net_endpoint_free (struct net_endpoint *e)
{
  if (e == NULL)
    return;
  free (e->cid);
  free (e->net_id);
  free (e->name);
  strv_free (e->aliases);
  free (e->static_ip);
  free (e->static_ip6);
  free (e->id);
  free (e->netns);
  net_ports_free (e->ports, e->n_ports);
  free (e);
}
