#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/container/id.h"
#include "core/lib/mem.h"
#include "core/network/container-mode.h"

/* c's file `name` becomes a symlink to the other's: the runtime's bind
   mount resolves it, so both containers see one file (moby gives the
   joining container the other's paths).  Atomic: a temp link renamed. */
static int
share_file (const struct container *c, const struct container *nc, const char *name, berth_error_t *err)
{
  cleanup_free char *src = xasprintf ("%s/%s", nc->dir, name);
  cleanup_free char *dst = xasprintf ("%s/%s", c->dir, name);
  cleanup_free char *tmp = xasprintf ("%s/.%s.link", c->dir, name);

  unlink (tmp);
  if (symlink (src, tmp) < 0)
    return berth_error_errno (err, errno, "symlink %s", tmp);
  if (rename (tmp, dst) < 0)
    {
      int e = errno;
      unlink (tmp);
      return berth_error_errno (err, e, "rename %s", dst);
    }
  return 0;
}

static const char *
hostname_of (const struct container *nc, char *buf, size_t size)
{
  const char *hn = json_object_get_string (json_object_object_get (nc->config, "Hostname"));

  if (hn != NULL && hn[0] != '\0')
    return hn;
  snprintf (buf, size, "%.*s", CONTAINER_SHORT_ID_LEN, nc->id);
  return buf;
}

int
container_mode_start (struct container_manager *m, struct container *c, const char *target, berth_error_t *err)
{
  static const char *const files[] = { "hosts", "resolv.conf", "hostname" };
  struct container *nc = manager_find_locked (m, target);
  const char *domain;
  char short_id[CONTAINER_SHORT_ID_LEN + 1];

  if (nc == NULL || nc->removed)
    return berth_error_make (err, ENOENT, "No such container: %s", target);
  if (nc == c)
    return berth_error_make (err, EINVAL, "cannot join own network");
  if (!manager_running (nc) || nc->starting)
    return berth_error_make (err, EBUSY, "cannot join network of a non running container: %s", target);
  if (nc->status == CONTAINER_RESTARTING)
    return berth_error_make (err, EBUSY,
                             "Container %s is restarting, wait until the container is running", target);
  for (size_t i = 0; i < sizeof (files) / sizeof (files[0]); i++)
    if (share_file (c, nc, files[i], err) < 0)
      return berth_error_wrap (err, "join the network of container %s", target);
  /* the namespace the other container's runtime joined (kept by a bind
     mount while it runs), else the one its init is in */
  free (c->netns_path);
  c->netns_path = nc->netns_path != NULL ? xstrdup (nc->netns_path) : xasprintf ("/proc/%d/ns/net", (int) nc->pid);
  /* moby copies these into the joining container's Config */
  json_object_object_add (c->config, "Hostname",
                          json_object_new_string (hostname_of (nc, short_id, sizeof (short_id))));
  domain = json_object_get_string (json_object_object_get (nc->config, "Domainname"));
  json_object_object_add (c->config, "Domainname", json_object_new_string (domain ? domain : ""));
  return 0;
}
