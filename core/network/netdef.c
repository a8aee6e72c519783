#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/lib/fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/network/ipam.h"
#include "core/network/ipam6.h"
#include "core/network/netdef.h"

char *
net_cidr_text (uint32_t addr, unsigned prefix)
{
  cleanup_free char *a = ipam4_format (addr);
  return xasprintf ("%s/%u", a, prefix);
}

char *
net_cidr6_text (const struct in6_addr *addr, unsigned prefix)
{
  cleanup_free char *a = ipam6_format (addr);
  return xasprintf ("%s/%u", a, prefix);
}

void
net_def_free (struct net_def *n)
{
  if (n == NULL)
    return;
  free (n->id);
  free (n->name);
  free (n->driver);
  free (n->created);
  free (n->bridge);
  free (n->table);
  json_object_put (n->labels);
  json_object_put (n->options);
  ipam4_free (n->ipam);
  ipam6_free (n->ipam6);
  free (n->error);
  free (n);
}

static json_object *
str (const char *s)
{
  return json_object_new_string (s ? s : "");
}

static json_object *
copy_obj (json_object *o)
{
  json_object *c = NULL;

  if (o == NULL || json_object_deep_copy (o, &c, NULL) != 0 || c == NULL)
    return json_object_new_object ();
  return c;
}

/* the record: what net_def_json shows plus what only the daemon needs */
int
net_def_save (const char *dir, const struct net_def *n, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/%s.json", dir, n->id);
  json_object *o = net_def_json (n, NULL);
  const char *text;
  int r;

  json_object_object_add (o, "Bridge", str (n->bridge));
  json_object_object_add (o, "NftTable", str (n->table));
  json_object_object_add (o, "Mtu", json_object_new_int64 (n->mtu));
  json_object_object_add (o, "UserSubnet", json_object_new_boolean (n->user_subnet));
  text = json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  r = berth_write_file_atomic (path, text, strlen (text), 0600, err);
  json_object_put (o);
  return r;
}

void
net_def_unlink (const char *dir, const char *id)
{
  cleanup_free char *path = xasprintf ("%s/%s.json", dir, id);
  unlink (path);
}

static const char *
get_s (json_object *o, const char *key)
{
  json_object *v = json_object_object_get (o, key);
  return json_object_is_type (v, json_type_string) ? json_object_get_string (v) : NULL;
}

static struct net_def *
load_one (const char *path)
{
  cleanup_free char *text = NULL;
  struct net_def *n;
  json_object *o, *cfg = NULL, *cfg6 = NULL, *cfgs;
  const char *id, *name, *bridge, *table, *subnet, *gateway, *range;
  size_t len;

  if (berth_read_file (path, 1 << 20, &text, &len, NULL) < 0 || (o = json_tokener_parse (text)) == NULL)
    return NULL;
  id = get_s (o, "Id");
  name = get_s (o, "Name");
  bridge = get_s (o, "Bridge");
  table = get_s (o, "NftTable");
  /* one IPv4 pool and, with EnableIPv6, one IPv6 pool, in either order */
  cfgs = json_object_object_get (json_object_object_get (o, "IPAM"), "Config");
  for (size_t i = 0; json_object_is_type (cfgs, json_type_array) && i < json_object_array_length (cfgs); i++)
    {
      json_object *c = json_object_array_get_idx (cfgs, i);
      const char *sub = get_s (c, "Subnet");
      if (sub != NULL && strchr (sub, ':') != NULL)
        cfg6 = cfg6 ? cfg6 : c;
      else
        cfg = cfg ? cfg : c;
    }
  subnet = get_s (cfg, "Subnet");
  gateway = get_s (cfg, "Gateway");
  range = get_s (cfg, "IPRange");
  n = xmalloc0 (sizeof (*n));
  if (id == NULL || name == NULL || bridge == NULL || table == NULL
      || ipam4_parse_cidr (subnet, true, &n->subnet, &n->prefix, NULL) < 0
      || ipam4_parse_addr (gateway, &n->gateway, NULL) < 0
      || (range != NULL && range[0] != '\0' && ipam4_parse_cidr (range, true, &n->range, &n->range_prefix, NULL) < 0))
    {
      free (n);
      json_object_put (o);
      return NULL;
    }
  n->has_range = range != NULL && range[0] != '\0';
  n->id = xstrdup (id);
  n->name = xstrdup (name);
  n->driver = xstrdup (get_s (o, "Driver") ?: "bridge");
  n->created = xstrdup (get_s (o, "Created") ?: "0001-01-01T00:00:00Z");
  n->bridge = xstrdup (bridge);
  n->table = xstrdup (table);
  n->internal = json_object_get_boolean (json_object_object_get (o, "Internal"));
  n->attachable = json_object_get_boolean (json_object_object_get (o, "Attachable"));
  n->ipv6 = json_object_get_boolean (json_object_object_get (o, "EnableIPv6"));
  if (n->ipv6
      && (ipam6_parse_cidr (get_s (cfg6, "Subnet"), true, &n->subnet6, &n->prefix6, NULL) < 0
          || ipam6_parse_addr (get_s (cfg6, "Gateway"), &n->gateway6, NULL) < 0))
    {
      log_warn ("network record %s: EnableIPv6 without a good IPv6 subnet and gateway: IPv6 off", path);
      n->ipv6 = false;
    }
  n->user_subnet = json_object_get_boolean (json_object_object_get (o, "UserSubnet"));
  n->mtu = (uint32_t) json_object_get_int64 (json_object_object_get (o, "Mtu"));
  if (n->mtu < 68)
    n->mtu = 1500;
  n->labels = copy_obj (json_object_object_get (o, "Labels"));
  n->options = copy_obj (json_object_object_get (o, "Options"));
  json_object_put (o);
  return n;
}

void
net_defs_load (const char *dir, struct net_def ***ret, size_t *ret_n)
{
  cleanup_dir DIR *d = opendir (dir);
  struct dirent *de;

  *ret = NULL;
  *ret_n = 0;
  while (d != NULL && (de = readdir (d)) != NULL)
    {
      size_t len = strlen (de->d_name);
      cleanup_free char *path = NULL;
      struct net_def *n;

      if (len < 6 || strcmp (de->d_name + len - 5, ".json") != 0)
        continue;
      path = xasprintf ("%s/%s", dir, de->d_name);
      n = load_one (path);
      if (n == NULL)
        {
          log_warn ("network record %s is unreadable: ignored", path);
          continue;
        }
      *ret = xrealloc (*ret, (*ret_n + 1) * sizeof (**ret));
      (*ret)[(*ret_n)++] = n;
    }
}

json_object *
net_def_json (const struct net_def *n, json_object *containers)
{
  json_object *o = json_object_new_object (), *ipam = json_object_new_object (), *cfgs = json_object_new_array ();
  json_object *from = json_object_new_object ();
  bool bridge = strcmp (n->driver, "bridge") == 0;

  json_object_object_add (o, "Name", str (n->name));
  json_object_object_add (o, "Id", str (n->id));
  json_object_object_add (o, "Created", str (n->created));
  json_object_object_add (o, "Scope", str ("local"));
  json_object_object_add (o, "Driver", str (n->driver));
  json_object_object_add (o, "EnableIPv4", json_object_new_boolean (bridge));
  json_object_object_add (o, "EnableIPv6", json_object_new_boolean (n->ipv6));
  json_object_object_add (ipam, "Driver", str ("default"));
  json_object_object_add (ipam, "Options", bridge && !n->predefined ? json_object_new_object () : NULL);
  if (bridge)
    {
      json_object *c = json_object_new_object ();
      cleanup_free char *sub = net_cidr_text (n->subnet, n->prefix), *gw = ipam4_format (n->gateway);
      json_object_object_add (c, "Subnet", str (sub));
      if (n->has_range)
        {
          cleanup_free char *r = net_cidr_text (n->range, n->range_prefix);
          json_object_object_add (c, "IPRange", str (r));
        }
      json_object_object_add (c, "Gateway", str (gw));
      json_object_array_add (cfgs, c);
      if (n->ipv6)
        {
          cleanup_free char *sub6 = net_cidr6_text (&n->subnet6, n->prefix6), *gw6 = ipam6_format (&n->gateway6);
          json_object *c6 = json_object_new_object ();
          json_object_object_add (c6, "Subnet", str (sub6));
          json_object_object_add (c6, "Gateway", str (gw6));
          json_object_array_add (cfgs, c6);
        }
    }
  json_object_object_add (ipam, "Config", cfgs);
  json_object_object_add (o, "IPAM", ipam);
  json_object_object_add (o, "Internal", json_object_new_boolean (n->internal));
  json_object_object_add (o, "Attachable", json_object_new_boolean (n->attachable));
  json_object_object_add (o, "Ingress", json_object_new_boolean (false));
  json_object_object_add (from, "Network", str (""));
  json_object_object_add (o, "ConfigFrom", from);
  json_object_object_add (o, "ConfigOnly", json_object_new_boolean (false));
  json_object_object_add (o, "Containers", containers ? containers : json_object_new_object ());
  json_object_object_add (o, "Options", copy_obj (n->options));
  json_object_object_add (o, "Labels", copy_obj (n->labels));
  return o;
}
