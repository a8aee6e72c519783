/* docker exec: instances of one more process in a running container.

   An instance is created (its config checked and kept in memory), started
   once through a berth-shim in exec mode (the process's parent and the
   owner of its stdio; see core/shim/exec-start.h), and ends when that
   process exits.  Like moby, the daemon forgets every instance of a
   container when the container stops or is removed; until then an ended
   instance can still be inspected.

   A started instance has a directory, <exec-root>/execs/<exec-id>/, with
   exec.json (what a restarted daemon needs to find it again), process.json
   (the OCI process for the shim), the shim's attach.sock and, once the
   process exited, exit.json.  A monitor thread waits on the shim's pidfd,
   records the exit status and removes the directory.  berthd may die and
   come back meanwhile: the shim lives on, and manager_exec_restore_locked
   reattaches a monitor (or reads the exit.json it left).

   Every field that changes after create is guarded by the manager's lock;
   the registry below holds the instances of the daemon's one manager. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/container/exec-process.h"
#include "core/container/manager-internal.h"
#include "core/container/shim-launch.h"
#include "core/container/shim-monitor.h"
#include "core/lib/detach-keys.h"
#include "core/lib/fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/runtime/state.h"
#include "core/shim/attach.h"

#define EXEC_MAX_DETACH_KEYS BERTH_DETACH_KEYS_MAX

struct container_exec
{
  char id[CONTAINER_ID_LEN + 1];
  struct container *c;  /* a reference */
  unsigned exits;       /* c->exits at create: a later exit ends the instance */
  char *c_started;      /* c->started_at at create: the same run after a daemon restart */
  char *dir;            /* <exec-root>/execs/<id> */

  /* config (fixed after create) */
  char **args; /* entrypoint + arguments */
  char **env;
  char *user, *workdir, *detach_keys_text;
  unsigned char detach_keys[EXEC_MAX_DETACH_KEYS];
  size_t n_detach_keys;
  bool tty, privileged, open_stdin, open_stdout, open_stderr;
  unsigned height, width; /* ConsoleSize of create */

  /* state */
  bool started; /* start was called (even when it failed) */
  bool running;
  bool has_exit;
  int exit_code;
  pid_t pid, shim_pid;
  unsigned long long shim_start;
  bool listed;
  int refs;
};

/* every instance, creation order (the manager's lock) */
static struct container_exec **execs;
static size_t n_execs;

static void
exec_free (struct container_exec *e)
{
  strv_free (e->args);
  strv_free (e->env);
  free (e->user);
  free (e->workdir);
  free (e->detach_keys_text);
  free (e->c_started);
  free (e->dir);
  free (e);
}

static void
exec_unref_locked (struct container_exec *e)
{
  if (--e->refs > 0)
    return;
  manager_unref_locked (e->c);
  exec_free (e);
}

static void
unlist_locked (struct container_exec *e)
{
  if (!e->listed)
    return;
  for (size_t i = 0; i < n_execs; i++)
    if (execs[i] == e)
      {
        memmove (&execs[i], &execs[i + 1], (n_execs - i - 1) * sizeof (*execs));
        n_execs--;
        break;
      }
  e->listed = false;
  exec_unref_locked (e);
}

static bool
container_same_run (const struct container_exec *e)
{
  const struct container *c = e->c;
  return !c->removed && c->exits == e->exits && manager_running (c);
}

/* forget the instances of containers that stopped since */
static void
sweep_locked (void)
{
  for (size_t i = 0; i < n_execs;)
    if (!container_same_run (execs[i]))
      unlist_locked (execs[i]);
    else
      i++;
}

static char *
join_command (const struct container_exec *e)
{
  /* moby: Entrypoint + " " + strings.Join(Args, " ") */
  size_t len = strlen (e->args[0]) + 2;
  char *s, *p;

  for (size_t i = 1; e->args[i]; i++)
    len += strlen (e->args[i]) + 1;
  s = p = xmalloc (len);
  p = stpcpy (p, e->args[0]);
  *p++ = ' ';
  *p = '\0';
  for (size_t i = 1; e->args[i]; i++)
    {
      if (i > 1)
        *p++ = ' ';
      p = stpcpy (p, e->args[i]);
    }
  return s;
}

static void
exec_event (struct container_manager *m, struct container_exec *e, const char *action, bool with_exit)
{
  json_object *attrs = json_object_new_object ();
  cleanup_free char *cmd = NULL, *name = NULL;

  json_object_object_add (attrs, "execID", json_object_new_string (e->id));
  if (with_exit)
    {
      char code[16];
      snprintf (code, sizeof (code), "%d", e->exit_code);
      json_object_object_add (attrs, "exitCode", json_object_new_string (code));
      manager_event (m, e->c, action, attrs);
    }
  else
    {
      cmd = join_command (e);
      name = xasprintf ("%s: %s", action, cmd);
      manager_event (m, e->c, name, attrs);
    }
  json_object_put (attrs);
}

/* --- config --- */

/* moby's term.ToBytes: "ctrl-p,ctrl-q", single characters, ctrl-@ .. ctrl-_ */
static int
parse_detach_keys (const char *text, unsigned char *out, size_t *n, berth_error_t *err)
{
  (void) err;
  return berth_detach_keys_parse (text, out, n);
}

static char **
json_strv (json_object *a)
{
  size_t n = json_object_is_type (a, json_type_array) ? json_object_array_length (a) : 0;
  char **v = xmalloc0 ((n + 1) * sizeof (char *));

  for (size_t i = 0; i < n; i++)
    {
      const char *s = json_object_get_string (json_object_array_get_idx (a, i));
      v[i] = xstrdup (s ? s : "");
    }
  return v;
}

static const char *
json_str (json_object *o, const char *key)
{
  json_object *v = json_object_object_get (o, key);
  return json_object_is_type (v, json_type_string) ? json_object_get_string (v) : "";
}

static bool
jbool (json_object *o, const char *key)
{
  return json_object_get_boolean (json_object_object_get (o, key));
}

static int
parse_config (struct container_exec *e, json_object *body, berth_error_t *err)
{
  json_object *cmd = body ? json_object_object_get (body, "Cmd") : NULL;
  json_object *env = body ? json_object_object_get (body, "Env") : NULL;
  json_object *cs = body ? json_object_object_get (body, "ConsoleSize") : NULL;
  const char *keys;

  if (body != NULL && !json_object_is_type (body, json_type_object))
    return berth_error_make (err, EINVAL, "exec config must be a JSON object");
  if (json_object_is_type (cmd, json_type_string))
    {
      /* strslice: a string is a one-element command */
      e->args = xmalloc0 (2 * sizeof (char *));
      e->args[0] = xstrdup (json_object_get_string (cmd));
    }
  else if (cmd == NULL || json_object_is_type (cmd, json_type_array))
    e->args = json_strv (cmd);
  else
    return berth_error_make (err, EINVAL, "Cmd must be an array of strings");
  if (e->args[0] == NULL)
    return berth_error_make (err, EINVAL, "No exec command specified");
  if (env != NULL && !json_object_is_type (env, json_type_array))
    return berth_error_make (err, EINVAL, "Env must be an array of strings");
  e->env = json_strv (env);
  for (size_t i = 0; e->env[i]; i++)
    if (e->env[i][0] == '=' || e->env[i][0] == '\0')
      return berth_error_make (err, EINVAL, "invalid environment variable: %s", e->env[i]);
  e->user = xstrdup (json_str (body, "User"));
  e->workdir = xstrdup (json_str (body, "WorkingDir"));
  if (e->workdir[0] != '\0' && e->workdir[0] != '/')
    return berth_error_make (err, EINVAL, "the working directory '%s' is invalid, it needs to be an absolute path",
                             e->workdir);
  keys = json_str (body, "DetachKeys");
  e->detach_keys_text = xstrdup (keys);
  if (keys[0] == '\0')
    {
      /* moby's default: ctrl-p,ctrl-q */
      e->detach_keys[0] = 16;
      e->detach_keys[1] = 17;
      e->n_detach_keys = 2;
    }
  else if (parse_detach_keys (keys, e->detach_keys, &e->n_detach_keys, err) < 0)
    return berth_error_make (err, EINVAL, "Invalid detach keys (%s) provided", keys);
  e->tty = jbool (body, "Tty");
  e->privileged = jbool (body, "Privileged");
  e->open_stdin = jbool (body, "AttachStdin");
  e->open_stdout = jbool (body, "AttachStdout");
  e->open_stderr = jbool (body, "AttachStderr");
  if (json_object_is_type (cs, json_type_array) && json_object_array_length (cs) == 2)
    {
      int h = json_object_get_int (json_object_array_get_idx (cs, 0));
      int w = json_object_get_int (json_object_array_get_idx (cs, 1));
      if (h > 0 && w > 0 && h <= 65535 && w <= 65535)
        {
          e->height = (unsigned) h;
          e->width = (unsigned) w;
        }
    }
  return 0;
}

/* moby's getActiveContainer: what stands between a container and an exec */
static int
check_active_locked (const struct container *c, const char *what, berth_error_t *err)
{
  if (c->removed || !manager_running (c))
    return berth_error_make (err, EBUSY, "Container %s is not running", c->id);
  if (c->status == CONTAINER_PAUSED)
    return berth_error_make (err, EBUSY, "Container %s is paused, unpause the container before exec", what);
  if (c->status == CONTAINER_RESTARTING)
    return berth_error_make (err, EBUSY, "Container %s is restarting, wait until the container is running", c->id);
  return 0;
}

int
container_manager_exec_create (struct container_manager *m, struct container *c, const char *what,
                               json_object *body, char **ret_id, berth_error_t *err)
{
  struct container_exec *e = xmalloc0 (sizeof (*e));

  e->refs = 1;
  if (parse_config (e, body, err) < 0 || container_id_generate (e->id, err) < 0)
    {
      exec_free (e);
      return berth_error_ret (err);
    }
  e->dir = xasprintf ("%s/execs/%s", m->exec_root, e->id);
  pthread_mutex_lock (&m->lock);
  if (check_active_locked (c, what, err) < 0)
    {
      pthread_mutex_unlock (&m->lock);
      exec_free (e);
      return berth_error_ret (err);
    }
  sweep_locked ();
  e->c = c;
  c->refs++;
  e->exits = c->exits;
  e->c_started = xstrdup (c->started_at ? c->started_at : "");
  execs = xrealloc (execs, (n_execs + 1) * sizeof (*execs));
  execs[n_execs++] = e;
  e->listed = true;
  exec_event (m, e, "exec_create", false);
  *ret_id = xstrdup (e->id);
  pthread_mutex_unlock (&m->lock);
  return 0;
}

static struct container_exec *
find_locked (const char *id)
{
  for (size_t i = 0; i < n_execs; i++)
    if (strcmp (execs[i]->id, id) == 0)
      return execs[i];
  return NULL;
}

struct container_exec *
container_manager_exec_get (struct container_manager *m, const char *id, berth_error_t *err)
{
  struct container_exec *e;

  pthread_mutex_lock (&m->lock);
  sweep_locked ();
  e = find_locked (id);
  if (e != NULL)
    e->refs++;
  pthread_mutex_unlock (&m->lock);
  if (e == NULL)
    berth_error_make (err, ENOENT, "No such exec instance: %s", id);
  return e;
}

void
container_manager_exec_put (struct container_manager *m, struct container_exec *e)
{
  if (e == NULL)
    return;
  pthread_mutex_lock (&m->lock);
  exec_unref_locked (e);
  pthread_mutex_unlock (&m->lock);
}

bool
container_exec_tty (const struct container_exec *e)
{
  return e->tty;
}

bool
container_exec_stdin (const struct container_exec *e)
{
  return e->open_stdin;
}

size_t
container_exec_detach_keys (const struct container_exec *e, const unsigned char **ret)
{
  *ret = e->detach_keys;
  return e->n_detach_keys;
}

static const char *
detach_keys_b64 (const struct container_exec *e, char *out)
{
  static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const unsigned char *k = e->detach_keys;
  size_t n = e->detach_keys_text[0] != '\0' ? e->n_detach_keys : 0, o = 0;

  /* moby shows the keys given at create, []byte as base64 */
  for (size_t i = 0; i < n; i += 3)
    {
      unsigned v = (unsigned) k[i] << 16 | (i + 1 < n ? (unsigned) k[i + 1] << 8 : 0) | (i + 2 < n ? k[i + 2] : 0);
      out[o++] = tbl[(v >> 18) & 63];
      out[o++] = tbl[(v >> 12) & 63];
      out[o++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
      out[o++] = i + 2 < n ? tbl[v & 63] : '=';
    }
  out[o] = '\0';
  return out;
}

json_object *
container_manager_exec_inspect (struct container_manager *m, struct container_exec *e)
{
  json_object *o = json_object_new_object (), *pc = json_object_new_object (), *args = json_object_new_array ();
  char keys[4 * EXEC_MAX_DETACH_KEYS / 3 + 8];

  pthread_mutex_lock (&m->lock);
  json_object_object_add (o, "ID", json_object_new_string (e->id));
  json_object_object_add (o, "Running", json_object_new_boolean (e->running));
  json_object_object_add (o, "ExitCode", e->has_exit ? json_object_new_int (e->exit_code) : NULL);
  json_object_object_add (pc, "tty", json_object_new_boolean (e->tty));
  json_object_object_add (pc, "entrypoint", json_object_new_string (e->args[0]));
  for (size_t i = 1; e->args[i]; i++)
    json_object_array_add (args, json_object_new_string (e->args[i]));
  json_object_object_add (pc, "arguments", args);
  json_object_object_add (pc, "privileged", json_object_new_boolean (e->privileged));
  if (e->user[0] != '\0')
    json_object_object_add (pc, "user", json_object_new_string (e->user));
  json_object_object_add (o, "ProcessConfig", pc);
  json_object_object_add (o, "OpenStdin", json_object_new_boolean (e->open_stdin));
  json_object_object_add (o, "OpenStderr", json_object_new_boolean (e->open_stderr));
  json_object_object_add (o, "OpenStdout", json_object_new_boolean (e->open_stdout));
  json_object_object_add (o, "CanRemove", json_object_new_boolean (false));
  json_object_object_add (o, "ContainerID", json_object_new_string (e->c->id));
  json_object_object_add (o, "DetachKeys", json_object_new_string (detach_keys_b64 (e, keys)));
  json_object_object_add (o, "Pid", json_object_new_int (e->pid));
  pthread_mutex_unlock (&m->lock);
  return o;
}

json_object *
container_exec_ids_json (const struct container *c)
{
  json_object *a = NULL;

  for (size_t i = 0; i < n_execs; i++)
    if (execs[i]->c == c && !execs[i]->has_exit && container_same_run (execs[i]))
      {
        if (a == NULL)
          a = json_object_new_array ();
        json_object_array_add (a, json_object_new_string (execs[i]->id));
      }
  return a;
}

/* --- exit --- */

/* exit.json, once the shim wrote it; idempotent */
static void
collect_exit_locked (struct container_manager *m, struct container_exec *e)
{
  cleanup_free char *path = NULL, *text = NULL;
  json_object *o, *v;
  size_t len;

  if (e->has_exit || !e->started)
    return;
  path = xasprintf ("%s/exit.json", e->dir);
  if (berth_read_file (path, 65536, &text, &len, NULL) < 0 || (o = json_tokener_parse (text)) == NULL)
    return;
  e->exit_code = json_object_object_get_ex (o, "ExitCode", &v) ? json_object_get_int (v) : 255;
  json_object_put (o);
  e->has_exit = true;
  e->running = false;
  exec_event (m, e, "exec_die", true);
  pthread_cond_broadcast (&m->changed);
}

static void
shim_gone_locked (struct container_manager *m, struct container_exec *e)
{
  collect_exit_locked (m, e);
  if (!e->has_exit)
    {
      log_warn ("exec %.12s: berth-shim exited without recording the exit status", e->id);
      e->exit_code = 255;
      e->has_exit = true;
      e->running = false;
      exec_event (m, e, "exec_die", true);
    }
  berth_rm_rf (e->dir, NULL);
  pthread_cond_broadcast (&m->changed);
}

/* the monitor thread, once the exec's shim has exited */
static void
on_shim_exit (void *ctx, void *obj)
{
  struct container_manager *m = ctx;
  struct container_exec *e = obj;

  pthread_mutex_lock (&m->lock);
  shim_gone_locked (m, e);
  exec_unref_locked (e);
  m->monitors--;
  pthread_mutex_unlock (&m->lock);
}

static int
start_monitor_locked (struct container_manager *m, struct container_exec *e, berth_error_t *err)
{
  e->refs++;
  if (shim_monitor_start (e->shim_pid, "the exec shim", on_shim_exit, m, e, err) < 0)
    {
      e->refs--;
      return berth_error_ret (err);
    }
  m->monitors++;
  return 0;
}

/* --- start --- */

static int
save_record (const struct container_exec *e, berth_error_t *err)
{
  json_object *o = json_object_new_object (), *args = json_object_new_array ();
  cleanup_free char *path = xasprintf ("%s/exec.json", e->dir);
  const char *text;
  int r;

  json_object_object_add (o, "ID", json_object_new_string (e->id));
  json_object_object_add (o, "ContainerID", json_object_new_string (e->c->id));
  json_object_object_add (o, "ContainerStartedAt", json_object_new_string (e->c_started));
  for (size_t i = 0; e->args[i]; i++)
    json_object_array_add (args, json_object_new_string (e->args[i]));
  json_object_object_add (o, "Args", args);
  json_object_object_add (o, "User", json_object_new_string (e->user));
  json_object_object_add (o, "Tty", json_object_new_boolean (e->tty));
  json_object_object_add (o, "Privileged", json_object_new_boolean (e->privileged));
  json_object_object_add (o, "AttachStdin", json_object_new_boolean (e->open_stdin));
  json_object_object_add (o, "AttachStdout", json_object_new_boolean (e->open_stdout));
  json_object_object_add (o, "AttachStderr", json_object_new_boolean (e->open_stderr));
  json_object_object_add (o, "DetachKeys", json_object_new_string (e->detach_keys_text));
  json_object_object_add (o, "Pid", json_object_new_int (e->pid));
  json_object_object_add (o, "ShimPid", json_object_new_int (e->shim_pid));
  json_object_object_add (o, "ShimStart", json_object_new_uint64 (e->shim_start));
  text = json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  r = berth_write_file_replace (path, text, strlen (text), 0600, err);
  json_object_put (o);
  return r;
}

/* What the start needs, copied under the lock. */
struct start_plan
{
  char *bundle, *rootfs, *exec_dir, *runtime_root, *shim_path;
};

static void
start_plan_clear (struct start_plan *p)
{
  free (p->bundle);
  free (p->rootfs);
  free (p->exec_dir);
  free (p->runtime_root);
  free (p->shim_path);
}

static int
write_process (const struct container_exec *e, const struct start_plan *p, unsigned h, unsigned w,
               berth_error_t *err)
{
  struct exec_process_input in = {
    .c = e->c, .bundle = p->bundle, .rootfs = p->rootfs, .args = e->args, .env = e->env, .user = e->user,
    .workdir = e->workdir, .tty = e->tty, .privileged = e->privileged, .height = h, .width = w,
  };
  cleanup_free char *path = xasprintf ("%s/process.json", p->exec_dir);
  json_object *proc = exec_process_build (&in, err);
  const char *text;
  int r;

  if (proc == NULL)
    return berth_error_ret (err);
  text = json_object_to_json_string_ext (proc, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  r = berth_write_file_replace (path, text, strlen (text), 0600, err);
  json_object_put (proc);
  return r;
}

static char **
shim_argv (const struct container_exec *e, const struct start_plan *p, bool detach)
{
  char **v = xmalloc0 (10 * sizeof (char *));
  size_t n = 0;

  v[n++] = xstrdup (p->shim_path);
  v[n++] = xasprintf ("--exec=%s", e->id);
  v[n++] = xasprintf ("--id=%s", e->c->id);
  v[n++] = xasprintf ("--bundle=%s", p->exec_dir);
  v[n++] = xasprintf ("--runtime-root=%s", p->runtime_root);
  if (e->tty)
    v[n++] = xstrdup ("--tty");
  if (e->open_stdin)
    {
      /* an exec's stdin ends with its client's */
      v[n++] = xstrdup ("--stdin");
      v[n++] = xstrdup ("--stdin-once");
    }
  if (!detach)
    v[n++] = xstrdup ("--attach-fds=1");
  return v;
}

/* The shim for e, started; *ret_fd (unless detach) the daemon's end of its
   first attach client. */
static int
launch (struct container_exec *e, const struct start_plan *p, bool detach, unsigned h, unsigned w, int *ret_fd,
        struct shim_launch_result *res, berth_error_t *err)
{
  cleanup_strv char **argv = NULL;
  struct shim_launch_opts so = { 0 };
  int sp[2] = { -1, -1 }, r;

  if (berth_rm_rf (p->exec_dir, err) < 0 || berth_mkdir_p (p->exec_dir, 0700, err) < 0)
    return berth_error_ret (err);
  if (write_process (e, p, h, w, err) < 0)
    return berth_error_ret (err);
  if (!detach)
    {
      unsigned char flags = (unsigned char) ((e->open_stdin ? SHIM_ATTACH_STDIN : 0)
                                             | (e->open_stdout ? SHIM_ATTACH_STDOUT : 0)
                                             | (e->open_stderr ? SHIM_ATTACH_STDERR : 0));
      if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
        return berth_error_errno (err, errno, "socketpair");
      if (write (sp[0], &flags, 1) != 1)
        {
          close (sp[0]);
          close (sp[1]);
          return berth_error_errno (err, errno, "exec stream");
        }
      so.attach_fds = &sp[1];
      so.n_attach_fds = 1;
    }
  argv = shim_argv (e, p, detach);
  so.shim_path = p->shim_path;
  so.bundle = p->exec_dir;
  so.argv = argv;
  r = shim_launch (&so, res, err);
  if (sp[1] >= 0)
    close (sp[1]);
  if (r < 0 || res->error != NULL)
    {
      if (sp[0] >= 0)
        close (sp[0]);
      return r;
    }
  if (!detach)
    *ret_fd = sp[0];
  return 0;
}

int
container_manager_exec_start (struct container_manager *m, struct container_exec *e, bool detach, unsigned height,
                              unsigned width, int *ret_fd, berth_error_t *err)
{
  struct start_plan plan = { 0 };
  struct shim_launch_result res = { 0 };
  int r;

  if (ret_fd != NULL)
    *ret_fd = -1;
  pthread_mutex_lock (&m->lock);
  if (e->has_exit)
    r = berth_error_make (err, EBUSY, "Error: Exec command %s has already run", e->id);
  else if (e->started)
    r = berth_error_make (err, EBUSY, "Error: Exec command %s is already running", e->id);
  else if (!container_same_run (e))
    r = berth_error_make (err, EBUSY, "Container %s is not running", e->c->id);
  else if (e->c->status == CONTAINER_PAUSED)
    r = berth_error_make (err, EBUSY, "Container %s is paused, unpause the container before exec", e->c->id);
  else
    {
      r = 0;
      e->started = true;
      plan.bundle = manager_bundle_dir (m, e->c);
      plan.rootfs = xstrdup (e->c->rootfs ? e->c->rootfs : "");
      plan.exec_dir = xstrdup (e->dir);
      plan.runtime_root = xstrdup (m->runtime_root);
      plan.shim_path = xstrdup (m->shim_path);
      exec_event (m, e, "exec_start", false);
    }
  pthread_mutex_unlock (&m->lock);
  if (r < 0)
    return r;
  if (height == 0 || width == 0)
    {
      height = e->height;
      width = e->width;
    }
  /* the shim starts without the lock: other requests go on meanwhile */
  r = launch (e, &plan, detach, height, width, ret_fd, &res, err);

  pthread_mutex_lock (&m->lock);
  if (r == 0 && res.error != NULL)
    {
      /* moby: 126, or 127 for a program not found; the runtime's words */
      e->exit_code = res.error_code == ENOENT ? 127 : 126;
      r = berth_error_make (err, EINVAL, "OCI runtime exec failed: %s", res.error);
    }
  else if (r == 0)
    {
      e->pid = res.pid;
      e->shim_pid = res.shim_pid;
      e->shim_start = res.shim_start;
      e->running = true;
      if (save_record (e, err) < 0 || start_monitor_locked (m, e, err) < 0)
        {
          /* the process runs; only its exit will not be seen */
          log_error ("exec %.12s: %s", e->id, berth_error_msg (err));
          berth_error_release (err);
        }
    }
  else
    e->exit_code = 126;
  if (r < 0)
    {
      e->has_exit = true;
      e->running = false;
      berth_rm_rf (plan.exec_dir, NULL);
    }
  pthread_cond_broadcast (&m->changed);
  pthread_mutex_unlock (&m->lock);
  shim_launch_result_clear (&res);
  start_plan_clear (&plan);
  return r;
}

/* wait until the start settled; false when it never came */
static bool
wait_started_locked (struct container_manager *m, struct container_exec *e, int seconds)
{
  struct timespec deadline;

  clock_gettime (CLOCK_REALTIME, &deadline);
  deadline.tv_sec += seconds;
  while (!e->running && !e->has_exit && !m->closing)
    if (pthread_cond_timedwait (&m->changed, &m->lock, &deadline) == ETIMEDOUT)
      break;
  return e->running || e->has_exit;
}

static int
connect_control (const struct container_exec *e, berth_error_t *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_free char *path = xasprintf ("%s/%s", e->dir, SHIM_ATTACH_SOCKET);
  cleanup_close int fd = -1, dirfd = -1;
  unsigned char flags = SHIM_ATTACH_CONTROL;

  if (strlen (path) >= sizeof (addr.sun_path))
    {
      /* as the shim bound it: through the directory's fd */
      dirfd = open (e->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (dirfd < 0)
        return berth_error_errno (err, errno, "open %s", e->dir);
      free (path);
      path = xasprintf ("/proc/self/fd/%d/%s", dirfd, SHIM_ATTACH_SOCKET);
    }
  strcpy (addr.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return berth_error_errno (err, errno, "socket");
  if (connect (fd, (struct sockaddr *) &addr, sizeof (addr)) < 0)
    return berth_error_errno (err, errno, "connect to the exec's shim");
  if (write (fd, &flags, 1) != 1)
    return berth_error_errno (err, errno, "connect to the exec's shim");
  return steal_fd (&fd);
}

int
container_manager_exec_resize (struct container_manager *m, struct container_exec *e, unsigned height,
                               unsigned width, berth_error_t *err)
{
  cleanup_free char *line = xasprintf ("resize %u %u\n", height, width);
  cleanup_close int fd = -1;
  size_t len = strlen (line);

  pthread_mutex_lock (&m->lock);
  /* moby waits up to 10 s for the start (the CLI resizes as soon as its
     start request is answered, before the process may exist) */
  if (!wait_started_locked (m, e, 10))
    fd = berth_error_make (err, EIO, "timeout waiting for exec session ready");
  else if (!e->running)
    fd = berth_error_make (err, EINVAL, "exec process is not started");
  else if (!e->tty)
    fd = berth_error_make (err, EINVAL, "cannot resize exec %s: it has no tty", e->id);
  else
    fd = connect_control (e, err);
  pthread_mutex_unlock (&m->lock);
  if (fd < 0)
    return fd;
  if (write (fd, line, len) != (ssize_t) len)
    return berth_error_errno (err, errno, "resize exec %s", e->id);
  return 0;
}

void
container_manager_exec_ended (struct container_manager *m, struct container_exec *e)
{
  struct timespec deadline;

  clock_gettime (CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 5;
  pthread_mutex_lock (&m->lock);
  collect_exit_locked (m, e);
  /* the stream can also end because the process's stdio closed first */
  while (e->running && !e->has_exit && !m->closing)
    if (pthread_cond_timedwait (&m->changed, &m->lock, &deadline) == ETIMEDOUT)
      break;
  pthread_mutex_unlock (&m->lock);
}

/* --- restore --- */

static bool
shim_alive (pid_t pid, unsigned long long start)
{
  return pid > 0 && start != 0 && berth_proc_start_time (pid) == start;
}

static struct container_exec *
load_record (struct container_manager *m, const char *dir, json_object *o)
{
  struct container_exec *e = xmalloc0 (sizeof (*e));
  json_object *args = json_object_object_get (o, "Args");
  const char *keys = json_str (o, "DetachKeys");

  e->refs = 1;
  snprintf (e->id, sizeof (e->id), "%s", json_str (o, "ID"));
  e->dir = xstrdup (dir);
  e->args = json_strv (args);
  e->env = xmalloc0 (sizeof (char *));
  e->user = xstrdup (json_str (o, "User"));
  e->workdir = xstrdup ("");
  e->detach_keys_text = xstrdup (keys);
  if (keys[0] == '\0' || parse_detach_keys (keys, e->detach_keys, &e->n_detach_keys, NULL) < 0)
    {
      e->detach_keys[0] = 16;
      e->detach_keys[1] = 17;
      e->n_detach_keys = 2;
    }
  e->tty = jbool (o, "Tty");
  e->privileged = jbool (o, "Privileged");
  e->open_stdin = jbool (o, "AttachStdin");
  e->open_stdout = jbool (o, "AttachStdout");
  e->open_stderr = jbool (o, "AttachStderr");
  e->pid = json_object_get_int (json_object_object_get (o, "Pid"));
  e->shim_pid = json_object_get_int (json_object_object_get (o, "ShimPid"));
  e->shim_start = json_object_get_uint64 (json_object_object_get (o, "ShimStart"));
  e->started = true;
  e->running = true;
  (void) m;
  if (e->args[0] == NULL || !container_id_is_full (e->id))
    {
      exec_free (e);
      return NULL;
    }
  return e;
}

static void
restore_one_locked (struct container_manager *m, const char *dir)
{
  cleanup_free char *path = xasprintf ("%s/exec.json", dir);
  cleanup_free char *text = NULL;
  struct container_exec *e = NULL;
  struct container *c;
  json_object *o = NULL;
  berth_error_t err = NULL;
  size_t len;

  if (berth_read_file (path, 1 << 20, &text, &len, NULL) == 0 && (o = json_tokener_parse (text)) != NULL)
    e = load_record (m, dir, o);
  c = e ? manager_find_locked (m, json_str (o, "ContainerID")) : NULL;
  if (c == NULL || !manager_running (c) || c->started_at == NULL
      || strcmp (c->started_at, json_str (o, "ContainerStartedAt")) != 0)
    {
      /* its container stopped meanwhile: the shim is gone or going */
      if (e == NULL || !shim_alive (e->shim_pid, e->shim_start))
        berth_rm_rf (dir, NULL);
      json_object_put (o);
      if (e != NULL)
        exec_free (e);
      return;
    }
  e->c = c;
  c->refs++;
  e->exits = c->exits;
  e->c_started = xstrdup (c->started_at);
  execs = xrealloc (execs, (n_execs + 1) * sizeof (*execs));
  execs[n_execs++] = e;
  e->listed = true;
  if (!shim_alive (e->shim_pid, e->shim_start) || start_monitor_locked (m, e, &err) < 0)
    {
      if (err != NULL)
        {
          log_warn ("exec %.12s: %s", e->id, berth_error_msg (&err));
          berth_error_release (&err);
        }
      shim_gone_locked (m, e);
    }
  else
    log_info ("exec %.12s in container %.12s is still running (shim %d): reattached", e->id, c->id,
              (int) e->shim_pid);
  json_object_put (o);
}

void
manager_exec_restore_locked (struct container_manager *m)
{
  cleanup_free char *root = xasprintf ("%s/execs", m->exec_root);
  cleanup_dir DIR *d = opendir (root);
  struct dirent *de;

  if (d == NULL)
    return;
  while ((de = readdir (d)) != NULL)
    if (container_id_is_full (de->d_name))
      {
        cleanup_free char *dir = xasprintf ("%s/%s", root, de->d_name);
        restore_one_locked (m, dir);
      }
}
