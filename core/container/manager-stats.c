/* What a container uses: its processes (top), cgroup counters (stats) and
   the size of its writable layer; and prune, which removes the stopped
   ones and reports that size. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/container/manager-internal.h"
#include "core/container/size.h"
#include "core/container/stats.h"
#include "core/container/top.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/runtime/container.h"

static int
not_running (const struct container *c, berth_error_t *err)
{
  if (c->status == CONTAINER_RESTARTING)
    return berth_error_make (err, EBUSY, "Container %s is restarting, wait until the container is running", c->id);
  return berth_error_make (err, EBUSY, "Container %s is not running", c->id);
}

int
container_manager_top (struct container_manager *m, struct container *c, const char *ps_args, json_object **ret,
                       berth_error_t *err)
{
  pid_t *pids = NULL;
  size_t n = 0;
  int r = 0;

  /* bad arguments are reported before the container's state, as moby */
  if (container_top_check_args (ps_args != NULL ? ps_args : "", err) < 0)
    return berth_error_ret (err);
  pthread_mutex_lock (&m->lock);
  if (c->removed || !manager_running (c))
    r = not_running (c, err);
  else if (berth_container_pids (m->runtime_root, c->id, &pids, &n, err) < 0)
    r = berth_error_wrap (err, "container %s", c->id);
  pthread_mutex_unlock (&m->lock);
  if (r < 0)
    return r;
  *ret = container_top (ps_args, pids, n, err);
  free (pids);
  if (*ret == NULL)
    return berth_error_ret (err);
  pthread_mutex_lock (&m->lock);
  manager_event (m, c, "top", NULL);
  pthread_mutex_unlock (&m->lock);
  return 0;
}

int
container_manager_stats (struct container_manager *m, struct container *c, json_object **ret, berth_error_t *err)
{
  cleanup_free char *name = NULL;
  cleanup_error berth_error_t serr = NULL;
  bool running;

  pthread_mutex_lock (&m->lock);
  if (c->removed)
    {
      pthread_mutex_unlock (&m->lock);
      return berth_error_make (err, ENOENT, "No such container: %s", c->id);
    }
  running = manager_running (c);
  name = xasprintf ("/%s", c->name);
  pthread_mutex_unlock (&m->lock);
  if (running)
    {
      json_object *o = container_stats_sample (m->runtime_root, c->id, &serr);
      if (o != NULL)
        {
          json_object_object_add (o, "name", json_object_new_string (name));
          json_object_object_add (o, "id", json_object_new_string (c->id));
          *ret = o;
          return 1;
        }
      /* it stopped meanwhile, or its cgroup cannot be read */
      log_debug ("container %.12s: stats: %s", c->id, berth_error_msg (&serr));
    }
  *ret = container_stats_empty (name + 1, c->id);
  return 0;
}

int
container_manager_size (struct container_manager *m, struct container *c, int64_t *ret_rw, berth_error_t *err)
{
  bool removed;

  pthread_mutex_lock (&m->lock);
  removed = c->removed;
  pthread_mutex_unlock (&m->lock);
  if (removed)
    return berth_error_make (err, ENOENT, "No such container: %s", c->id);
  return container_size_rw (m->storage, c, ret_rw, err);
}

int
container_manager_prune (struct container_manager *m, container_match_fn match, void *ud, json_object **ret_deleted,
                         int64_t *ret_reclaimed, berth_error_t *err)
{
  struct container **pick = NULL;
  size_t n = 0;
  json_object *deleted = NULL;
  int64_t reclaimed = 0;

  (void) err;
  pthread_mutex_lock (&m->lock);
  for (size_t i = 0; i < m->n; i++)
    {
      struct container *c = m->list[i];
      if (c->removed || manager_running (c) || c->status == CONTAINER_RESTARTING
          || c->status == CONTAINER_REMOVING || (match != NULL && !match (ud, c)))
        continue;
      pick = xrealloc (pick, (n + 1) * sizeof (*pick));
      pick[n++] = c;
      c->refs++;
    }
  pthread_mutex_unlock (&m->lock);
  for (size_t i = 0; i < n; i++)
    {
      cleanup_error berth_error_t e = NULL;
      int64_t size = 0;
      if (container_size_rw (m->storage, pick[i], &size, &e) < 0)
        {
          log_debug ("container %.12s: size: %s", pick[i]->id, berth_error_msg (&e));
          berth_error_release (&e);
          size = 0;
        }
      /* one started or removed meanwhile is skipped, as moby does */
      if (container_manager_remove (m, pick[i], false, &e) < 0)
        log_debug ("prune: container %.12s: %s", pick[i]->id, berth_error_msg (&e));
      else
        {
          if (deleted == NULL)
            deleted = json_object_new_array ();
          json_object_array_add (deleted, json_object_new_string (pick[i]->id));
          reclaimed += size;
        }
      container_manager_put (m, pick[i]);
    }
  free (pick);
  *ret_deleted = deleted;
  *ret_reclaimed = reclaimed;
  return 0;
}
