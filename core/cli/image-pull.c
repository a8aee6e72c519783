/* berth pull, and the JSON progress stream renderer (see image-pull.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cli/auth-config.h"
#include "core/cli/cli.h"
#include "core/cli/image-pull.h"
#include "core/lib/mem.h"

struct progress_view
{
  FILE *out;
  bool tty, quiet;
  char *buf;
  size_t len;
  char **ids; /* the id shown on each line (NULL: a line without id) */
  size_t n_lines;
  char *error;
  struct json_object *aux;
};

static void
render_line (struct progress_view *v, const char *id, struct json_object *m)
{
  const char *status = berth_json_str (m, "status");
  const char *bar = berth_json_str (m, "progress");

  if (id[0] != '\0')
    fprintf (v->out, "%s: ", id);
  fputs (status, v->out);
  if (v->tty && bar[0] != '\0')
    fprintf (v->out, " %s", bar);
}

/* docker's jsonmessage.DisplayJSONMessagesStream */
static void
show (struct progress_view *v, const char *line)
{
  struct json_object *m = json_tokener_parse (line);
  struct json_object *detail;
  const char *id;

  if (m == NULL)
    return;
  detail = berth_json_get (m, "errorDetail");
  if (detail != NULL)
    {
      if (v->error == NULL)
        v->error = xstrdup (berth_json_str (detail, "message"));
      json_object_put (m);
      return;
    }
  if (berth_json_get (m, "aux") != NULL)
    {
      json_object_put (v->aux);
      v->aux = json_object_get (berth_json_get (m, "aux"));
      json_object_put (m);
      return;
    }
  if (v->quiet)
    {
      json_object_put (m);
      return;
    }
  id = berth_json_str (m, "id");
  if (!v->tty)
    {
      /* progress bars only make sense on a terminal */
      if (berth_json_str (m, "progress")[0] == '\0')
        {
          render_line (v, id, m);
          fputc ('\n', v->out);
        }
    }
  else
    {
      size_t at = v->n_lines;
      for (size_t i = 0; id[0] != '\0' && i < v->n_lines; i++)
        if (v->ids[i] != NULL && strcmp (v->ids[i], id) == 0)
          at = i;
      if (at == v->n_lines)
        {
          v->ids = xrealloc (v->ids, (v->n_lines + 1) * sizeof (char *));
          v->ids[v->n_lines++] = id[0] != '\0' ? xstrdup (id) : NULL;
          fputs ("\033[2K", v->out);
          render_line (v, id, m);
          fputc ('\n', v->out);
        }
      else
        {
          size_t up = v->n_lines - at;
          fprintf (v->out, "\033[%zuA\r\033[2K", up);
          render_line (v, id, m);
          fprintf (v->out, "\r\033[%zuB", up);
        }
    }
  fflush (v->out);
  json_object_put (m);
}

static int
on_data (void *ud, const char *data, size_t len)
{
  struct progress_view *v = ud;
  char *nl;

  v->buf = xrealloc (v->buf, v->len + len + 1);
  memcpy (v->buf + v->len, data, len);
  v->len += len;
  v->buf[v->len] = '\0';
  while ((nl = memchr (v->buf, '\n', v->len)) != NULL)
    {
      size_t n = (size_t)(nl - v->buf) + 1;
      *nl = '\0';
      show (v, v->buf);
      memmove (v->buf, v->buf + n, v->len - n);
      v->len -= n;
      v->buf[v->len] = '\0';
    }
  return 0;
}

int
berth_cli_progress_request (struct berth_client *client, const char *path, FILE *out, bool quiet,
                            struct json_object **ret_aux, berth_error_t *err)
{
  struct progress_view v = { .out = out, .quiet = quiet, .tty = isatty (fileno (out)) };
  int r;

  if (ret_aux != NULL)
    *ret_aux = NULL;
  r = berth_client_stream (client, "POST", path, -1, NULL, on_data, &v, err);
  if (r == 0 && v.len > 0)
    show (&v, v.buf);
  if (r == 0 && v.error != NULL)
    r = berth_error_make (err, EIO, "%s", v.error);
  if (r == 0 && ret_aux != NULL)
    *ret_aux = steal_pointer (&v.aux);
  for (size_t i = 0; i < v.n_lines; i++)
    free (v.ids[i]);
  free (v.ids);
  free (v.buf);
  free (v.error);
  json_object_put (v.aux);
  return r;
}

int
berth_cli_pull_image (struct berth_client *client, const struct image_ref *ref, const char *platform, FILE *out,
                      bool quiet, berth_error_t *err)
{
  cleanup_free char *path = xstrdup ("/images/create");
  cleanup_free char *name = image_ref_name (ref);
  int r;

  cli_auth_use_for (client, ref->domain);
  berth_client_query_add (&path, "fromImage", name);
  berth_client_query_add (&path, "tag", ref->digest != NULL ? ref->digest : ref->tag);
  if (platform != NULL && platform[0] != '\0')
    berth_client_query_add (&path, "platform", platform);
  r = berth_cli_progress_request (client, path, out, quiet, NULL, err);
  berth_client_set_header (client, "X-Registry-Auth", NULL);
  return r;
}

static const char pull_usage[] = "Usage:  berth pull [OPTIONS] NAME[:TAG|@DIGEST]\n"
                                 "\n"
                                 "Download an image from a registry\n"
                                 "\n"
                                 "Aliases:\n"
                                 "  berth image pull, berth pull\n"
                                 "\n"
                                 "Options:\n"
                                 "  -a, --all-tags                Download all tagged images in the repository\n"
                                 "      --disable-content-trust   Skip image verification (default true)\n"
                                 "      --platform string         Set platform if server is multi-platform capable\n"
                                 "  -q, --quiet                   Suppress verbose output\n";

struct pull_opts
{
  bool quiet, all_tags;
  const char *platform;
};

enum
{
  OPT_PLATFORM = 0x1200,
  OPT_CONTENT_TRUST,
};

static int
on_pull_opt (int opt, const char *arg, void *ud)
{
  struct pull_opts *o = ud;

  switch (opt)
    {
    case 'q':
      o->quiet = true;
      return 0;
    case 'a':
      o->all_tags = true;
      return 0;
    case OPT_PLATFORM:
      o->platform = arg;
      return 0;
    case OPT_CONTENT_TRUST:
      return 0;
    default:
      return 1;
    }
}

int
berth_cmd_pull (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "quiet", no_argument, NULL, 'q' },
    { "all-tags", no_argument, NULL, 'a' },
    { "platform", required_argument, NULL, OPT_PLATFORM },
    { "disable-content-trust", optional_argument, NULL, OPT_CONTENT_TRUST },
    { NULL, 0, NULL, 0 },
  };
  struct pull_opts o = { 0 };
  cleanup_error berth_error_t err = NULL;
  cleanup_image_ref struct image_ref *ref = NULL;
  cleanup_free char *full = NULL;
  struct berth_client *client;
  int status;

  if (berth_cli_parse_interspersed (argc, argv, pull_usage, opts, "qa", on_pull_opt, &o, &status))
    return status;
  if (argc - optind != 1)
    {
      fprintf (stderr, "\"berth pull\" requires exactly 1 argument.\nSee 'berth pull --help'.\n\n%s", pull_usage);
      return 1;
    }
  if (image_ref_parse (argv[optind], 0, &ref, &err) < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      return 1;
    }
  if (o.all_tags && (ref->tag != NULL || ref->digest != NULL))
    {
      fprintf (stderr, "tag can't be used with --all-tags/-a\n");
      return 1;
    }
  if (ref->tag == NULL && ref->digest == NULL && !o.all_tags)
    {
      ref->tag = xstrdup (IMAGE_REF_DEFAULT_TAG_NAME);
      if (!o.quiet)
        printf ("Using default tag: %s\n", IMAGE_REF_DEFAULT_TAG_NAME);
    }
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  if (o.all_tags)
    {
      /* no tag: the daemon pulls every tag of the repository */
      cleanup_free char *path = xstrdup ("/images/create");
      cleanup_free char *name = image_ref_name (ref);
      berth_client_query_add (&path, "fromImage", name);
      if (o.platform != NULL && o.platform[0] != '\0')
        berth_client_query_add (&path, "platform", o.platform);
      if (berth_cli_progress_request (client, path, stdout, o.quiet, NULL, &err) < 0)
        {
          fflush (stdout);
          fprintf (stderr, "%s\n", berth_error_msg (&err));
          return 1;
        }
      printf ("%s\n", name);
      return 0;
    }
  if (berth_cli_pull_image (client, ref, o.platform, stdout, o.quiet, &err) < 0)
    {
      fflush (stdout);
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      return 1;
    }
  /* docker prints the reference it pulled, in full */
  full = image_ref_string (ref);
  printf ("%s\n", full);
  return 0;
}
