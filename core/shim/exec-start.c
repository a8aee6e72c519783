#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/lib/fs.h"
#include "core/lib/mem.h"
#include "core/runtime/console.h"
#include "core/runtime/container.h"
#include "core/shim/exec-start.h"
#include "core/shim/sockets.h"

static int
open_null (int flags)
{
  return open ("/dev/null", flags | O_CLOEXEC);
}

static struct berth_spec_process *
load_process (const char *dir, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/process.json", dir);
  cleanup_free char *text = NULL;
  struct berth_spec_process *p;
  size_t len;

  if (berth_read_file (path, 1 << 20, &text, &len, err) < 0)
    return NULL;
  p = berth_spec_parse_process (text, len, err);
  if (p == NULL)
    berth_error_wrap (err, "%s", path);
  return p;
}

static pid_t
read_pid (const char *path, berth_error_t *err)
{
  cleanup_free char *text = NULL;
  size_t len;
  long v;
  char *end;

  if (berth_read_file (path, 64, &text, &len, err) < 0)
    return -1;
  v = strtol (text, &end, 10);
  if (v <= 0 || end == text)
    return berth_error_make (err, EINVAL, "bad pid file %s", path);
  return (pid_t) v;
}

int
shim_exec_start (const char *runtime_root, const char *id, const char *dir, bool tty, bool open_stdin,
                 pid_t *ret_pid, struct shim_exec_io *io, berth_error_t *err)
{
  struct berth_spec_process *p = load_process (dir, err);
  cleanup_free char *console = NULL;
  cleanup_free char *pid_file = xasprintf ("%s/pid", dir);
  struct berth_exec_opts opts = { .process = p, .pid_file = pid_file, .detach = true, .start_errors = true };
  int out[2] = { -1, -1 }, errp[2] = { -1, -1 }, in[2] = { -1, -1 };
  int console_listen = -1, status = 0, r;
  int saved_err = fcntl (2, F_DUPFD_CLOEXEC, 3);

  if (p == NULL)
    return berth_error_ret (err);
  p->terminal = tty;
  unlink (pid_file);
  if (tty)
    {
      console = shim_socket_path (dir, "console.sock");
      console_listen = shim_listen_unix (console, err);
      if (console_listen < 0)
        {
          berth_spec_process_free (p);
          return console_listen;
        }
      opts.console_socket = console;
    }
  else
    {
      if (pipe2 (out, O_CLOEXEC) < 0 || pipe2 (errp, O_CLOEXEC) < 0 || (open_stdin && pipe2 (in, O_CLOEXEC) < 0))
        {
          berth_spec_process_free (p);
          return berth_error_errno (err, errno, "pipe");
        }
      if (!open_stdin)
        in[0] = open_null (O_RDONLY);
      /* dup2 clears close-on-exec on the copies the process inherits */
      if (dup2 (in[0], 0) < 0 || dup2 (out[1], 1) < 0 || dup2 (errp[1], 2) < 0)
        {
          berth_spec_process_free (p);
          return berth_error_errno (err, errno, "dup2");
        }
      close (in[0]);
      close (out[1]);
      close (errp[1]);
    }
  /* the process must not inherit our ignored signals */
  signal (SIGPIPE, SIG_DFL);
  signal (SIGHUP, SIG_DFL);
  r = berth_container_exec (runtime_root, id, &opts, &status, err);
  signal (SIGPIPE, SIG_IGN);
  signal (SIGHUP, SIG_IGN);
  berth_spec_process_free (p);
  {
    /* back to /dev/null: our copies must not keep the pipes open */
    int null = open_null (O_RDWR);
    dup2 (null, 0);
    dup2 (null, 1);
    dup2 (saved_err >= 0 ? saved_err : null, 2);
    if (null > 2)
      close (null);
    if (saved_err >= 0)
      close (saved_err);
  }
  if (r < 0)
    {
      if (console_listen >= 0)
        close (console_listen);
      if (!tty)
        {
          close (out[0]);
          close (errp[0]);
          if (open_stdin)
            close (in[1]);
        }
      return r;
    }
  *ret_pid = read_pid (pid_file, err);
  if (*ret_pid < 0)
    return -1;
  if (tty)
    {
      cleanup_close int conn = accept4 (console_listen, NULL, NULL, SOCK_CLOEXEC);
      close (console_listen);
      unlink (console);
      if (conn < 0)
        return berth_error_errno (err, errno, "accept the console");
      io->out_fd = berth_console_recv (conn, err);
      if (io->out_fd < 0)
        return io->out_fd;
      io->in_fd = io->out_fd;
      io->err_fd = -1;
    }
  else
    {
      io->out_fd = out[0];
      io->err_fd = errp[0];
      io->in_fd = open_stdin ? in[1] : -1;
    }
  return 0;
}
