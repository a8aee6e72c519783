/* berth push: upload an image to a registry through the daemon. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/cli/auth-config.h"
#include "core/cli/cli.h"
#include "core/cli/image-pull.h"
#include "core/lib/mem.h"

static const char push_usage[] = "Usage:  berth push [OPTIONS] NAME[:TAG]\n"
                                 "\n"
                                 "Upload an image to a registry\n"
                                 "\n"
                                 "Aliases:\n"
                                 "  berth image push, berth push\n"
                                 "\n"
                                 "Options:\n"
                                 "  -a, --all-tags                Push all tags of an image to the repository\n"
                                 "      --disable-content-trust   Skip image signing (default true)\n"
                                 "  -q, --quiet                   Suppress verbose output\n";

struct push_opts
{
  bool quiet, all_tags;
};

enum
{
  OPT_CONTENT_TRUST = 0x1210,
};

static int
on_push_opt (int opt, const char *arg, void *ud)
{
  struct push_opts *o = ud;

  (void)arg;
  switch (opt)
    {
    case 'q':
      o->quiet = true;
      return 0;
    case 'a':
      o->all_tags = true;
      return 0;
    case OPT_CONTENT_TRUST:
      return 0;
    default:
      return 1;
    }
}

int
berth_cmd_push (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "quiet", no_argument, NULL, 'q' },
    { "all-tags", no_argument, NULL, 'a' },
    { "disable-content-trust", optional_argument, NULL, OPT_CONTENT_TRUST },
    { NULL, 0, NULL, 0 },
  };
  struct push_opts o = { 0 };
  cleanup_error berth_error_t err = NULL;
  cleanup_image_ref struct image_ref *ref = NULL;
  cleanup_free char *path = NULL, *name = NULL, *escaped = NULL;
  struct berth_client *client;
  int status;

  if (berth_cli_parse_interspersed (argc, argv, push_usage, opts, "qa", on_push_opt, &o, &status))
    return status;
  if (argc - optind != 1)
    {
      fprintf (stderr, "\"berth push\" requires exactly 1 argument.\nSee 'berth push --help'.\n\n%s", push_usage);
      return 1;
    }
  if (image_ref_parse (argv[optind], 0, &ref, &err) < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      return 1;
    }
  if (ref->digest != NULL)
    {
      fprintf (stderr, "berth push: cannot push a digest reference\n");
      return 1;
    }
  if (o.all_tags && ref->tag != NULL)
    {
      fprintf (stderr, "tag can't be used with --all-tags/-a\n");
      return 1;
    }
  if (ref->tag == NULL && !o.all_tags)
    {
      ref->tag = xstrdup (IMAGE_REF_DEFAULT_TAG_NAME);
      if (!o.quiet)
        printf ("Using default tag: %s\n", IMAGE_REF_DEFAULT_TAG_NAME);
    }
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  name = image_ref_name (ref);
  escaped = berth_client_escape_name (name);
  path = xasprintf ("/images/%s/push", escaped);
  cli_auth_use_for (client, ref->domain);
  /* no tag: the daemon pushes every local tag of the repository */
  if (ref->tag != NULL)
    berth_client_query_add (&path, "tag", ref->tag);
  status = berth_cli_progress_request (client, path, stdout, o.quiet, NULL, &err);
  berth_client_set_header (client, "X-Registry-Auth", NULL);
  if (status < 0)
    {
      fflush (stdout);
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      return 1;
    }
  if (o.quiet)
    {
      cleanup_free char *full = ref->tag != NULL ? image_ref_string (ref) : image_ref_name (ref);
      printf ("%s\n", full);
    }
  return 0;
}
