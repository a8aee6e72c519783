/* berth ps / berth container ls */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/cli/container.h"
#include "core/cli/object-get.h"
#include "core/lib/mem.h"

static const char usage[]
    = "Usage:  berth ps [OPTIONS]\n"
      "\n"
      "List containers\n"
      "\n"
      "Aliases:\n"
      "  berth container ls, berth container list, berth container ps, berth ps\n"
      "\n"
      "Options:\n"
      "  -a, --all             Show all containers (default shows just running)\n"
      "  -f, --filter filter   Filter output based on conditions provided\n"
      "      --format string   Format output using a custom template:\n"
      "                        'table':            Print output in table format with column headers (default)\n"
      "                        'table TEMPLATE':   Print output in table format using the given Go template\n"
      "                        'json':             Print in JSON format\n"
      "                        'TEMPLATE':         Print output using the given Go template\n"
      "  -h, --help            Print usage\n"
      "  -n, --last int        Show n last created containers (includes all states) (default -1)\n"
      "  -l, --latest          Show the latest created container (includes all states)\n"
      "      --no-trunc        Don't truncate output\n"
      "  -q, --quiet           Only display container IDs\n"
      "  -s, --size            Display total file sizes\n";

#define DEFAULT_FORMAT                                                                                                 \
  "table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{.Ports}}\\t{{.Names}}"
#define SIZE_FORMAT DEFAULT_FORMAT "\\t{{.Size}}"

enum
{
  OPT_FORMAT = 256,
  OPT_NO_TRUNC,
};

struct ps_opts
{
  bool all, quiet, no_trunc, latest, size;
  long last;
  const char *format;
  struct json_object *filters;
};

static int
on_opt (int opt, const char *arg, void *ud)
{
  struct ps_opts *o = ud;
  char *end;

  switch (opt)
    {
    case 'a':
      o->all = true;
      return 0;
    case 'q':
      o->quiet = true;
      return 0;
    case 'l':
      o->latest = true;
      return 0;
    case 's':
      o->size = true;
      return 0;
    case 'n':
      o->last = strtol (arg, &end, 10);
      if (arg[0] == '\0' || *end != '\0')
        {
          fprintf (stderr, "invalid argument \"%s\" for \"-n, --last\" flag: invalid syntax\n", arg);
          return 1;
        }
      return 0;
    case 'f':
      if (berth_cli_filter_add (o->filters, arg) != 0)
        {
          fprintf (stderr,
                   "invalid argument \"%s\" for \"-f, --filter\" flag: bad format of filter (expected name=value)\n",
                   arg);
          return 1;
        }
      return 0;
    case OPT_FORMAT:
      o->format = arg;
      return 0;
    case OPT_NO_TRUNC:
      o->no_trunc = true;
      return 0;
    }
  return 1;
}

/* "0.0.0.0:8080->80/tcp, 443/tcp" */
static char *
ports_string (struct json_object *ports)
{
  char *out = xstrdup ("");

  for (size_t i = 0;
       ports != NULL && json_object_is_type (ports, json_type_array) && i < json_object_array_length (ports); i++)
    {
      struct json_object *p = json_object_array_get_idx (ports, i);
      const char *ip = berth_json_str (p, "IP"), *type = berth_json_str (p, "Type");
      int64_t priv = berth_json_int (p, "PrivatePort"), pub = berth_json_int (p, "PublicPort");
      char *one, *next;

      if (pub > 0)
        one = xasprintf ("%s%s%lld->%lld/%s", ip, ip[0] != '\0' ? ":" : "", (long long)pub, (long long)priv, type);
      else
        one = xasprintf ("%lld/%s", (long long)priv, type);
      next = xasprintf ("%s%s%s", out, out[0] != '\0' ? ", " : "", one);
      free (one);
      free (out);
      out = next;
    }
  return out;
}

/* "a=b,c=d" */
static char *
labels_string (struct json_object *labels)
{
  char *out = xstrdup ("");

  if (labels == NULL || !json_object_is_type (labels, json_type_object))
    return out;
  json_object_object_foreach (labels, k, v)
  {
    char *next = xasprintf ("%s%s%s=%s", out, out[0] != '\0' ? "," : "", k, json_object_get_string (v));
    free (out);
    out = next;
  }
  return out;
}

/* Names without the leading '/'; when truncating, link names (holding
   another '/') are hidden as docker does */
static char *
names_string (struct json_object *names, bool trunc)
{
  char *out = xstrdup ("");

  for (size_t i = 0;
       names != NULL && json_object_is_type (names, json_type_array) && i < json_object_array_length (names); i++)
    {
      const char *n = json_object_get_string (json_object_array_get_idx (names, i));
      char *next;
      if (n[0] == '/')
        n++;
      if (trunc && strchr (n, '/') != NULL)
        continue;
      next = xasprintf ("%s%s%s", out, out[0] != '\0' ? "," : "", n);
      free (out);
      out = next;
    }
  return out;
}

static void
add_str (struct json_object *o, const char *key, const char *value)
{
  json_object_object_add (o, key, json_object_new_string (value));
}

static struct json_object *
row_context (struct json_object *c, bool trunc)
{
  struct json_object *o = json_object_new_object ();
  const char *id = berth_json_str (c, "Id");
  int64_t created = berth_json_int (c, "Created");
  time_t t = (time_t)created;
  struct tm tm;
  char buf[64];
  cleanup_free char *cmd = NULL, *quoted = NULL, *ports = ports_string (berth_json_get (c, "Ports"));
  cleanup_free char *labels = labels_string (berth_json_get (c, "Labels"));
  cleanup_free char *names = names_string (berth_json_get (c, "Names"), trunc);
  struct json_object *nets = berth_json_get (berth_json_get (c, "NetworkSettings"), "Networks");
  cleanup_free char *networks = xstrdup ("");

  cmd = trunc ? berth_ellipsis (berth_json_str (c, "Command"), 20) : xstrdup (berth_json_str (c, "Command"));
  {
    /* strconv.Quote */
    struct json_object *s = json_object_new_string (cmd);
    quoted = xstrdup (json_object_to_json_string_ext (s, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put (s);
  }
  add_str (o, "Command", quoted);
  localtime_r (&t, &tm);
  strftime (buf, sizeof (buf), "%Y-%m-%d %H:%M:%S %z %Z", &tm);
  add_str (o, "CreatedAt", buf);
  add_str (o, "ID", trunc ? berth_short_id (id, buf) : id);
  add_str (o, "Image", berth_json_str (c, "Image"));
  add_str (o, "Labels", labels);
  add_str (o, "LocalVolumes", "0");
  add_str (o, "Mounts", "");
  add_str (o, "Names", names);
  if (nets != NULL && json_object_is_type (nets, json_type_object))
    {
      json_object_object_foreach (nets, k, v)
      {
        char *next = xasprintf ("%s%s%s", networks, networks[0] != '\0' ? "," : "", k);
        (void)v;
        free (networks);
        networks = next;
      }
    }
  add_str (o, "Networks", networks);
  json_object_object_add (o, "Platform", NULL);
  add_str (o, "Ports", ports);
  berth_format_duration ((int64_t)time (NULL) - created, buf, sizeof (buf));
  {
    cleanup_free char *ago = xasprintf ("%s ago", buf);
    add_str (o, "RunningFor", ago);
  }
  {
    char rw[32], rootfs[32];
    cleanup_free char *size = NULL;
    /* docker: HumanSizeWithPrecision(.., 3), "virtual" when SizeRootFs > 0 */
    berth_format_human_size_prec (berth_json_int (c, "SizeRw"), 3, rw, sizeof (rw));
    berth_format_human_size_prec (berth_json_int (c, "SizeRootFs"), 3, rootfs, sizeof (rootfs));
    size = berth_json_int (c, "SizeRootFs") > 0 ? xasprintf ("%s (virtual %s)", rw, rootfs) : xstrdup (rw);
    add_str (o, "Size", size);
  }
  add_str (o, "State", berth_json_str (c, "State"));
  add_str (o, "Status", berth_json_str (c, "Status"));
  return o;
}

static struct json_object *
header_context (void)
{
  static const char *const names[][2] = {
    { "Command", "COMMAND" }, { "CreatedAt", "CREATED AT" }, { "ID", "CONTAINER ID" },
    { "Image", "IMAGE" },     { "Labels", "LABELS" },        { "LocalVolumes", "LOCAL VOLUMES" },
    { "Mounts", "MOUNTS" },   { "Names", "NAMES" },          { "Networks", "NETWORKS" },
    { "Ports", "PORTS" },     { "RunningFor", "CREATED" },   { "Size", "SIZE" },
    { "State", "STATE" },     { "Status", "STATUS" },
  };
  struct json_object *o = json_object_new_object ();
  for (size_t i = 0; i < sizeof (names) / sizeof (names[0]); i++)
    add_str (o, names[i][0], names[i][1]);
  return o;
}

int
berth_cmd_ps (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "all", no_argument, NULL, 'a' },
    { "quiet", no_argument, NULL, 'q' },
    { "latest", no_argument, NULL, 'l' },
    { "size", no_argument, NULL, 's' },
    { "last", required_argument, NULL, 'n' },
    { "filter", required_argument, NULL, 'f' },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
    { NULL, 0, NULL, 0 },
  };
  struct ps_opts o = { .last = -1, .filters = json_object_new_object () };
  struct json_object *list = NULL, *rows, *header;
  cleanup_free char *path = xstrdup ("/containers/json");
  const char *format;
  int status;

  if (berth_cli_parse_interspersed (argc, argv, usage, opts, "aqlsn:f:", on_opt, &o, &status))
    {
      json_object_put (o.filters);
      return status;
    }
  if (optind < argc)
    {
      json_object_put (o.filters);
      fprintf (stderr, "\"berth ps\" accepts no arguments.\nSee 'berth ps --help'.\n");
      return 1;
    }
  if (o.latest)
    o.last = 1;
  if (o.all)
    berth_client_query_add (&path, "all", "1");
  if (o.last > 0)
    {
      char n[32];
      snprintf (n, sizeof (n), "%ld", o.last);
      berth_client_query_add (&path, "limit", n);
    }
  if (o.size)
    berth_client_query_add (&path, "size", "1");
  berth_cli_filters_to_query (&path, o.filters);
  if (berth_cli_get_json (cli, path, &list) < 0)
    return 1;
  rows = json_object_new_array ();
  for (size_t i = 0; json_object_is_type (list, json_type_array) && i < json_object_array_length (list); i++)
    json_object_array_add (rows, row_context (json_object_array_get_idx (list, i), !o.no_trunc));
  format = o.quiet                                               ? "{{.ID}}"
           : o.format != NULL && strcmp (o.format, "table") != 0 ? o.format
           : o.size                                              ? SIZE_FORMAT
                                                                 : DEFAULT_FORMAT;
  header = header_context ();
  status = berth_cli_render (format, rows, header, true);
  json_object_put (header);
  json_object_put (rows);
  json_object_put (list);
  return status;
}
