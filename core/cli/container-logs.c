/* berth logs: inspect (for the id and whether there is a tty), then the logs
   stream, demultiplexed to stdout and stderr unless raw (tty). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/cli/attach-stream.h"
#include "core/cli/container.h"
#include "core/lib/mem.h"

static const char usage[]
    = "Usage:  berth logs [OPTIONS] CONTAINER\n"
      "\n"
      "Fetch the logs of a container\n"
      "\n"
      "Aliases:\n"
      "  berth container logs, berth logs\n"
      "\n"
      "Options:\n"
      "      --details        Show extra details provided to logs\n"
      "  -f, --follow         Follow log output\n"
      "  -h, --help           Print usage\n"
      "      --since string   Show logs since timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for "
      "42\n"
      "                       minutes)\n"
      "  -n, --tail string    Number of lines to show from the end of the logs (default \"all\")\n"
      "  -t, --timestamps     Show timestamps\n"
      "      --until string   Show logs before a timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" "
      "for\n"
      "                       42 minutes)\n";

enum
{
  OPT_SINCE = 256,
  OPT_UNTIL,
  OPT_DETAILS,
};

struct logs_opts
{
  bool follow, timestamps, details;
  const char *tail, *since, *until;
};

static int
on_opt (int opt, const char *arg, void *ud)
{
  struct logs_opts *o = ud;

  switch (opt)
    {
    case 'f':
      o->follow = true;
      return 0;
    case 't':
      o->timestamps = true;
      return 0;
    case 'n':
      o->tail = arg;
      return 0;
    case OPT_SINCE:
      o->since = arg;
      return 0;
    case OPT_UNTIL:
      o->until = arg;
      return 0;
    case OPT_DETAILS:
      o->details = true;
      return 0;
    }
  return 1;
}

/* Go's time.ParseDuration, for the units that make sense here */
static bool
parse_duration (const char *s, double *ret)
{
  double total = 0;

  if (*s == '\0')
    return false;
  while (*s)
    {
      char *end;
      double v = strtod (s, &end), mult;
      if (end == s)
        return false;
      s = end;
      if (strncmp (s, "ns", 2) == 0)
        mult = 1e-9, s += 2;
      else if (strncmp (s, "us", 2) == 0 || strncmp (s, "µs", 3) == 0)
        mult = 1e-6, s += s[0] == 'u' ? 2 : 3;
      else if (strncmp (s, "ms", 2) == 0)
        mult = 1e-3, s += 2;
      else if (*s == 's')
        mult = 1, s++;
      else if (*s == 'm')
        mult = 60, s++;
      else if (*s == 'h')
        mult = 3600, s++;
      else
        return false;
      total += v * mult;
    }
  *ret = total;
  return true;
}

/* docker's timetypes.GetTimestamp: a duration before now, a unix time
   (seconds[.nanos]), or an RFC 3339 date/time (local time without a zone).
   Returns the "seconds.nanoseconds" the API takes, or NULL. */
static char *
api_timestamp (const char *s)
{
  static const char *const layouts[] = { "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d" };
  struct timespec now;
  double d;
  const char *p;
  bool numeric = *s != '\0';

  for (p = s; *p; p++)
    if (!isdigit ((unsigned char)*p) && *p != '.')
      numeric = false;
  if (numeric)
    return xstrdup (s);
  clock_gettime (CLOCK_REALTIME, &now);
  if (parse_duration (s, &d))
    {
      long long ns = (long long)now.tv_sec * 1000000000LL + now.tv_nsec - (long long)(d * 1e9);
      return xasprintf ("%lld.%09lld", ns / 1000000000LL, ns % 1000000000LL);
    }
  for (size_t i = 0; i < sizeof (layouts) / sizeof (layouts[0]); i++)
    {
      struct tm tm;
      const char *rest;
      long nanos = 0;
      time_t t;

      memset (&tm, 0, sizeof (tm));
      rest = strptime (s, layouts[i], &tm);
      if (rest == NULL)
        continue;
      if (*rest == '.')
        {
          int digits = 0;
          for (rest++; isdigit ((unsigned char)*rest); rest++)
            if (digits++ < 9)
              nanos = nanos * 10 + (*rest - '0');
          while (digits++ < 9)
            nanos *= 10;
        }
      if (*rest == '\0')
        {
          tm.tm_isdst = -1;
          t = mktime (&tm);
        }
      else if (strcmp (rest, "Z") == 0)
        t = timegm (&tm);
      else if ((rest[0] == '+' || rest[0] == '-') && strlen (rest) == 6 && rest[3] == ':')
        {
          int off = (atoi (rest + 1) * 60 + atoi (rest + 4)) * 60;
          t = timegm (&tm) - (rest[0] == '+' ? off : -off);
        }
      else
        continue;
      return xasprintf ("%lld.%09ld", (long long)t, nanos);
    }
  return NULL;
}

struct sink_ctx
{
  bool tty;
  struct berth_demux dm;
  berth_error_t err;
};

static int
sink (void *ud, const char *data, size_t len)
{
  struct sink_ctx *s = ud;

  if (s->tty)
    {
      while (len > 0)
        {
          ssize_t n = write (STDOUT_FILENO, data, len);
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            return -1;
          data += n;
          len -= (size_t)n;
        }
      return 0;
    }
  return berth_demux_feed (&s->dm, data, len, &s->err);
}

int
berth_cmd_logs (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "follow", no_argument, NULL, 'f' },
    { "timestamps", no_argument, NULL, 't' },
    { "tail", required_argument, NULL, 'n' },
    { "since", required_argument, NULL, OPT_SINCE },
    { "until", required_argument, NULL, OPT_UNTIL },
    { "details", no_argument, NULL, OPT_DETAILS },
    { NULL, 0, NULL, 0 },
  };
  cleanup_error berth_error_t err = NULL;
  struct logs_opts o = { .tail = "all" };
  struct sink_ctx s = { .dm = { .out_fd = STDOUT_FILENO } };
  struct berth_client *client;
  struct json_object *c = NULL;
  cleanup_free char *path = NULL, *name = NULL;
  int status;

  if (berth_cli_parse_interspersed (argc, argv, usage, opts, "ftn:", on_opt, &o, &status))
    return status;
  if (argc - optind != 1)
    {
      fprintf (stderr, "\"berth logs\" requires exactly 1 argument.\nSee 'berth logs --help'.\n");
      return 1;
    }
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  if (berth_container_inspect (client, argv[optind], &c, &err) < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      return 1;
    }
  s.tty = berth_json_bool (berth_json_get (c, "Config"), "Tty");
  name = berth_client_escape_name (berth_json_str (c, "Id"));
  json_object_put (c);
  path = xasprintf ("/containers/%s/logs?stdout=1&stderr=1", name);
  berth_client_query_add (&path, "tail", o.tail);
  if (o.follow)
    berth_client_query_add (&path, "follow", "1");
  if (o.timestamps)
    berth_client_query_add (&path, "timestamps", "1");
  if (o.details)
    berth_client_query_add (&path, "details", "1");
  for (int i = 0; i < 2; i++)
    {
      const char *v = i == 0 ? o.since : o.until;
      cleanup_free char *ts = NULL;
      if (v == NULL)
        continue;
      ts = api_timestamp (v);
      if (ts == NULL)
        {
          fprintf (stderr, "invalid value for \"%s\": failed to parse value as time or duration: \"%s\"\n",
                   i == 0 ? "since" : "until", v);
          return 1;
        }
      berth_client_query_add (&path, i == 0 ? "since" : "until", ts);
    }
  if (berth_client_stream (client, "GET", path, -1, NULL, sink, &s, &err) < 0)
    {
      fprintf (stderr, "%s\n", s.err != NULL ? berth_error_msg (&s.err) : berth_error_msg (&err));
      berth_error_release (&s.err);
      return 1;
    }
  return 0;
}
