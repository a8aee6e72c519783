/* berth run, berth start, berth attach: create, attach, wait, start, then
   copy the streams until the container ends (docker's run sequence). */
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
#include "core/lib/detach-keys.h"
#include "core/lib/mem.h"

/* run's errors read as docker's: "docker: <err>\n\nRun 'docker run --help' ..." */
static void
report (const char *cmd_name, const char *msg)
{
  if (strcmp (cmd_name, "run") == 0)
    fprintf (stderr, "berth: %s\n\nRun 'berth run --help' for more information\n", msg);
  else
    fprintf (stderr, "%s\n", msg);
}

int
berth_container_inspect (struct berth_client *client, const char *id, struct json_object **ret, berth_error_t *err)
{
  cleanup_free char *name = berth_client_escape_name (id);
  cleanup_free char *path = xasprintf ("/containers/%s/json", name);

  return berth_client_get_json (client, path, ret, err);
}

struct follow_ctx
{
  struct berth_client *client;
  const char *id;
};

static void
resize (struct follow_ctx *f)
{
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *name = berth_client_escape_name (f->id);
  cleanup_free char *path = NULL;
  unsigned h, w;

  if (!berth_terminal_size (STDOUT_FILENO, &h, &w))
    return;
  path = xasprintf ("/containers/%s/resize?h=%u&w=%u", name, h, w);
  /* a container that already ended cannot be resized: not worth a word */
  berth_client_call_json (f->client, "POST", path, NULL, &err);
}

static void
on_signal (void *ud, int sig)
{
  struct follow_ctx *f = ud;
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *name = NULL, *path = NULL;
  const char *abbrev;

  if (sig == SIGWINCH)
    {
      resize (f);
      return;
    }
  abbrev = sigabbrev_np (sig);
  if (abbrev == NULL)
    return;
  name = berth_client_escape_name (f->id);
  path = xasprintf ("/containers/%s/kill?signal=%s", name, abbrev);
  if (berth_client_call_json (f->client, "POST", path, NULL, &err) < 0)
    fprintf (stderr, "%s\n", berth_error_msg (&err));
}

int
berth_container_follow (struct berth_client *client, const char *id, const struct berth_attach_plan *p)
{
  static const int proxied[] = { SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGTERM, SIGALRM };
  static const int winch[] = { SIGWINCH };
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *name = berth_client_escape_name (id);
  cleanup_free char *attach_path = NULL, *wait_path = NULL, *body = NULL;
  struct berth_raw *attach = NULL, *wait = NULL;
  struct follow_ctx ctx = { client, id };
  struct berth_attach_opts io = { .tty = p->tty, .send_stdin = p->stdin, .signal_fd = -1 };
  unsigned char keys[BERTH_DETACH_KEYS_MAX];
  struct json_object *result = NULL, *e;
  size_t body_len;
  int status = 125, r;

  attach_path = xasprintf ("/containers/%s/attach?stream=1%s&stdout=1&stderr=1%s%s", name, p->stdin ? "&stdin=1" : "",
                           p->detach_keys ? "&detachKeys=" : "", p->detach_keys ? p->detach_keys : "");
  if (berth_raw_open (client, "POST", attach_path, true, &attach, &err) < 0)
    {
      report (p->cmd_name, berth_error_msg (&err));
      return strcmp (p->cmd_name, "run") == 0 ? 125 : 1;
    }
  if (p->wait_cond != NULL)
    {
      wait_path = p->wait_cond[0] != '\0' ? xasprintf ("/containers/%s/wait?condition=%s", name, p->wait_cond)
                                          : xasprintf ("/containers/%s/wait", name);
      /* the head arrives before the container runs: start only after it */
      if (berth_raw_open (client, "POST", wait_path, false, &wait, &err) < 0)
        {
          report (p->cmd_name, berth_error_msg (&err));
          berth_raw_free (attach);
          return 125;
        }
    }
  if (p->tty)
    io.signal_fd = berth_signal_pipe_open (winch, 1);
  else if (p->sig_proxy)
    io.signal_fd = berth_signal_pipe_open (proxied, sizeof (proxied) / sizeof (proxied[0]));
  io.on_signal = on_signal;
  io.ud = &ctx;
  /* the detach keys are spotted here and by berthd (as the docker CLI and
     dockerd both do), so either side ends the session */
  io.detach_keys = p->tty && p->stdin;
  if (io.detach_keys && p->detach_keys != NULL && berth_detach_keys_parse (p->detach_keys, keys, &io.n_keys) == 0)
    io.keys = keys;
  if (p->tty && p->stdin && isatty (STDIN_FILENO) && berth_terminal_raw (STDIN_FILENO) < 0)
    {
      fprintf (stderr, "cannot set the terminal to raw mode: %s\n", strerror (errno));
      goto out;
    }
  if (p->start)
    {
      cleanup_free char *start_path = xasprintf ("/containers/%s/start", name);
      if (berth_client_call_json (client, "POST", start_path, NULL, &err) < 0)
        {
          berth_terminal_restore ();
          report (p->cmd_name, berth_error_msg (&err));
          status = berth_container_error_status (berth_error_msg (&err));
          goto out;
        }
    }
  if (p->tty && isatty (STDOUT_FILENO))
    resize (&ctx);

  r = berth_attach_pump (attach, &io, &err);
  berth_terminal_restore ();
  berth_signal_pipe_close ();
  io.signal_fd = -1;
  if (r < 0)
    {
      report (p->cmd_name, berth_error_msg (&err));
      goto out;
    }
  if (r == BERTH_ATTACH_DETACHED)
    {
      status = 0;
      goto out;
    }
  if (wait == NULL)
    {
      status = 0;
      goto out;
    }
  if (berth_raw_read_body (wait, &body, &body_len, &err) < 0)
    {
      report (p->cmd_name, berth_error_msg (&err));
      goto out;
    }
  result = json_tokener_parse (body);
  e = berth_json_get (result, "Error");
  if (result == NULL || !json_object_is_type (result, json_type_object))
    report (p->cmd_name, "the daemon's reply to wait is not valid JSON");
  else if (e != NULL && json_object_is_type (e, json_type_object) && berth_json_str (e, "Message")[0] != '\0')
    report (p->cmd_name, berth_json_str (e, "Message"));
  else
    status = (int)berth_json_int (result, "StatusCode");
  json_object_put (result);

out:
  berth_terminal_restore ();
  if (io.signal_fd >= 0)
    berth_signal_pipe_close ();
  berth_raw_free (attach);
  berth_raw_free (wait);
  return status;
}

/* ---- run ---- */

static const char run_usage[]
    = "Usage:  berth run [OPTIONS] IMAGE [COMMAND] [ARG...]\n"
      "\n"
      "Create and run a new container from an image\n"
      "\n"
      "Aliases:\n"
      "  berth container run, berth run\n"
      "\n"
      "Options:\n"
      "      --cap-add list             Add Linux capabilities\n"
      "      --cap-drop list            Drop Linux capabilities\n"
      "  -c, --cpu-shares int           CPU shares (relative weight)\n"
      "      --cpus decimal             Number of CPUs\n"
      "  -d, --detach                   Run container in background and print container ID\n"
      "      --add-host list            Add a custom host-to-IP mapping (host:ip, ip may be host-gateway)\n"
      "      --dns list                 Set custom DNS servers\n"
      "      --dns-option list          Set DNS options\n"
      "      --dns-search list          Set custom DNS search domains\n"
      "      --domainname string        Container NIS domain name\n"
      "      --entrypoint string        Overwrite the default ENTRYPOINT of the image\n"
      "  -e, --env list                 Set environment variables\n"
      "      --env-file list            Read in a file of environment variables\n"
      "      --help                     Print usage\n"
      "  -h, --hostname string          Container host name\n"
      "      --init                     Run an init inside the container that forwards signals and reaps processes\n"
      "  -i, --interactive              Keep STDIN open even if not attached\n"
      "  -l, --label list               Set meta data on a container\n"
      "  -m, --memory bytes             Memory limit\n"
      "      --mount mount              Attach a filesystem mount to the container\n"
      "      --name string              Assign a name to the container\n"
      "      --network string           Connect a container to a network (bridge, none, host)\n"
      "  -p, --publish list             Publish a container's port(s) to the host\n"
      "  -P, --publish-all              Publish all exposed ports to random ports\n"
      "      --expose list              Expose a port or a range of ports\n"
      "      --pids-limit int           Tune container pids limit (set -1 for unlimited)\n"
      "      --privileged               Give extended privileges to this container\n"
      "      --pull string              Pull image before running (\"always\", \"missing\", \"never\") (default \"missing\")\n"
      "      --read-only                Mount the container's root filesystem as read only\n"
      "      --restart string           Restart policy to apply when a container exits (default \"no\")\n"
      "      --rm                       Automatically remove the container and its associated anonymous volumes\n"
      "                                 when it exits\n"
      "      --shm-size bytes           Size of /dev/shm\n"
      "      --tmpfs list               Mount a tmpfs directory\n"
      "      --sig-proxy                Proxy received signals to the process (default true)\n"
      "      --stop-signal string       Signal to stop the container\n"
      "      --stop-timeout int         Timeout (in seconds) to stop a container\n"
      "  -t, --tty                      Allocate a pseudo-TTY\n"
      "  -u, --user string              Username or UID (format: <name|uid>[:<group|gid>])\n"
      "  -v, --volume list              Bind mount a volume\n"
      "  -w, --workdir string           Working directory inside the container\n"
      "\n"
      "With -t -i, ctrl-p ctrl-q detaches from the container and leaves it running.\n";

int
berth_cmd_run (struct berth_cli *cli, int argc, char **argv)
{
  cleanup_error berth_error_t err = NULL;
  struct berth_create_opts o = { .run = true };
  struct berth_attach_plan plan = { 0 };
  struct berth_client *client;
  cleanup_free char *id = NULL;
  int status;

  if (berth_container_opts_parse (argc, argv, run_usage, &o, &status))
    {
      berth_container_opts_free (&o);
      return status;
    }
  if (o.tty && o.interactive && !o.detach && !isatty (STDIN_FILENO))
    {
      berth_container_opts_free (&o);
      fprintf (stderr, "the input device is not a TTY\n");
      return 1;
    }
  client = berth_cli_client (cli);
  if (client == NULL)
    {
      berth_container_opts_free (&o);
      return 1;
    }
  if (berth_container_create (client, &o, argv[optind], argv + optind + 1, argc - optind - 1, &id, &err) < 0)
    {
      berth_container_opts_free (&o);
      /* a daemon that cannot be reached: the one-line error, status 1 */
      if (berth_error_code (&err) == ECONNREFUSED)
        {
          fprintf (stderr, "%s\n", berth_error_msg (&err));
          return 1;
        }
      report ("run", berth_error_msg (&err));
      return berth_container_error_status (berth_error_msg (&err));
    }
  if (o.detach)
    {
      cleanup_free char *name = berth_client_escape_name (id);
      cleanup_free char *path = xasprintf ("/containers/%s/start", name);
      berth_container_opts_free (&o);
      if (berth_client_call_json (client, "POST", path, NULL, &err) < 0)
        {
          report ("run", berth_error_msg (&err));
          return berth_container_error_status (berth_error_msg (&err));
        }
      printf ("%s\n", id);
      return 0;
    }
  plan.stdin = o.interactive;
  plan.tty = o.tty;
  plan.sig_proxy = o.sig_proxy && !o.tty;
  plan.start = true;
  plan.wait_cond = o.rm ? "removed" : "next-exit";
  plan.cmd_name = "run";
  berth_container_opts_free (&o);
  return berth_container_follow (client, id, &plan);
}

/* ---- start ---- */

static const char start_usage[] = "Usage:  berth start [OPTIONS] CONTAINER [CONTAINER...]\n"
                                  "\n"
                                  "Start one or more stopped containers\n"
                                  "\n"
                                  "Aliases:\n"
                                  "  berth container start, berth start\n"
                                  "\n"
                                  "Options:\n"
                                  "  -a, --attach          Attach STDOUT/STDERR and forward signals\n"
                                  "  -h, --help            Print usage\n"
                                  "  -i, --interactive     Attach container's STDIN\n";

struct start_opts
{
  bool attach, interactive;
};

static int
on_start_opt (int opt, const char *arg, void *ud)
{
  struct start_opts *o = ud;

  (void)arg;
  if (opt == 'a')
    o->attach = true;
  else if (opt == 'i')
    o->interactive = true;
  else
    return 1;
  return 0;
}

int
berth_cmd_start (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "attach", no_argument, NULL, 'a' },
    { "interactive", no_argument, NULL, 'i' },
    { NULL, 0, NULL, 0 },
  };
  struct start_opts o = { 0 };
  struct berth_client *client;
  cleanup_free char *failed = NULL;
  int status;

  if (berth_cli_parse_interspersed (argc, argv, start_usage, opts, "ai", on_start_opt, &o, &status))
    return status;
  if (optind >= argc)
    {
      fprintf (stderr, "\"berth start\" requires at least 1 argument.\nSee 'berth start --help'.\n");
      return 1;
    }
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  if (o.attach || o.interactive)
    {
      cleanup_error berth_error_t err = NULL;
      struct berth_attach_plan plan = { .start = true, .wait_cond = "next-exit", .cmd_name = "start" };
      struct json_object *c = NULL;
      cleanup_free char *id = NULL;

      if (argc - optind > 1)
        {
          fprintf (stderr, "you cannot start and attach multiple containers at once\n");
          return 1;
        }
      if (berth_container_inspect (client, argv[optind], &c, &err) < 0)
        {
          fprintf (stderr, "%s\n", berth_error_msg (&err));
          return 1;
        }
      id = xstrdup (berth_json_str (c, "Id"));
      plan.tty = berth_json_bool (berth_json_get (c, "Config"), "Tty");
      plan.stdin = o.interactive && berth_json_bool (berth_json_get (c, "Config"), "OpenStdin");
      plan.sig_proxy = !plan.tty;
      json_object_put (c);
      if (plan.tty && plan.stdin && !isatty (STDIN_FILENO))
        {
          fprintf (stderr, "the input device is not a TTY\n");
          return 1;
        }
      return berth_container_follow (client, id, &plan);
    }
  for (int i = optind; i < argc; i++)
    {
      cleanup_error berth_error_t err = NULL;
      cleanup_free char *name = berth_client_escape_name (argv[i]);
      cleanup_free char *path = xasprintf ("/containers/%s/start", name);

      if (berth_client_call_json (client, "POST", path, NULL, &err) < 0)
        {
          char *next;
          fprintf (stderr, "%s\n", berth_error_msg (&err));
          next = failed == NULL ? xstrdup (argv[i]) : xasprintf ("%s, %s", failed, argv[i]);
          free (failed);
          failed = next;
          continue;
        }
      printf ("%s\n", argv[i]);
    }
  if (failed != NULL)
    {
      fprintf (stderr, "Error: failed to start containers: %s\n", failed);
      return 1;
    }
  return 0;
}

/* ---- attach ---- */

static const char attach_usage[] = "Usage:  berth attach [OPTIONS] CONTAINER\n"
                                   "\n"
                                   "Attach local standard input, output, and error streams to a running container\n"
                                   "\n"
                                   "Aliases:\n"
                                   "  berth container attach, berth attach\n"
                                   "\n"
                                   "Options:\n"
                                   "      --detach-keys string   Override the key sequence for detaching a container\n"
                                   "  -h, --help            Print usage\n"
                                   "      --no-stdin        Do not attach STDIN\n"
                                   "      --sig-proxy       Proxy all received signals to the process (default true)\n";

enum
{
  OPT_NO_STDIN = 256,
  OPT_SIG_PROXY,
  OPT_DETACH_KEYS,
};

struct attach_opts
{
  bool no_stdin, sig_proxy, bad;
  const char *detach_keys;
};

static int
on_attach_opt (int opt, const char *arg, void *ud)
{
  struct attach_opts *o = ud;

  if (opt == OPT_NO_STDIN)
    o->no_stdin = true;
  else if (opt == OPT_DETACH_KEYS)
    {
      unsigned char keys[BERTH_DETACH_KEYS_MAX];
      size_t n;
      if (berth_detach_keys_parse (arg, keys, &n) < 0)
        {
          fprintf (stderr, "Invalid detach keys (%s) provided\n", arg);
          return 1;
        }
      o->detach_keys = arg;
    }
  else if (opt == OPT_SIG_PROXY)
    {
      if (arg == NULL || strcmp (arg, "true") == 0 || strcmp (arg, "1") == 0)
        o->sig_proxy = true;
      else if (strcmp (arg, "false") == 0 || strcmp (arg, "0") == 0)
        o->sig_proxy = false;
      else
        {
          fprintf (stderr, "invalid argument \"%s\" for \"--sig-proxy\" flag: invalid syntax\n", arg);
          return 1;
        }
    }
  else
    return 1;
  return 0;
}

int
berth_cmd_attach (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
    { "no-stdin", no_argument, NULL, OPT_NO_STDIN },
    { "sig-proxy", optional_argument, NULL, OPT_SIG_PROXY },
    { NULL, 0, NULL, 0 },
  };
  cleanup_error berth_error_t err = NULL;
  struct attach_opts o = { .sig_proxy = true };
  struct berth_attach_plan plan = { .wait_cond = "", .cmd_name = "attach" };
  struct berth_client *client;
  struct json_object *c = NULL, *state;
  cleanup_free char *id = NULL;
  int status;

  if (berth_cli_parse_interspersed (argc, argv, attach_usage, opts, "", on_attach_opt, &o, &status))
    return status;
  if (argc - optind != 1)
    {
      fprintf (stderr, "\"berth attach\" requires exactly 1 argument.\nSee 'berth attach --help'.\n");
      return 1;
    }
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  if (berth_container_inspect (client, argv[optind], &c, &err) < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      return 1;
    }
  state = berth_json_get (c, "State");
  if (!berth_json_bool (state, "Running"))
    {
      json_object_put (c);
      fprintf (stderr, "You cannot attach to a stopped container, start it first\n");
      return 1;
    }
  if (berth_json_bool (state, "Paused"))
    {
      json_object_put (c);
      fprintf (stderr, "You cannot attach to a paused container, unpause it first\n");
      return 1;
    }
  id = xstrdup (berth_json_str (c, "Id"));
  plan.tty = berth_json_bool (berth_json_get (c, "Config"), "Tty");
  plan.stdin = !o.no_stdin && berth_json_bool (berth_json_get (c, "Config"), "OpenStdin");
  plan.sig_proxy = o.sig_proxy && !plan.tty;
  plan.detach_keys = o.detach_keys;
  json_object_put (c);
  if (plan.tty && plan.stdin && !isatty (STDIN_FILENO))
    {
      fprintf (stderr, "the input device is not a TTY\n");
      return 1;
    }
  return berth_container_follow (client, id, &plan);
}
