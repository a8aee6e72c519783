/* berth stop, kill, restart, rm, wait: one API call per container named,
   each name printed back on success as docker does. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cli/container.h"
#include "core/lib/mem.h"

struct simple_opts
{
  const char *signal, *timeout;
  bool force, volumes;
};

enum
{
  OPT_TIME = 256,
};

static int
on_opt (int opt, const char *arg, void *ud)
{
  struct simple_opts *o = ud;
  char *end;

  switch (opt)
    {
    case 's':
      o->signal = arg;
      return 0;
    case 't':
    case OPT_TIME:
      strtol (arg, &end, 10);
      if (arg[0] == '\0' || *end != '\0')
        {
          fprintf (stderr, "invalid argument \"%s\" for \"-t, --timeout\" flag: invalid syntax\n", arg);
          return 1;
        }
      o->timeout = arg;
      return 0;
    case 'f':
      o->force = true;
      return 0;
    case 'v':
      o->volumes = true;
      return 0;
    case 'l':
      fprintf (stderr, "berth has no container links: --link is not supported\n");
      return 1;
    }
  return 1;
}

/* Calls method on path_fmt (with the escaped name) for every operand;
   prints each operand that succeeded; 1 if any failed. */
static int
each (struct berth_cli *cli, int argc, char **argv, const char *method, const char *suffix, const struct simple_opts *o)
{
  struct berth_client *client = berth_cli_client (cli);
  int status = 0;

  if (client == NULL)
    return 1;
  for (int i = optind; i < argc; i++)
    {
      cleanup_error berth_error_t err = NULL;
      cleanup_free char *name = berth_client_escape_name (argv[i]);
      char *path = xasprintf ("/containers/%s%s", name, suffix);

      if (o->signal != NULL)
        berth_client_query_add (&path, "signal", o->signal);
      if (o->timeout != NULL)
        berth_client_query_add (&path, "t", o->timeout);
      if (o->force)
        berth_client_query_add (&path, "force", "1");
      if (o->volumes)
        berth_client_query_add (&path, "v", "1");
      if (berth_client_call_json (client, method, path, NULL, &err) < 0)
        {
          fprintf (stderr, "%s\n", berth_error_msg (&err));
          status = 1;
        }
      else
        printf ("%s\n", argv[i]);
      fflush (stdout);
      free (path);
    }
  return status;
}

static int
need_args (int argc, char **argv)
{
  if (optind < argc)
    return 0;
  fprintf (stderr, "\"berth %s\" requires at least 1 argument.\nSee 'berth %s --help'.\n", argv[0], argv[0]);
  return 1;
}

static const char stop_usage[] = "Usage:  berth stop [OPTIONS] CONTAINER [CONTAINER...]\n"
                                 "\n"
                                 "Stop one or more running containers\n"
                                 "\n"
                                 "Options:\n"
                                 "  -h, --help            Print usage\n"
                                 "  -s, --signal string   Signal to send to the container\n"
                                 "  -t, --timeout int     Seconds to wait before killing the container\n";

static const char restart_usage[] = "Usage:  berth restart [OPTIONS] CONTAINER [CONTAINER...]\n"
                                    "\n"
                                    "Restart one or more containers\n"
                                    "\n"
                                    "Options:\n"
                                    "  -h, --help            Print usage\n"
                                    "  -s, --signal string   Signal to send to the container\n"
                                    "  -t, --timeout int     Seconds to wait before killing the container\n";

static const struct option stop_opts[] = {
  { "signal", required_argument, NULL, 's' },
  { "timeout", required_argument, NULL, 't' },
  { "time", required_argument, NULL, OPT_TIME },
  { NULL, 0, NULL, 0 },
};

int
berth_cmd_stop (struct berth_cli *cli, int argc, char **argv)
{
  struct simple_opts o = { 0 };
  int status;

  if (berth_cli_parse_interspersed (argc, argv, stop_usage, stop_opts, "s:t:", on_opt, &o, &status))
    return status;
  if (need_args (argc, argv))
    return 1;
  return each (cli, argc, argv, "POST", "/stop", &o);
}

int
berth_cmd_restart (struct berth_cli *cli, int argc, char **argv)
{
  struct simple_opts o = { 0 };
  int status;

  if (berth_cli_parse_interspersed (argc, argv, restart_usage, stop_opts, "s:t:", on_opt, &o, &status))
    return status;
  if (need_args (argc, argv))
    return 1;
  return each (cli, argc, argv, "POST", "/restart", &o);
}

static const char kill_usage[] = "Usage:  berth kill [OPTIONS] CONTAINER [CONTAINER...]\n"
                                 "\n"
                                 "Kill one or more running containers\n"
                                 "\n"
                                 "Options:\n"
                                 "  -h, --help            Print usage\n"
                                 "  -s, --signal string   Signal to send to the container\n";

int
berth_cmd_kill (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "signal", required_argument, NULL, 's' },
    { NULL, 0, NULL, 0 },
  };
  struct simple_opts o = { 0 };
  int status;

  if (berth_cli_parse_interspersed (argc, argv, kill_usage, opts, "s:", on_opt, &o, &status))
    return status;
  if (need_args (argc, argv))
    return 1;
  return each (cli, argc, argv, "POST", "/kill", &o);
}

static const char rm_usage[] = "Usage:  berth rm [OPTIONS] CONTAINER [CONTAINER...]\n"
                               "\n"
                               "Remove one or more containers\n"
                               "\n"
                               "Aliases:\n"
                               "  berth container rm, berth container remove, berth rm\n"
                               "\n"
                               "Options:\n"
                               "  -f, --force     Force the removal of a running container (uses SIGKILL)\n"
                               "  -h, --help      Print usage\n"
                               "  -v, --volumes   Remove anonymous volumes associated with the container\n";

int
berth_cmd_rm (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "force", no_argument, NULL, 'f' },
    { "volumes", no_argument, NULL, 'v' },
    { "link", no_argument, NULL, 'l' },
    { NULL, 0, NULL, 0 },
  };
  struct simple_opts o = { 0 };
  int status;

  if (berth_cli_parse_interspersed (argc, argv, rm_usage, opts, "fvl", on_opt, &o, &status))
    return status;
  if (need_args (argc, argv))
    return 1;
  return each (cli, argc, argv, "DELETE", "", &o);
}

static const char wait_usage[] = "Usage:  berth wait CONTAINER [CONTAINER...]\n"
                                 "\n"
                                 "Block until one or more containers stop, then print their exit codes\n"
                                 "\n"
                                 "Options:\n"
                                 "  -h, --help   Print usage\n";

int
berth_cmd_wait (struct berth_cli *cli, int argc, char **argv)
{
  struct berth_client *client;
  int status;

  if (berth_cli_parse_interspersed (argc, argv, wait_usage, NULL, "", NULL, NULL, &status))
    return status;
  if (need_args (argc, argv))
    return 1;
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  status = 0;
  for (int i = optind; i < argc; i++)
    {
      cleanup_error berth_error_t err = NULL;
      cleanup_free char *name = berth_client_escape_name (argv[i]);
      cleanup_free char *path = xasprintf ("/containers/%s/wait", name);
      struct json_object *r = NULL, *e;

      if (berth_client_call_json (client, "POST", path, &r, &err) < 0)
        {
          fprintf (stderr, "%s\n", berth_error_msg (&err));
          status = 1;
          continue;
        }
      e = berth_json_get (r, "Error");
      if (e != NULL && json_object_is_type (e, json_type_object) && berth_json_str (e, "Message")[0] != '\0')
        {
          fprintf (stderr, "%s\n", berth_json_str (e, "Message"));
          status = 1;
        }
      else
        printf ("%lld\n", (long long)berth_json_int (r, "StatusCode"));
      fflush (stdout);
      json_object_put (r);
    }
  return status;
}
