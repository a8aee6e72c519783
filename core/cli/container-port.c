/* berth port CONTAINER [PRIVATE_PORT[/PROTO]]: the port mappings from
   NetworkSettings.Ports, printed as docker does. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cli/container.h"
#include "core/lib/mem.h"

static const char usage[] = "Usage:  berth port CONTAINER [PRIVATE_PORT[/PROTO]]\n"
                            "\n"
                            "List port mappings or a specific mapping for the container\n"
                            "\n"
                            "Aliases:\n"
                            "  berth container port, berth port\n";

/* net.JoinHostPort */
static void
print_binding (const char *prefix, struct json_object *b)
{
  const char *ip = berth_json_str (b, "HostIp"), *port = berth_json_str (b, "HostPort");

  if (strchr (ip, ':') != NULL)
    printf ("%s[%s]:%s\n", prefix, ip, port);
  else
    printf ("%s%s:%s\n", prefix, ip, port);
}

/* "80/tcp" keys in docker's order: by port number, then protocol */
static int
cmp_keys (const void *a, const void *b)
{
  const char *x = *(const char *const *) a, *y = *(const char *const *) b;
  long px = strtol (x, NULL, 10), py = strtol (y, NULL, 10);

  if (px != py)
    return px < py ? -1 : 1;
  return strcmp (x, y);
}

int
berth_cmd_port (struct berth_cli *cli, int argc, char **argv)
{
  cleanup_error berth_error_t err = NULL;
  struct berth_client *client;
  struct json_object *info = NULL, *ports;
  cleanup_free char *want = NULL;
  int status = 0;

  if (berth_cli_parse_interspersed (argc, argv, usage, NULL, "", NULL, NULL, &status))
    return status;
  if (optind >= argc || argc - optind > 2)
    {
      fprintf (stderr, "\"berth port\" requires at least 1 and at most 2 arguments.\nSee 'berth port --help'.\n");
      return 1;
    }
  if (argc - optind == 2)
    {
      const char *arg = argv[optind + 1], *slash = strchr (arg, '/');
      size_t digits = strspn (arg, "0123456789");
      long n = strtol (arg, NULL, 10);
      if (digits == 0 || (slash == NULL ? arg[digits] != '\0' : arg + digits != slash) || n < 1 || n > 65535)
        {
          fprintf (stderr, "Error: invalid port (%s)\n", arg);
          return 1;
        }
      want = slash != NULL ? xstrdup (arg) : xasprintf ("%s/tcp", arg);
    }
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  if (berth_container_inspect (client, argv[optind], &info, &err) < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      return 1;
    }
  ports = berth_json_get (berth_json_get (info, "NetworkSettings"), "Ports");
  if (ports != NULL && !json_object_is_type (ports, json_type_object))
    ports = NULL;
  if (want != NULL)
    {
      struct json_object *b = ports != NULL ? berth_json_get (ports, want) : NULL;
      if (b != NULL && json_object_is_type (b, json_type_array) && json_object_array_length (b) > 0)
        for (size_t i = 0; i < json_object_array_length (b); i++)
          print_binding ("", json_object_array_get_idx (b, i));
      else
        {
          fprintf (stderr, "Error: No public port '%s' published for %s\n", want, argv[optind]);
          status = 1;
        }
    }
  else if (ports != NULL)
    {
      size_t n = 0;
      const char **keys = xmalloc0 ((json_object_object_length (ports) + 1) * sizeof (*keys));
      json_object_object_foreach (ports, k, v)
      {
        (void) v;
        keys[n++] = k;
      }
      qsort (keys, n, sizeof (*keys), cmp_keys);
      for (size_t i = 0; i < n; i++)
        {
          struct json_object *b = berth_json_get (ports, keys[i]);
          cleanup_free char *prefix = xasprintf ("%s -> ", keys[i]);
          for (size_t j = 0; b != NULL && json_object_is_type (b, json_type_array) && j < json_object_array_length (b);
               j++)
            print_binding (prefix, json_object_array_get_idx (b, j));
        }
      free (keys);
    }
  json_object_put (info);
  return status;
}
