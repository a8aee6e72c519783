#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "core/cli/cli.h"
#include "core/lib/api-version.h"

static const char usage[] = "Usage:  berth version\n"
                            "\n"
                            "Show the berth version information\n"
                            "\n"
                            "Options:\n"
                            "  -h, --help   Print usage\n";

static const char *
client_arch (void)
{
  static struct utsname u;
  if (uname (&u) != 0)
    return "";
  if (strcmp (u.machine, "x86_64") == 0)
    return "amd64";
  if (strcmp (u.machine, "aarch64") == 0)
    return "arm64";
  return u.machine;
}

static void
print_client (void)
{
  char built[64];

  printf ("Client:\n");
  printf (" %-19s%s\n", "Version:", PACKAGE_VERSION);
  printf (" %-19s%s\n", "API version:", BERTH_API_VERSION);
  printf (" %-19s%s\n", "Git commit:", BERTH_GIT_COMMIT);
  printf (" %-19s%s\n", "Built:", berth_format_build_time (BERTH_BUILD_TIME, built, sizeof (built)));
  printf (" %-19slinux/%s\n", "OS/Arch:", client_arch ());
}

static void
print_engine (struct json_object *details, const char *version)
{
  char built[64];
  const char *go = berth_json_str (details, "GoVersion");

  printf (" Engine:\n");
  printf ("  %-18s%s\n", "Version:", version);
  printf ("  %-18s%s (minimum version %s)\n", "API version:", berth_json_str (details, "ApiVersion"),
          berth_json_str (details, "MinAPIVersion"));
  if (go[0] != '\0' && strcmp (go, "n/a") != 0)
    printf ("  %-18s%s\n", "Go version:", go);
  printf ("  %-18s%s\n", "Git commit:", berth_json_str (details, "GitCommit"));
  printf ("  %-18s%s\n",
          "Built:", berth_format_build_time (berth_json_str (details, "BuildTime"), built, sizeof (built)));
  printf ("  %-18s%s/%s\n", "OS/Arch:", berth_json_str (details, "Os"), berth_json_str (details, "Arch"));
  printf ("  %-18s%s\n", "Experimental:", berth_json_str (details, "Experimental"));
}

static void
print_server (struct json_object *v)
{
  struct json_object *components = berth_json_get (v, "Components");
  const char *platform = berth_json_str (berth_json_get (v, "Platform"), "Name");

  printf ("\nServer:%s%s\n", platform[0] != '\0' ? " " : "", platform);
  if (components == NULL || !json_object_is_type (components, json_type_array))
    {
      /* no component list: the top-level fields describe the engine */
      print_engine (v, berth_json_str (v, "Version"));
      return;
    }
  for (size_t i = 0; i < json_object_array_length (components); i++)
    {
      struct json_object *comp = json_object_array_get_idx (components, i);
      struct json_object *details = berth_json_get (comp, "Details");
      const char *name = berth_json_str (comp, "Name");

      if (strcmp (name, "Engine") == 0)
        {
          print_engine (details, berth_json_str (comp, "Version"));
          continue;
        }
      printf (" %s:\n", name);
      printf ("  %-18s%s\n", "Version:", berth_json_str (comp, "Version"));
      if (details != NULL && json_object_is_type (details, json_type_object))
        {
          json_object_object_foreach (details, key, val)
          {
            char label[64];
            snprintf (label, sizeof (label), "%s:", key);
            printf ("  %-18s%s\n", label, json_object_get_string (val));
          }
        }
    }
}

int
berth_cmd_version (struct berth_cli *cli, int argc, char **argv)
{
  cleanup_error berth_error_t err = NULL;
  struct json_object *v = NULL;
  struct berth_client *client;
  int status;

  if (berth_cli_parse (argc, argv, usage, NULL, NULL, NULL, NULL, &status))
    return status;
  if (optind < argc)
    {
      fprintf (stderr, "\"berth version\" accepts no arguments.\nSee 'berth version --help'.\n");
      return 1;
    }

  print_client ();
  fflush (stdout);
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  if (berth_client_get_json (client, "/version", &v, &err) < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      return 1;
    }
  print_server (v);
  json_object_put (v);
  return 0;
}
