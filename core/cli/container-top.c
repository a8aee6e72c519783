/* berth top CONTAINER [ps OPTIONS] */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cli/container.h"
#include "core/lib/mem.h"

static const char usage[] = "Usage:  berth top CONTAINER [ps OPTIONS]\n"
                            "\n"
                            "Display the running processes of a container\n"
                            "\n"
                            "Aliases:\n"
                            "  berth container top, berth top\n";

/* docker prints through a tabwriter with minimum width 20 and padding 3;
   the last cell of a row is not padded */
#define TOP_MIN_WIDTH 20
#define TOP_PADDING 3

static size_t
cell_count (struct json_object *row)
{
  return json_object_is_type (row, json_type_array) ? json_object_array_length (row) : 0;
}

static void
print_rows (struct json_object **rows, size_t n_rows)
{
  size_t cols = 0, *widths;

  for (size_t r = 0; r < n_rows; r++)
    if (cell_count (rows[r]) > cols)
      cols = cell_count (rows[r]);
  widths = xmalloc0 ((cols + 1) * sizeof (size_t));
  for (size_t r = 0; r < n_rows; r++)
    for (size_t c = 0; c + 1 < cell_count (rows[r]); c++)
      {
        size_t w = strlen (json_object_get_string (json_object_array_get_idx (rows[r], c))) + TOP_PADDING;
        if (w < TOP_MIN_WIDTH)
          w = TOP_MIN_WIDTH;
        if (w > widths[c])
          widths[c] = w;
      }
  for (size_t r = 0; r < n_rows; r++)
    {
      size_t n = cell_count (rows[r]);
      for (size_t c = 0; c < n; c++)
        {
          const char *s = json_object_get_string (json_object_array_get_idx (rows[r], c));
          fputs (s, stdout);
          if (c + 1 < n)
            for (size_t pad = strlen (s); pad < widths[c]; pad++)
              putchar (' ');
        }
      putchar ('\n');
    }
  free (widths);
}

int
berth_cmd_top (struct berth_cli *cli, int argc, char **argv)
{
  cleanup_error berth_error_t err = NULL;
  struct berth_client *client;
  struct json_object *reply = NULL, *procs, **rows;
  cleanup_free char *name = NULL, *path = NULL, *ps_args = xstrdup ("");
  size_t n_rows = 0;
  int status = 0;

  /* options stop at CONTAINER: what follows is for ps */
  if (berth_cli_parse (argc, argv, usage, NULL, "", NULL, NULL, &status))
    return status;
  if (optind >= argc)
    {
      fprintf (stderr, "\"berth top\" requires at least 1 argument.\nSee 'berth top --help'.\n");
      return 1;
    }
  for (int i = optind + 1; i < argc; i++)
    {
      char *next = xasprintf ("%s%s%s", ps_args, i > optind + 1 ? " " : "", argv[i]);
      free (ps_args);
      ps_args = next;
    }
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  name = berth_client_escape_name (argv[optind]);
  path = xasprintf ("/containers/%s/top", name);
  if (ps_args[0] != '\0')
    berth_client_query_add (&path, "ps_args", ps_args);
  if (berth_client_get_json (client, path, &reply, &err) < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      return 1;
    }
  procs = berth_json_get (reply, "Processes");
  if (procs != NULL && !json_object_is_type (procs, json_type_array))
    procs = NULL;
  rows = xmalloc0 ((1 + (procs != NULL ? json_object_array_length (procs) : 0)) * sizeof (*rows));
  rows[n_rows++] = berth_json_get (reply, "Titles");
  for (size_t i = 0; procs != NULL && i < json_object_array_length (procs); i++)
    rows[n_rows++] = json_object_array_get_idx (procs, i);
  print_rows (rows, n_rows);
  free (rows);
  json_object_put (reply);
  return 0;
}
