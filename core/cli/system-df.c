/* berth system df */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/cli/cli.h"
#include "core/lib/mem.h"

static const char usage[]
    = "Usage:  berth system df [OPTIONS]\n"
      "\n"
      "Show berth disk usage\n"
      "\n"
      "Options:\n"
      "      --format string   Format output using a custom template:\n"
      "                        'table':            Print output in table format with column headers (default)\n"
      "                        'table TEMPLATE':   Print output in table format using the given Go template\n"
      "                        'json':             Print in JSON format\n"
      "                        'TEMPLATE':         Print output using the given Go template\n"
      "  -h, --help            Print usage\n"
      "  -v, --verbose         Show detailed information on space usage\n";

struct df_opts
{
  const char *format;
  bool verbose;
};

enum
{
  OPT_FORMAT = 256,
};

static int
on_opt (int opt, const char *arg, void *ud)
{
  struct df_opts *o = ud;

  if (opt == OPT_FORMAT)
    o->format = arg;
  else if (opt == 'v')
    o->verbose = true;
  else
    return 1;
  return 0;
}

static struct json_object *
row (const char *type, size_t total, size_t active, int64_t size, int64_t reclaimable)
{
  struct json_object *o = json_object_new_object ();
  char buf[32], rec[64];
  cleanup_free char *t = xasprintf ("%zu", total);
  cleanup_free char *a = xasprintf ("%zu", active);

  json_object_object_add (o, "Type", json_object_new_string (type));
  json_object_object_add (o, "TotalCount", json_object_new_string (t));
  json_object_object_add (o, "Active", json_object_new_string (a));
  berth_format_human_size_prec (size, 4, buf, sizeof (buf));
  json_object_object_add (o, "Size", json_object_new_string (buf));
  berth_format_human_size_prec (reclaimable, 4, buf, sizeof (buf));
  if (size > 0)
    snprintf (rec, sizeof (rec), "%s (%lld%%)", buf, (long long)(reclaimable * 100 / size));
  else
    snprintf (rec, sizeof (rec), "%s", buf);
  json_object_object_add (o, "Reclaimable", json_object_new_string (rec));
  return o;
}

static size_t
count (struct json_object *a)
{
  return a != NULL && json_object_is_type (a, json_type_array) ? json_object_array_length (a) : 0;
}

int
berth_cmd_system_df (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "format", required_argument, NULL, OPT_FORMAT },
    { "verbose", no_argument, NULL, 'v' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_error berth_error_t err = NULL;
  struct df_opts o = { 0 };
  struct json_object *df = NULL, *images, *rows, *header;
  struct berth_client *client;
  int64_t total, used = 0;
  size_t active = 0;
  int status;

  if (berth_cli_parse_interspersed (argc, argv, usage, opts, "v", on_opt, &o, &status))
    return status;
  if (optind < argc)
    {
      fprintf (stderr, "\"berth system df\" accepts no arguments.\nSee 'berth system df --help'.\n");
      return 1;
    }
  if (o.verbose)
    {
      fprintf (stderr, "berth system df: --verbose is not implemented yet\n");
      return 1;
    }
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  if (berth_client_get_json (client, "/system/df", &df, &err) < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      return 1;
    }
  images = berth_json_get (df, "Images");
  total = berth_json_int (df, "LayersSize");
  /* docker: what images with containers use is not reclaimable */
  for (size_t i = 0; i < count (images); i++)
    {
      struct json_object *img = json_object_array_get_idx (images, i);
      if (berth_json_int (img, "Containers") == 0)
        continue;
      active++;
      if (berth_json_int (img, "Size") >= 0 && berth_json_int (img, "SharedSize") >= 0)
        used += berth_json_int (img, "Size") - berth_json_int (img, "SharedSize");
    }
  rows = json_object_new_array ();
  json_object_array_add (rows, row ("Images", count (images), active, total, total - used));
  json_object_array_add (rows, row ("Containers", count (berth_json_get (df, "Containers")), 0, 0, 0));
  json_object_array_add (rows, row ("Local Volumes", count (berth_json_get (df, "Volumes")), 0, 0, 0));
  json_object_array_add (rows, row ("Build Cache", count (berth_json_get (df, "BuildCache")), 0, 0, 0));
  header = json_object_new_object ();
  json_object_object_add (header, "Type", json_object_new_string ("TYPE"));
  json_object_object_add (header, "TotalCount", json_object_new_string ("TOTAL"));
  json_object_object_add (header, "Active", json_object_new_string ("ACTIVE"));
  json_object_object_add (header, "Size", json_object_new_string ("SIZE"));
  json_object_object_add (header, "Reclaimable", json_object_new_string ("RECLAIMABLE"));
  status = berth_cli_render (
      o.format != NULL ? o.format : "table {{.Type}}\\t{{.TotalCount}}\\t{{.Active}}\\t{{.Size}}\\t{{.Reclaimable}}",
      rows, header, true);
  json_object_put (header);
  json_object_put (rows);
  json_object_put (df);
  return status;
}
