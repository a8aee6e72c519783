/* berth events (and berth system events): GET /events, one JSON message a
   line, printed as docker does: "TIME TYPE ACTION ID (k=v, ...)", or
   through --format (a template over the message, "json" for the JSON).
   --since/--until are converted here to unix seconds.nanoseconds, as the
   docker CLI does, so durations count from this machine's clock. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/cli/cli.h"
#include "core/cli/container.h"
#include "core/cli/template.h"
#include "core/lib/mem.h"
#include "core/lib/timestamp.h"

static const char usage[] = "Usage:  berth events [OPTIONS]\n"
                            "\n"
                            "Get real time events from the server\n"
                            "\n"
                            "Aliases:\n"
                            "  berth system events, berth events\n"
                            "\n"
                            "Options:\n"
                            "  -f, --filter filter   Filter output based on conditions provided\n"
                            "      --format string   Format output using a custom template:\n"
                            "                        'json':             Print in JSON format\n"
                            "                        'TEMPLATE':         Print output using the given Go template.\n"
                            "  -h, --help            Print usage\n"
                            "      --since string    Show all events created since timestamp\n"
                            "      --until string    Stream events until this timestamp\n";

enum
{
  OPT_SINCE = 256,
  OPT_UNTIL,
  OPT_FORMAT,
};

struct events_opts
{
  const char *since, *until, *format;
  struct json_object *filters;
};

struct printer
{
  struct berth_template *tmpl; /* NULL: docker's default line */
  bool raw_json;               /* --format json / {{json .}} */
  char *pending;               /* an incomplete line */
  size_t len;
  int status;
};

static int
on_opt (int opt, const char *arg, void *ud)
{
  struct events_opts *o = ud;

  switch (opt)
    {
    case 'f':
      if (berth_cli_filter_add (o->filters, arg) != 0)
        {
          fprintf (stderr,
                   "invalid argument \"%s\" for \"-f, --filter\" flag: bad format of filter (expected name=value)\n",
                   arg);
          return 1;
        }
      return 0;
    case OPT_SINCE:
      o->since = arg;
      return 0;
    case OPT_UNTIL:
      o->until = arg;
      return 0;
    case OPT_FORMAT:
      o->format = arg;
      return 0;
    }
  return 1;
}

/* jsonmessage.RFC3339NanoFixed in local time */
static void
format_time (int64_t ns, char *buf, size_t len)
{
  time_t sec = (time_t)(ns / 1000000000LL);
  struct tm tm;
  size_t n;

  localtime_r (&sec, &tm);
  n = strftime (buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
  n += (size_t)snprintf (buf + n, len - n, ".%09lld", (long long)(ns % 1000000000LL));
  if (tm.tm_gmtoff == 0)
    snprintf (buf + n, len - n, "Z");
  else
    snprintf (buf + n, len - n, "%c%02ld:%02ld", tm.tm_gmtoff < 0 ? '-' : '+', labs (tm.tm_gmtoff) / 3600,
              labs (tm.tm_gmtoff) % 3600 / 60);
}

static void
print_default (struct json_object *m)
{
  struct json_object *actor = berth_json_get (m, "Actor");
  struct json_object *attrs = berth_json_get (actor, "Attributes");
  int64_t ns = berth_json_int (m, "timeNano");
  char when[80];
  bool first = true;

  if (ns == 0)
    ns = berth_json_int (m, "time") * 1000000000LL;
  if (ns != 0)
    {
      format_time (ns, when, sizeof (when));
      printf ("%s ", when);
    }
  printf ("%s %s %s", berth_json_str (m, "Type"), berth_json_str (m, "Action"), berth_json_str (actor, "ID"));
  /* the daemon sends the attributes sorted, as docker prints them */
  if (json_object_is_type (attrs, json_type_object) && json_object_object_length (attrs) > 0)
    {
      printf (" (");
      json_object_object_foreach (attrs, k, v)
      {
        printf ("%s%s=%s", first ? "" : ", ", k, json_object_get_string (v));
        first = false;
      }
      printf (")");
    }
  printf ("\n");
}

/* the template sees events.Message's Go field names */
static struct json_object *
template_context (struct json_object *m)
{
  struct json_object *o = json_object_new_object ();
  static const char *const fields[][2] = {
    { "status", "Status" }, { "id", "ID" },         { "from", "From" },
    { "Type", "Type" },     { "Action", "Action" }, { "Actor", "Actor" },
    { "scope", "Scope" },   { "time", "Time" },     { "timeNano", "TimeNano" },
  };

  for (size_t i = 0; i < sizeof (fields) / sizeof (fields[0]); i++)
    {
      struct json_object *v = berth_json_get (m, fields[i][0]);
      json_object_object_add (o, fields[i][1], v != NULL ? json_object_get (v) : json_object_new_string (""));
    }
  return o;
}

static void
print_line (struct printer *p, const char *line)
{
  struct json_object *m;

  if (line[0] == '\0' || strcmp (line, "\r") == 0)
    return;
  m = json_tokener_parse (line);
  if (m == NULL)
    {
      fprintf (stderr, "berth: the daemon sent an unreadable event: %s\n", line);
      p->status = 1;
      return;
    }
  if (p->raw_json)
    printf ("%s\n", json_object_to_json_string_ext (m, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
  else if (p->tmpl != NULL)
    {
      struct json_object *ctx = template_context (m);
      cleanup_error berth_error_t err = NULL;
      cleanup_free char *out = NULL;

      if (berth_template_render (p->tmpl, ctx, false, &out, &err) < 0)
        {
          fprintf (stderr, "berth: %s\n", berth_error_msg (&err));
          p->status = 1;
        }
      else
        printf ("%s\n", out);
      json_object_put (ctx);
    }
  else
    print_default (m);
  fflush (stdout);
  json_object_put (m);
}

static int
sink (void *ud, const char *data, size_t len)
{
  struct printer *p = ud;
  char *nl;

  p->pending = xrealloc (p->pending, p->len + len + 1);
  memcpy (p->pending + p->len, data, len);
  p->len += len;
  p->pending[p->len] = '\0';
  while ((nl = memchr (p->pending, '\n', p->len)) != NULL)
    {
      size_t used = (size_t)(nl - p->pending) + 1;
      *nl = '\0';
      print_line (p, p->pending);
      memmove (p->pending, nl + 1, p->len - used + 1);
      p->len -= used;
    }
  return 0;
}

/* "seconds.nanoseconds" for the daemon, as timetypes.GetTimestamp */
static int
convert_time (const char *flag, const char *value, int64_t now, char **ret)
{
  cleanup_error berth_error_t err = NULL;
  int64_t ns;

  *ret = NULL;
  if (value == NULL)
    return 0;
  if (berth_timestamp_parse (value, now, flag, &ns, &err) < 0)
    {
      fprintf (stderr, "berth: %s\n", berth_error_msg (&err));
      return -1;
    }
  if (ns < 0)
    *ret = xasprintf ("-%lld.%09lld", (long long)(-ns / 1000000000LL), (long long)(-ns % 1000000000LL));
  else
    *ret = xasprintf ("%lld.%09lld", (long long)(ns / 1000000000LL), (long long)(ns % 1000000000LL));
  return 0;
}

int
berth_cmd_events (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "filter", required_argument, NULL, 'f' },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "since", required_argument, NULL, OPT_SINCE },
    { "until", required_argument, NULL, OPT_UNTIL },
    { NULL, 0, NULL, 0 },
  };
  cleanup_error berth_error_t err = NULL;
  struct events_opts o = { .filters = json_object_new_object () };
  struct printer p = { 0 };
  cleanup_free char *path = xstrdup ("/events"), *since = NULL, *until = NULL;
  struct berth_client *client;
  int64_t now = berth_now_ns ();
  int status;

  if (berth_cli_parse_interspersed (argc, argv, usage, opts, "f:", on_opt, &o, &status))
    {
      json_object_put (o.filters);
      return status;
    }
  if (optind < argc)
    {
      json_object_put (o.filters);
      fprintf (stderr, "\"berth events\" accepts no arguments.\nSee 'berth events --help'.\n");
      return 1;
    }
  if (convert_time ("--since", o.since, now, &since) < 0 || convert_time ("--until", o.until, now, &until) < 0)
    {
      json_object_put (o.filters);
      return 125;
    }
  if (o.format != NULL && (strcmp (o.format, "json") == 0 || strcmp (o.format, "{{json .}}") == 0))
    p.raw_json = true;
  else if (o.format != NULL && o.format[0] != '\0' && berth_template_parse (o.format, &p.tmpl, NULL, &err) < 0)
    {
      fprintf (stderr, "berth: template parsing error: %s\n", berth_error_msg (&err));
      json_object_put (o.filters);
      return 125;
    }
  if (since != NULL)
    berth_client_query_add (&path, "since", since);
  if (until != NULL)
    berth_client_query_add (&path, "until", until);
  berth_cli_filters_to_query (&path, o.filters);
  client = berth_cli_client (cli);
  if (client == NULL)
    {
      berth_template_free (p.tmpl);
      return 1;
    }
  if (berth_client_stream (client, "GET", path, -1, NULL, sink, &p, &err) < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      p.status = 1;
    }
  else if (p.len > 0)
    print_line (&p, p.pending);
  free (p.pending);
  berth_template_free (p.tmpl);
  return p.status;
}
