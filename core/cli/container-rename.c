/* berth rename CONTAINER NEW_NAME */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/cli/container.h"
#include "core/lib/mem.h"

static const char usage[] = "Usage:  berth rename CONTAINER NEW_NAME\n"
                            "\n"
                            "Rename a container\n"
                            "\n"
                            "Aliases:\n"
                            "  berth container rename, berth rename\n";

/* strings.TrimSpace, in place */
static char *
trim (char *s)
{
  size_t n;

  while (isspace ((unsigned char) *s))
    s++;
  n = strlen (s);
  while (n > 0 && isspace ((unsigned char) s[n - 1]))
    s[--n] = '\0';
  return s;
}

int
berth_cmd_rename (struct berth_cli *cli, int argc, char **argv)
{
  cleanup_error berth_error_t err = NULL;
  struct berth_client *client;
  cleanup_free char *name = NULL, *path = NULL, *old_copy = NULL, *new_copy = NULL;
  const char *old_name, *new_name;
  int status = 0;

  if (berth_cli_parse_interspersed (argc, argv, usage, NULL, "", NULL, NULL, &status))
    return status;
  if (argc - optind != 2)
    {
      fprintf (stderr, "\"berth rename\" requires exactly 2 arguments.\nSee 'berth rename --help'.\n\n%s",
               "Usage:  berth rename CONTAINER NEW_NAME\n\nRename a container\n");
      return 1;
    }
  old_copy = xstrdup (argv[optind]);
  new_copy = xstrdup (argv[optind + 1]);
  old_name = trim (old_copy);
  new_name = trim (new_copy);
  if (old_name[0] == '\0' || new_name[0] == '\0')
    {
      fprintf (stderr, "Error: Neither old nor new names may be empty\n");
      return 1;
    }
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  name = berth_client_escape_name (old_name);
  path = xasprintf ("/containers/%s/rename", name);
  berth_client_query_add (&path, "name", new_name);
  if (berth_client_call_json (client, "POST", path, NULL, &err) < 0)
    {
      /* as the docker CLI: the daemon's error, then its own */
      fprintf (stderr, "%s\nError: failed to rename container named %s\n", berth_error_msg (&err), old_name);
      return 1;
    }
  return 0;
}
