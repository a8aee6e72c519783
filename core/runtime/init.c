/* The container init between clone() and execve(): namespaces, filesystem,
   console, then the process itself.  Runs in the child only; every failure
   goes back to the runtime as one SYNC_ERROR message. */
#include "config.h"

#include "core/runtime/caps.h"
#include "core/runtime/console.h"
#include "core/runtime/container.h"
#include "core/runtime/devices.h"
#include "core/runtime/hooks.h"
#include "core/runtime/init.h"
#include "core/runtime/mounts.h"
#include "core/runtime/namespaces.h"
#include "core/runtime/process.h"
#include "core/runtime/seccomp.h"
#include "core/runtime/seccomp-file.h"
#include "core/runtime/sync.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

void
berth_init_fail (int sync_fd, berth_error_t *err)
{
  const char *msg = *err ? (*err)->msg : "container init failed";
  int code = *err ? (*err)->code : 0;

  if (sync_fd < 0 || berth_sync_send (sync_fd, BERTH_SYNC_ERROR, code, msg, NULL) < 0)
    dprintf (2, "berth-runtime: %s\n", msg);
  _exit (code == ENOENT ? 127 : code == EACCES ? 126 : 1);
}

static int
wait_for_start (struct berth_init_ctx *ctx, berth_error_t *err)
{
  struct berth_sync_msg msg;
  char c;

  if (ctx->mode != BERTH_CREATE)
    {
      if (berth_sync_expect (ctx->sync_fd, BERTH_SYNC_START, &msg, err) < 0)
        return berth_error_ret (err);
      berth_sync_msg_clear (&msg);
      return 0;
    }
  /* poll() on a FIFO that never had a writer does not report a hang-up:
     it sleeps until `start` opens the other end and writes */
  for (;;)
    {
      struct pollfd p = { ctx->fifo_fd, POLLIN, 0 };
      ssize_t n;
      if (poll (&p, 1, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return berth_error_errno (err, errno, "wait for start");
        }
      n = read (ctx->fifo_fd, &c, 1);
      if (n == 1)
        return 0;
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      return berth_error_make (err, ECANCELED, "start was aborted");
    }
}

static int
setup_uts (const struct berth_spec *spec, berth_error_t *err)
{
  if (spec->hostname && sethostname (spec->hostname, strlen (spec->hostname)) < 0)
    return berth_error_errno (err, errno, "hostname `%s`", spec->hostname);
  if (spec->domainname && setdomainname (spec->domainname, strlen (spec->domainname)) < 0)
    return berth_error_errno (err, errno, "domainname `%s`", spec->domainname);
  return 0;
}

static int
setup_console (struct berth_init_ctx *ctx, int rootfd, int *slave, berth_error_t *err)
{
  cleanup_free char *name = NULL;
  cleanup_close int master = -1;

  if (berth_console_open (rootfd, &master, slave, &name, err) < 0)
    return berth_error_ret (err);
  if (ctx->console_fd >= 0)
    {
      if (berth_console_send (ctx->console_fd, master, name, err) < 0)
        return berth_error_ret (err);
      close (ctx->console_fd);
      ctx->console_fd = -1;
    }
  else if (berth_sync_send_fd (ctx->sync_fd, BERTH_SYNC_PTY, master, err) < 0)
    return berth_error_ret (err);
  return berth_console_bind (rootfd, *slave, err);
}

static int
no_pivot (struct berth_mount_ctx *mctx, berth_error_t *err)
{
  if (fchdir (mctx->rootfd) < 0 || mount (".", "/", NULL, MS_MOVE, NULL) < 0 || chroot (".") < 0 || chdir ("/") < 0)
    return berth_error_errno (err, errno, "move the rootfs to /");
  return 0;
}

static void
setup_container (struct berth_init_ctx *ctx, char *hook_state, void **seccomp_filter)
{
  const struct berth_spec *spec = ctx->spec;
  struct berth_mount_ctx mctx = { .spec = spec,
                                  .bundle = ctx->opts->bundle,
                                  .cgroup = ctx->cgroup,
                                  .new_cgroupns = ctx->plan->new_cgroupns,
                                  .in_userns = spec->lx.namespaces[BERTH_NS_USER].present,
                                  .rootfd = -1 };
  berth_error_t err = NULL;
  int slave = -1;

  if (berth_ns_join_others (ctx->plan, &err) < 0 || setup_uts (spec, &err) < 0)
    berth_init_fail (ctx->sync_fd, &err);
  /* built now so that a bad rule fails create, loaded just before exec */
  if (spec->lx.seccomp && berth_seccomp_prepare_spec (spec, seccomp_filter, &err) < 0)
    berth_init_fail (ctx->sync_fd, &err);
  umask (0);
  if (berth_rootfs_prepare (&mctx, &err) < 0 || berth_mounts_apply (&mctx, &err) < 0)
    berth_init_fail (ctx->sync_fd, &err);
  if (!berth_mounts_have_dev_bind (spec) && berth_devices_create (mctx.rootfd, spec, mctx.in_userns, &err) < 0)
    berth_init_fail (ctx->sync_fd, &err);
  if (spec->process->terminal && setup_console (ctx, mctx.rootfd, &slave, &err) < 0)
    berth_init_fail (ctx->sync_fd, &err);
  if (spec->n_hooks[BERTH_HOOK_PRESTART] || spec->n_hooks[BERTH_HOOK_CREATE_RUNTIME])
    {
      struct berth_sync_msg msg;
      if (berth_sync_send (ctx->sync_fd, BERTH_SYNC_HOOKS, 0, NULL, &err) < 0
          || berth_sync_expect (ctx->sync_fd, BERTH_SYNC_HOOKS_DONE, &msg, &err) < 0)
        berth_init_fail (ctx->sync_fd, &err);
      berth_sync_msg_clear (&msg);
    }
  if (berth_hooks_run (spec, BERTH_HOOK_CREATE_CONTAINER, hook_state ? hook_state : "{}", &err) < 0)
    berth_init_fail (ctx->sync_fd, &err);
  if ((ctx->opts->no_pivot ? no_pivot (&mctx, &err) : berth_rootfs_pivot (&mctx, &err)) < 0
      || berth_rootfs_finalize (&mctx, &err) < 0)
    berth_init_fail (ctx->sync_fd, &err);
  close (mctx.rootfd);
  if (slave >= 0)
    {
      if (berth_console_become (slave, spec->process->console_height, spec->process->console_width, &err) < 0)
        berth_init_fail (ctx->sync_fd, &err);
      close (slave);
    }
  else if (setsid () < 0)
    {
      /* a new session: an inherited host tty is never our controlling
         terminal, so TIOCSTI cannot type into the host's shell */
      berth_error_errno (&err, errno, "setsid");
      berth_init_fail (ctx->sync_fd, &err);
    }
}

void
berth_init_main (struct berth_init_ctx *ctx)
{
  const struct berth_spec *spec = ctx->spec;
  berth_error_t err = NULL;
  struct berth_sync_msg msg;
  char *hook_state = NULL;
  void *seccomp_filter = NULL;

  /* die with the runtime until the container is handed over; if it died
     already, the GO below reads EOF */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  prctl (PR_SET_DUMPABLE, 0);
  if (berth_ns_join_user (ctx->plan, &err) < 0)
    berth_init_fail (ctx->sync_fd, &err);
  if (berth_sync_expect (ctx->sync_fd, BERTH_SYNC_GO, &msg, &err) < 0)
    berth_init_fail (ctx->sync_fd, &err);
  hook_state = steal_pointer (&msg.text);
  berth_sync_msg_clear (&msg);
  if (spec->lx.namespaces[BERTH_NS_USER].present
      && (syscall (SYS_setresgid, 0, 0, 0) < 0 || syscall (SYS_setresuid, 0, 0, 0) < 0))
    {
      berth_error_errno (&err, errno, "become root in the user namespace");
      berth_init_fail (ctx->sync_fd, &err);
    }
  setup_container (ctx, hook_state, &seccomp_filter);
  if (berth_sync_send (ctx->sync_fd, BERTH_SYNC_READY, 0, NULL, &err) < 0)
    berth_init_fail (-1, &err);
  if (ctx->mode == BERTH_CREATE)
    {
      if (berth_sync_expect (ctx->sync_fd, BERTH_SYNC_ACK, &msg, &err) < 0)
        berth_init_fail (-1, &err);
      berth_sync_msg_clear (&msg);
      /* the runtime exits now; from here on only `start` or `delete` matter */
      prctl (PR_SET_PDEATHSIG, 0);
      close (ctx->sync_fd);
      ctx->sync_fd = -1;
    }
  if (wait_for_start (ctx, &err) < 0)
    berth_init_fail (ctx->sync_fd, &err);
  if (ctx->mode != BERTH_RUN)
    prctl (PR_SET_PDEATHSIG, 0);
  if (berth_hooks_run (spec, BERTH_HOOK_START_CONTAINER, hook_state ? hook_state : "{}", &err) < 0)
    berth_init_fail (ctx->sync_fd, &err);
  free (hook_state);
  berth_init_exec_process (spec->process, seccomp_filter, ctx->opts->preserve_fds, ctx->sync_fd);
}

void
berth_init_exec_process (const struct berth_spec_process *p, void *seccomp, int preserve_fds, int sync_fd)
{
  berth_error_t err = NULL;
  cleanup_free char *program = NULL;
  char **env = NULL;
  bool cwd_done = false;
  sigset_t none;

  if (berth_process_set_rlimits (p, &err) < 0)
    berth_init_fail (sync_fd, &err);
  env = berth_process_build_env (p);
  program = berth_process_find_program (p->args[0], env, &err);
  if (program == NULL)
    berth_init_fail (sync_fd, &err);
  /* as root first; a cwd only the user may enter is tried again below */
  if (berth_process_chdir (p->cwd, &err) == 0)
    cwd_done = true;
  else if (berth_error_code (&err) != EACCES)
    berth_init_fail (sync_fd, &err);
  else
    berth_error_release (&err);
  if (p->has_caps && (berth_caps_check (&p->caps, &err) < 0 || berth_caps_drop_bounding (p->caps.bounding, &err) < 0))
    berth_init_fail (sync_fd, &err);
  /* without no_new_privs, loading a filter needs CAP_SYS_ADMIN: do it while we have it */
  if (seccomp && !p->no_new_privileges && berth_seccomp_load (seccomp, &err) < 0)
    berth_init_fail (sync_fd, &err);
  if (p->has_caps)
    prctl (PR_SET_KEEPCAPS, 1);
  if (berth_process_set_user (p, &err) < 0)
    berth_init_fail (sync_fd, &err);
  if (p->has_caps)
    prctl (PR_SET_KEEPCAPS, 0);
  if (!cwd_done && berth_process_chdir (p->cwd, &err) < 0)
    berth_init_fail (sync_fd, &err);
  if (p->has_caps && berth_caps_apply (&p->caps, &err) < 0)
    berth_init_fail (sync_fd, &err);
  if (p->no_new_privileges && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    {
      berth_error_errno (&err, errno, "set no_new_privs");
      berth_init_fail (sync_fd, &err);
    }
  if (seccomp && p->no_new_privileges && berth_seccomp_load (seccomp, &err) < 0)
    berth_init_fail (sync_fd, &err);
  umask (p->user.has_umask ? p->user.umask : 022);
  if (berth_process_close_fds (preserve_fds, &err) < 0)
    berth_init_fail (sync_fd, &err);
  /* Ignored signals survive execve: a runtime started from a background job
     (SIGINT/SIGQUIT ignored) would hand that on to the container. */
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP && signal (sig, SIG_DFL) == SIG_ERR)
      {
        /* glibc refuses its internal real-time signals; the kernel does not. */
        struct
        {
          void (*handler) (int);
          unsigned long flags;
          void (*restorer) (void);
          uint64_t mask;
        } ksa = { SIG_DFL, 0, NULL, 0 };
        syscall (SYS_rt_sigaction, sig, &ksa, NULL, sizeof (ksa.mask));
      }
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  execve (program, p->args, env);
  /* Docker's wording, which clients map to exit codes 126/127. */
  if (errno == EACCES)
    berth_error_make (&err, EACCES, "exec `%s`: permission denied", program);
  else if (errno == ENOENT)
    berth_error_make (&err, ENOENT, "exec `%s`: no such file or directory", program);
  else
    berth_error_errno (&err, errno, "exec `%s`", program);
  berth_init_fail (sync_fd, &err);
}
