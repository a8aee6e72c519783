#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "core/container/etc-files.h"
#include "core/lib/fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/network/attachments.h"
#include "core/network/manager-join.h"
#include "core/network/manager-network.h"
#include "core/network/service.h"

int
manager_network_create (struct container_manager *m, struct container *c, json_object *body, berth_error_t *err)
{
  struct net_attachments l = { 0 };
  int r;

  if (m->networks == NULL)
    return 0;
  if (net_attachments_from_create (m->networks, c->host_config, body, &l, err) < 0)
    return berth_error_ret (err);
  r = l.n > 0 ? net_attachments_save (c->dir, &l, err) : 0;
  net_attachments_clear (&l);
  return r;
}

static bool
has_strings (json_object *host_config, const char *key)
{
  json_object *v = json_object_object_get (host_config, key);

  return json_object_is_type (v, json_type_array) && json_object_array_length (v) > 0;
}

static void
append_line (char **text, const char *a, const char *b)
{
  char *next = xasprintf ("%s%s%s\n", *text, a, b);

  free (*text);
  *text = next;
}

/* list: words separated by one space */
static void
join_word (char **list, const char *word)
{
  char *next = xasprintf ("%s%s%s", *list, (*list)[0] ? " " : "", word ? word : "");

  free (*list);
  *list = next;
}

/* moby's for a container on a user network: nameserver its DNS (the
   container's --dns servers are that DNS's upstream for it: dns-server.h),
   search the container's --dns-search or the host's, options its
   --dns-option and ndots:0 unless it sets ndots */
static int
write_resolv_conf (struct container *c, const char *dns, bool in_place, berth_error_t *err)
{
  cleanup_free char *host = NULL, *base = NULL, *text = NULL, *path = xasprintf ("%s/resolv.conf", c->dir);
  json_object *hc = c->host_config, *v;
  bool ndots = false;
  char *save = NULL;
  size_t len;

  if (berth_read_file ("/run/systemd/resolve/resolv.conf", 1 << 20, &host, &len, NULL) < 0
      && berth_read_file ("/etc/resolv.conf", 1 << 20, &host, &len, NULL) < 0)
    host = NULL;
  base = xstrdup (host ? host : "");
  text = xasprintf ("nameserver %s\n", dns);
  if (has_strings (hc, "DnsSearch"))
    {
      cleanup_free char *list = xstrdup ("");
      v = json_object_object_get (hc, "DnsSearch");
      for (size_t i = 0; i < json_object_array_length (v); i++)
        join_word (&list, json_object_get_string (json_object_array_get_idx (v, i)));
      if (strcmp (list, ".") != 0) /* "." : no search domain at all */
        append_line (&text, "search ", list);
    }
  else
    for (char *line = strtok_r (base, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
      if (strncmp (line, "search", 6) == 0 || strncmp (line, "domain", 6) == 0)
        append_line (&text, line, "");
  {
    cleanup_free char *opts = xstrdup ("");
    v = json_object_object_get (hc, "DnsOptions");
    for (size_t i = 0; has_strings (hc, "DnsOptions") && i < json_object_array_length (v); i++)
      {
        const char *o = json_object_get_string (json_object_array_get_idx (v, i));
        join_word (&opts, o);
        ndots |= strncmp (o, "ndots:", 6) == 0;
      }
    if (!ndots)
      join_word (&opts, "ndots:0");
    append_line (&text, "options ", opts);
  }
  if (!in_place)
    return berth_write_file_atomic (path, text, strlen (text), 0644, err);
  /* a running container has the file bind-mounted: the same inode */
  {
    cleanup_close int fd = open (path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
    size_t n = strlen (text);
    if (fd < 0 || write (fd, text, n) != (ssize_t) n)
      return berth_error_errno (err, errno, "write %s", path);
  }
  return 0;
}

static int
join_one (struct container_manager *m, struct container *c, const struct net_attachment *a, bool publish,
          char **ret_netns, berth_error_t *err)
{
  struct network_attach req = { .cid = c->id, .name = c->name, .network = a->net_id, .static_ip = a->ipv4,
                                .static_ip6 = a->ipv6,
                                .aliases = a->aliases, .config = c->config, .host_config = c->host_config,
                                .publish = publish };

  return network_service_attach (m->networks, &req, ret_netns, err);
}

static void
settings_now (struct container_manager *m, struct container *c)
{
  json_object_put (c->network_settings);
  c->network_settings = network_service_settings (m->networks, c->id, c->config);
}

/* resolv.conf of a container on a user network: its first one's DNS */
static int
resolv_now (struct container_manager *m, struct container *c, berth_error_t *err)
{
  cleanup_free char *ip = NULL, *dns = NULL;

  network_service_addresses (m->networks, c->id, &ip, &dns);
  if (dns != NULL && write_resolv_conf (c, dns, manager_running (c), err) < 0)
    return berth_error_ret (err);
  return 0;
}

/* start: settings, /etc/hosts (every address) and resolv.conf from c's
   endpoints */
static int
refresh (struct container_manager *m, struct container *c, berth_error_t *err)
{
  cleanup_strv char **ips = network_service_ips (m->networks, c->id, NULL);

  settings_now (m, c);
  if (ips[0] != NULL && container_etc_hosts_write (c, ips, err) < 0)
    return berth_error_ret (err);
  return resolv_now (m, c, err);
}

int
manager_networks_join (struct container_manager *m, struct container *c, berth_error_t *err)
{
  struct net_attachments l = { 0 };
  char *netns = NULL;

  if (net_attachments_load (c->dir, &l) < 0)
    {
      /* made before user networks: its NetworkMode */
      struct net_attachment a = { 0 };
      const char *mode = json_object_get_string (json_object_object_get (c->host_config, "NetworkMode"));
      if (net_attachment_make (m->networks, mode && mode[0] ? mode : "bridge", NULL, &a, err) < 0)
        return berth_error_ret (err);
      l.a = xmalloc0 (sizeof (*l.a));
      l.a[0] = a;
      l.n = 1;
    }
  for (size_t i = 0; i < l.n; i++)
    {
      char *p = NULL;
      if (join_one (m, c, &l.a[i], i == 0, &p, err) < 0)
        {
          free (netns);
          net_attachments_clear (&l);
          network_service_detach (m->networks, c->id);
          return berth_error_ret (err);
        }
      if (netns == NULL)
        netns = p;
      else
        free (p);
    }
  net_attachments_clear (&l);
  c->netns_path = netns;
  if (refresh (m, c, err) < 0)
    {
      manager_network_stop (m, c);
      return berth_error_ret (err);
    }
  return 0;
}

static bool
pseudo_mode (const struct container *c)
{
  const char *mode = json_object_get_string (json_object_object_get (c->host_config, "NetworkMode"));
  return mode != NULL && (strcmp (mode, "host") == 0 || strcmp (mode, "none") == 0 || strncmp (mode, "container:", 10) == 0);
}

static void
log_release_warn (const struct container *c, berth_error_t *e)
{
  log_warn ("container %.12s: %s", c->id, berth_error_msg (e));
  berth_error_release (e);
}

static int
load_list (struct container *c, struct net_attachments *l)
{
  if (net_attachments_load (c->dir, l) == 0)
    return 0;
  memset (l, 0, sizeof (*l));
  return 0;
}

int
container_manager_network_connect (struct container_manager *m, const char *container, const char *network,
                                   json_object *ec, berth_error_t *err)
{
  struct net_attachment a = { 0 };
  struct net_attachments l = { 0 };
  struct container *c;
  int r = 0;

  if (m->networks == NULL)
    return berth_error_make (err, ENETUNREACH, "networking is not available in this daemon");
  if (net_attachment_make (m->networks, network, ec, &a, err) < 0)
    return berth_error_ret (err);
  pthread_mutex_lock (&m->lock);
  c = manager_find_locked (m, container);
  if (c == NULL || c->removed)
    {
      r = berth_error_make (err, ENOENT, "No such container: %s", container);
      goto out;
    }
  if (pseudo_mode (c))
    {
      r = berth_error_make (err, EINVAL, "container cannot be connected to network %s: its network mode is %s",
                            a.name, json_object_get_string (json_object_object_get (c->host_config, "NetworkMode")));
      goto out;
    }
  load_list (c, &l);
  if (net_attachments_find (&l, a.net_id) >= 0)
    {
      r = berth_error_make (err, EPERM, "endpoint with name %s already exists in network %s", c->name, a.name);
      goto out;
    }
  if (manager_running (c) && c->netns_path != NULL)
    {
      cleanup_strv char **ips = NULL;

      if ((r = join_one (m, c, &a, false, NULL, err)) < 0)
        goto out;
      settings_now (m, c);
      /* Docker's: the new address with the container's hostname */
      ips = network_service_ips (m->networks, c->id, a.net_id);
      if ((ips[0] != NULL && (r = container_etc_hosts_add (c, ips[0], err)) < 0)
          || (r = resolv_now (m, c, err)) < 0)
        {
          berth_error_t e = NULL;
          network_service_detach_one (m->networks, c->id, a.net_id, NULL);
          settings_now (m, c);
          if (ips[0] != NULL && container_etc_hosts_remove (c, ips[0], &e) < 0)
            berth_error_release (&e);
          if (resolv_now (m, c, &e) < 0)
            berth_error_release (&e);
          goto out;
        }
    }
  else if (manager_running (c))
    {
      r = berth_error_make (err, EINVAL, "container %s has no network namespace of its own to connect", c->name);
      goto out;
    }
  l.a = xrealloc (l.a, (l.n + 1) * sizeof (*l.a));
  l.a[l.n++] = a;
  memset (&a, 0, sizeof (a));
  r = net_attachments_save (c->dir, &l, err);
out:
  pthread_mutex_unlock (&m->lock);
  net_attachment_clear (&a);
  net_attachments_clear (&l);
  return r;
}

int
container_manager_network_disconnect (struct container_manager *m, const char *container, const char *network,
                                      bool force, berth_error_t *err)
{
  struct network_info info = { 0 };
  struct net_attachments l = { 0 };
  struct container *c;
  ssize_t i;
  int r = 0;

  if (m->networks == NULL)
    return berth_error_make (err, ENETUNREACH, "networking is not available in this daemon");
  if (network_service_find (m->networks, network, &info, err) < 0)
    return berth_error_ret (err);
  pthread_mutex_lock (&m->lock);
  c = manager_find_locked (m, container);
  if (c == NULL || c->removed)
    {
      /* --force: a container that is gone leaves nothing to undo here */
      r = force ? 0 : berth_error_make (err, ENOENT, "No such container: %s", container);
      goto out;
    }
  load_list (c, &l);
  i = net_attachments_find (&l, info.id);
  if (i < 0)
    {
      r = berth_error_make (err, EPERM, "container %s is not connected to network %s", c->id, info.name);
      goto out;
    }
  if (manager_running (c))
    {
      cleanup_strv char **ips = network_service_ips (m->networks, c->id, info.id);
      berth_error_t e = NULL;
      if (network_service_detach_one (m->networks, c->id, info.id, &e) < 0)
        berth_error_release (&e); /* not joined (a failed start): only the record */
      settings_now (m, c);
      if (ips[0] != NULL && container_etc_hosts_remove (c, ips[0], &e) < 0)
        log_release_warn (c, &e);
      if (resolv_now (m, c, &e) < 0)
        log_release_warn (c, &e);
    }
  net_attachments_remove (&l, (size_t) i);
  r = net_attachments_save (c->dir, &l, err);
out:
  pthread_mutex_unlock (&m->lock);
  network_info_clear (&info);
  net_attachments_clear (&l);
  return r;
}
