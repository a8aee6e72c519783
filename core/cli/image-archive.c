/* berth load, berth save, berth import: tar streams to and from the daemon. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cli/archive-output.h"
#include "core/cli/cli.h"
#include "core/lib/mem.h"

/* ---- JSON message streams (docker's jsonmessage, as on a non-terminal) ---- */

struct message_stream
{
  char *buf;
  size_t len;
  char *error; /* the stream's errorDetail message */
};

static void
show_message (struct message_stream *m, const char *line)
{
  struct json_object *o = json_tokener_parse (line);
  struct json_object *detail;

  if (o == NULL)
    return;
  detail = berth_json_get (o, "errorDetail");
  if (detail != NULL && m->error == NULL)
    m->error = xstrdup (berth_json_str (detail, "message"));
  else if (berth_json_get (o, "aux") != NULL)
    ;
  else if (berth_json_get (o, "stream") != NULL)
    fputs (berth_json_str (o, "stream"), stdout);
  else if (berth_json_get (o, "status") != NULL)
    {
      if (berth_json_str (o, "id")[0] != '\0')
        printf ("%s: ", berth_json_str (o, "id"));
      printf ("%s\n", berth_json_str (o, "status"));
    }
  fflush (stdout);
  json_object_put (o);
}

static int
on_messages (void *ud, const char *data, size_t len)
{
  struct message_stream *m = ud;
  char *nl;

  m->buf = xrealloc (m->buf, m->len + len + 1);
  memcpy (m->buf + m->len, data, len);
  m->len += len;
  m->buf[m->len] = '\0';
  while ((nl = memchr (m->buf, '\n', m->len)) != NULL)
    {
      size_t n = (size_t)(nl - m->buf) + 1;
      *nl = '\0';
      show_message (m, m->buf);
      memmove (m->buf, m->buf + n, m->len - n);
      m->len -= n;
      m->buf[m->len] = '\0';
    }
  return 0;
}

/* Send the request, show its messages; returns the exit status. */
static int
message_request (struct berth_cli *cli, const char *path, int body_fd)
{
  cleanup_error berth_error_t err = NULL;
  struct message_stream m = { 0 };
  struct berth_client *client = berth_cli_client (cli);
  int status = 0;

  if (client == NULL)
    return 1;
  if (berth_client_stream (client, "POST", path, body_fd, body_fd >= 0 ? "application/x-tar" : NULL, on_messages, &m,
                           &err)
      < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      status = 1;
    }
  else
    {
      if (m.len > 0)
        show_message (&m, m.buf);
      if (m.error != NULL)
        {
          fprintf (stderr, "%s\n", m.error);
          status = 1;
        }
    }
  free (m.buf);
  free (m.error);
  return status;
}

/* ---- load ---- */

static const char load_usage[] = "Usage:  berth load [OPTIONS]\n"
                                 "\n"
                                 "Load an image from a tar archive or STDIN\n"
                                 "\n"
                                 "Aliases:\n"
                                 "  berth image load, berth load\n"
                                 "\n"
                                 "Options:\n"
                                 "  -h, --help           Print usage\n"
                                 "  -i, --input string   Read from tar archive file, instead of STDIN\n"
                                 "  -q, --quiet          Suppress the load output\n";

struct load_opts
{
  const char *input;
  bool quiet;
};

static int
on_load_opt (int opt, const char *arg, void *ud)
{
  struct load_opts *o = ud;

  if (opt == 'i')
    o->input = arg;
  else if (opt == 'q')
    o->quiet = true;
  else
    return 1;
  return 0;
}

int
berth_cmd_load (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "input", required_argument, NULL, 'i' },
    { "quiet", no_argument, NULL, 'q' },
    { NULL, 0, NULL, 0 },
  };
  struct load_opts o = { 0 };
  cleanup_free char *path = xstrdup ("/images/load");
  cleanup_close int fd = -1;
  int status;

  if (berth_cli_parse_interspersed (argc, argv, load_usage, opts, "i:q", on_load_opt, &o, &status))
    return status;
  if (optind < argc)
    {
      fprintf (stderr, "\"berth load\" accepts no arguments.\nSee 'berth load --help'.\n");
      return 1;
    }
  if (o.input != NULL)
    {
      fd = open (o.input, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        {
          fprintf (stderr, "open %s: %s\n", o.input, strerror (errno));
          return 1;
        }
    }
  else
    {
      if (isatty (STDIN_FILENO))
        {
          fprintf (stderr, "requested load from stdin, but stdin is empty\n");
          return 1;
        }
      fd = dup (STDIN_FILENO);
    }
  /* as docker: progress only for a terminal */
  berth_client_query_add (&path, "quiet", o.quiet || !isatty (STDOUT_FILENO) ? "1" : "0");
  return message_request (cli, path, fd);
}

/* ---- save ---- */

static const char save_usage[] = "Usage:  berth save [OPTIONS] IMAGE [IMAGE...]\n"
                                 "\n"
                                 "Save one or more images to a tar archive (streamed to STDOUT by default)\n"
                                 "\n"
                                 "Aliases:\n"
                                 "  berth image save, berth save\n"
                                 "\n"
                                 "Options:\n"
                                 "  -h, --help            Print usage\n"
                                 "  -o, --output string   Write to a file, instead of STDOUT\n";

static int
on_save_opt (int opt, const char *arg, void *ud)
{
  if (opt != 'o')
    return 1;
  *(const char **)ud = arg;
  return 0;
}

int
berth_cmd_save (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "output", required_argument, NULL, 'o' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_free char *path = xstrdup ("/images/get");
  const char *output = NULL;
  struct berth_client *client;
  int status;

  if (berth_cli_parse_interspersed (argc, argv, save_usage, opts, "o:", on_save_opt, &output, &status))
    return status;
  if (optind >= argc)
    {
      fprintf (stderr, "\"berth save\" requires at least 1 argument.\nSee 'berth save --help'.\n");
      return 1;
    }
  if (berth_cli_archive_output_refused (output))
    return 1;
  for (int i = optind; i < argc; i++)
    berth_client_query_add (&path, "names", argv[i]);
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  return berth_cli_archive_output (client, path, output, "save image");
}

/* ---- import ---- */

static const char import_usage[] = "Usage:  berth import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]\n"
                                   "\n"
                                   "Import the contents from a tarball to create a filesystem image\n"
                                   "\n"
                                   "Aliases:\n"
                                   "  berth image import, berth import\n"
                                   "\n"
                                   "Options:\n"
                                   "  -c, --change list       Apply Dockerfile instruction to the created image\n"
                                   "  -h, --help              Print usage\n"
                                   "  -m, --message string    Set commit message for imported image\n"
                                   "      --platform string   Set platform if server is multi-platform capable\n";

struct import_opts
{
  char **changes;
  size_t n_changes;
  const char *message;
  const char *platform;
};

enum
{
  OPT_PLATFORM = 256,
};

static int
on_import_opt (int opt, const char *arg, void *ud)
{
  struct import_opts *o = ud;

  switch (opt)
    {
    case 'c':
      o->changes = xrealloc (o->changes, (o->n_changes + 2) * sizeof (char *));
      o->changes[o->n_changes++] = xstrdup (arg);
      o->changes[o->n_changes] = NULL;
      return 0;
    case 'm':
      o->message = arg;
      return 0;
    case OPT_PLATFORM:
      o->platform = arg;
      return 0;
    }
  return 1;
}

int
berth_cmd_import (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "change", required_argument, NULL, 'c' },
    { "message", required_argument, NULL, 'm' },
    { "platform", required_argument, NULL, OPT_PLATFORM },
    { NULL, 0, NULL, 0 },
  };
  struct import_opts o = { 0 };
  cleanup_free char *path = xstrdup ("/images/create");
  cleanup_close int fd = -1;
  const char *src;
  int status;

  if (berth_cli_parse_interspersed (argc, argv, import_usage, opts, "c:m:", on_import_opt, &o, &status))
    {
      strv_free (o.changes);
      return status;
    }
  if (argc - optind < 1 || argc - optind > 2)
    {
      strv_free (o.changes);
      fprintf (stderr, "\"berth import\" requires at least 1 and at most 2 arguments.\nSee 'berth import --help'.\n");
      return 1;
    }
  src = argv[optind];
  if (strcmp (src, "-") == 0)
    fd = dup (STDIN_FILENO);
  else if (strncmp (src, "http://", 7) != 0 && strncmp (src, "https://", 8) != 0)
    {
      fd = open (src, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        {
          strv_free (o.changes);
          fprintf (stderr, "open %s: %s\n", src, strerror (errno));
          return 1;
        }
    }
  berth_client_query_add (&path, "fromSrc", fd >= 0 ? "-" : src);
  if (argc - optind == 2)
    berth_client_query_add (&path, "repo", argv[optind + 1]);
  if (o.message != NULL)
    berth_client_query_add (&path, "message", o.message);
  if (o.platform != NULL)
    berth_client_query_add (&path, "platform", o.platform);
  for (size_t i = 0; i < o.n_changes; i++)
    berth_client_query_add (&path, "changes", o.changes[i]);
  strv_free (o.changes);
  return message_request (cli, path, fd);
}
