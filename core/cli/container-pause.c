/* berth pause / unpause: one call per container named, each name printed
   back on success as docker does. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/cli/container.h"
#include "core/lib/mem.h"

static int
each (struct berth_cli *cli, int argc, char **argv, const char *usage, const char *op)
{
  struct berth_client *client;
  int status = 0;

  if (berth_cli_parse_interspersed (argc, argv, usage, NULL, "", NULL, NULL, &status))
    return status;
  if (optind >= argc)
    {
      fprintf (stderr, "\"berth %s\" requires at least 1 argument.\nSee 'berth %s --help'.\n", argv[0], argv[0]);
      return 1;
    }
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  for (int i = optind; i < argc; i++)
    {
      cleanup_error berth_error_t err = NULL;
      cleanup_free char *name = berth_client_escape_name (argv[i]);
      cleanup_free char *path = xasprintf ("/containers/%s/%s", name, op);

      if (berth_client_call_json (client, "POST", path, NULL, &err) < 0)
        {
          fprintf (stderr, "%s\n", berth_error_msg (&err));
          status = 1;
        }
      else
        printf ("%s\n", argv[i]);
      fflush (stdout);
    }
  return status;
}

int
berth_cmd_pause (struct berth_cli *cli, int argc, char **argv)
{
  return each (cli, argc, argv,
               "Usage:  berth pause CONTAINER [CONTAINER...]\n"
               "\n"
               "Pause all processes within one or more containers\n"
               "\n"
               "Aliases:\n"
               "  berth container pause, berth pause\n",
               "pause");
}

int
berth_cmd_unpause (struct berth_cli *cli, int argc, char **argv)
{
  return each (cli, argc, argv,
               "Usage:  berth unpause CONTAINER [CONTAINER...]\n"
               "\n"
               "Unpause all processes within one or more containers\n"
               "\n"
               "Aliases:\n"
               "  berth container unpause, berth unpause\n",
               "unpause");
}
