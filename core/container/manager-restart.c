/* Restart policies (HostConfig.RestartPolicy), as moby's restart manager:
   after an exit the policy decides; the restart waits a back-off that
   starts at 100 ms and doubles up to a minute, back to 100 ms once the
   container ran 10 s or more; the container shows "restarting" meanwhile.
   A stop, a removal or the daemon's shutdown cancels a pending restart.
   At daemon start, containers whose policy wants them running are
   started again. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/container/manager-internal.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/lib/timestamp.h"

#define BACKOFF_FIRST_MS 100u
#define BACKOFF_MAX_MS 60000u
#define BACKOFF_RESET_NS (10LL * 1000000000LL)

enum restart_policy
{
  POLICY_NO,
  POLICY_ALWAYS,
  POLICY_UNLESS_STOPPED,
  POLICY_ON_FAILURE,
};

static enum restart_policy
policy_of (const struct container *c, int *ret_max)
{
  json_object *rp = json_object_object_get (c->host_config, "RestartPolicy");
  const char *name = json_object_get_string (json_object_object_get (rp, "Name"));

  *ret_max = json_object_get_int (json_object_object_get (rp, "MaximumRetryCount"));
  if (name == NULL)
    return POLICY_NO;
  if (strcmp (name, "always") == 0)
    return POLICY_ALWAYS;
  if (strcmp (name, "unless-stopped") == 0)
    return POLICY_UNLESS_STOPPED;
  if (strcmp (name, "on-failure") == 0)
    return POLICY_ON_FAILURE;
  return POLICY_NO;
}

/* moby's ShouldRestart: manually stopped matters to unless-stopped only
   (a stop cancels the restart of the exit it causes separately). */
static bool
policy_wants (const struct container *c, bool manually_stopped)
{
  int max;

  switch (policy_of (c, &max))
    {
    case POLICY_ALWAYS:
      return true;
    case POLICY_UNLESS_STOPPED:
      return !manually_stopped;
    case POLICY_ON_FAILURE:
      return c->exit_code != 0 && (max <= 0 || c->restart_count < max);
    case POLICY_NO:
      break;
    }
  return false;
}

static int64_t
run_time_ns (const struct container *c)
{
  int64_t started, finished;

  if (berth_timestamp_parse (c->started_at, 0, "StartedAt", &started, NULL) <= 0
      || berth_timestamp_parse (c->finished_at, 0, "FinishedAt", &finished, NULL) <= 0)
    return 0;
  return finished - started;
}

bool
manager_restart_wanted_locked (struct container_manager *m, struct container *c, unsigned *ret_delay_ms)
{
  if (m->closing || c->removed || c->stopped_by_user || !policy_wants (c, c->stopped_by_user))
    return false;
  if (run_time_ns (c) >= BACKOFF_RESET_NS || c->restart_delay_ms == 0)
    c->restart_delay_ms = BACKOFF_FIRST_MS;
  else if (c->restart_delay_ms < BACKOFF_MAX_MS)
    c->restart_delay_ms *= 2;
  if (c->restart_delay_ms > BACKOFF_MAX_MS)
    c->restart_delay_ms = BACKOFF_MAX_MS;
  c->restart_count++;
  c->status = CONTAINER_RESTARTING;
  manager_save_state_locked (c);
  *ret_delay_ms = c->restart_delay_ms;
  return true;
}

static void
restart_after_locked (struct container_manager *m, struct container *c, unsigned delay_ms)
{
  berth_error_t err = NULL;
  struct timespec deadline;

  clock_gettime (CLOCK_REALTIME, &deadline);
  deadline.tv_sec += delay_ms / 1000;
  deadline.tv_nsec += (long)(delay_ms % 1000) * 1000000L;
  if (deadline.tv_nsec >= 1000000000L)
    {
      deadline.tv_sec++;
      deadline.tv_nsec -= 1000000000L;
    }
  while (!m->closing && !c->removed && !c->stopped_by_user && c->status == CONTAINER_RESTARTING)
    if (pthread_cond_timedwait (&m->changed, &m->lock, &deadline) == ETIMEDOUT)
      break;
  manager_wait_start_locked (m, c); /* a start by the user under way: it wins */
  /* someone else started it, or it is being removed */
  if (c->status != CONTAINER_RESTARTING || c->removed)
    return;
  if (m->closing || c->stopped_by_user)
    {
      /* canceled: it stays exited (the daemon's next start may restart it) */
      c->status = CONTAINER_EXITED;
      manager_save_state_locked (c);
      pthread_cond_broadcast (&m->changed);
      return;
    }
  if (manager_start_locked (m, c, &err) < 0)
    {
      log_error ("container %.12s: restart policy: %s", c->id, berth_error_msg (&err));
      berth_error_release (&err);
      c->status = CONTAINER_EXITED;
      manager_save_state_locked (c);
    }
  pthread_cond_broadcast (&m->changed);
}

struct restart_arg
{
  struct container_manager *m;
  struct container *c;
  unsigned delay_ms;
};

/* its own thread: a start needs more stack than a monitor thread has */
static void *
restart_main (void *p)
{
  struct restart_arg *a = p;
  struct container_manager *m = a->m;

  pthread_mutex_lock (&m->lock);
  restart_after_locked (m, a->c, a->delay_ms);
  manager_unref_locked (a->c);
  m->monitors--;
  pthread_mutex_unlock (&m->lock);
  free (a);
  return NULL;
}

void
manager_restart_schedule_locked (struct container_manager *m, struct container *c, unsigned delay_ms)
{
  struct restart_arg *a = xmalloc0 (sizeof (*a));
  pthread_attr_t attr;
  pthread_t t;

  a->m = m;
  a->c = c;
  a->delay_ms = delay_ms;
  c->refs++;
  m->monitors++; /* keeps the manager alive as a monitor does */
  pthread_attr_init (&attr);
  pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
  if (pthread_create (&t, &attr, restart_main, a) != 0)
    {
      log_error ("container %.12s: cannot start a thread for its restart policy", c->id);
      c->refs--;
      m->monitors--;
      free (a);
      c->status = CONTAINER_EXITED;
      manager_save_state_locked (c);
      pthread_cond_broadcast (&m->changed);
    }
  pthread_attr_destroy (&attr);
}

bool
manager_restart_cancel_locked (struct container_manager *m, struct container *c, int seconds)
{
  struct timespec deadline;

  if (c->status != CONTAINER_RESTARTING)
    return true;
  c->stopped_by_user = true;
  pthread_cond_broadcast (&m->changed);
  clock_gettime (CLOCK_REALTIME, &deadline);
  deadline.tv_sec += seconds;
  while (c->status == CONTAINER_RESTARTING)
    if (pthread_cond_timedwait (&m->changed, &m->lock, &deadline) == ETIMEDOUT)
      return c->status != CONTAINER_RESTARTING;
  return true;
}

void
container_manager_restart_at_boot (struct container_manager *m)
{
  struct container **list;
  size_t n;

  pthread_mutex_lock (&m->lock);
  /* a start drops the lock: the list may change meanwhile */
  n = m->n;
  list = xmalloc0 ((n + 1) * sizeof (*list));
  for (size_t i = 0; i < n; i++)
    {
      list[i] = m->list[i];
      list[i]->refs++;
      /* a back-off the previous daemon did not finish (before any start
         below: an exit meanwhile may schedule a back-off of ours) */
      if (list[i]->status == CONTAINER_RESTARTING)
        {
          list[i]->status = CONTAINER_EXITED;
          manager_save_state_locked (list[i]);
        }
    }
  for (size_t i = 0; i < n && !m->closing; i++)
    {
      struct container *c = list[i];
      berth_error_t err = NULL;
      int max;

      if (c->removed || c->starting || c->status != CONTAINER_EXITED || policy_of (c, &max) == POLICY_NO
          || strcmp (c->started_at, container_zero_time) == 0 || !policy_wants (c, c->stopped_by_user))
        continue;
      /* a start by the daemon as by the user: the count starts again */
      c->restart_count = 0;
      c->restart_delay_ms = 0;
      if (manager_start_locked (m, c, &err) < 0)
        {
          log_error ("container %.12s: restart policy at daemon start: %s", c->id, berth_error_msg (&err));
          berth_error_release (&err);
        }
      else
        log_info ("container %.12s started (restart policy %s)", c->id,
                  json_object_get_string (
                      json_object_object_get (json_object_object_get (c->host_config, "RestartPolicy"), "Name")));
    }
  for (size_t i = 0; i < n; i++)
    manager_unref_locked (list[i]);
  pthread_mutex_unlock (&m->lock);
  free (list);
}

void
manager_restart_on_kill_locked (struct container *c, int sig)
{
  const char *stop_signal = json_object_get_string (json_object_object_get (c->config, "StopSignal"));
  int max, stop_sig = manager_parse_signal (stop_signal, SIGTERM, NULL);

  /* moby: the stop signal means "do not restart after this exit" (its
     ExitOnNext); any kill counts as a manual stop for unless-stopped */
  if (sig == stop_sig || policy_of (c, &max) == POLICY_UNLESS_STOPPED)
    c->stopped_by_user = true;
}
