/* berth-shim: one per running container.  Parent of the container's init
   (child subreaper), owner of its pty or stdio pipes; feeds the log driver
   and the attach socket, records the exit status in exit.json and exits.
   It runs in its own session so it outlives berthd (live restore).

   berth-shim --id ID --bundle DIR --runtime-root DIR --state-dir DIR
              --data-root DIR --log-plugin FILE [--log-opt K=V]... [--name N]
              [--image I] [--tty] [--stdin] [--stdin-once] [--attach-fds N]
   berth-shim --exec EXEC-ID --id ID --bundle DIR --runtime-root DIR
              [--tty] [--stdin] [--stdin-once] [--attach-fds N]
   The second form is one `docker exec` process (exec-start.h): DIR is the
   exec's own directory (process.json in; attach.sock, exit.json out), and
   its output goes to the attach clients only, as Docker logs none of it.
   fd 3 (when open): the start report, "OK <pid>\n" or "ERR <errno> <text>\n".
   fds 4 .. 4+N-1 with --attach-fds N: attach clients connected before the
   start (their flags byte already sent), served from the first output on. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "core/config/config.h"
#include "core/config/tree.h"
#include "core/lib/fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/runtime/cgroup.h"
#include "core/runtime/console.h"
#include "core/runtime/container.h"
#include "core/runtime/cloned-binary.h"
#include "core/shim/attach.h"
#include "core/shim/exec-start.h"
#include "core/shim/idle-memory.h"
#include "core/shim/log-copy.h"
#include "core/shim/sockets.h"

#define MAX_CLIENTS 32

struct client
{
  int fd;
  unsigned flags; /* 0 until the flags byte arrived */
  char line[128];
  size_t line_len;
};

struct shim
{
  const char *id, *bundle, *runtime_root, *state_dir, *data_root, *log_plugin, *name, *image;
  const char *exec_id; /* exec mode */
  struct berth_cfg *log_opts;
  bool tty, open_stdin, stdin_once;
  unsigned n_attach_fds;
  int report_fd;
  int out_fd, err_fd; /* container output (err_fd -1 with a tty: the master) */
  int in_fd;          /* container stdin writer (the master with a tty), -1 when closed */
  int listen_fd, sfd;
  struct client clients[MAX_CLIENTS];
  size_t n_clients;
  pid_t pid;
  bool exited;
  int status;
  struct berth_config *cfg;
  struct berth_plugins *plugins;
  struct shim_log log;
};

static void
report (struct shim *s, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
static void
report (struct shim *s, const char *fmt, ...)
{
  va_list ap;

  if (s->report_fd < 0)
    return;
  va_start (ap, fmt);
  vdprintf (s->report_fd, fmt, ap);
  va_end (ap);
  close (s->report_fd);
  s->report_fd = -1;
}

static int
fail_start (struct shim *s, berth_error_t *err)
{
  const char *msg = berth_error_msg (err);
  cleanup_free char *flat = xstrdup (msg);

  for (char *p = flat; *p; p++)
    if (*p == '\n')
      *p = ' ';
  report (s, "ERR %d %s\n", berth_error_code (err), flat);
  log_error ("%s: %s", s->id, msg);
  /* every failed start ends here, so the options parsed for it go here too */
  berth_cfg_free (s->log_opts);
  s->log_opts = NULL;
  return 1;
}

/* Load only the container's log driver: the loader reads a directory
   holding one link to it. */
static int
open_log (struct shim *s, berth_error_t *err)
{
  cleanup_free char *dir = xasprintf ("%s/log-plugin", s->bundle);
  const char *base = strrchr (s->log_plugin, '/');
  cleanup_free char *link = xasprintf ("%s/%s", dir, base ? base + 1 : s->log_plugin);
  struct berth_driver **drivers = NULL;
  struct berth_log_info info = { .struct_size = sizeof (info) };
  size_t n;

  if (berth_rm_rf (dir, err) < 0 || berth_mkdir_p (dir, 0700, err) < 0)
    return berth_error_ret (err);
  if (symlink (s->log_plugin, link) < 0)
    return berth_error_errno (err, errno, "link the log plugin %s", s->log_plugin);
  s->cfg = berth_config_new_defaults ();
  free (s->cfg->data_root);
  s->cfg->data_root = xstrdup (s->data_root);
  strv_free (s->cfg->plugin_dirs);
  s->cfg->plugin_dirs = xmalloc0 (2 * sizeof (char *));
  s->cfg->plugin_dirs[0] = xstrdup (dir);
  if (berth_plugins_load (s->cfg, &s->plugins, err) < 0)
    return berth_error_ret (err);
  n = berth_plugins_list (s->plugins, BERTH_KIND_LOG, &drivers);
  if (n != 1)
    {
      free (drivers);
      return berth_error_make (err, ENOENT, "log plugin %s could not be loaded (see the daemon log)", s->log_plugin);
    }
  s->log.driver = drivers[0];
  free (drivers);
  info.container_id = s->id;
  info.container_name = s->name;
  info.image = s->image;
  info.log_dir = s->state_dir;
  info.opts = s->log_opts;
  if (s->log.driver->ops.log.open (s->log.driver->drv, &info, &s->log.stream, err) < 0)
    return berth_error_wrap (err, "log driver %s", s->log.driver->name);
  return 0;
}

static int
open_null (int flags)
{
  return open ("/dev/null", flags | O_CLOEXEC);
}

/* The container's stdio: 0/1/2 of this process while the runtime clones. */
static int
create_container (struct shim *s, berth_error_t *err)
{
  cleanup_free char *console = NULL;
  struct berth_create_opts opts = { .bundle = s->bundle };
  int out[2] = { -1, -1 }, errp[2] = { -1, -1 }, in[2] = { -1, -1 };
  int console_listen = -1, r;
  int saved_err = fcntl (2, F_DUPFD_CLOEXEC, 3);

  if (s->tty)
    {
      console = shim_socket_path (s->bundle, "console.sock");
      console_listen = shim_listen_unix (console, err);
      if (console_listen < 0)
        return console_listen;
      opts.console_socket = console;
    }
  else
    {
      if (pipe2 (out, O_CLOEXEC) < 0 || pipe2 (errp, O_CLOEXEC) < 0
          || (s->open_stdin && pipe2 (in, O_CLOEXEC) < 0))
        return berth_error_errno (err, errno, "pipe");
      if (!s->open_stdin)
        in[0] = open_null (O_RDONLY);
      /* dup2 clears close-on-exec on the copies the container inherits */
      if (dup2 (in[0], 0) < 0 || dup2 (out[1], 1) < 0 || dup2 (errp[1], 2) < 0)
        return berth_error_errno (err, errno, "dup2");
      close (in[0]);
      close (out[1]);
      close (errp[1]);
    }
  /* the container's init must not inherit our ignored signals */
  signal (SIGPIPE, SIG_DFL);
  signal (SIGHUP, SIG_DFL);
  r = berth_container_create (s->runtime_root, s->id, BERTH_RUN_DETACH, &opts, NULL, err);
  signal (SIGPIPE, SIG_IGN);
  signal (SIGHUP, SIG_IGN);
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
      return r;
    }
  if (s->tty)
    {
      cleanup_close int conn = accept4 (console_listen, NULL, NULL, SOCK_CLOEXEC);
      close (console_listen);
      unlink (console);
      if (conn < 0)
        return berth_error_errno (err, errno, "accept the console");
      s->out_fd = berth_console_recv (conn, err);
      if (s->out_fd < 0)
        return s->out_fd;
      s->in_fd = s->out_fd;
      s->err_fd = -1;
    }
  else
    {
      s->out_fd = out[0];
      s->err_fd = errp[0];
      s->in_fd = s->open_stdin ? in[1] : -1;
    }
  fcntl (s->out_fd, F_SETFL, O_NONBLOCK);
  if (s->err_fd >= 0)
    fcntl (s->err_fd, F_SETFL, O_NONBLOCK);
  return 0;
}

static void
drop_client (struct shim *s, size_t i)
{
  close (s->clients[i].fd);
  s->clients[i] = s->clients[--s->n_clients];
}

static bool
write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;

  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return false;
      p += n;
      len -= (size_t) n;
    }
  return true;
}

static void
broadcast (struct shim *s, unsigned stream_flag, uint8_t stream, const uint8_t *data, size_t len)
{
  uint8_t hdr[8] = { stream, 0, 0, 0, (uint8_t) (len >> 24), (uint8_t) (len >> 16), (uint8_t) (len >> 8), (uint8_t) len };

  for (size_t i = 0; i < s->n_clients;)
    {
      struct client *c = &s->clients[i];
      bool ok = true;
      if (c->flags & stream_flag)
        ok = (s->tty || write_all (c->fd, hdr, sizeof (hdr))) && write_all (c->fd, data, len);
      if (ok)
        i++;
      else
        drop_client (s, i);
    }
}

/* false at EOF (or when nothing more is readable and drain is set) */
static bool
pump_output (struct shim *s, int fd, uint32_t stream)
{
  uint8_t buf[32768];

  for (;;)
    {
      ssize_t n = read (fd, buf, sizeof (buf));
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        return true;
      if (n <= 0) /* EOF, or EIO from a master whose slave is gone */
        return false;
      if (s->log.driver != NULL)
        shim_log_feed (&s->log, stream, buf, (size_t) n);
      broadcast (s, stream == BERTH_LOG_STDERR ? SHIM_ATTACH_STDERR : SHIM_ATTACH_STDOUT,
                 stream == BERTH_LOG_STDERR ? 2 : 1, buf, (size_t) n);
    }
}

static void
close_stdin (struct shim *s)
{
  if (s->in_fd >= 0 && !s->tty)
    {
      close (s->in_fd);
      s->in_fd = -1;
    }
}

static void
control_line (struct shim *s, const char *line)
{
  unsigned h, w;

  if (sscanf (line, "resize %u %u", &h, &w) == 2 && s->tty && h > 0 && w > 0)
    {
      struct winsize ws = { .ws_row = (unsigned short) h, .ws_col = (unsigned short) w };
      ioctl (s->out_fd, TIOCSWINSZ, &ws);
    }
}

static void
client_input (struct shim *s, size_t i)
{
  struct client *c = &s->clients[i];
  char buf[32768];
  ssize_t n = read (c->fd, buf, sizeof (buf));

  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return;
  if (n <= 0)
    {
      if ((c->flags & SHIM_ATTACH_STDIN) && s->stdin_once)
        close_stdin (s);
      if (c->flags & (SHIM_ATTACH_STDOUT | SHIM_ATTACH_STDERR))
        c->flags &= ~(unsigned) SHIM_ATTACH_STDIN; /* keep sending output after a half-close */
      else
        drop_client (s, i);
      return;
    }
  if (c->flags == 0)
    {
      c->flags = (unsigned char) buf[0] | 0x100;
      memmove (buf, buf + 1, (size_t) --n);
    }
  if (c->flags & SHIM_ATTACH_CONTROL)
    {
      for (ssize_t k = 0; k < n; k++)
        if (buf[k] == '\n' || c->line_len == sizeof (c->line) - 1)
          {
            c->line[c->line_len] = '\0';
            control_line (s, c->line);
            c->line_len = 0;
          }
        else
          c->line[c->line_len++] = buf[k];
      return;
    }
  if ((c->flags & SHIM_ATTACH_STDIN) && s->in_fd >= 0 && n > 0 && !write_all (s->in_fd, buf, (size_t) n))
    close_stdin (s);
}

static void
accept_client (struct shim *s)
{
  int fd = accept4 (s->listen_fd, NULL, NULL, SOCK_CLOEXEC);

  if (fd < 0)
    return;
  if (s->n_clients == MAX_CLIENTS)
    {
      close (fd);
      return;
    }
  s->clients[s->n_clients++] = (struct client){ .fd = fd };
}

/* The clients the daemon connected before the start: their flags byte is
   already in the socket. */
static void
adopt_attach_fds (struct shim *s)
{
  for (unsigned i = 0; i < s->n_attach_fds; i++)
    {
      int fd = 4 + (int) i;
      unsigned char flags;
      ssize_t n;

      fcntl (fd, F_SETFD, FD_CLOEXEC);
      do
        n = read (fd, &flags, 1);
      while (n < 0 && errno == EINTR);
      if (n != 1 || s->n_clients == MAX_CLIENTS)
        {
          close (fd);
          continue;
        }
      s->clients[s->n_clients++] = (struct client){ .fd = fd, .flags = flags | 0x100u };
    }
}

static void
reap (struct shim *s)
{
  struct signalfd_siginfo si;
  int status;
  pid_t p;

  while (read (s->sfd, &si, sizeof (si)) == sizeof (si))
    ;
  while ((p = waitpid (-1, &status, WNOHANG)) > 0)
    if (p == s->pid)
      {
        s->exited = true;
        s->status = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
      }
}

static bool
oom_killed (struct shim *s)
{
  cleanup_state struct berth_state *st = berth_state_load (s->runtime_root, s->id, NULL);
  cleanup_cgroup struct berth_cgroup *cg = NULL;
  uint64_t kills = 0;

  if (st == NULL || st->cgroup_mode == 0)
    return false;
  cg = berth_cgroup_load (st->cgroup_mode, st->cgroup_path, NULL);
  return cg != NULL && berth_cgroup_oom_kills (cg, &kills, NULL) == 0 && kills > 0;
}

static int
write_exit (struct shim *s, bool oom, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/exit.json", s->state_dir);
  struct timespec ts;
  struct tm tm;
  char when[40];
  cleanup_free char *text = NULL;

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (when, sizeof (when), "%Y-%m-%dT%H:%M:%S", &tm);
  text = xasprintf ("{\"ExitCode\":%d,\"OOMKilled\":%s,\"FinishedAt\":\"%s.%09ldZ\"}", s->status,
                    oom ? "true" : "false", when, (long) ts.tv_nsec);
  return berth_write_file_replace (path, text, strlen (text), 0600, err);
}

static void
serve (struct shim *s)
{
  bool out_open = true, err_open = s->err_fd >= 0;

  while (!s->exited || out_open || err_open)
    {
      struct pollfd p[4 + MAX_CLIENTS];
      size_t n = 0, first_client;
      int timeout = -1;

      p[n++] = (struct pollfd){ s->sfd, POLLIN, 0 };
      p[n++] = (struct pollfd){ s->listen_fd, POLLIN, 0 };
      p[n++] = (struct pollfd){ out_open ? s->out_fd : -1, POLLIN, 0 };
      p[n++] = (struct pollfd){ err_open ? s->err_fd : -1, POLLIN, 0 };
      first_client = n;
      for (size_t i = 0; i < s->n_clients; i++)
        p[n++] = (struct pollfd){ s->clients[i].fd, POLLIN, 0 };
      /* after the exit, output still buffered is drained; a process that
         escaped and holds the pipes open does not keep the shim alive */
      if (s->exited)
        timeout = 100;
      if (poll (p, n, timeout) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (p[0].revents)
        reap (s);
      if (p[2].revents && !pump_output (s, s->out_fd, BERTH_LOG_STDOUT))
        out_open = false;
      if (p[3].revents && !pump_output (s, s->err_fd, BERTH_LOG_STDERR))
        err_open = false;
      if (s->exited && !(p[2].revents & POLLIN) && !(p[3].revents & POLLIN))
        {
          if (out_open)
            pump_output (s, s->out_fd, BERTH_LOG_STDOUT);
          if (err_open)
            pump_output (s, s->err_fd, BERTH_LOG_STDERR);
          break;
        }
      for (size_t i = n; i-- > first_client;)
        if (p[i].revents)
          client_input (s, i - first_client);
      if (p[1].revents)
        accept_client (s);
    }
}

static int
parse_args (struct shim *s, int argc, char **argv)
{
  static const struct option opts[] = {
    { "id", required_argument, NULL, 'i' },         { "bundle", required_argument, NULL, 'b' },
    { "runtime-root", required_argument, NULL, 'r' }, { "state-dir", required_argument, NULL, 's' },
    { "data-root", required_argument, NULL, 'd' },  { "log-plugin", required_argument, NULL, 'l' },
    { "log-opt", required_argument, NULL, 'o' },    { "name", required_argument, NULL, 'n' },
    { "image", required_argument, NULL, 'm' },      { "tty", no_argument, NULL, 't' },
    { "stdin", no_argument, NULL, 'I' },            { "stdin-once", no_argument, NULL, 'O' },
    { "attach-fds", required_argument, NULL, 'a' }, { "exec", required_argument, NULL, 'x' },
    { NULL, 0, NULL, 0 },
  };
  int c;

  s->log_opts = berth_cfg_new_map ("--log-opt");
  while ((c = getopt_long (argc, argv, "", opts, NULL)) != -1)
    switch (c)
      {
      case 'i': s->id = optarg; break;
      case 'b': s->bundle = optarg; break;
      case 'r': s->runtime_root = optarg; break;
      case 's': s->state_dir = optarg; break;
      case 'd': s->data_root = optarg; break;
      case 'l': s->log_plugin = optarg; break;
      case 'n': s->name = optarg; break;
      case 'm': s->image = optarg; break;
      case 't': s->tty = true; break;
      case 'I': s->open_stdin = true; break;
      case 'O': s->stdin_once = true; break;
      case 'x': s->exec_id = optarg; break;
      case 'a':
        {
          char *end;
          unsigned long n = strtoul (optarg, &end, 10);
          if (*end != '\0' || n > MAX_CLIENTS)
            return -1;
          s->n_attach_fds = (unsigned) n;
          break;
        }
      case 'o':
        {
          char *eq = strchr (optarg, '=');
          if (eq == NULL)
            return -1;
          *eq = '\0';
          berth_cfg_map_set (s->log_opts, optarg, eq + 1);
          break;
        }
      default:
        return -1;
      }
  if (s->exec_id != NULL)
    {
      s->state_dir = s->bundle;
      return s->id && s->bundle && s->runtime_root ? 0 : -1;
    }
  return s->id && s->bundle && s->runtime_root && s->state_dir && s->data_root && s->log_plugin ? 0 : -1;
}

/* After the start: serve until the process is gone and its output is
   drained, record the exit, and let the attached clients see the end. */
static void
finish (struct shim *s, const char *attach, bool oom)
{
  berth_error_t err = NULL;

  if (write_exit (s, oom, &err) < 0)
    {
      log_error ("%s: cannot record the exit status: %s", s->exec_id ? s->exec_id : s->id, berth_error_msg (&err));
      berth_error_release (&err);
    }
  /* the connections' EOF tells attached clients that the stream ended */
  while (s->n_clients > 0)
    drop_client (s, 0);
  close (s->listen_fd);
  unlink (attach);
}

static int
run_container (struct shim *s, const char *attach)
{
  cleanup_error berth_error_t err = NULL;

  if (open_log (s, &err) < 0)
    return fail_start (s, &err);
  adopt_attach_fds (s);
  s->listen_fd = shim_listen_unix (attach, &err);
  if (s->listen_fd < 0 || create_container (s, &err) < 0)
    {
      berth_error_t derr = NULL;
      if (berth_container_delete (s->runtime_root, s->id, true, &derr) < 0)
        berth_error_release (&derr);
      s->log.driver->ops.log.close (s->log.stream, NULL);
      return fail_start (s, &err);
    }
  {
    cleanup_state struct berth_state *st = berth_state_load (s->runtime_root, s->id, &err);
    if (st == NULL)
      return fail_start (s, &err);
    s->pid = st->pid;
  }
  report (s, "OK %d %d\n", (int) s->pid, (int) getpid ());
  shim_idle_memory ();
  serve (s);
  shim_log_flush (&s->log);
  if (s->log.driver->ops.log.close (s->log.stream, &err) < 0)
    {
      log_warn ("log driver %s: %s", s->log.driver->name, berth_error_msg (&err));
      berth_error_release (&err);
    }
  finish (s, attach, oom_killed (s));
  if (berth_container_delete (s->runtime_root, s->id, true, &err) < 0)
    {
      log_warn ("%s: %s", s->id, berth_error_msg (&err));
      berth_error_release (&err);
    }
  berth_plugins_free (s->plugins);
  berth_config_free (s->cfg);
  berth_cfg_free (s->log_opts);
  return 0;
}

static int
run_exec (struct shim *s, const char *attach)
{
  cleanup_error berth_error_t err = NULL;
  struct shim_exec_io io = { -1, -1, -1 };

  adopt_attach_fds (s);
  s->listen_fd = shim_listen_unix (attach, &err);
  if (s->listen_fd < 0
      || shim_exec_start (s->runtime_root, s->id, s->bundle, s->tty, s->open_stdin, &s->pid, &io, &err) < 0)
    {
      if (s->listen_fd >= 0)
        {
          close (s->listen_fd);
          unlink (attach);
        }
      return fail_start (s, &err);
    }
  s->out_fd = io.out_fd;
  s->err_fd = io.err_fd;
  s->in_fd = io.in_fd;
  fcntl (s->out_fd, F_SETFL, O_NONBLOCK);
  if (s->err_fd >= 0)
    fcntl (s->err_fd, F_SETFL, O_NONBLOCK);
  report (s, "OK %d %d\n", (int) s->pid, (int) getpid ());
  shim_idle_memory ();
  serve (s);
  finish (s, attach, false);
  berth_cfg_free (s->log_opts);
  return 0;
}

int
main (int argc, char **argv)
{
  struct shim s = { .report_fd = -1, .out_fd = -1, .err_fd = -1, .in_fd = -1, .listen_fd = -1, .sfd = -1 };
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *attach = NULL;
  sigset_t set;

  if (parse_args (&s, argc, argv) < 0)
    {
      fprintf (stderr, "usage: berth-shim --id ID --bundle DIR --runtime-root DIR --state-dir DIR --data-root DIR "
                       "--log-plugin FILE [--log-opt K=V]... [--name N] [--image I] [--tty] [--stdin] [--stdin-once] "
                       "[--attach-fds N]\n"
                       "       berth-shim --exec EXEC-ID --id ID --bundle DIR --runtime-root DIR [--tty] [--stdin] "
                       "[--stdin-once] [--attach-fds N]\n");
      return 2;
    }
  berth_log_init ("berth-shim", BERTH_LOG_INFO, BERTH_LOG_TARGET_STDERR);
  /* An exec'd process is in the container, ours until its execve: it must
     not reach this binary through /proc/PID/exe (CVE-2019-5736), so the
     exec mode runs from a sealed copy, as berth-runtime's exec does. */
  if (s.exec_id != NULL && berth_ensure_cloned_binary (argv, &err) < 0)
    {
      if (fcntl (3, F_GETFD) >= 0)
        s.report_fd = 3;
      return fail_start (&s, &err);
    }
  if (fcntl (3, F_GETFD) >= 0)
    {
      s.report_fd = 3;
      fcntl (3, F_SETFD, FD_CLOEXEC);
    }
  signal (SIGPIPE, SIG_IGN);
  /* the daemon may die any time now: we are on our own */
  signal (SIGHUP, SIG_IGN);
  if (getsid (0) != getpid ())
    setsid ();
  prctl (PR_SET_CHILD_SUBREAPER, 1);
  sigemptyset (&set);
  sigaddset (&set, SIGCHLD);
  sigprocmask (SIG_BLOCK, &set, NULL);
  s.sfd = signalfd (-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  attach = shim_socket_path (s.bundle, SHIM_ATTACH_SOCKET);
  if (s.sfd < 0)
    {
      berth_error_errno (&err, errno, "signalfd");
      return fail_start (&s, &err);
    }
  return s.exec_id != NULL ? run_exec (&s, attach) : run_container (&s, attach);
}
