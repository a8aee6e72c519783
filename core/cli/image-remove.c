/* berth tag, berth rmi, berth image prune */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/cli/cli.h"
#include "core/image/reference.h"
#include "core/lib/mem.h"

static const char tag_usage[] = "Usage:  berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n"
                                "\n"
                                "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE\n"
                                "\n"
                                "Aliases:\n"
                                "  berth image tag, berth tag\n"
                                "\n"
                                "Options:\n"
                                "  -h, --help   Print usage\n";

int
berth_cmd_tag (struct berth_cli *cli, int argc, char **argv)
{
  cleanup_error berth_error_t err = NULL;
  cleanup_image_ref struct image_ref *ref = NULL;
  struct berth_client *client;
  cleanup_free char *name = NULL;
  cleanup_free char *repo = NULL;
  cleanup_free char *path = NULL;
  int status;

  if (berth_cli_parse_interspersed (argc, argv, tag_usage, NULL, NULL, NULL, NULL, &status))
    return status;
  if (argc - optind != 2)
    {
      fprintf (stderr, "\"berth tag\" requires exactly 2 arguments.\nSee 'berth tag --help'.\n");
      return 1;
    }
  if (image_ref_parse (argv[optind + 1], IMAGE_REF_DEFAULT_TAG, &ref, &err) < 0)
    {
      fprintf (stderr, "Error parsing reference: \"%s\" is not a valid repository/tag: %s\n", argv[optind + 1],
               berth_error_msg (&err));
      return 1;
    }
  if (ref->digest != NULL)
    {
      fprintf (stderr, "refusing to create a tag with a digest reference\n");
      return 1;
    }
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  name = berth_client_escape_name (argv[optind]);
  path = xasprintf ("/images/%s/tag", name);
  repo = image_ref_name (ref);
  berth_client_query_add (&path, "repo", repo);
  berth_client_query_add (&path, "tag", ref->tag);
  if (berth_client_call_json (client, "POST", path, NULL, &err) < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      return 1;
    }
  return 0;
}

/* ---- rmi ---- */

static const char rmi_usage[] = "Usage:  berth rmi [OPTIONS] IMAGE [IMAGE...]\n"
                                "\n"
                                "Remove one or more images\n"
                                "\n"
                                "Aliases:\n"
                                "  berth image rm, berth image remove, berth rmi\n"
                                "\n"
                                "Options:\n"
                                "  -f, --force      Force removal of the image\n"
                                "  -h, --help       Print usage\n"
                                "      --no-prune   Do not delete untagged parents\n";

struct rmi_opts
{
  bool force, no_prune;
};

enum
{
  OPT_NO_PRUNE = 256,
  OPT_FILTER,
};

static int
on_rmi_opt (int opt, const char *arg, void *ud)
{
  struct rmi_opts *o = ud;

  (void)arg;
  if (opt == 'f')
    o->force = true;
  else if (opt == OPT_NO_PRUNE)
    o->no_prune = true;
  else
    return 1;
  return 0;
}

/* "Untagged: x" / "Deleted: y" lines of a delete response; lower for prune */
static void
print_items (struct json_object *items, bool lower)
{
  for (size_t i = 0;
       items != NULL && json_object_is_type (items, json_type_array) && i < json_object_array_length (items); i++)
    {
      struct json_object *it = json_object_array_get_idx (items, i);
      if (berth_json_str (it, "Untagged")[0] != '\0')
        printf ("%s: %s\n", lower ? "untagged" : "Untagged", berth_json_str (it, "Untagged"));
      if (berth_json_str (it, "Deleted")[0] != '\0')
        printf ("%s: %s\n", lower ? "deleted" : "Deleted", berth_json_str (it, "Deleted"));
    }
}

int
berth_cmd_rmi (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "force", no_argument, NULL, 'f' },
    { "no-prune", no_argument, NULL, OPT_NO_PRUNE },
    { NULL, 0, NULL, 0 },
  };
  struct rmi_opts o = { 0 };
  struct berth_client *client;
  int status, failed = 0;

  if (berth_cli_parse_interspersed (argc, argv, rmi_usage, opts, "f", on_rmi_opt, &o, &status))
    return status;
  if (optind >= argc)
    {
      fprintf (stderr, "\"berth rmi\" requires at least 1 argument.\nSee 'berth rmi --help'.\n");
      return 1;
    }
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  for (int i = optind; i < argc; i++)
    {
      cleanup_error berth_error_t err = NULL;
      cleanup_free char *name = berth_client_escape_name (argv[i]);
      cleanup_free char *path = xasprintf ("/images/%s", name);
      struct json_object *items = NULL;

      if (o.force)
        berth_client_query_add (&path, "force", "1");
      if (o.no_prune)
        berth_client_query_add (&path, "noprune", "1");
      if (berth_client_call_json (client, "DELETE", path, &items, &err) < 0)
        {
          fprintf (stderr, "%s\n", berth_error_msg (&err));
          failed = 1;
          continue;
        }
      print_items (items, false);
      if (items != NULL)
        json_object_put (items);
    }
  return failed;
}

/* ---- image prune ---- */

static const char prune_usage[] = "Usage:  berth image prune [OPTIONS]\n"
                                  "\n"
                                  "Remove unused images\n"
                                  "\n"
                                  "Options:\n"
                                  "  -a, --all             Remove all unused images, not just dangling ones\n"
                                  "      --filter filter   Provide filter values (e.g. \"until=<timestamp>\")\n"
                                  "  -f, --force           Do not prompt for confirmation\n"
                                  "  -h, --help            Print usage\n";

struct prune_opts
{
  bool all, force;
  struct json_object *filters;
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
          fprintf (stderr,
                   "invalid argument \"%s\" for \"--filter\" flag: bad format of filter (expected name=value)\n", arg);
          return 1;
        }
      return 0;
    }
  return 1;
}

int
berth_cmd_image_prune (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "all", no_argument, NULL, 'a' },
    { "force", no_argument, NULL, 'f' },
    { "filter", required_argument, NULL, OPT_FILTER },
    { NULL, 0, NULL, 0 },
  };
  cleanup_error berth_error_t err = NULL;
  struct prune_opts o = { .filters = json_object_new_object () };
  struct json_object *reply = NULL, *deleted;
  struct berth_client *client;
  cleanup_free char *path = xstrdup ("/images/prune");
  char size[32];
  int status;

  if (berth_cli_parse_interspersed (argc, argv, prune_usage, opts, "af", on_prune_opt, &o, &status))
    {
      json_object_put (o.filters);
      return status;
    }
  if (optind < argc)
    {
      json_object_put (o.filters);
      fprintf (stderr, "\"berth image prune\" accepts no arguments.\nSee 'berth image prune --help'.\n");
      return 1;
    }
  berth_cli_filter_add (o.filters, o.all ? "dangling=false" : "dangling=true");
  berth_cli_filters_to_query (&path, o.filters);
  if (!o.force
      && !berth_cli_confirm (o.all ? "WARNING! This will remove all images without at least one container associated "
                                     "to them."
                                   : "WARNING! This will remove all dangling images."))
    return 0;
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  if (berth_client_call_json (client, "POST", path, &reply, &err) < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      return 1;
    }
  deleted = berth_json_get (reply, "ImagesDeleted");
  if (deleted != NULL && json_object_is_type (deleted, json_type_array) && json_object_array_length (deleted) > 0)
    {
      printf ("Deleted Images:\n");
      print_items (deleted, true);
      printf ("\n");
    }
  berth_format_human_size_prec (berth_json_int (reply, "SpaceReclaimed"), 4, size, sizeof (size));
  printf ("Total reclaimed space: %s\n", size);
  if (reply != NULL)
    json_object_put (reply);
  return 0;
}
