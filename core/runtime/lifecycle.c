/* Operations on an existing container: start, kill, delete, state, pause,
   resume, update, ps. */
#include "config.h"

#include "core/runtime/cgroup.h"
#include "core/runtime/container-internal.h"
#include "core/runtime/hooks.h"
#include "core/lib/fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct berth_spec *
container_load_spec (const char *root, const struct berth_state *st, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/%s/config.json", root, st->id);
  cleanup_free char *text = NULL;
  size_t len;

  if (berth_read_file (path, 16 << 20, &text, &len, err) < 0)
    return NULL;
  return berth_spec_parse (text, len, st->bundle, err);
}

static struct berth_cgroup *
state_cgroup (const struct berth_state *st, berth_error_t *err)
{
  if (st->cgroup_mode == 0 || st->cgroup_path == NULL || *st->cgroup_path == '\0')
    {
      berth_error_make (err, ENOENT, "container `%s` has no cgroup", st->id);
      return NULL;
    }
  return berth_cgroup_load (st->cgroup_mode, st->cgroup_path, err);
}

int
container_cleanup (const char *root, const struct berth_state *st, const struct berth_spec *spec, berth_error_t *err)
{
  cleanup_cgroup struct berth_cgroup *cg = state_cgroup (st, NULL);
  cleanup_spec struct berth_spec *loaded = NULL;

  if (cg && berth_cgroup_destroy (cg, err) < 0)
    return berth_error_ret (err);
  if (spec == NULL)
    spec = loaded = container_load_spec (root, st, NULL);
  if (spec && spec->n_hooks[BERTH_HOOK_POSTSTOP])
    {
      cleanup_free char *json = berth_state_to_oci_json (st, BERTH_STATUS_STOPPED);
      berth_error_t herr = NULL;
      if (berth_hooks_run (spec, BERTH_HOOK_POSTSTOP, json, &herr) < 0)
        {
          log_warn ("%s", berth_error_msg (&herr));
          berth_error_release (&herr);
        }
    }
  return berth_state_remove (root, st->id, err);
}

int
berth_container_start (const char *root, const char *id, berth_error_t *err)
{
  cleanup_state struct berth_state *st = berth_state_load (root, id, err);
  cleanup_free char *fifo = NULL;
  cleanup_close int fd = -1;
  enum berth_status status;

  if (st == NULL)
    return berth_error_ret (err);
  status = berth_state_status (root, st);
  if (status != BERTH_STATUS_CREATED)
    return berth_error_make (err, EINVAL, "container `%s` is %s, not created", id, berth_status_name (status));
  fifo = xasprintf ("%s/%s/exec.fifo", root, id);
  /* ENXIO: nobody is waiting on the other end any more */
  fd = open (fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return berth_error_errno (err, errno == ENXIO ? ESRCH : errno, "container `%s` is not waiting to start", id);
  if (unlink (fifo) < 0)
    return berth_error_errno (err, errno, "remove `%s`", fifo);
  if (write (fd, "0", 1) != 1)
    return berth_error_errno (err, errno, "start container `%s`", id);
  {
    cleanup_spec struct berth_spec *spec = container_load_spec (root, st, NULL);
    if (spec && spec->n_hooks[BERTH_HOOK_POSTSTART])
      {
        cleanup_free char *json = berth_state_to_oci_json (st, BERTH_STATUS_RUNNING);
        berth_error_t herr = NULL;
        if (berth_hooks_run (spec, BERTH_HOOK_POSTSTART, json, &herr) < 0)
          {
            log_warn ("%s", berth_error_msg (&herr));
            berth_error_release (&herr);
          }
      }
  }
  return 0;
}

/* a pidfd pins the process: the signal cannot hit a recycled pid */
static int
signal_init (const struct berth_state *st, int sig, berth_error_t *err)
{
  cleanup_close int pidfd = (int) syscall (SYS_pidfd_open, st->pid, 0);

  if (pidfd < 0)
    return berth_error_errno (err, errno == ESRCH ? ESRCH : errno, "container `%s` is not running", st->id);
  if (berth_proc_start_time (st->pid) != st->pid_start)
    return berth_error_make (err, ESRCH, "container `%s` is not running", st->id);
  if (syscall (SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
    return berth_error_errno (err, errno, "signal container `%s`", st->id);
  return 0;
}

int
berth_container_kill (const char *root, const char *id, int sig, bool all, berth_error_t *err)
{
  cleanup_state struct berth_state *st = berth_state_load (root, id, err);
  enum berth_status status;

  if (st == NULL)
    return berth_error_ret (err);
  status = berth_state_status (root, st);
  if (all)
    {
      cleanup_cgroup struct berth_cgroup *cg = state_cgroup (st, err);
      if (cg == NULL)
        return berth_error_ret (err);
      if (berth_cgroup_kill_all (cg, sig, err) < 0)
        return berth_error_ret (err);
      /* a frozen task only dies when thawed */
      if (sig == SIGKILL && status == BERTH_STATUS_PAUSED)
        berth_cgroup_freeze (cg, false, NULL);
      return 0;
    }
  if (status == BERTH_STATUS_STOPPED)
    return berth_error_make (err, ESRCH, "container `%s` is not running", id);
  return signal_init (st, sig, err);
}

static void
wait_gone (const struct berth_state *st)
{
  int i;

  for (i = 0; i < 2000 && berth_proc_start_time (st->pid) == st->pid_start && st->pid_start; i++)
    {
      struct timespec ts = { 0, 1000 * 1000 };
      nanosleep (&ts, NULL);
    }
}

int
berth_container_delete (const char *root, const char *id, bool force, berth_error_t *err)
{
  cleanup_state struct berth_state *st = berth_state_load (root, id, err);
  enum berth_status status;

  if (st == NULL)
    {
      /* a half-created directory without state.json: remove it when forced */
      if (force && berth_error_code (err) == ENOENT && berth_state_check_id (id, NULL) == 0)
        {
          berth_error_release (err);
          return berth_state_remove (root, id, err);
        }
      return berth_error_ret (err);
    }
  status = berth_state_status (root, st);
  if (status == BERTH_STATUS_RUNNING || status == BERTH_STATUS_PAUSED)
    {
      if (!force)
        return berth_error_make (err, EBUSY, "container `%s` is %s: stop it first or use --force", id,
                                 berth_status_name (status));
    }
  if (status != BERTH_STATUS_STOPPED)
    {
      cleanup_cgroup struct berth_cgroup *cg = state_cgroup (st, NULL);
      if (cg && status == BERTH_STATUS_PAUSED)
        berth_cgroup_freeze (cg, false, NULL);
      signal_init (st, SIGKILL, NULL);
      wait_gone (st);
    }
  return container_cleanup (root, st, NULL, err);
}

char *
berth_container_state (const char *root, const char *id, berth_error_t *err)
{
  cleanup_state struct berth_state *st = berth_state_load (root, id, err);

  if (st == NULL)
    return NULL;
  return berth_state_to_oci_json (st, berth_state_status (root, st));
}

int
berth_container_pause (const char *root, const char *id, bool pause, berth_error_t *err)
{
  cleanup_state struct berth_state *st = berth_state_load (root, id, err);
  cleanup_cgroup struct berth_cgroup *cg = NULL;
  enum berth_status status;

  if (st == NULL)
    return berth_error_ret (err);
  status = berth_state_status (root, st);
  if (pause && status != BERTH_STATUS_RUNNING && status != BERTH_STATUS_CREATED)
    return berth_error_make (err, EINVAL, "container `%s` is %s, not running", id, berth_status_name (status));
  if (!pause && status != BERTH_STATUS_PAUSED)
    return berth_error_make (err, EINVAL, "container `%s` is %s, not paused", id, berth_status_name (status));
  cg = state_cgroup (st, err);
  if (cg == NULL)
    return berth_error_ret (err);
  return berth_cgroup_freeze (cg, pause, err);
}

int
berth_container_update (const char *root, const char *id, const struct berth_spec_resources *r, berth_error_t *err)
{
  cleanup_state struct berth_state *st = berth_state_load (root, id, err);
  cleanup_cgroup struct berth_cgroup *cg = NULL;

  if (st == NULL)
    return berth_error_ret (err);
  if (berth_state_status (root, st) == BERTH_STATUS_STOPPED)
    return berth_error_make (err, EINVAL, "container `%s` is stopped", id);
  cg = state_cgroup (st, err);
  if (cg == NULL)
    return berth_error_ret (err);
  return berth_cgroup_update (cg, r, err);
}

int
berth_container_pids (const char *root, const char *id, pid_t **pids, size_t *n, berth_error_t *err)
{
  cleanup_state struct berth_state *st = berth_state_load (root, id, err);
  cleanup_cgroup struct berth_cgroup *cg = NULL;

  if (st == NULL)
    return berth_error_ret (err);
  cg = state_cgroup (st, err);
  if (cg == NULL)
    return berth_error_ret (err);
  return berth_cgroup_pids (cg, pids, n, err);
}
