/* exec: one more process inside a running container.  The runtime re-runs
   from its sealed copy (cloned-binary.c) before any of this, so the process
   joining the container never exposes the host binary. */
#include "config.h"

#include "core/runtime/cgroup.h"
#include "core/runtime/console.h"
#include "core/runtime/container-internal.h"
#include "core/runtime/init.h"
#include "core/runtime/seccomp.h"
#include "core/runtime/sync.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct exec_run
{
  const struct berth_exec_opts *opts;
  struct berth_spec *spec;
  struct berth_state *st;
  int ns_fds[BERTH_NS__COUNT];
  int rootfd;
  int sync[2];
  int console_fd;
  int sfd;
  int master;
  sigset_t old_mask;
  bool mask_set;
  pid_t pid;
};

static const char *const ns_files[BERTH_NS__COUNT] = {
  [BERTH_NS_USER] = "user", [BERTH_NS_PID] = "pid",       [BERTH_NS_NET] = "net",  [BERTH_NS_IPC] = "ipc",
  [BERTH_NS_UTS] = "uts",   [BERTH_NS_CGROUP] = "cgroup", [BERTH_NS_MOUNT] = "mnt", [BERTH_NS_TIME] = "time",
};

/* open the container's namespaces that differ from ours */
static int
open_namespaces (struct exec_run *x, berth_error_t *err)
{
  int k;

  for (k = 0; k < BERTH_NS__COUNT; k++)
    {
      char theirs[64], ours[64];
      struct stat a, b;
      snprintf (theirs, sizeof (theirs), "/proc/%d/ns/%s", (int) x->st->pid, ns_files[k]);
      snprintf (ours, sizeof (ours), "/proc/self/ns/%s", ns_files[k]);
      if (stat (theirs, &a) < 0)
        {
          if (errno == ENOENT && k == BERTH_NS_TIME)
            continue;
          return berth_error_errno (err, errno, "stat `%s`", theirs);
        }
      if (stat (ours, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
        continue;
      x->ns_fds[k] = open (theirs, O_RDONLY | O_CLOEXEC);
      if (x->ns_fds[k] < 0)
        return berth_error_errno (err, errno, "open `%s`", theirs);
    }
  return 0;
}

static void
child_join (struct exec_run *x)
{
  static const int order[] = { BERTH_NS_USER, BERTH_NS_NET, BERTH_NS_IPC, BERTH_NS_UTS, BERTH_NS_CGROUP, BERTH_NS_TIME,
                               BERTH_NS_MOUNT };
  const struct berth_spec_process *p = x->opts->process;
  berth_error_t err = NULL;
  void *filter = NULL;
  struct berth_sync_msg msg;
  size_t i;

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  prctl (PR_SET_DUMPABLE, 0);
  if (berth_sync_expect (x->sync[1], BERTH_SYNC_GO, &msg, &err) < 0)
    berth_init_fail (x->sync[1], &err);
  berth_sync_msg_clear (&msg);
  for (i = 0; i < sizeof (order) / sizeof (order[0]); i++)
    {
      int k = order[i];
      if (x->ns_fds[k] < 0)
        continue;
      if (setns (x->ns_fds[k], berth_ns_kind_clone_flag (k)) < 0)
        {
          berth_error_errno (&err, errno, "join the container's %s namespace", berth_ns_kind_name (k));
          berth_init_fail (x->sync[1], &err);
        }
      if (k == BERTH_NS_USER && (syscall (SYS_setresgid, 0, 0, 0) < 0 || syscall (SYS_setresuid, 0, 0, 0) < 0))
        {
          berth_error_errno (&err, errno, "become root in the user namespace");
          berth_init_fail (x->sync[1], &err);
        }
    }
  if (fchdir (x->rootfd) < 0 || chroot (".") < 0 || chdir ("/") < 0)
    {
      berth_error_errno (&err, errno, "enter the container's root");
      berth_init_fail (x->sync[1], &err);
    }
  close (x->rootfd);
  if (p->terminal)
    {
      cleanup_free char *name = NULL;
      int master, slave;
      cleanup_close int root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (berth_console_open (root, &master, &slave, &name, &err) < 0)
        berth_init_fail (x->sync[1], &err);
      if (x->console_fd >= 0 ? berth_console_send (x->console_fd, master, name, &err)
                             : berth_sync_send_fd (x->sync[1], BERTH_SYNC_PTY, master, &err))
        berth_init_fail (x->sync[1], &err);
      close (master);
      if (berth_console_become (slave, p->console_height, p->console_width, &err) < 0)
        berth_init_fail (x->sync[1], &err);
      close (slave);
    }
  else if (setsid () < 0)
    {
      berth_error_errno (&err, errno, "setsid");
      berth_init_fail (x->sync[1], &err);
    }
  if (x->spec->lx.seccomp && berth_seccomp_prepare (x->spec->lx.seccomp, &filter, &err) < 0)
    berth_init_fail (x->sync[1], &err);
  if (x->opts->detach)
    prctl (PR_SET_PDEATHSIG, 0);
  berth_init_exec_process (p, filter, x->opts->preserve_fds, x->sync[1]);
}

static int
spawn (struct exec_run *x, berth_error_t *err)
{
  cleanup_close int own_pidns = -1;
  int pidns = x->ns_fds[BERTH_NS_PID];

  if (pidns >= 0)
    {
      own_pidns = open ("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
      if (own_pidns < 0 || setns (pidns, CLONE_NEWPID) < 0)
        return berth_error_errno (err, errno, "join the container's pid namespace");
    }
  x->pid = (pid_t) syscall (SYS_clone, (unsigned long) SIGCHLD, NULL, NULL, NULL, NULL);
  if (x->pid == 0)
    {
      close (x->sync[0]);
      child_join (x);
    }
  if (own_pidns >= 0 && setns (own_pidns, CLONE_NEWPID) < 0)
    return berth_error_errno (err, errno, "return to our pid namespace");
  if (x->pid < 0)
    return berth_error_errno (err, errno, "clone");
  close (x->sync[1]);
  x->sync[1] = -1;
  return 0;
}

static int
prepare (const char *root, const char *id, struct exec_run *x, berth_error_t *err)
{
  const struct berth_spec_process *p = x->opts->process;
  enum berth_status status;

  x->st = berth_state_load (root, id, err);
  if (x->st == NULL)
    return berth_error_ret (err);
  status = berth_state_status (root, x->st);
  if (status != BERTH_STATUS_RUNNING && status != BERTH_STATUS_CREATED)
    return berth_error_make (err, EINVAL, "container `%s` is %s, not running", id, berth_status_name (status));
  if (p->terminal && x->opts->detach && x->opts->console_socket == NULL)
    return berth_error_make (err, EINVAL, "exec --tty --detach needs --console-socket");
  x->spec = container_load_spec (root, x->st, err);
  if (x->spec == NULL)
    return berth_error_ret (err);
  if (open_namespaces (x, err) < 0)
    return berth_error_ret (err);
  {
    char path[64];
    snprintf (path, sizeof (path), "/proc/%d/root", (int) x->st->pid);
    x->rootfd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (x->rootfd < 0)
      return berth_error_errno (err, errno, "open `%s`", path);
  }
  if (x->opts->console_socket)
    {
      x->console_fd = berth_console_connect (x->opts->console_socket, err);
      if (x->console_fd < 0)
        return x->console_fd;
    }
  if (!x->opts->detach)
    {
      sigset_t set;
      container_forward_set (&set);
      if (sigprocmask (SIG_BLOCK, &set, &x->old_mask) < 0)
        return berth_error_errno (err, errno, "block signals");
      x->mask_set = true;
      x->sfd = signalfd (-1, &set, SFD_CLOEXEC);
      if (x->sfd < 0)
        return berth_error_errno (err, errno, "signalfd");
    }
  return berth_sync_pair (x->sync, err);
}

static int
bring_up (struct exec_run *x, berth_error_t *err)
{
  struct berth_sync_msg msg;

  if (x->st->cgroup_mode && x->st->cgroup_path)
    {
      cleanup_cgroup struct berth_cgroup *cg = berth_cgroup_load (x->st->cgroup_mode, x->st->cgroup_path, err);
      if (cg == NULL || berth_cgroup_enter (cg, x->pid, err) < 0)
        return berth_error_ret (err);
    }
  if (berth_sync_send (x->sync[0], BERTH_SYNC_GO, x->pid, NULL, err) < 0)
    return berth_error_ret (err);
  /* EOF: the program runs; PTY: a master for us first; ERROR: it failed */
  for (;;)
    {
      if (berth_sync_recv (x->sync[0], &msg, err) < 0)
        return berth_error_ret (err);
      if (msg.type == BERTH_SYNC_PTY)
        {
          x->master = msg.fd;
          msg.fd = -1;
          berth_sync_msg_clear (&msg);
          continue;
        }
      if (msg.type == BERTH_SYNC_ERROR)
        {
          berth_error_make (err, msg.value > 0 ? msg.value : EIO, "%s", msg.text ? msg.text : "exec failed");
          berth_sync_msg_clear (&msg);
          return berth_error_ret (err);
        }
      berth_sync_msg_clear (&msg);
      return 0;
    }
}

static void
release (struct exec_run *x)
{
  int k;

  for (k = 0; k < BERTH_NS__COUNT; k++)
    if (x->ns_fds[k] >= 0)
      close (x->ns_fds[k]);
  if (x->rootfd >= 0)
    close (x->rootfd);
  if (x->sync[0] >= 0)
    close (x->sync[0]);
  if (x->sync[1] >= 0)
    close (x->sync[1]);
  if (x->console_fd >= 0)
    close (x->console_fd);
  if (x->master >= 0)
    close (x->master);
  if (x->sfd >= 0)
    close (x->sfd);
  if (x->mask_set)
    sigprocmask (SIG_SETMASK, &x->old_mask, NULL);
  berth_spec_free (x->spec);
  berth_state_free (x->st);
}

int
berth_container_exec (const char *root, const char *id, const struct berth_exec_opts *opts, int *exit_status,
                      berth_error_t *err)
{
  struct exec_run x = { .opts = opts, .rootfd = -1, .sync = { -1, -1 }, .console_fd = -1, .sfd = -1, .master = -1 };
  int k, status;

  for (k = 0; k < BERTH_NS__COUNT; k++)
    x.ns_fds[k] = -1;
  if (prepare (root, id, &x, err) < 0 || spawn (&x, err) < 0)
    goto fail;
  if (bring_up (&x, err) < 0)
    {
      if ((berth_error_code (err) == ENOENT || berth_error_code (err) == EACCES)
          && !(opts->detach && opts->start_errors))
        {
          /* the program is missing or not executable: report, return 127/126 */
          log_error ("%s", berth_error_msg (err));
          berth_error_release (err);
          *exit_status = 0;
        }
      else
        goto fail;
    }
  else if (opts->pid_file && container_write_pid_file (opts->pid_file, x.pid, err) < 0)
    goto fail;
  if (opts->detach)
    {
      *exit_status = 0;
      release (&x);
      return 0;
    }
  status = container_wait_forwarding (x.pid, x.sfd, x.master, err);
  x.pid = 0;
  if (status < 0)
    goto fail;
  *exit_status = status;
  release (&x);
  return 0;
fail:
  if (x.pid > 0)
    {
      kill (x.pid, SIGKILL);
      waitpid (x.pid, NULL, 0);
    }
  release (&x);
  return berth_error_ret (err);
}

struct berth_spec_process *
berth_container_process (const char *root, const char *id, berth_error_t *err)
{
  cleanup_state struct berth_state *st = berth_state_load (root, id, err);
  struct berth_spec *spec;
  struct berth_spec_process *p;

  if (st == NULL)
    return NULL;
  spec = container_load_spec (root, st, err);
  if (spec == NULL)
    return NULL;
  p = spec->process;
  spec->process = NULL;
  berth_spec_free (spec);
  if (p == NULL)
    berth_error_make (err, EINVAL, "container `%s` has no process in its config", id);
  return p;
}
