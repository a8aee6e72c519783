/* pause and unpause: the container's cgroup frozen and thawed through the
   runtime library, the state saved as "paused" so that a daemon restart
   keeps it (and finds out if someone thawed it meanwhile). */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include "core/container/manager-internal.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/runtime/container.h"
#include "core/runtime/state.h"

/* The runtime calls a state mismatch EINVAL: for the API it is a conflict. */
static int
freeze_locked (struct container_manager *m, struct container *c, bool pause, berth_error_t *err)
{
  cleanup_error berth_error_t rerr = NULL;

  if (berth_container_pause (m->runtime_root, c->id, pause, &rerr) == 0)
    return 0;
  return berth_error_make (err, berth_error_code (&rerr) == EINVAL ? EBUSY : berth_error_code (&rerr),
                           "Cannot %s container %s: %s", pause ? "pause" : "unpause", c->id,
                           berth_error_msg (&rerr));
}

static void
set_paused_locked (struct container_manager *m, struct container *c, bool paused)
{
  c->status = paused ? CONTAINER_PAUSED : CONTAINER_RUNNING;
  manager_save_state_locked (c);
  manager_event (m, c, paused ? "pause" : "unpause", NULL);
  pthread_cond_broadcast (&m->changed);
}

int
container_manager_pause (struct container_manager *m, struct container *c, berth_error_t *err)
{
  int r = 0;

  pthread_mutex_lock (&m->lock);
  manager_wait_start_locked (m, c);
  if (c->removed || !manager_running (c))
    r = berth_error_make (err, EBUSY, "Container %s is not running", c->id);
  else if (c->status == CONTAINER_PAUSED)
    r = berth_error_make (err, EBUSY, "Container %s is already paused", c->id);
  else if (freeze_locked (m, c, true, err) < 0)
    r = berth_error_ret (err);
  else
    set_paused_locked (m, c, true);
  pthread_mutex_unlock (&m->lock);
  return r;
}

int
container_manager_unpause (struct container_manager *m, struct container *c, berth_error_t *err)
{
  int r = 0;

  pthread_mutex_lock (&m->lock);
  manager_wait_start_locked (m, c);
  if (c->removed || c->status != CONTAINER_PAUSED)
    r = berth_error_make (err, EBUSY, "Container %s is not paused", c->id);
  else if (freeze_locked (m, c, false, err) < 0)
    r = berth_error_ret (err);
  else
    set_paused_locked (m, c, false);
  pthread_mutex_unlock (&m->lock);
  return r;
}

/* moby thaws a paused container after sending it SIGKILL or its stop
   signal, so that the signal is acted on (stop, kill, rm -f); other
   signals stay pending in the frozen container. */
void
manager_thaw_for_signal_locked (struct container_manager *m, struct container *c, int sig)
{
  const char *stop_name = json_object_get_string (json_object_object_get (c->config, "StopSignal"));
  cleanup_error berth_error_t err = NULL;

  if (c->status != CONTAINER_PAUSED)
    return;
  if (sig != SIGKILL && sig != manager_parse_signal (stop_name, SIGTERM, NULL))
    return;
  if (freeze_locked (m, c, false, &err) < 0)
    {
      log_warn ("container %.12s: %s", c->id, berth_error_msg (&err));
      return;
    }
  set_paused_locked (m, c, false);
}

/* Live restore: the freezer is the truth about a container that kept
   running while the daemon was away. */
void
manager_restore_paused_locked (struct container_manager *m, struct container *c)
{
  cleanup_state struct berth_state *st = berth_state_load (m->runtime_root, c->id, NULL);
  enum berth_status s;

  if (st == NULL)
    return;
  s = berth_state_status (m->runtime_root, st);
  if (s == BERTH_STATUS_PAUSED && c->status == CONTAINER_RUNNING)
    c->status = CONTAINER_PAUSED;
  else if (s == BERTH_STATUS_RUNNING && c->status == CONTAINER_PAUSED)
    c->status = CONTAINER_RUNNING;
  else
    return;
  log_info ("container %.12s: the freezer says %s", c->id, container_status_name (c->status));
  manager_save_state_locked (c);
}
