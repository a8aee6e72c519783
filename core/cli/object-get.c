/* Getting listed and inspected objects from the daemon. */
#include "config.h"

#include <stdio.h>

#include "core/cli/object-get.h"
#include "core/lib/mem.h"

int
berth_cli_get_json (struct berth_cli *cli, const char *path, struct json_object **ret)
{
  cleanup_error berth_error_t err = NULL;
  struct berth_client *client = berth_cli_client (cli);

  if (client == NULL)
    return -1;
  if (berth_client_get_json (client, path, ret, &err) < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      return -1;
    }
  return 0;
}

int
berth_cli_inspect_objects (struct berth_cli *cli, const char *collection, char **names, int n, const char *format)
{
  struct berth_client *client = berth_cli_client (cli);
  json_object *all;
  int status, failed = 0;

  if (client == NULL)
    return 1;
  all = json_object_new_array ();
  for (int i = 0; i < n; i++)
    {
      cleanup_error berth_error_t err = NULL;
      cleanup_free char *name = berth_client_escape_name (names[i]);
      cleanup_free char *path = xasprintf ("%s/%s", collection, name);
      json_object *one = NULL;
      if (berth_client_get_json (client, path, &one, &err) < 0)
        {
          fprintf (stderr, "%s\n", berth_error_msg (&err));
          failed = 1;
          continue;
        }
      json_object_array_add (all, one);
    }
  if (format != NULL)
    status = json_object_array_length (all) > 0 ? berth_cli_render (format, all, NULL, false) : 0;
  else
    {
      berth_json_print_indent (stdout, all);
      status = 0;
    }
  json_object_put (all);
  return failed || status;
}
