#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "core/container/rootfs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"

#include <pthread.h>
#include <string.h>

/* Borrowers of writable layers (diff, export, commit, cp): while a layer has
   one, the start/exit/remove paths leave its mount and the layer itself to
   the last borrower's release.  Few at a time, so a list. */
struct rootfs_hold
{
  struct rootfs_hold *next;
  struct berth_driver *storage;
  char *layer;
  char *path;
  unsigned users;
  bool run;            /* the container's own run uses the mount too */
  bool remove_pending; /* removed while borrowed */
};

static pthread_mutex_t holds_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rootfs_hold *holds;

static struct rootfs_hold *
find_hold_locked (struct berth_driver *storage, const char *layer)
{
  for (struct rootfs_hold *h = holds; h != NULL; h = h->next)
    if (h->storage == storage && strcmp (h->layer, layer) == 0)
      return h;
  return NULL;
}

int
container_rootfs_create (struct berth_driver *storage, const struct container *c, berth_error_t *err)
{
  struct berth_layer_opts o = { .struct_size = sizeof (o), .flags = BERTH_LAYER_RW };
  const char *parent = c->image_storage && c->image_storage[0] ? c->image_storage : NULL;

  if (storage->ops.storage.create (storage->drv, c->rw_layer, parent, &o, err) < 0)
    return berth_error_wrap (err, "create the container's writable layer");
  return 0;
}

int
container_rootfs_mount (struct berth_driver *storage, struct container *c, berth_error_t *err)
{
  struct berth_mount_opts o = { .struct_size = sizeof (o) };
  char path[PATH_MAX];
  struct rootfs_hold *h;

  pthread_mutex_lock (&holds_lock);
  h = find_hold_locked (storage, c->rw_layer);
  if (h != NULL)
    {
      /* mounted for a borrower: share it */
      h->run = true;
      free (c->rootfs);
      c->rootfs = xstrdup (h->path);
      pthread_mutex_unlock (&holds_lock);
      return 0;
    }
  pthread_mutex_unlock (&holds_lock);
  if (storage->ops.storage.mount (storage->drv, c->rw_layer, &o, path, sizeof (path), err) < 0)
    return berth_error_wrap (err, "mount the container's rootfs");
  free (c->rootfs);
  c->rootfs = xstrdup (path);
  return 0;
}

int
container_rootfs_unmount (struct berth_driver *storage, const struct container *c, berth_error_t *err)
{
  struct rootfs_hold *h;

  pthread_mutex_lock (&holds_lock);
  h = find_hold_locked (storage, c->rw_layer);
  if (h != NULL)
    h->run = false; /* the last borrower unmounts */
  pthread_mutex_unlock (&holds_lock);
  if (h != NULL)
    return 0;
  if (storage->ops.storage.unmount (storage->drv, c->rw_layer, err) < 0)
    return berth_error_wrap (err, "unmount the container's rootfs");
  return 0;
}

int
container_rootfs_remove (struct berth_driver *storage, const struct container *c, berth_error_t *err)
{
  struct rootfs_hold *h;
  int r;

  pthread_mutex_lock (&holds_lock);
  h = find_hold_locked (storage, c->rw_layer);
  if (h != NULL)
    h->remove_pending = true; /* the last borrower removes it */
  pthread_mutex_unlock (&holds_lock);
  if (h != NULL)
    return 0;
  r = storage->ops.storage.exists (storage->drv, c->rw_layer);
  if (r == 0)
    return 0;
  if (storage->ops.storage.remove (storage->drv, c->rw_layer, err) < 0)
    return berth_error_wrap (err, "remove the container's writable layer");
  return 0;
}

int
container_rootfs_hold (struct berth_driver *storage, const struct container *c, char **ret_path, berth_error_t *err)
{
  struct berth_mount_opts o = { .struct_size = sizeof (o) };
  char path[PATH_MAX];
  struct rootfs_hold *h;
  int r = 0;

  pthread_mutex_lock (&holds_lock);
  h = find_hold_locked (storage, c->rw_layer);
  if (h == NULL)
    {
      /* a running container's mount is borrowed as it is */
      if (c->rootfs == NULL)
        r = storage->ops.storage.mount (storage->drv, c->rw_layer, &o, path, sizeof (path), err);
      if (r < 0)
        {
          pthread_mutex_unlock (&holds_lock);
          return berth_error_wrap (err, "mount the writable layer of container %.12s", c->id);
        }
      h = xmalloc0 (sizeof (*h));
      h->storage = storage;
      h->layer = xstrdup (c->rw_layer);
      h->path = xstrdup (c->rootfs != NULL ? c->rootfs : path);
      h->run = c->rootfs != NULL;
      h->next = holds;
      holds = h;
    }
  h->users++;
  *ret_path = xstrdup (h->path);
  pthread_mutex_unlock (&holds_lock);
  return 0;
}

void
container_rootfs_release (struct berth_driver *storage, const struct container *c)
{
  struct rootfs_hold **pp, *h = NULL;
  berth_error_t err = NULL;

  pthread_mutex_lock (&holds_lock);
  for (pp = &holds; *pp != NULL; pp = &(*pp)->next)
    if ((*pp)->storage == storage && strcmp ((*pp)->layer, c->rw_layer) == 0)
      {
        h = *pp;
        break;
      }
  if (h == NULL || --h->users > 0)
    {
      pthread_mutex_unlock (&holds_lock);
      return;
    }
  *pp = h->next;
  /* still under the lock: a start now must not share a mount going away */
  if (!h->run && storage->ops.storage.unmount (storage->drv, h->layer, &err) < 0)
    {
      log_warn ("container %.12s: unmount its writable layer: %s", c->id, berth_error_msg (&err));
      berth_error_release (&err);
    }
  if (h->remove_pending && storage->ops.storage.remove (storage->drv, h->layer, &err) < 0)
    {
      log_warn ("container %.12s: remove its writable layer: %s", c->id, berth_error_msg (&err));
      berth_error_release (&err);
    }
  pthread_mutex_unlock (&holds_lock);
  free (h->layer);
  free (h->path);
  free (h);
}
