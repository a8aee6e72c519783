/* berth exec: docker's sequence — inspect the container (so that "No such
   container" comes first), create the exec instance, then either start it
   detached or hijack its start and copy the streams as `run` does, and
   finally exit with the process's status from the exec's inspect.  The
   detach keys are looked for by berthd (as dockerd does for exec), so that
   --detach-keys holds for the stock docker CLI too. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cli/attach-stream.h"
#include "core/cli/container.h"
#include "core/cli/hijack.h"
#include "core/cli/signal-pipe.h"
#include "core/cli/terminal.h"
#include "core/lib/mem.h"

static const char exec_usage[] = "Usage:  berth exec [OPTIONS] CONTAINER COMMAND [ARG...]\n"
                                 "\n"
                                 "Execute a command in a running container\n"
                                 "\n"
                                 "Aliases:\n"
                                 "  berth container exec, berth exec\n"
                                 "\n"
                                 "Options:\n"
                                 "  -d, --detach               Detached mode: run command in the background\n"
                                 "      --detach-keys string   Override the key sequence for detaching a container\n"
                                 "  -e, --env list             Set environment variables\n"
                                 "      --env-file list        Read in a file of environment variables\n"
                                 "  -h, --help                 Print usage\n"
                                 "  -i, --interactive          Keep STDIN open even if not attached\n"
                                 "      --privileged           Give extended privileges to the command\n"
                                 "  -t, --tty                  Allocate a pseudo-TTY\n"
                                 "  -u, --user string          Username or UID (format: \"<name|uid>[:<group|gid>]\")\n"
                                 "  -w, --workdir string       Working directory inside the container\n";

enum
{
  OPT_DETACH_KEYS = 256,
  OPT_ENV_FILE,
  OPT_PRIVILEGED,
};

struct exec_opts
{
  bool detach, interactive, tty, privileged;
  const char *detach_keys, *user, *workdir;
  struct json_object *env, *env_files;
};

static int
on_exec_opt (int opt, const char *arg, void *ud)
{
  struct exec_opts *o = ud;

  switch (opt)
    {
    case 'd':
      o->detach = true;
      break;
    case 'i':
      o->interactive = true;
      break;
    case 't':
      o->tty = true;
      break;
    case OPT_PRIVILEGED:
      o->privileged = true;
      break;
    case OPT_DETACH_KEYS:
      o->detach_keys = arg;
      break;
    case 'u':
      o->user = arg;
      break;
    case 'w':
      o->workdir = arg;
      break;
    case 'e':
      if (arg[0] == '=')
        {
          fprintf (stderr, "invalid argument \"%s\" for \"-e, --env\" flag: invalid environment variable: %s\n", arg,
                   arg);
          return 1;
        }
      json_object_array_add (o->env, json_object_new_string (arg));
      break;
    case OPT_ENV_FILE:
      json_object_array_add (o->env_files, json_object_new_string (arg));
      break;
    default:
      return 1;
    }
  return 0;
}

/* --env-file entries first, then -e (a bare NAME takes our value, else it
   goes as is: the daemon then drops NAME) */
static struct json_object *
build_env (const struct exec_opts *o, berth_error_t *err)
{
  struct json_object *env = json_object_new_array ();

  for (size_t i = 0; i < json_object_array_length (o->env_files); i++)
    if (berth_container_read_env_file (json_object_get_string (json_object_array_get_idx (o->env_files, i)), env, err)
        < 0)
      {
        json_object_put (env);
        return NULL;
      }
  for (size_t i = 0; i < json_object_array_length (o->env); i++)
    {
      const char *kv = json_object_get_string (json_object_array_get_idx (o->env, i));
      if (strchr (kv, '=') == NULL && getenv (kv) != NULL)
        {
          cleanup_free char *full = xasprintf ("%s=%s", kv, getenv (kv));
          json_object_array_add (env, json_object_new_string (full));
        }
      else
        json_object_array_add (env, json_object_new_string (kv));
    }
  return env;
}

static struct json_object *
create_body (const struct exec_opts *o, struct json_object *env, char **cmd, int n_cmd)
{
  struct json_object *b = json_object_new_object (), *a = json_object_new_array ();
  unsigned h, w;

  json_object_object_add (b, "User", json_object_new_string (o->user ? o->user : ""));
  json_object_object_add (b, "Privileged", json_object_new_boolean (o->privileged));
  json_object_object_add (b, "Tty", json_object_new_boolean (o->tty));
  /* docker: without -d everything is attached, stdin with -i */
  json_object_object_add (b, "AttachStdin", json_object_new_boolean (!o->detach && o->interactive));
  json_object_object_add (b, "AttachStdout", json_object_new_boolean (!o->detach));
  json_object_object_add (b, "AttachStderr", json_object_new_boolean (!o->detach));
  json_object_object_add (b, "DetachKeys", json_object_new_string (o->detach_keys ? o->detach_keys : ""));
  json_object_object_add (b, "Env", env);
  json_object_object_add (b, "WorkingDir", json_object_new_string (o->workdir ? o->workdir : ""));
  for (int i = 0; i < n_cmd; i++)
    json_object_array_add (a, json_object_new_string (cmd[i]));
  json_object_object_add (b, "Cmd", a);
  if (o->tty && berth_terminal_size (STDOUT_FILENO, &h, &w))
    {
      struct json_object *cs = json_object_new_array ();
      json_object_array_add (cs, json_object_new_int ((int) h));
      json_object_array_add (cs, json_object_new_int ((int) w));
      json_object_object_add (b, "ConsoleSize", cs);
    }
  return b;
}

struct exec_ctx
{
  struct berth_client *client;
  const char *exec_id;
};

static void
resize (struct exec_ctx *x)
{
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *path = NULL;
  unsigned h, w;

  if (!berth_terminal_size (STDOUT_FILENO, &h, &w))
    return;
  path = xasprintf ("/exec/%s/resize?h=%u&w=%u", x->exec_id, h, w);
  /* a process that already ended cannot be resized: not worth a word */
  berth_client_call_json (x->client, "POST", path, NULL, &err);
}

static void
on_signal (void *ud, int sig)
{
  if (sig == SIGWINCH)
    resize (ud);
}

/* the exec's ExitCode (0 while it runs: a detached session) */
static int
exit_status (struct exec_ctx *x)
{
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *path = xasprintf ("/exec/%s/json", x->exec_id);
  struct json_object *o = NULL;
  int status;

  if (berth_client_get_json (x->client, path, &o, &err) < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      return 125;
    }
  status = (int) berth_json_int (o, "ExitCode");
  json_object_put (o);
  return status;
}

static int
interactive (struct exec_ctx *x, const struct exec_opts *o)
{
  static const int winch[] = { SIGWINCH };
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *path = xasprintf ("/exec/%s/start", x->exec_id);
  struct berth_attach_opts io = { .tty = o->tty, .send_stdin = o->interactive, .signal_fd = -1 };
  struct berth_raw *conn = NULL;
  int r;

  if (berth_raw_open (x->client, "POST", path, true, &conn, &err) < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      return 125;
    }
  if (o->tty)
    io.signal_fd = berth_signal_pipe_open (winch, 1);
  io.on_signal = on_signal;
  io.ud = x;
  if (o->tty && o->interactive && isatty (STDIN_FILENO) && berth_terminal_raw (STDIN_FILENO) < 0)
    {
      fprintf (stderr, "cannot set the terminal to raw mode: %s\n", strerror (errno));
      if (io.signal_fd >= 0)
        berth_signal_pipe_close ();
      berth_raw_free (conn);
      return 125;
    }
  if (o->tty && isatty (STDOUT_FILENO))
    resize (x);
  r = berth_attach_pump (conn, &io, &err);
  berth_terminal_restore ();
  if (io.signal_fd >= 0)
    berth_signal_pipe_close ();
  berth_raw_free (conn);
  if (r < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      return 125;
    }
  return exit_status (x);
}

int
berth_cmd_exec (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "detach", no_argument, NULL, 'd' },
    { "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
    { "env", required_argument, NULL, 'e' },
    { "env-file", required_argument, NULL, OPT_ENV_FILE },
    { "interactive", no_argument, NULL, 'i' },
    { "privileged", no_argument, NULL, OPT_PRIVILEGED },
    { "tty", no_argument, NULL, 't' },
    { "user", required_argument, NULL, 'u' },
    { "workdir", required_argument, NULL, 'w' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_error berth_error_t err = NULL;
  struct exec_opts o = { .env = json_object_new_array (), .env_files = json_object_new_array () };
  struct berth_client *client;
  struct json_object *c = NULL, *env, *body, *reply = NULL;
  cleanup_free char *name = NULL, *path = NULL, *exec_id = NULL;
  struct exec_ctx x;
  int status;

  if (berth_cli_parse (argc, argv, exec_usage, opts, "de:itu:w:", on_exec_opt, &o, &status))
    goto done;
  status = 1;
  if (argc - optind < 2)
    {
      fprintf (stderr,
               "\"berth exec\" requires at least 2 arguments.\nSee 'berth exec --help'.\n\n"
               "Usage:  berth exec [OPTIONS] CONTAINER COMMAND [ARG...]\n\n"
               "Execute a command in a running container\n");
      goto done;
    }
  env = build_env (&o, &err);
  if (env == NULL)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      status = 125;
      goto done;
    }
  client = berth_cli_client (cli);
  if (client == NULL)
    {
      json_object_put (env);
      goto done;
    }
  status = 125;
  if (berth_container_inspect (client, argv[optind], &c, &err) < 0)
    {
      json_object_put (env);
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      goto done;
    }
  json_object_put (c);
  if (!o.detach && o.interactive && o.tty && !isatty (STDIN_FILENO))
    {
      json_object_put (env);
      fprintf (stderr, "the input device is not a TTY\n");
      status = 1;
      goto done;
    }
  body = create_body (&o, env, argv + optind + 1, argc - optind - 1);
  name = berth_client_escape_name (argv[optind]);
  path = xasprintf ("/containers/%s/exec", name);
  if (berth_client_send_json (client, "POST", path, body, &reply, &err) < 0)
    {
      json_object_put (body);
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      goto done;
    }
  json_object_put (body);
  exec_id = xstrdup (berth_json_str (reply, "Id"));
  json_object_put (reply);
  if (exec_id[0] == '\0')
    {
      fprintf (stderr, "exec ID empty\n");
      goto done;
    }
  x.client = client;
  x.exec_id = exec_id;
  if (o.detach)
    {
      struct json_object *start = json_object_new_object ();
      json_object_object_add (start, "Detach", json_object_new_boolean (true));
      json_object_object_add (start, "Tty", json_object_new_boolean (o.tty));
      free (path);
      path = xasprintf ("/exec/%s/start", exec_id);
      if (berth_client_send_json (client, "POST", path, start, NULL, &err) < 0)
        {
          fprintf (stderr, "%s\n", berth_error_msg (&err));
          status = berth_container_error_status (berth_error_msg (&err));
        }
      else
        status = 0;
      json_object_put (start);
      goto done;
    }
  status = interactive (&x, &o);
done:
  json_object_put (o.env);
  json_object_put (o.env_files);
  return status;
}
