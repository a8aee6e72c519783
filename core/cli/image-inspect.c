/* berth image inspect, berth container inspect, berth inspect, berth history */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/cli/cli.h"
#include "core/cli/template.h"
#include "core/lib/mem.h"

static const char inspect_usage[]
    = "Usage:  berth image inspect [OPTIONS] IMAGE [IMAGE...]\n"
      "\n"
      "Display detailed information on one or more images\n"
      "\n"
      "Options:\n"
      "  -f, --format string   Format output using a custom template:\n"
      "                        'json':             Print in JSON format\n"
      "                        'TEMPLATE':         Print output using the given Go template\n"
      "  -h, --help            Print usage\n";

static const char any_usage[] = "Usage:  berth inspect [OPTIONS] NAME|ID [NAME|ID...]\n"
                                "\n"
                                "Return low-level information on berth objects\n"
                                "\n"
                                "Options:\n"
                                "  -f, --format string   Format output using a custom template\n"
                                "  -h, --help            Print usage\n"
                                "      --type string     Only inspect objects of the given type\n";

static const char container_usage[]
    = "Usage:  berth container inspect [OPTIONS] CONTAINER [CONTAINER...]\n"
      "\n"
      "Display detailed information on one or more containers\n"
      "\n"
      "Options:\n"
      "  -f, --format string   Format output using a custom template:\n"
      "                        'json':             Print in JSON format\n"
      "                        'TEMPLATE':         Print output using the given Go template\n"
      "  -h, --help            Print usage\n";

struct inspect_opts
{
  const char *format;
  const char *type;
};

enum
{
  OPT_TYPE = 256,
  OPT_NO_TRUNC,
  OPT_FORMAT,
};

static int
on_inspect_opt (int opt, const char *arg, void *ud)
{
  struct inspect_opts *o = ud;

  if (opt == 'f')
    o->format = arg;
  else if (opt == OPT_TYPE)
    o->type = arg;
  else
    return 1;
  return 0;
}

enum inspect_kind
{
  INSPECT_ANY, /* berth inspect: containers first, then images, as docker */
  INSPECT_IMAGE,
  INSPECT_CONTAINER,
};

static int
inspect (struct berth_cli *cli, int argc, char **argv, const char *usage, enum inspect_kind kind)
{
  static const struct option any_opts[] = {
    { "format", required_argument, NULL, 'f' },
    { "type", required_argument, NULL, OPT_TYPE },
    { NULL, 0, NULL, 0 },
  };
  static const struct option one_opts[] = {
    { "format", required_argument, NULL, 'f' },
    { NULL, 0, NULL, 0 },
  };
  struct inspect_opts o = { 0 };
  struct json_object *all = NULL;
  struct berth_client *client;
  bool containers, images, volumes;
  int status, failed = 0;

  if (berth_cli_parse_interspersed (argc, argv, usage, kind == INSPECT_ANY ? any_opts : one_opts, "f:", on_inspect_opt,
                                    &o, &status))
    return status;
  if (optind >= argc)
    {
      fprintf (stderr, "\"berth %s\" requires at least 1 argument.\nSee 'berth %s --help'.\n", argv[0], argv[0]);
      return 1;
    }
  containers = kind != INSPECT_IMAGE;
  images = kind != INSPECT_CONTAINER;
  volumes = kind == INSPECT_ANY;
  if (o.type != NULL && o.type[0] != '\0')
    {
      if (strcmp (o.type, "container") == 0)
        images = volumes = false;
      else if (strcmp (o.type, "image") == 0)
        containers = volumes = false;
      else if (strcmp (o.type, "volume") == 0)
        containers = images = false;
      else if (strcmp (o.type, "network") == 0 || strcmp (o.type, "node") == 0
               || strcmp (o.type, "service") == 0 || strcmp (o.type, "task") == 0 || strcmp (o.type, "secret") == 0
               || strcmp (o.type, "config") == 0 || strcmp (o.type, "plugin") == 0)
        {
          fprintf (stderr, "%s objects are not implemented yet in berth (only containers, images and volumes)\n",
                   o.type);
          return 1;
        }
      else
        {
          fprintf (stderr, "\"%s\" is not a valid value for --type\n", o.type);
          return 1;
        }
    }
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  all = json_object_new_array ();
  for (int i = optind; i < argc; i++)
    {
      cleanup_error berth_error_t err = NULL;
      cleanup_free char *name = berth_client_escape_name (argv[i]);
      struct json_object *one = NULL;
      int r = -1;

      for (int pass = 0; pass < 3 && r < 0; pass++)
        {
          cleanup_free char *path = NULL;
          if ((pass == 0 && !containers) || (pass == 1 && !images) || (pass == 2 && !volumes))
            continue;
          if (err != NULL && berth_error_code (&err) != ENOENT)
            break;
          berth_error_release (&err);
          path = pass == 0   ? xasprintf ("/containers/%s/json", name)
                 : pass == 1 ? xasprintf ("/images/%s/json", name)
                             : xasprintf ("/volumes/%s", name);
          r = berth_client_get_json (client, path, &one, &err);
        }
      if (r < 0)
        {
          if (berth_error_code (&err) == ENOENT && kind == INSPECT_ANY)
            fprintf (stderr, "Error: No such object: %s\n", argv[i]);
          else if (berth_error_code (&err) == ENOENT && kind == INSPECT_CONTAINER)
            fprintf (stderr, "Error: No such container: %s\n", argv[i]);
          else if (berth_error_code (&err) == ENOENT)
            fprintf (stderr, "Error: No such image: %s\n", argv[i]);
          else
            fprintf (stderr, "%s\n", berth_error_msg (&err));
          failed = 1;
          continue;
        }
      json_object_array_add (all, one);
    }
  if (o.format != NULL)
    status = json_object_array_length (all) > 0 ? berth_cli_render (o.format, all, NULL, false) : 0;
  else
    {
      berth_json_print_indent (stdout, all);
      status = 0;
    }
  json_object_put (all);
  return failed || status;
}

int
berth_cmd_image_inspect (struct berth_cli *cli, int argc, char **argv)
{
  return inspect (cli, argc, argv, inspect_usage, INSPECT_IMAGE);
}

int
berth_cmd_container_inspect (struct berth_cli *cli, int argc, char **argv)
{
  return inspect (cli, argc, argv, container_usage, INSPECT_CONTAINER);
}

int
berth_cmd_inspect (struct berth_cli *cli, int argc, char **argv)
{
  return inspect (cli, argc, argv, any_usage, INSPECT_ANY);
}

/* ---- history ---- */

static const char history_usage[]
    = "Usage:  berth history [OPTIONS] IMAGE\n"
      "\n"
      "Show the history of an image\n"
      "\n"
      "Aliases:\n"
      "  berth image history, berth history\n"
      "\n"
      "Options:\n"
      "      --format string   Format output using a custom template\n"
      "  -h, --help            Print usage\n"
      "  -H, --human           Print sizes and dates in human readable format (default true)\n"
      "      --no-trunc        Don't truncate output\n"
      "  -q, --quiet           Only show image IDs\n";

struct history_opts
{
  bool quiet, no_trunc;
  const char *format;
};

static int
on_history_opt (int opt, const char *arg, void *ud)
{
  struct history_opts *o = ud;

  switch (opt)
    {
    case 'q':
      o->quiet = true;
      return 0;
    case 'H':
      return 0;
    case OPT_NO_TRUNC:
      o->no_trunc = true;
      return 0;
    case OPT_FORMAT:
      o->format = arg;
      return 0;
    }
  return 1;
}

int
berth_cmd_history (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "quiet", no_argument, NULL, 'q' },
    { "human", optional_argument, NULL, 'H' },
    { "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
    { "format", required_argument, NULL, OPT_FORMAT },
    { NULL, 0, NULL, 0 },
  };
  cleanup_error berth_error_t err = NULL;
  struct history_opts o = { 0 };
  struct json_object *items = NULL, *rows, *header;
  struct berth_client *client;
  cleanup_free char *name = NULL;
  cleanup_free char *path = NULL;
  int status;

  if (berth_cli_parse_interspersed (argc, argv, history_usage, opts, "qH", on_history_opt, &o, &status))
    return status;
  if (argc - optind != 1)
    {
      fprintf (stderr, "\"berth history\" requires exactly 1 argument.\nSee 'berth history --help'.\n");
      return 1;
    }
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  name = berth_client_escape_name (argv[optind]);
  path = xasprintf ("/images/%s/history", name);
  if (berth_client_get_json (client, path, &items, &err) < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      return 1;
    }
  rows = json_object_new_array ();
  for (size_t i = 0; json_object_is_type (items, json_type_array) && i < json_object_array_length (items); i++)
    {
      struct json_object *h = json_object_array_get_idx (items, i);
      struct json_object *r = json_object_new_object ();
      const char *id = berth_json_str (h, "Id");
      char buf[64];
      cleanup_free char *created_by = xstrdup (berth_json_str (h, "CreatedBy"));
      cleanup_free char *since = NULL;

      for (char *c = created_by; *c; c++)
        if (*c == '\t')
          *c = ' ';
      json_object_object_add (
          r, "ID",
          json_object_new_string (strncmp (id, "sha256:", 7) == 0 && !o.no_trunc ? berth_short_id (id, buf) : id));
      berth_format_duration ((int64_t)time (NULL) - berth_json_int (h, "Created"), buf, sizeof (buf));
      since = xasprintf ("%s ago", buf);
      json_object_object_add (r, "CreatedSince", json_object_new_string (since));
      json_object_object_add (r, "CreatedAt", json_object_new_string (since));
      if (o.no_trunc)
        json_object_object_add (r, "CreatedBy", json_object_new_string (created_by));
      else
        {
          cleanup_free char *shortened = berth_ellipsis (created_by, 45);
          json_object_object_add (r, "CreatedBy", json_object_new_string (shortened));
        }
      berth_format_human_size (berth_json_int (h, "Size"), buf, sizeof (buf));
      json_object_object_add (r, "Size", json_object_new_string (buf));
      json_object_object_add (r, "Comment", json_object_new_string (berth_json_str (h, "Comment")));
      json_object_array_add (rows, r);
    }
  header = json_object_new_object ();
  json_object_object_add (header, "ID", json_object_new_string ("IMAGE"));
  json_object_object_add (header, "CreatedSince", json_object_new_string ("CREATED"));
  json_object_object_add (header, "CreatedAt", json_object_new_string ("CREATED AT"));
  json_object_object_add (header, "CreatedBy", json_object_new_string ("CREATED BY"));
  json_object_object_add (header, "Size", json_object_new_string ("SIZE"));
  json_object_object_add (header, "Comment", json_object_new_string ("COMMENT"));
  status = berth_cli_render (o.quiet ? "{{.ID}}"
                             : o.format != NULL
                                 ? o.format
                                 : "table {{.ID}}\\t{{.CreatedSince}}\\t{{.CreatedBy}}\\t{{.Size}}\\t{{.Comment}}",
                             rows, header, true);
  json_object_put (header);
  json_object_put (rows);
  json_object_put (items);
  return status;
}
