#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "core/lib/fs.h"
#include "core/lib/mem.h"
#include "core/network/attachments.h"
#include "core/network/ipam.h"
#include "core/network/ipam6.h"
#include "core/network/service.h"

void
net_attachment_clear (struct net_attachment *a)
{
  free (a->net_id);
  free (a->name);
  strv_free (a->aliases);
  free (a->ipv4);
  free (a->ipv6);
  memset (a, 0, sizeof (*a));
}

void
net_attachments_clear (struct net_attachments *l)
{
  for (size_t i = 0; i < l->n; i++)
    net_attachment_clear (&l->a[i]);
  free (l->a);
  l->a = NULL;
  l->n = 0;
}

ssize_t
net_attachments_find (const struct net_attachments *l, const char *net_id)
{
  for (size_t i = 0; i < l->n; i++)
    if (strcmp (l->a[i].net_id, net_id) == 0)
      return (ssize_t) i;
  return -1;
}

void
net_attachments_remove (struct net_attachments *l, size_t i)
{
  net_attachment_clear (&l->a[i]);
  memmove (&l->a[i], &l->a[i + 1], (l->n - i - 1) * sizeof (*l->a));
  l->n--;
}

static char **
strv_of (json_object *a)
{
  size_t n = json_object_is_type (a, json_type_array) ? json_object_array_length (a) : 0, k = 0;
  char **v = xmalloc0 ((n + 1) * sizeof (char *));

  for (size_t i = 0; i < n; i++)
    {
      json_object *x = json_object_array_get_idx (a, i);
      if (json_object_is_type (x, json_type_string) && json_object_get_string_len (x) > 0)
        v[k++] = xstrdup (json_object_get_string (x));
    }
  return v;
}

int
net_attachments_load (const char *dir, struct net_attachments *ret)
{
  cleanup_free char *path = xasprintf ("%s/networks.json", dir), *text = NULL;
  json_object *o;
  size_t len;

  memset (ret, 0, sizeof (*ret));
  if (berth_read_file (path, 1 << 20, &text, &len, NULL) < 0)
    return -ENOENT;
  o = json_tokener_parse (text);
  if (!json_object_is_type (o, json_type_array))
    {
      json_object_put (o);
      return -ENOENT;
    }
  ret->a = xmalloc0 ((json_object_array_length (o) + 1) * sizeof (*ret->a));
  for (size_t i = 0; i < json_object_array_length (o); i++)
    {
      json_object *x = json_object_array_get_idx (o, i);
      const char *id = json_object_get_string (json_object_object_get (x, "NetworkID"));
      const char *name = json_object_get_string (json_object_object_get (x, "Name"));
      const char *ip = json_object_get_string (json_object_object_get (x, "IPv4Address"));
      const char *ip6 = json_object_get_string (json_object_object_get (x, "IPv6Address"));
      struct net_attachment *a = &ret->a[ret->n];

      if (id == NULL)
        continue;
      a->net_id = xstrdup (id);
      a->name = xstrdup (name ? name : id);
      a->aliases = strv_of (json_object_object_get (x, "Aliases"));
      a->ipv4 = ip != NULL && ip[0] != '\0' ? xstrdup (ip) : NULL;
      a->ipv6 = ip6 != NULL && ip6[0] != '\0' ? xstrdup (ip6) : NULL;
      ret->n++;
    }
  json_object_put (o);
  return 0;
}

int
net_attachments_save (const char *dir, const struct net_attachments *l, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/networks.json", dir);
  json_object *o = json_object_new_array ();
  const char *text;
  int r;

  for (size_t i = 0; i < l->n; i++)
    {
      json_object *x = json_object_new_object (), *al = json_object_new_array ();
      json_object_object_add (x, "NetworkID", json_object_new_string (l->a[i].net_id));
      json_object_object_add (x, "Name", json_object_new_string (l->a[i].name));
      for (size_t j = 0; l->a[i].aliases[j] != NULL; j++)
        json_object_array_add (al, json_object_new_string (l->a[i].aliases[j]));
      json_object_object_add (x, "Aliases", al);
      if (l->a[i].ipv4 != NULL)
        json_object_object_add (x, "IPv4Address", json_object_new_string (l->a[i].ipv4));
      if (l->a[i].ipv6 != NULL)
        json_object_object_add (x, "IPv6Address", json_object_new_string (l->a[i].ipv6));
      json_object_array_add (o, x);
    }
  text = json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  r = berth_write_file_atomic (path, text, strlen (text), 0600, err);
  json_object_put (o);
  return r;
}

static bool
is_pseudo (const char *mode)
{
  return strcmp (mode, "host") == 0 || strcmp (mode, "none") == 0 || strncmp (mode, "container:", 10) == 0;
}

int
net_attachment_make (struct network_service *s, const char *what, json_object *ec, struct net_attachment *ret,
                     berth_error_t *err)
{
  struct network_info info = { 0 };
  json_object *ipam = json_object_object_get (ec, "IPAMConfig"), *aliases = json_object_object_get (ec, "Aliases");
  const char *ip = json_object_get_string (json_object_object_get (ipam, "IPv4Address"));
  const char *ip6 = json_object_get_string (json_object_object_get (ipam, "IPv6Address"));
  uint32_t addr;

  memset (ret, 0, sizeof (*ret));
  if (ec != NULL && !json_object_is_type (ec, json_type_object) && !json_object_is_type (ec, json_type_null))
    return berth_error_make (err, EINVAL, "EndpointConfig: expected an object");
  if (aliases != NULL && !json_object_is_type (aliases, json_type_array) && !json_object_is_type (aliases, json_type_null))
    return berth_error_make (err, EINVAL, "EndpointConfig.Aliases: expected an array of strings");
  if (network_service_find (s, what, &info, err) < 0)
    return berth_error_ret (err);
  if (ip6 != NULL && ip6[0] != '\0')
    {
      struct in6_addr a6;
      /* Docker's rule, for the v6 pool: a user network with IPv6 */
      if (info.predefined || !info.ipv6)
        {
          network_info_clear (&info);
          return berth_error_make (err, EINVAL, "user specified IPv6 address is supported only when connecting to "
                                                "user-defined networks with IPv6 enabled");
        }
      if (ipam6_parse_addr (ip6, &a6, err) < 0)
        {
          network_info_clear (&info);
          return berth_error_ret (err);
        }
    }
  if (!info.predefined || strcmp (info.driver, "bridge") == 0)
    {
      bool has_ip = ip != NULL && ip[0] != '\0';
      bool has_alias = json_object_is_type (aliases, json_type_array) && json_object_array_length (aliases) > 0;

      if (has_ip && (info.predefined || !info.user_subnet))
        {
          network_info_clear (&info);
          return berth_error_make (err, EINVAL, "user specified IP address is supported only when connecting to "
                                                "networks with user configured subnets");
        }
      if (has_ip && ipam4_parse_addr (ip, &addr, err) < 0)
        {
          network_info_clear (&info);
          return berth_error_ret (err);
        }
      if (has_alias && info.predefined)
        {
          network_info_clear (&info);
          return berth_error_make (err, EINVAL, "network-scoped alias is supported only for containers in user "
                                                "defined networks");
        }
      ret->net_id = steal_pointer (&info.id);
      ret->name = steal_pointer (&info.name);
      ret->aliases = strv_of (aliases);
      ret->ipv4 = has_ip ? xstrdup (ip) : NULL;
      ret->ipv6 = ip6 != NULL && ip6[0] != '\0' ? xstrdup (ip6) : NULL;
      network_info_clear (&info);
      return 0;
    }
  network_info_clear (&info);
  return berth_error_make (err, EINVAL, "container cannot be connected to the %s network", what);
}

int
net_attachments_from_create (struct network_service *s, json_object *host_config, json_object *body,
                             struct net_attachments *ret, berth_error_t *err)
{
  const char *mode = json_object_get_string (json_object_object_get (host_config, "NetworkMode"));
  json_object *eps = json_object_object_get (json_object_object_get (body, "NetworkingConfig"), "EndpointsConfig");
  json_object *primary = NULL;

  memset (ret, 0, sizeof (*ret));
  if (mode == NULL || mode[0] == '\0')
    mode = "bridge";
  if (eps != NULL && !json_object_is_type (eps, json_type_object) && !json_object_is_type (eps, json_type_null))
    return berth_error_make (err, EINVAL, "NetworkingConfig.EndpointsConfig: expected an object");
  if (is_pseudo (mode))
    {
      if (json_object_is_type (eps, json_type_object))
        {
          json_object_object_foreach (eps, k, v)
          {
            (void) v;
            if (strcmp (k, mode) != 0)
              return berth_error_make (err, EINVAL,
                                       "Container cannot be connected to network endpoints: %s, %s", mode, k);
          }
        }
      return 0;
    }
  primary = json_object_object_get (eps, mode);
  if (primary == NULL && strcmp (mode, "bridge") == 0)
    primary = json_object_object_get (eps, "default");
  ret->a = xmalloc0 ((1 + (eps ? (size_t) json_object_object_length (eps) : 0)) * sizeof (*ret->a));
  if (net_attachment_make (s, mode, primary, &ret->a[0], err) < 0)
    {
      net_attachments_clear (ret);
      return berth_error_ret (err);
    }
  ret->n = 1;
  /* API 1.44+: more networks at create */
  if (json_object_is_type (eps, json_type_object))
    {
      json_object_object_foreach (eps, k, v)
      {
        struct net_attachment a;
        if (json_object_object_get (eps, mode) == v || (strcmp (mode, "bridge") == 0 && strcmp (k, "default") == 0))
          continue;
        if (net_attachment_make (s, k, v, &a, err) < 0)
          {
            net_attachments_clear (ret);
            return berth_error_ret (err);
          }
        if (net_attachments_find (ret, a.net_id) >= 0)
          net_attachment_clear (&a);
        else
          ret->a[ret->n++] = a;
      }
    }
  return 0;
}
