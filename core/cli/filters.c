#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/cli/cli.h"
#include "core/lib/mem.h"

int
berth_cli_filter_add (struct json_object *filters, const char *arg)
{
  const char *eq = strchr (arg, '=');
  cleanup_free char *key = NULL;
  struct json_object *values = NULL;

  if (eq == NULL || eq == arg)
    return 1;
  key = xstrndup (arg, (size_t)(eq - arg));
  if (!json_object_object_get_ex (filters, key, &values))
    {
      values = json_object_new_object ();
      json_object_object_add (filters, key, values);
    }
  json_object_object_add (values, eq + 1, json_object_new_boolean (1));
  return 0;
}

void
berth_cli_filters_to_query (char **path, struct json_object *filters)
{
  if (json_object_object_length (filters) > 0)
    berth_client_query_add (
        path, "filters",
        json_object_to_json_string_ext (filters, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (filters);
}

bool
berth_cli_confirm (const char *warning)
{
  char line[64];

  printf ("%s\nAre you sure you want to continue? [y/N] ", warning);
  fflush (stdout);
  if (fgets (line, sizeof (line), stdin) == NULL)
    {
      printf ("\n");
      return false;
    }
  return line[0] == 'y' || line[0] == 'Y';
}
