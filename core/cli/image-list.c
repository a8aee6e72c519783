/* berth images / berth image ls */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/cli/cli.h"
#include "core/cli/object-get.h"
#include "core/cli/template.h"
#include "core/image/reference.h"
#include "core/lib/mem.h"

static const char usage[]
    = "Usage:  berth images [OPTIONS] [REPOSITORY[:TAG]]\n"
      "\n"
      "List images\n"
      "\n"
      "Aliases:\n"
      "  berth image ls, berth image list, berth images\n"
      "\n"
      "Options:\n"
      "  -a, --all             Show all images (default hides intermediate images)\n"
      "      --digests         Show digests\n"
      "  -f, --filter filter   Filter output based on conditions provided\n"
      "      --format string   Format output using a custom template:\n"
      "                        'table':            Print output in table format with column headers (default)\n"
      "                        'table TEMPLATE':   Print output in table format using the given Go template\n"
      "                        'json':             Print in JSON format\n"
      "                        'TEMPLATE':         Print output using the given Go template\n"
      "  -h, --help            Print usage\n"
      "      --no-trunc        Don't truncate output\n"
      "  -q, --quiet           Only show image IDs\n";

#define DEFAULT_FORMAT "table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}"
#define DIGEST_FORMAT "table {{.Repository}}\\t{{.Tag}}\\t{{.Digest}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}"

struct list_opts
{
  bool all, quiet, digests, no_trunc;
  const char *format;
  struct json_object *filters;
  bool bad_filter;
};

enum
{
  OPT_DIGESTS = 256,
  OPT_FORMAT,
  OPT_NO_TRUNC,
};

static int
on_opt (int opt, const char *arg, void *ud)
{
  struct list_opts *o = ud;

  switch (opt)
    {
    case 'a':
      o->all = true;
      return 0;
    case 'q':
      o->quiet = true;
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
    case OPT_DIGESTS:
      o->digests = true;
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

/* The fields a row shows, as docker's imageContext names them. */
static struct json_object *
row_context (struct json_object *img, const char *repo, const char *tag, const char *digest, bool trunc)
{
  struct json_object *o = json_object_new_object ();
  const char *id = berth_json_str (img, "Id");
  int64_t created = berth_json_int (img, "Created");
  char buf[64], when[64];
  struct tm tm;
  time_t t = (time_t)created;

  json_object_object_add (o, "Containers", json_object_new_string ("N/A"));
  localtime_r (&t, &tm);
  strftime (when, sizeof (when), "%Y-%m-%d %H:%M:%S %z %Z", &tm);
  json_object_object_add (o, "CreatedAt", json_object_new_string (when));
  berth_format_duration ((int64_t)time (NULL) - created, buf, sizeof (buf));
  {
    cleanup_free char *since = xasprintf ("%s ago", buf);
    json_object_object_add (o, "CreatedSince", json_object_new_string (since));
  }
  json_object_object_add (o, "Digest", json_object_new_string (digest));
  json_object_object_add (o, "ID", json_object_new_string (trunc ? berth_short_id (id, buf) : id));
  json_object_object_add (o, "Repository", json_object_new_string (repo));
  json_object_object_add (o, "SharedSize", json_object_new_string ("N/A"));
  berth_format_human_size (berth_json_int (img, "Size"), buf, sizeof (buf));
  json_object_object_add (o, "Size", json_object_new_string (buf));
  json_object_object_add (o, "Tag", json_object_new_string (tag));
  json_object_object_add (o, "UniqueSize", json_object_new_string ("N/A"));
  json_object_object_add (o, "VirtualSize", json_object_new_string (buf));
  return o;
}

/* "busybox:latest" -> repo "busybox", tag "latest"; digests likewise */
static void
split_ref (const char *s, char **ret_repo, char **ret_rest)
{
  cleanup_image_ref struct image_ref *ref = NULL;

  *ret_repo = NULL;
  *ret_rest = NULL;
  if (image_ref_parse (s, 0, &ref, NULL) < 0)
    return;
  *ret_repo = image_ref_familiar_name (ref);
  *ret_rest = xstrdup (ref->digest != NULL ? ref->digest : ref->tag != NULL ? ref->tag : "");
}

/* docker's imageFormatTaggedAndDigest: one row per tag (per digest with
   --digests), digest-only repositories once. */
static void
add_rows (struct json_object *rows, struct json_object *img, bool digests, bool trunc)
{
  struct json_object *tags = berth_json_get (img, "RepoTags");
  struct json_object *dgs = berth_json_get (img, "RepoDigests");
  size_t nt = tags != NULL && json_object_is_type (tags, json_type_array) ? json_object_array_length (tags) : 0;
  size_t nd = dgs != NULL && json_object_is_type (dgs, json_type_array) ? json_object_array_length (dgs) : 0;
  bool *digest_used = xmalloc0 ((nd + 1) * sizeof (bool));

  if (nt == 0 && nd == 0)
    {
      json_object_array_add (rows, row_context (img, "<none>", "<none>", "<none>", trunc));
      free (digest_used);
      return;
    }
  for (size_t i = 0; i < nt; i++)
    {
      cleanup_free char *repo = NULL, *tag = NULL;
      bool shown = false;

      split_ref (json_object_get_string (json_object_array_get_idx (tags, i)), &repo, &tag);
      if (repo == NULL)
        continue;
      for (size_t k = 0; k < nd; k++)
        {
          cleanup_free char *drepo = NULL, *dgst = NULL;
          split_ref (json_object_get_string (json_object_array_get_idx (dgs, k)), &drepo, &dgst);
          if (drepo == NULL || strcmp (drepo, repo) != 0)
            continue;
          digest_used[k] = true;
          if (digests)
            {
              json_object_array_add (rows, row_context (img, repo, tag, dgst, trunc));
              shown = true;
            }
        }
      if (!shown)
        json_object_array_add (rows, row_context (img, repo, tag, "<none>", trunc));
    }
  for (size_t k = 0; k < nd; k++)
    {
      cleanup_free char *drepo = NULL, *dgst = NULL;
      if (digest_used[k])
        continue;
      split_ref (json_object_get_string (json_object_array_get_idx (dgs, k)), &drepo, &dgst);
      if (drepo == NULL)
        continue;
      json_object_array_add (rows, row_context (img, drepo, "<none>", digests ? dgst : "", trunc));
      /* without --digests a repository shows once */
      if (!digests)
        for (size_t j = k + 1; j < nd; j++)
          {
            cleanup_free char *r2 = NULL, *d2 = NULL;
            split_ref (json_object_get_string (json_object_array_get_idx (dgs, j)), &r2, &d2);
            if (r2 != NULL && strcmp (r2, drepo) == 0)
              digest_used[j] = true;
          }
    }
  free (digest_used);
}

static struct json_object *
header_context (void)
{
  static const char *const names[][2] = {
    { "Containers", "CONTAINERS" },
    { "CreatedAt", "CREATED AT" },
    { "CreatedSince", "CREATED" },
    { "Digest", "DIGEST" },
    { "ID", "IMAGE ID" },
    { "Repository", "REPOSITORY" },
    { "SharedSize", "SHARED SIZE" },
    { "Size", "SIZE" },
    { "Tag", "TAG" },
    { "UniqueSize", "UNIQUE SIZE" },
    { "VirtualSize", "VIRTUAL SIZE" },
  };
  struct json_object *o = json_object_new_object ();
  for (size_t i = 0; i < sizeof (names) / sizeof (names[0]); i++)
    json_object_object_add (o, names[i][0], json_object_new_string (names[i][1]));
  return o;
}

/* Render rows with a --format (docker's formatter.Context). */
int
berth_cli_render (const char *format, struct json_object *rows, struct json_object *header, bool strict)
{
  cleanup_error berth_error_t err = NULL;
  struct berth_template *t = NULL;
  struct berth_table *table = NULL;
  bool is_table = false;
  int status = 0;

  if (strcmp (format, "json") == 0)
    format = "{{json .}}";
  if (berth_template_parse (format, &t, &is_table, &err) < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      return 1;
    }
  if (is_table)
    {
      char *line = NULL;
      table = berth_table_new ();
      if (header != NULL && berth_template_render (t, header, false, &line, &err) == 0)
        {
          berth_table_add (table, line);
          free (line);
        }
      berth_error_release (&err);
    }
  for (size_t i = 0; i < json_object_array_length (rows); i++)
    {
      char *line = NULL;
      if (berth_template_render (t, json_object_array_get_idx (rows, i), strict, &line, &err) < 0)
        {
          fprintf (stderr, "%s\n", berth_error_msg (&err));
          status = 1;
          break;
        }
      if (table != NULL)
        berth_table_add (table, line);
      else
        printf ("%s\n", line);
      free (line);
    }
  if (table != NULL)
    {
      berth_table_print (table, stdout);
      berth_table_free (table);
    }
  berth_template_free (t);
  return status;
}

int
berth_cmd_images (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "all", no_argument, NULL, 'a' },
    { "quiet", no_argument, NULL, 'q' },
    { "filter", required_argument, NULL, 'f' },
    { "digests", no_argument, NULL, OPT_DIGESTS },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
    { NULL, 0, NULL, 0 },
  };
  struct list_opts o = { .filters = json_object_new_object () };
  struct json_object *images = NULL, *rows, *header;
  cleanup_free char *path = xstrdup ("/images/json");
  const char *format;
  int status;

  if (berth_cli_parse_interspersed (argc, argv, usage, opts, "aqf:", on_opt, &o, &status))
    {
      json_object_put (o.filters);
      return status;
    }
  if (argc - optind > 1)
    {
      json_object_put (o.filters);
      fprintf (stderr, "\"berth images\" requires at most 1 argument.\nSee 'berth images --help'.\n");
      return 1;
    }
  if (optind < argc)
    {
      cleanup_free char *f = xasprintf ("reference=%s", argv[optind]);
      berth_cli_filter_add (o.filters, f);
    }
  if (o.all)
    berth_client_query_add (&path, "all", "1");
  berth_cli_filters_to_query (&path, o.filters);
  if (berth_cli_get_json (cli, path, &images) < 0)
    return 1;
  rows = json_object_new_array ();
  for (size_t i = 0; json_object_is_type (images, json_type_array) && i < json_object_array_length (images); i++)
    add_rows (rows, json_object_array_get_idx (images, i), o.digests, !o.no_trunc);
  format = o.quiet ? "{{.ID}}" : o.format != NULL ? o.format : o.digests ? DIGEST_FORMAT : DEFAULT_FORMAT;
  header = header_context ();
  status = berth_cli_render (format, rows, header, true);
  json_object_put (header);
  json_object_put (rows);
  json_object_put (images);
  return status;
}
