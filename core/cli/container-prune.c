/* berth container prune [-f] [--filter]: remove the stopped containers. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/cli/container.h"
#include "core/lib/mem.h"

static const char usage[] = "Usage:  berth container prune [OPTIONS]\n"
                            "\n"
                            "Remove all stopped containers\n"
                            "\n"
                            "Options:\n"
                            "      --filter filter   Provide filter values (e.g. \"until=<timestamp>\")\n"
                            "  -f, --force           Do not prompt for confirmation\n";

enum
{
  OPT_FILTER = 256,
};

struct prune_opts
{
  bool force;
  struct json_object *filters;
};

static int
on_opt (int opt, const char *arg, void *ud)
{
  struct prune_opts *o = ud;

  switch (opt)
    {
    case 'f':
      o->force = true;
      return 0;
    case OPT_FILTER:
      if (berth_cli_filter_add (o->filters, arg) != 0)
        {
          fprintf (stderr, "invalid argument \"%s\" for \"--filter\" flag: bad format of filter (expected name=value)\n",
                   arg);
          return 1;
        }
      return 0;
    }
  return 1;
}

int
berth_cmd_container_prune (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "force", no_argument, NULL, 'f' },
    { "filter", required_argument, NULL, OPT_FILTER },
    { NULL, 0, NULL, 0 },
  };
  cleanup_error berth_error_t err = NULL;
  struct prune_opts o = { .filters = json_object_new_object () };
  struct json_object *reply = NULL, *deleted;
  cleanup_free char *path = xstrdup ("/containers/prune");
  struct berth_client *client;
  char size[32];
  int status = 0;

  if (berth_cli_parse_interspersed (argc, argv, usage, opts, "f", on_opt, &o, &status))
    {
      json_object_put (o.filters);
      return status;
    }
  if (optind < argc)
    {
      json_object_put (o.filters);
      fprintf (stderr, "\"berth container prune\" accepts no arguments.\nSee 'berth container prune --help'.\n");
      return 1;
    }
  berth_cli_filters_to_query (&path, o.filters);
  /* without a terminal the answer is read from stdin too, as docker does */
  if (!o.force && !berth_cli_confirm ("WARNING! This will remove all stopped containers."))
    {
      printf ("Total reclaimed space: 0B\n");
      return 0;
    }
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  if (berth_client_call_json (client, "POST", path, &reply, &err) < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      return 1;
    }
  deleted = berth_json_get (reply, "ContainersDeleted");
  if (deleted != NULL && json_object_is_type (deleted, json_type_array) && json_object_array_length (deleted) > 0)
    {
      printf ("Deleted Containers:\n");
      for (size_t i = 0; i < json_object_array_length (deleted); i++)
        printf ("%s\n", json_object_get_string (json_object_array_get_idx (deleted, i)));
      printf ("\n");
    }
  berth_format_human_size_prec (berth_json_int (reply, "SpaceReclaimed"), 4, size, sizeof (size));
  printf ("Total reclaimed space: %s\n", size);
  if (reply != NULL)
    json_object_put (reply);
  return 0;
}
