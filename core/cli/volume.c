/* berth volume create / ls / inspect / rm / prune */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cli/cli.h"
#include "core/cli/container.h"
#include "core/cli/object-get.h"
#include "core/lib/mem.h"

enum
{
  OPT_LABEL = 256,
  OPT_NAME,
  OPT_FILTER,
  OPT_FORMAT,
};

static int
needs_args (const char *cmd, const char *what)
{
  fprintf (stderr, "\"berth volume %s\" %s.\nSee 'berth volume %s --help'.\n", cmd, what, cmd);
  return 1;
}

/* ---- create ---- */

static const char create_usage[] = "Usage:  berth volume create [OPTIONS] [VOLUME]\n"
                                   "\n"
                                   "Create a volume\n"
                                   "\n"
                                   "Options:\n"
                                   "  -d, --driver string   Specify volume driver name (default \"local\")\n"
                                   "      --label list      Set metadata for a volume\n"
                                   "      --name string     Specify volume name\n"
                                   "  -o, --opt map         Set driver specific options (default map[])\n";

struct create_opts
{
  const char *driver, *name;
  json_object *labels, *opts;
  bool bad;
};

static void
kv_add (json_object *obj, const char *kv)
{
  const char *eq = strchr (kv, '=');
  cleanup_free char *k = eq ? xstrndup (kv, (size_t) (eq - kv)) : xstrdup (kv);
  json_object_object_add (obj, k, json_object_new_string (eq ? eq + 1 : ""));
}

static int
on_create_opt (int opt, const char *arg, void *ud)
{
  struct create_opts *o = ud;

  switch (opt)
    {
    case 'd':
      o->driver = arg;
      return 0;
    case OPT_NAME:
      o->name = arg;
      return 0;
    case OPT_LABEL:
      kv_add (o->labels, arg);
      return 0;
    case 'o':
      if (strchr (arg, '=') == NULL)
        {
          fprintf (stderr, "invalid argument \"%s\" for \"-o, --opt\" flag: invalid key value pair format: %s\n", arg,
                   arg);
          o->bad = true;
          return 1;
        }
      kv_add (o->opts, arg);
      return 0;
    }
  return 1;
}

static int
volume_create (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "driver", required_argument, NULL, 'd' },
    { "label", required_argument, NULL, OPT_LABEL },
    { "name", required_argument, NULL, OPT_NAME },
    { "opt", required_argument, NULL, 'o' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_error berth_error_t err = NULL;
  struct create_opts o = { .driver = "local", .labels = json_object_new_object (), .opts = json_object_new_object () };
  json_object *body, *reply = NULL;
  struct berth_client *client;
  int status;

  if (berth_cli_parse_interspersed (argc, argv, create_usage, opts, "d:o:", on_create_opt, &o, &status))
    {
      json_object_put (o.labels);
      json_object_put (o.opts);
      return o.bad ? 125 : status;
    }
  status = 1;
  if (argc - optind > 1)
    {
      needs_args ("create", "requires at most 1 argument");
      goto out;
    }
  if (argc - optind == 1)
    {
      if (o.name != NULL && strcmp (o.name, argv[optind]) != 0)
        {
          fprintf (stderr, "conflicting options: either specify --name or provide positional arg, not both\n");
          goto out;
        }
      o.name = argv[optind];
    }
  client = berth_cli_client (cli);
  if (client == NULL)
    goto out;
  body = json_object_new_object ();
  json_object_object_add (body, "Driver", json_object_new_string (o.driver));
  json_object_object_add (body, "DriverOpts", json_object_get (o.opts));
  json_object_object_add (body, "Labels", json_object_get (o.labels));
  json_object_object_add (body, "Name", json_object_new_string (o.name ? o.name : ""));
  if (berth_client_send_json (client, "POST", "/volumes/create", body, &reply, &err) < 0)
    fprintf (stderr, "%s\n", berth_error_msg (&err));
  else
    {
      printf ("%s\n", berth_json_str (reply, "Name"));
      status = 0;
    }
  json_object_put (body);
  json_object_put (reply);
out:
  json_object_put (o.labels);
  json_object_put (o.opts);
  return status;
}

/* ---- ls ---- */

static const char ls_usage[] = "Usage:  berth volume ls [OPTIONS]\n"
                               "\n"
                               "List volumes\n"
                               "\n"
                               "Aliases:\n"
                               "  berth volume ls, berth volume list\n"
                               "\n"
                               "Options:\n"
                               "  -f, --filter filter   Provide filter values (e.g. \"dangling=true\")\n"
                               "      --format string   Format output using a custom template:\n"
                               "                        'table':            Print output in table format with column "
                               "headers (default)\n"
                               "                        'table TEMPLATE':   Print output in table format using the given "
                               "Go template\n"
                               "                        'json':             Print in JSON format\n"
                               "                        'TEMPLATE':         Print output using the given Go template\n"
                               "  -q, --quiet           Only display volume names\n";

struct ls_opts
{
  bool quiet, bad;
  const char *format;
  json_object *filters;
};

static int
on_ls_opt (int opt, const char *arg, void *ud)
{
  struct ls_opts *o = ud;

  switch (opt)
    {
    case 'q':
      o->quiet = true;
      return 0;
    case OPT_FORMAT:
      o->format = arg;
      return 0;
    case 'f':
      if (berth_cli_filter_add (o->filters, arg) != 0)
        {
          fprintf (stderr, "invalid argument \"%s\" for \"-f, --filter\" flag: bad format of filter (expected "
                   "name=value)\n", arg);
          o->bad = true;
          return 1;
        }
      return 0;
    }
  return 1;
}

static char *
labels_text (json_object *labels)
{
  char *out = xstrdup ("");

  if (json_object_is_type (labels, json_type_object))
    {
      json_object_object_foreach (labels, k, v)
        {
          char *next = xasprintf ("%s%s%s=%s", out, out[0] ? "," : "", k, json_object_get_string (v));
          free (out);
          out = next;
        }
    }
  return out;
}

static int
volume_ls (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "quiet", no_argument, NULL, 'q' },
    { "filter", required_argument, NULL, 'f' },
    { "format", required_argument, NULL, OPT_FORMAT },
    { NULL, 0, NULL, 0 },
  };
  struct ls_opts o = { .filters = json_object_new_object () };
  cleanup_free char *path = xstrdup ("/volumes");
  json_object *reply = NULL, *vols, *rows, *header;
  int status;

  if (berth_cli_parse_interspersed (argc, argv, ls_usage, opts, "qf:", on_ls_opt, &o, &status))
    {
      json_object_put (o.filters);
      return o.bad ? 125 : status;
    }
  if (optind < argc)
    {
      json_object_put (o.filters);
      return needs_args ("ls", "accepts no arguments");
    }
  berth_cli_filters_to_query (&path, o.filters);
  if (berth_cli_get_json (cli, path, &reply) < 0)
    return 1;
  vols = berth_json_get (reply, "Volumes");
  rows = json_object_new_array ();
  for (size_t i = 0; json_object_is_type (vols, json_type_array) && i < json_object_array_length (vols); i++)
    {
      json_object *v = json_object_array_get_idx (vols, i), *r = json_object_new_object ();
      cleanup_free char *labels = labels_text (berth_json_get (v, "Labels"));
      json_object_object_add (r, "Name", json_object_new_string (berth_json_str (v, "Name")));
      json_object_object_add (r, "Driver", json_object_new_string (berth_json_str (v, "Driver")));
      json_object_object_add (r, "Scope", json_object_new_string (berth_json_str (v, "Scope")));
      json_object_object_add (r, "Mountpoint", json_object_new_string (berth_json_str (v, "Mountpoint")));
      json_object_object_add (r, "CreatedAt", json_object_new_string (berth_json_str (v, "CreatedAt")));
      json_object_object_add (r, "Labels", json_object_new_string (labels));
      json_object_object_add (r, "Links", json_object_new_string ("N/A"));
      json_object_object_add (r, "Size", json_object_new_string ("N/A"));
      json_object_object_add (r, "Availability", json_object_new_string ("N/A"));
      json_object_object_add (r, "Group", json_object_new_string ("N/A"));
      json_object_array_add (rows, r);
    }
  header = json_object_new_object ();
  json_object_object_add (header, "Name", json_object_new_string ("VOLUME NAME"));
  json_object_object_add (header, "Driver", json_object_new_string ("DRIVER"));
  json_object_object_add (header, "Scope", json_object_new_string ("SCOPE"));
  json_object_object_add (header, "Mountpoint", json_object_new_string ("MOUNTPOINT"));
  json_object_object_add (header, "CreatedAt", json_object_new_string ("CREATED"));
  json_object_object_add (header, "Labels", json_object_new_string ("LABELS"));
  json_object_object_add (header, "Links", json_object_new_string ("LINKS"));
  json_object_object_add (header, "Size", json_object_new_string ("SIZE"));
  json_object_object_add (header, "Availability", json_object_new_string ("AVAILABILITY"));
  json_object_object_add (header, "Group", json_object_new_string ("GROUP"));
  status = berth_cli_render (o.quiet ? "{{.Name}}" : o.format ? o.format : "table {{.Driver}}\\t{{.Name}}", rows,
                             header, true);
  json_object_put (header);
  json_object_put (rows);
  json_object_put (reply);
  return status;
}

/* ---- inspect ---- */

static const char inspect_usage[] = "Usage:  berth volume inspect [OPTIONS] VOLUME [VOLUME...]\n"
                                    "\n"
                                    "Display detailed information on one or more volumes\n"
                                    "\n"
                                    "Options:\n"
                                    "  -f, --format string   Format output using a custom template:\n"
                                    "                        'json':             Print in JSON format\n"
                                    "                        'TEMPLATE':         Print output using the given Go "
                                    "template\n";

static int
on_inspect_opt (int opt, const char *arg, void *ud)
{
  if (opt != 'f')
    return 1;
  *(const char **) ud = arg;
  return 0;
}

static int
volume_inspect (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "format", required_argument, NULL, 'f' },
    { NULL, 0, NULL, 0 },
  };
  const char *format = NULL;
  int status;

  if (berth_cli_parse_interspersed (argc, argv, inspect_usage, opts, "f:", on_inspect_opt, &format, &status))
    return status;
  if (optind >= argc)
    return needs_args ("inspect", "requires at least 1 argument");
  return berth_cli_inspect_objects (cli, "/volumes", argv + optind, argc - optind, format);
}

/* ---- rm ---- */

static const char rm_usage[] = "Usage:  berth volume rm [OPTIONS] VOLUME [VOLUME...]\n"
                               "\n"
                               "Remove one or more volumes. You cannot remove a volume that is in use by a container.\n"
                               "\n"
                               "Aliases:\n"
                               "  berth volume rm, berth volume remove\n"
                               "\n"
                               "Options:\n"
                               "  -f, --force   Force the removal of one or more volumes\n";

static int
on_rm_opt (int opt, const char *arg, void *ud)
{
  (void) arg;
  if (opt != 'f')
    return 1;
  *(bool *) ud = true;
  return 0;
}

static int
volume_rm (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "force", no_argument, NULL, 'f' },
    { NULL, 0, NULL, 0 },
  };
  struct berth_client *client;
  bool force = false;
  int status, failed = 0;

  if (berth_cli_parse_interspersed (argc, argv, rm_usage, opts, "f", on_rm_opt, &force, &status))
    return status;
  if (optind >= argc)
    return needs_args ("rm", "requires at least 1 argument");
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  for (int i = optind; i < argc; i++)
    {
      cleanup_error berth_error_t err = NULL;
      cleanup_free char *name = berth_client_escape_name (argv[i]);
      cleanup_free char *path = xasprintf ("/volumes/%s", name);
      if (force)
        berth_client_query_add (&path, "force", "1");
      if (berth_client_call_json (client, "DELETE", path, NULL, &err) < 0)
        {
          fprintf (stderr, "%s\n", berth_error_msg (&err));
          failed = 1;
          continue;
        }
      printf ("%s\n", argv[i]);
    }
  return failed;
}

/* ---- prune ---- */

static const char prune_usage[] = "Usage:  berth volume prune [OPTIONS]\n"
                                  "\n"
                                  "Remove unused local volumes\n"
                                  "\n"
                                  "Options:\n"
                                  "  -a, --all             Remove all unused volumes, not just anonymous ones\n"
                                  "      --filter filter   Provide filter values (e.g. \"label=<label>\")\n"
                                  "  -f, --force           Do not prompt for confirmation\n";

struct prune_opts
{
  bool all, force, bad;
  json_object *filters;
};

static int
on_prune_opt (int opt, const char *arg, void *ud)
{
  struct prune_opts *o = ud;

  switch (opt)
    {
    case 'a':
      o->all = true;
      return 0;
    case 'f':
      o->force = true;
      return 0;
    case OPT_FILTER:
      if (berth_cli_filter_add (o->filters, arg) != 0)
        {
          fprintf (stderr, "invalid argument \"%s\" for \"--filter\" flag: bad format of filter (expected "
                   "name=value)\n", arg);
          o->bad = true;
          return 1;
        }
      return 0;
    }
  return 1;
}

static int
volume_prune (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "all", no_argument, NULL, 'a' },
    { "force", no_argument, NULL, 'f' },
    { "filter", required_argument, NULL, OPT_FILTER },
    { NULL, 0, NULL, 0 },
  };
  cleanup_error berth_error_t err = NULL;
  struct prune_opts o = { .filters = json_object_new_object () };
  cleanup_free char *path = xstrdup ("/volumes/prune");
  json_object *reply = NULL, *deleted;
  struct berth_client *client;
  char size[32];
  int status;

  if (berth_cli_parse_interspersed (argc, argv, prune_usage, opts, "af", on_prune_opt, &o, &status))
    {
      json_object_put (o.filters);
      return o.bad ? 125 : status;
    }
  if (optind < argc)
    {
      json_object_put (o.filters);
      return needs_args ("prune", "accepts no arguments");
    }
  if (o.all)
    berth_cli_filter_add (o.filters, "all=true");
  berth_cli_filters_to_query (&path, o.filters);
  if (!o.force
      && !berth_cli_confirm (o.all ? "WARNING! This will remove all local volumes not used by at least one container."
                                   : "WARNING! This will remove anonymous local volumes not used by at least one "
                                     "container."))
    return 0;
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  if (berth_client_call_json (client, "POST", path, &reply, &err) < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      return 1;
    }
  deleted = berth_json_get (reply, "VolumesDeleted");
  if (json_object_is_type (deleted, json_type_array) && json_object_array_length (deleted) > 0)
    {
      printf ("Deleted Volumes:\n");
      for (size_t i = 0; i < json_object_array_length (deleted); i++)
        printf ("%s\n", json_object_get_string (json_object_array_get_idx (deleted, i)));
      printf ("\n");
    }
  berth_format_human_size_prec (berth_json_int (reply, "SpaceReclaimed"), 4, size, sizeof (size));
  printf ("Total reclaimed space: %s\n", size);
  json_object_put (reply);
  return 0;
}

/* ---- berth volume ---- */

static const struct berth_command volume_commands[] = {
  { "create", volume_create, "Create a volume" },
  { "inspect", volume_inspect, "Display detailed information on one or more volumes" },
  { "ls", volume_ls, "List volumes" },
  { "list", volume_ls, NULL },
  { "prune", volume_prune, "Remove unused local volumes" },
  { "rm", volume_rm, "Remove one or more volumes" },
  { "remove", volume_rm, NULL },
};

int
berth_cmd_volume (struct berth_cli *cli, int argc, char **argv)
{
  const size_t n = sizeof (volume_commands) / sizeof (volume_commands[0]);

  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      FILE *out = argc < 2 ? stderr : stdout;
      fprintf (out, "Usage:  berth volume COMMAND\n\nManage volumes\n\nCommands:\n");
      for (size_t i = 0; i < n; i++)
        if (volume_commands[i].summary != NULL)
          fprintf (out, "  %-10s %s\n", volume_commands[i].name, volume_commands[i].summary);
      fprintf (out, "\nRun 'berth volume COMMAND --help' for more information on a command.\n");
      return argc < 2 ? 1 : 0;
    }
  for (size_t i = 0; i < n; i++)
    if (strcmp (argv[1], volume_commands[i].name) == 0)
      return volume_commands[i].fn (cli, argc - 1, argv + 1);
  fprintf (stderr, "berth: unknown command: berth volume %s\n\nRun 'berth volume --help' for more information\n",
           argv[1]);
  return 1;
}
