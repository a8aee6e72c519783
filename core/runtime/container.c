/* create and run: everything the runtime does around clone(). */
#include "config.h"

#include "core/runtime/cgroup.h"
#include "core/runtime/console.h"
#include "core/runtime/container-internal.h"
#include "core/runtime/devices.h"
#include "core/runtime/hooks.h"
#include "core/runtime/namespaces.h"
#include "core/runtime/sync.h"
#include "core/lib/fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* fork-like clone: the child runs on a copy of our stack */
static pid_t
raw_clone (int flags)
{
  return (pid_t) syscall (SYS_clone, (unsigned long) flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

/* fds 3..3+n-1 are the caller's to hand over; make sure none of ours lands there */
static int
reserve_preserved_fds (int n, berth_error_t *err)
{
  int fd;

  for (fd = 3; fd < 3 + n; fd++)
    if (fcntl (fd, F_GETFD) < 0 && errno == EBADF)
      {
        int null = open ("/dev/null", O_RDWR);
        if (null < 0)
          return berth_error_errno (err, errno, "open /dev/null");
        if (null != fd)
          {
            dup2 (null, fd);
            close (null);
          }
      }
  return 0;
}

static int
write_oom_score_adj (pid_t pid, int value, berth_error_t *err)
{
  char path[64], buf[16];
  cleanup_close int fd = -1;
  int len;

  snprintf (path, sizeof (path), "/proc/%d/oom_score_adj", (int) pid);
  len = snprintf (buf, sizeof (buf), "%d", value);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write (fd, buf, (size_t) len) != len)
    return berth_error_errno (err, errno, "process.oomScoreAdj: set %d", value);
  return 0;
}

int
container_write_pid_file (const char *path, pid_t pid, berth_error_t *err)
{
  char buf[32];
  int len = snprintf (buf, sizeof (buf), "%d", (int) pid);

  if (berth_write_file_replace (path, buf, (size_t) len, 0644, err) < 0)
    return berth_error_wrap (err, "pid file");
  return 0;
}

struct create_run
{
  const char *root;
  const char *id;
  enum berth_create_mode mode;
  const struct berth_create_opts *opts;
  struct berth_spec *spec;
  char *spec_text;
  size_t spec_len;
  struct berth_cgroup *cgroup;
  struct berth_ns_plan plan;
  struct berth_state state;
  int sync[2];
  int fifo_fd;
  int console_fd;
  int master; /* run -t without a console socket: the pty master */
  int sfd;    /* run: signalfd */
  sigset_t old_mask;
  bool mask_set;
  pid_t pid;
  bool state_dir;
};

static int
load_spec (struct create_run *c, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/config.json", c->opts->bundle);

  if (berth_read_file (path, 16 << 20, &c->spec_text, &c->spec_len, err) < 0)
    return berth_error_ret (err);
  c->spec = berth_spec_parse (c->spec_text, c->spec_len, c->opts->bundle, err);
  if (c->spec == NULL)
    return berth_error_ret (err);
  if (c->spec->process == NULL)
    return berth_error_make (err, EINVAL, "config.json: process: required to create a container");
  if (c->spec->process->terminal && c->mode != BERTH_RUN && c->opts->console_socket == NULL)
    return berth_error_make (err, EINVAL, "process.terminal is set: --console-socket is required");
  if (!c->spec->process->terminal && c->opts->console_socket)
    return berth_error_make (err, EINVAL, "--console-socket given but process.terminal is false");
  return 0;
}

static int
setup_cgroup (struct create_run *c, berth_error_t *err)
{
  struct berth_spec_resources r = c->spec->lx.resources;
  cleanup_free struct berth_spec_device_rule *rules = NULL;

  r.n_devices = berth_devices_cgroup_rules (c->spec, &rules);
  r.devices = rules;
  c->cgroup = berth_cgroup_new (c->spec->lx.cgroups_path, c->id, err);
  if (c->cgroup == NULL)
    return berth_error_ret (err);
  if (berth_cgroup_create (c->cgroup, &r, err) < 0)
    return berth_error_wrap (err, "cgroup `%s`", berth_cgroup_path (c->cgroup));
  return 0;
}

static int
setup_channels (struct create_run *c, berth_error_t *err)
{
  if (c->mode == BERTH_CREATE)
    {
      cleanup_free char *fifo = xasprintf ("%s/%s/exec.fifo", c->root, c->id);
      if (mkfifo (fifo, 0600) < 0)
        return berth_error_errno (err, errno, "mkfifo `%s`", fifo);
      c->fifo_fd = open (fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
      if (c->fifo_fd < 0)
        return berth_error_errno (err, errno, "open `%s`", fifo);
    }
  if (c->opts->console_socket)
    {
      c->console_fd = berth_console_connect (c->opts->console_socket, err);
      if (c->console_fd < 0)
        return c->console_fd;
    }
  if (c->mode == BERTH_RUN)
    {
      sigset_t set;
      container_forward_set (&set);
      if (sigprocmask (SIG_BLOCK, &set, &c->old_mask) < 0)
        return berth_error_errno (err, errno, "block signals");
      c->mask_set = true;
      c->sfd = signalfd (-1, &set, SFD_CLOEXEC);
      if (c->sfd < 0)
        return berth_error_errno (err, errno, "signalfd");
    }
  return berth_sync_pair (c->sync, err);
}

static int
spawn (struct create_run *c, berth_error_t *err)
{
  cleanup_close int own_pidns = -1;
  int joinpid = c->plan.join_fds[BERTH_NS_PID];

  /* a pid namespace is entered by the children of whoever calls setns */
  if (joinpid >= 0)
    {
      own_pidns = open ("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
      if (own_pidns < 0 || setns (joinpid, CLONE_NEWPID) < 0)
        return berth_error_errno (err, errno, "join the pid namespace `%s`",
                                  c->spec->lx.namespaces[BERTH_NS_PID].path);
    }
  c->pid = raw_clone (c->plan.clone_flags);
  if (c->pid == 0)
    {
      struct berth_init_ctx ctx = { .mode = c->mode,
                                    .spec = c->spec,
                                    .opts = c->opts,
                                    .cgroup = c->cgroup,
                                    .plan = &c->plan,
                                    .parent = getppid (),
                                    .sync_fd = c->sync[1],
                                    .fifo_fd = c->fifo_fd,
                                    .console_fd = c->console_fd };
      close (c->sync[0]);
      berth_init_main (&ctx);
    }
  if (c->pid < 0)
    {
      int e = errno;
      if (own_pidns >= 0)
        setns (own_pidns, CLONE_NEWPID);
      return berth_error_errno (err, e, "clone the container process");
    }
  if (own_pidns >= 0 && setns (own_pidns, CLONE_NEWPID) < 0)
    return berth_error_errno (err, errno, "return to our pid namespace");
  close (c->sync[1]);
  c->sync[1] = -1;
  berth_ns_plan_close (&c->plan);
  if (c->fifo_fd >= 0)
    {
      close (c->fifo_fd);
      c->fifo_fd = -1;
    }
  if (c->console_fd >= 0)
    {
      close (c->console_fd);
      c->console_fd = -1;
    }
  return 0;
}

static bool
has_hooks (const struct berth_spec *spec)
{
  int k;

  for (k = 0; k < BERTH_HOOK__COUNT; k++)
    if (spec->n_hooks[k])
      return true;
  return false;
}

static int
run_runtime_hooks (struct create_run *c, berth_error_t *err)
{
  cleanup_free char *json = berth_state_to_oci_json (&c->state, BERTH_STATUS_CREATING);

  if (berth_hooks_run (c->spec, BERTH_HOOK_PRESTART, json, err) < 0
      || berth_hooks_run (c->spec, BERTH_HOOK_CREATE_RUNTIME, json, err) < 0)
    return berth_error_ret (err);
  return berth_sync_send (c->sync[0], BERTH_SYNC_HOOKS_DONE, 0, NULL, err);
}

/* from clone to a container waiting for start */
static int
bring_up (struct create_run *c, berth_error_t *err)
{
  cleanup_free char *hook_state = NULL;
  struct berth_sync_msg msg;

  if (berth_cgroup_enter (c->cgroup, c->pid, err) < 0)
    return berth_error_ret (err);
  if (c->plan.new_userns && berth_ns_write_id_maps (c->pid, c->spec, err) < 0)
    return berth_error_ret (err);
  if (c->spec->process->has_oom_score_adj && write_oom_score_adj (c->pid, c->spec->process->oom_score_adj, err) < 0)
    return berth_error_ret (err);
  c->state.pid = c->pid;
  c->state.pid_start = berth_proc_start_time (c->pid);
  if (has_hooks (c->spec))
    hook_state = berth_state_to_oci_json (&c->state, BERTH_STATUS_CREATING);
  if (berth_sync_send (c->sync[0], BERTH_SYNC_GO, c->pid, hook_state, err) < 0)
    return berth_error_ret (err);
  for (;;)
    {
      if (berth_sync_recv (c->sync[0], &msg, err) < 0)
        return berth_error_ret (err);
      if (msg.type == BERTH_SYNC_READY)
        break;
      if (msg.type == BERTH_SYNC_PTY)
        {
          c->master = msg.fd;
          msg.fd = -1;
        }
      else if (msg.type == BERTH_SYNC_HOOKS)
        {
          if (run_runtime_hooks (c, err) < 0)
            return berth_error_ret (err);
        }
      else if (msg.type == BERTH_SYNC_ERROR)
        {
          berth_error_make (err, msg.value > 0 ? msg.value : EIO, "%s", msg.text ? msg.text : "container init failed");
          berth_sync_msg_clear (&msg);
          return berth_error_ret (err);
        }
      else
        {
          berth_sync_msg_clear (&msg);
          return berth_error_make (err, EPIPE, "the container process exited during setup");
        }
      berth_sync_msg_clear (&msg);
    }
  return 0;
}

static int
save_state (struct create_run *c, berth_error_t *err)
{
  cleanup_free char *cfg = xasprintf ("%s/%s/config.json", c->root, c->id);

  c->state.cgroup_mode = berth_cgroup_mode (c->cgroup);
  c->state.cgroup_path = xstrdup (berth_cgroup_path (c->cgroup));
  c->state.detached_run = c->mode != BERTH_CREATE;
  if (berth_write_file_replace (cfg, c->spec_text, c->spec_len, 0600, err) < 0
      || berth_state_save (c->root, &c->state, err) < 0)
    return berth_error_ret (err);
  if (c->opts->pid_file && container_write_pid_file (c->opts->pid_file, c->pid, err) < 0)
    return berth_error_ret (err);
  return 0;
}

/* after START: EOF means the program was exec'd; an error is reported */
static int
wait_exec (struct create_run *c, berth_error_t *err)
{
  struct berth_sync_msg msg;

  if (berth_sync_recv (c->sync[0], &msg, err) < 0)
    return berth_error_ret (err);
  if (msg.type == BERTH_SYNC_ERROR)
    {
      berth_error_make (err, msg.value > 0 ? msg.value : EIO, "%s", msg.text ? msg.text : "exec failed");
      berth_sync_msg_clear (&msg);
      return berth_error_ret (err);
    }
  berth_sync_msg_clear (&msg);
  return 0;
}

static void
poststart (struct create_run *c)
{
  cleanup_free char *json = NULL;
  berth_error_t err = NULL;

  if (c->spec->n_hooks[BERTH_HOOK_POSTSTART] == 0)
    return;
  json = berth_state_to_oci_json (&c->state, BERTH_STATUS_RUNNING);
  if (berth_hooks_run (c->spec, BERTH_HOOK_POSTSTART, json, &err) < 0)
    {
      log_warn ("%s", berth_error_msg (&err));
      berth_error_release (&err);
    }
}

static void
report_oom (struct create_run *c, int status)
{
  uint64_t kills = 0;

  if (status == 128 + SIGKILL && berth_cgroup_oom_kills (c->cgroup, &kills, NULL) == 0 && kills > 0)
    log_warn ("container %s was killed by the OOM killer (memory limit reached)", c->id);
}

static int
run_foreground (struct create_run *c, int *exit_status, berth_error_t *err)
{
  berth_error_t exec_err = NULL;
  int status;

  if (berth_sync_send (c->sync[0], BERTH_SYNC_START, 0, NULL, err) < 0)
    return berth_error_ret (err);
  if (wait_exec (c, &exec_err) < 0)
    {
      /* the child exits 126/127; that is the status we return */
      log_error ("%s", berth_error_msg (&exec_err));
      berth_error_release (&exec_err);
    }
  else
    poststart (c);
  status = container_wait_forwarding (c->pid, c->sfd, c->master, err);
  if (status < 0)
    return status;
  c->pid = 0; /* reaped */
  report_oom (c, status);
  *exit_status = status;
  return 0;
}

static void
undo (struct create_run *c)
{
  berth_error_t err = NULL;

  if (c->pid > 0)
    {
      kill (c->pid, SIGKILL);
      while (waitpid (c->pid, NULL, 0) < 0 && errno == EINTR)
        ;
      c->pid = 0;
    }
  if (c->cgroup && berth_cgroup_destroy (c->cgroup, &err) < 0)
    {
      log_warn ("cleanup: %s", berth_error_msg (&err));
      berth_error_release (&err);
    }
  if (c->state_dir && berth_state_remove (c->root, c->id, &err) < 0)
    {
      log_warn ("cleanup: %s", berth_error_msg (&err));
      berth_error_release (&err);
    }
}

static void
release (struct create_run *c)
{
  if (c->sync[0] >= 0)
    close (c->sync[0]);
  if (c->sync[1] >= 0)
    close (c->sync[1]);
  if (c->fifo_fd >= 0)
    close (c->fifo_fd);
  if (c->console_fd >= 0)
    close (c->console_fd);
  if (c->master >= 0)
    close (c->master);
  if (c->sfd >= 0)
    close (c->sfd);
  if (c->mask_set)
    sigprocmask (SIG_SETMASK, &c->old_mask, NULL);
  berth_ns_plan_close (&c->plan);
  berth_cgroup_free (c->cgroup);
  berth_spec_free (c->spec);
  free (c->spec_text);
  free (c->state.created);
  free (c->state.cgroup_path);
}

int
berth_container_create (const char *root, const char *id, enum berth_create_mode mode,
                        const struct berth_create_opts *opts, int *exit_status, berth_error_t *err)
{
  struct create_run c = { .root = root, .id = id, .mode = mode, .opts = opts, .sync = { -1, -1 }, .fifo_fd = -1,
                          .console_fd = -1, .master = -1, .sfd = -1 };
  int k;

  for (k = 0; k < BERTH_NS__COUNT; k++)
    c.plan.join_fds[k] = -1;
  if (berth_state_check_id (id, err) < 0 || load_spec (&c, err) < 0
      || reserve_preserved_fds (opts->preserve_fds, err) < 0)
    goto fail;
  if (berth_state_dir_create (root, id, err) < 0)
    goto fail;
  c.state_dir = true;
  c.state.id = (char *) id;
  c.state.bundle = (char *) opts->bundle;
  c.state.rootfs = c.spec->root_path;
  c.state.created = berth_rfc3339_now ();
  c.state.owner = (char *) "";
  c.state.annotations = c.spec->annotations;
  c.state.n_annotations = c.spec->n_annotations;
  if (setup_cgroup (&c, err) < 0 || berth_ns_plan_build (c.spec, &c.plan, err) < 0 || setup_channels (&c, err) < 0
      || spawn (&c, err) < 0 || bring_up (&c, err) < 0 || save_state (&c, err) < 0)
    goto fail;
  switch (mode)
    {
    case BERTH_CREATE:
      /* the init drops its parent-death signal, then hangs up: only then may we exit */
      if (berth_sync_send (c.sync[0], BERTH_SYNC_ACK, 0, NULL, err) < 0 || wait_exec (&c, err) < 0)
        goto fail;
      break;
    case BERTH_RUN_DETACH:
      if (berth_sync_send (c.sync[0], BERTH_SYNC_START, 0, NULL, err) < 0 || wait_exec (&c, err) < 0)
        goto fail;
      poststart (&c);
      break;
    case BERTH_RUN:
      if (run_foreground (&c, exit_status, err) < 0)
        goto fail;
      if (!opts->keep)
        {
          berth_error_t cerr = NULL;
          if (container_cleanup (root, &c.state, c.spec, &cerr) < 0)
            {
              log_warn ("%s", berth_error_msg (&cerr));
              berth_error_release (&cerr);
            }
        }
      break;
    }
  release (&c);
  return 0;
fail:
  undo (&c);
  release (&c);
  return berth_error_ret (err);
}
