/* berth diff, berth export, berth commit: a container's filesystem. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cli/archive-output.h"
#include "core/cli/container.h"
#include "core/lib/mem.h"

static int
no_opts (int opt, const char *arg, void *ud)
{
  (void)opt;
  (void)arg;
  (void)ud;
  return 1;
}

/* ---- diff ---- */

static const char diff_usage[] = "Usage:  berth diff CONTAINER\n"
                                 "\n"
                                 "Inspect changes to files or directories on a container's filesystem\n"
                                 "\n"
                                 "Aliases:\n"
                                 "  berth container diff, berth diff\n"
                                 "\n"
                                 "Options:\n"
                                 "  -h, --help   Print usage\n";

int
berth_cmd_diff (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = { { NULL, 0, NULL, 0 } };
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *path = NULL;
  cleanup_free char *name = NULL;
  struct json_object *changes = NULL;
  struct berth_client *client;
  int status;

  if (berth_cli_parse_interspersed (argc, argv, diff_usage, opts, "", no_opts, NULL, &status))
    return status;
  if (argc - optind != 1)
    {
      fprintf (stderr, "\"berth diff\" requires exactly 1 argument.\nSee 'berth diff --help'.\n");
      return 1;
    }
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  name = berth_client_escape_name (argv[optind]);
  path = xasprintf ("/containers/%s/changes", name);
  if (berth_client_get_json (client, path, &changes, &err) < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      return 1;
    }
  for (size_t i = 0;
       changes != NULL && json_object_is_type (changes, json_type_array) && i < json_object_array_length (changes); i++)
    {
      struct json_object *c = json_object_array_get_idx (changes, i);
      int64_t kind = berth_json_int (c, "Kind");
      printf ("%c %s\n", kind == 1 ? 'A' : kind == 2 ? 'D' : 'C', berth_json_str (c, "Path"));
    }
  json_object_put (changes);
  return 0;
}

/* ---- export ---- */

static const char export_usage[] = "Usage:  berth export [OPTIONS] CONTAINER\n"
                                   "\n"
                                   "Export a container's filesystem as a tar archive\n"
                                   "\n"
                                   "Aliases:\n"
                                   "  berth container export, berth export\n"
                                   "\n"
                                   "Options:\n"
                                   "  -h, --help            Print usage\n"
                                   "  -o, --output string   Write to a file, instead of STDOUT\n";

static int
on_export_opt (int opt, const char *arg, void *ud)
{
  if (opt != 'o')
    return 1;
  *(const char **)ud = arg;
  return 0;
}

int
berth_cmd_export (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "output", required_argument, NULL, 'o' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_free char *path = NULL;
  cleanup_free char *name = NULL;
  const char *output = NULL;
  struct berth_client *client;
  int status;

  if (berth_cli_parse_interspersed (argc, argv, export_usage, opts, "o:", on_export_opt, &output, &status))
    return status;
  if (argc - optind != 1)
    {
      fprintf (stderr, "\"berth export\" requires exactly 1 argument.\nSee 'berth export --help'.\n");
      return 1;
    }
  if (berth_cli_archive_output_refused (output))
    return 1;
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  name = berth_client_escape_name (argv[optind]);
  path = xasprintf ("/containers/%s/export", name);
  return berth_cli_archive_output (client, path, output, "export container");
}

/* ---- commit ---- */

static const char commit_usage[]
    = "Usage:  berth commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]\n"
      "\n"
      "Create a new image from a container's changes\n"
      "\n"
      "Aliases:\n"
      "  berth container commit, berth commit\n"
      "\n"
      "Options:\n"
      "  -a, --author string    Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")\n"
      "  -c, --change list      Apply Dockerfile instruction to the created image\n"
      "  -m, --message string   Commit message\n"
      "  -p, --pause            Pause container during commit (default true)\n";

struct commit_opts
{
  const char *author, *message;
  char **changes;
  size_t n_changes;
  bool pause;
  const char *bad_pause;
};

static int
on_commit_opt (int opt, const char *arg, void *ud)
{
  struct commit_opts *o = ud;

  switch (opt)
    {
    case 'a':
      o->author = arg;
      return 0;
    case 'm':
      o->message = arg;
      return 0;
    case 'c':
      o->changes = xrealloc (o->changes, (o->n_changes + 2) * sizeof (char *));
      o->changes[o->n_changes++] = xstrdup (arg);
      o->changes[o->n_changes] = NULL;
      return 0;
    case 'p':
      /* a boolean flag: -p, --pause, --pause=false */
      if (arg == NULL || strcmp (arg, "true") == 0 || strcmp (arg, "1") == 0)
        o->pause = true;
      else if (strcmp (arg, "false") == 0 || strcmp (arg, "0") == 0)
        o->pause = false;
      else
        o->bad_pause = arg;
      return 0;
    }
  return 1;
}

int
berth_cmd_commit (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "author", required_argument, NULL, 'a' },
    { "change", required_argument, NULL, 'c' },
    { "message", required_argument, NULL, 'm' },
    { "pause", optional_argument, NULL, 'p' },
    { NULL, 0, NULL, 0 },
  };
  struct commit_opts o = { .pause = true };
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *path = xstrdup ("/commit");
  struct json_object *reply = NULL;
  struct berth_client *client;
  int status;

  if (berth_cli_parse_interspersed (argc, argv, commit_usage, opts, "a:c:m:p::", on_commit_opt, &o, &status))
    {
      strv_free (o.changes);
      return status;
    }
  if (o.bad_pause != NULL)
    {
      fprintf (stderr,
               "invalid argument \"%s\" for \"-p, --pause\" flag: strconv.ParseBool: parsing \"%s\": invalid "
               "syntax\nSee 'berth commit --help'.\n",
               o.bad_pause, o.bad_pause);
      strv_free (o.changes);
      return 125;
    }
  if (argc - optind < 1 || argc - optind > 2)
    {
      fprintf (stderr, "\"berth commit\" requires at least 1 and at most 2 arguments.\nSee 'berth commit --help'.\n");
      strv_free (o.changes);
      return 1;
    }
  berth_client_query_add (&path, "container", argv[optind]);
  if (argc - optind == 2)
    berth_client_query_add (&path, "repo", argv[optind + 1]);
  if (o.message != NULL)
    berth_client_query_add (&path, "comment", o.message);
  if (o.author != NULL)
    berth_client_query_add (&path, "author", o.author);
  for (size_t i = 0; i < o.n_changes; i++)
    berth_client_query_add (&path, "changes", o.changes[i]);
  if (!o.pause)
    berth_client_query_add (&path, "pause", "0");
  strv_free (o.changes);
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  if (berth_client_call_json (client, "POST", path, &reply, &err) < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      return 1;
    }
  printf ("%s\n", berth_json_str (reply, "Id"));
  json_object_put (reply);
  return 0;
}
