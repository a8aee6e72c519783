#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/cli/cli.h"
#include "core/lib/mem.h"

static const char usage[] = "Usage:  berth info\n"
                            "\n"
                            "Display system-wide information\n"
                            "\n"
                            "Options:\n"
                            "  -h, --help   Print usage\n";

/* "Label: a b c" from an array of strings. */
static void
print_list (const char *indent, const char *label, struct json_object *a)
{
  printf ("%s%s:", indent, label);
  for (size_t i = 0; a != NULL && json_object_is_type (a, json_type_array) && i < json_object_array_length (a); i++)
    printf (" %s", json_object_get_string (json_object_array_get_idx (a, i)));
  printf ("\n");
}

/* "name=seccomp,profile=builtin" -> "  seccomp" / "   Profile: builtin" */
static void
print_security_options (struct json_object *opts)
{
  if (opts == NULL || !json_object_is_type (opts, json_type_array) || json_object_array_length (opts) == 0)
    return;
  printf (" Security Options:\n");
  for (size_t i = 0; i < json_object_array_length (opts); i++)
    {
      cleanup_free char *copy = xstrdup (json_object_get_string (json_object_array_get_idx (opts, i)));
      char *save = NULL;

      for (char *kv = strtok_r (copy, ",", &save); kv != NULL; kv = strtok_r (NULL, ",", &save))
        {
          char *eq = strchr (kv, '=');
          if (eq == NULL)
            continue;
          *eq = '\0';
          if (strcmp (kv, "name") == 0)
            printf ("  %s\n", eq + 1);
          else
            printf ("   %c%s: %s\n", toupper ((unsigned char)kv[0]), kv + 1, eq + 1);
        }
    }
}

static void
print_driver_status (struct json_object *status)
{
  for (size_t i = 0;
       status != NULL && json_object_is_type (status, json_type_array) && i < json_object_array_length (status); i++)
    {
      struct json_object *pair = json_object_array_get_idx (status, i);
      if (pair == NULL || !json_object_is_type (pair, json_type_array) || json_object_array_length (pair) != 2)
        continue;
      printf ("  %s: %s\n", json_object_get_string (json_object_array_get_idx (pair, 0)),
              json_object_get_string (json_object_array_get_idx (pair, 1)));
    }
}

static void
print_runtimes (struct json_object *runtimes)
{
  printf (" Runtimes:");
  if (runtimes != NULL && json_object_is_type (runtimes, json_type_object))
    {
      json_object_object_foreach (runtimes, name, val)
      {
        (void)val;
        printf (" %s", name);
      }
    }
  printf ("\n");
}

static void
print_server (struct json_object *i)
{
  struct json_object *plugins = berth_json_get (i, "Plugins");
  struct json_object *registry = berth_json_get (i, "RegistryConfig");
  struct json_object *labels = berth_json_get (i, "Labels");
  struct json_object *mirrors = berth_json_get (registry, "Mirrors");
  char mem[32];

  printf ("\nServer:\n");
  printf (" Containers: %lld\n", (long long)berth_json_int (i, "Containers"));
  printf ("  Running: %lld\n", (long long)berth_json_int (i, "ContainersRunning"));
  printf ("  Paused: %lld\n", (long long)berth_json_int (i, "ContainersPaused"));
  printf ("  Stopped: %lld\n", (long long)berth_json_int (i, "ContainersStopped"));
  printf (" Images: %lld\n", (long long)berth_json_int (i, "Images"));
  printf (" Server Version: %s\n", berth_json_str (i, "ServerVersion"));
  printf (" Storage Driver: %s\n", berth_json_str (i, "Driver"));
  print_driver_status (berth_json_get (i, "DriverStatus"));
  printf (" Logging Driver: %s\n", berth_json_str (i, "LoggingDriver"));
  printf (" Cgroup Driver: %s\n", berth_json_str (i, "CgroupDriver"));
  printf (" Cgroup Version: %s\n", berth_json_str (i, "CgroupVersion"));
  printf (" Plugins:\n");
  print_list ("  ", "Volume", berth_json_get (plugins, "Volume"));
  print_list ("  ", "Network", berth_json_get (plugins, "Network"));
  print_list ("  ", "Log", berth_json_get (plugins, "Log"));
  printf (" Swarm: %s\n", berth_json_str (berth_json_get (i, "Swarm"), "LocalNodeState"));
  print_runtimes (berth_json_get (i, "Runtimes"));
  printf (" Default Runtime: %s\n", berth_json_str (i, "DefaultRuntime"));
  print_security_options (berth_json_get (i, "SecurityOptions"));
  printf (" Kernel Version: %s\n", berth_json_str (i, "KernelVersion"));
  printf (" Operating System: %s\n", berth_json_str (i, "OperatingSystem"));
  printf (" OSType: %s\n", berth_json_str (i, "OSType"));
  printf (" Architecture: %s\n", berth_json_str (i, "Architecture"));
  printf (" CPUs: %lld\n", (long long)berth_json_int (i, "NCPU"));
  berth_format_bytes (berth_json_int (i, "MemTotal"), mem, sizeof (mem));
  printf (" Total Memory: %s\n", mem);
  printf (" Name: %s\n", berth_json_str (i, "Name"));
  printf (" ID: %s\n", berth_json_str (i, "ID"));
  printf (" Berth Root Dir: %s\n", berth_json_str (i, "DockerRootDir"));
  printf (" Debug Mode: %s\n", berth_json_bool (i, "Debug") ? "true" : "false");
  if (berth_json_bool (i, "Debug"))
    {
      printf ("  File Descriptors: %lld\n", (long long)berth_json_int (i, "NFd"));
      printf ("  Threads: %lld\n", (long long)berth_json_int (i, "NGoroutines"));
      printf ("  System Time: %s\n", berth_json_str (i, "SystemTime"));
      printf ("  EventsListeners: %lld\n", (long long)berth_json_int (i, "NEventsListener"));
    }
  if (berth_json_str (i, "HttpProxy")[0] != '\0')
    printf (" HTTP Proxy: %s\n", berth_json_str (i, "HttpProxy"));
  if (berth_json_str (i, "HttpsProxy")[0] != '\0')
    printf (" HTTPS Proxy: %s\n", berth_json_str (i, "HttpsProxy"));
  if (berth_json_str (i, "NoProxy")[0] != '\0')
    printf (" No Proxy: %s\n", berth_json_str (i, "NoProxy"));
  if (labels != NULL && json_object_is_type (labels, json_type_array) && json_object_array_length (labels) > 0)
    {
      printf (" Labels:\n");
      for (size_t k = 0; k < json_object_array_length (labels); k++)
        printf ("  %s\n", json_object_get_string (json_object_array_get_idx (labels, k)));
    }
  printf (" Experimental: %s\n", berth_json_bool (i, "ExperimentalBuild") ? "true" : "false");
  print_list (" ", "Insecure Registries", NULL);
  {
    struct json_object *cidrs = berth_json_get (registry, "InsecureRegistryCIDRs");
    for (size_t k = 0;
         cidrs != NULL && json_object_is_type (cidrs, json_type_array) && k < json_object_array_length (cidrs); k++)
      printf ("  %s\n", json_object_get_string (json_object_array_get_idx (cidrs, k)));
  }
  if (mirrors != NULL && json_object_is_type (mirrors, json_type_array) && json_object_array_length (mirrors) > 0)
    {
      printf (" Registry Mirrors:\n");
      for (size_t k = 0; k < json_object_array_length (mirrors); k++)
        printf ("  %s\n", json_object_get_string (json_object_array_get_idx (mirrors, k)));
    }
  printf (" Live Restore Enabled: %s\n", berth_json_bool (i, "LiveRestoreEnabled") ? "true" : "false");
}

/* As docker, the daemon's warnings go to stderr after the listing. */
static void
print_warnings (struct json_object *w)
{
  if (w == NULL || !json_object_is_type (w, json_type_array) || json_object_array_length (w) == 0)
    return;
  fflush (stdout);
  fprintf (stderr, "\n");
  for (size_t k = 0; k < json_object_array_length (w); k++)
    fprintf (stderr, "%s\n", json_object_get_string (json_object_array_get_idx (w, k)));
}

int
berth_cmd_info (struct berth_cli *cli, int argc, char **argv)
{
  cleanup_error berth_error_t err = NULL;
  struct json_object *info = NULL;
  struct berth_client *client;
  int status;

  if (berth_cli_parse (argc, argv, usage, NULL, NULL, NULL, NULL, &status))
    return status;
  if (optind < argc)
    {
      fprintf (stderr, "\"berth info\" accepts no arguments.\nSee 'berth info --help'.\n");
      return 1;
    }

  printf ("Client:\n");
  printf (" Version:    %s\n", PACKAGE_VERSION);
  printf (" Debug Mode: false\n");
  fflush (stdout);
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  if (berth_client_get_json (client, "/info", &info, &err) < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      return 1;
    }
  print_server (info);
  print_warnings (berth_json_get (info, "Warnings"));
  json_object_put (info);
  return 0;
}
