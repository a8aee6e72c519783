/* berth stats [--no-stream] [-a] [--format] [CONTAINER...]: docker's table
   of resource usage.  Each round asks the daemon for one sample per
   container (stream=false, one-shot=true) and computes CPU % against the
   previous round's sample, as the docker CLI does against precpu_stats. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/cli/container.h"
#include "core/lib/mem.h"

static const char usage[]
    = "Usage:  berth stats [OPTIONS] [CONTAINER...]\n"
      "\n"
      "Display a live stream of container(s) resource usage statistics\n"
      "\n"
      "Aliases:\n"
      "  berth container stats, berth stats\n"
      "\n"
      "Options:\n"
      "  -a, --all             Show all containers (default shows just running)\n"
      "      --format string   Format output using a custom template:\n"
      "                        'table':            Print output in table format with column headers (default)\n"
      "                        'table TEMPLATE':   Print output in table format using the given Go template\n"
      "                        'json':             Print in JSON format\n"
      "                        'TEMPLATE':         Print output using the given Go template\n"
      "      --no-stream       Disable streaming stats and only pull the first result\n"
      "      --no-trunc        Do not truncate output\n";

#define DEFAULT_FORMAT                                                                                                 \
  "table {{.ID}}\\t{{.Name}}\\t{{.CPUPerc}}\\t{{.MemUsage}}\\t{{.MemPerc}}\\t{{.NetIO}}\\t{{.BlockIO}}\\t{{.PIDs}}"

enum
{
  OPT_FORMAT = 256,
  OPT_NO_STREAM,
  OPT_NO_TRUNC,
};

struct stats_opts
{
  bool all, no_stream, no_trunc;
  const char *format;
};

/* one container followed across rounds */
struct entry
{
  char *container; /* as named by the user, or the id */
  json_object *prev, *cur;
  bool seen; /* listed in this round */
};

struct state
{
  struct entry *e;
  size_t n;
};

static int
on_opt (int opt, const char *arg, void *ud)
{
  struct stats_opts *o = ud;

  switch (opt)
    {
    case 'a':
      o->all = true;
      return 0;
    case OPT_FORMAT:
      o->format = arg;
      return 0;
    case OPT_NO_STREAM:
      o->no_stream = true;
      return 0;
    case OPT_NO_TRUNC:
      o->no_trunc = true;
      return 0;
    }
  return 1;
}

static double
num (json_object *o, const char *key)
{
  json_object *v = berth_json_get (o, key);
  return v != NULL ? (double) json_object_get_uint64 (v) : 0.0;
}

/* calculateCPUPercentUnix, with the previous round as precpu */
static double
cpu_percent (json_object *cur, json_object *prev)
{
  json_object *cs = berth_json_get (cur, "cpu_stats"), *ps = berth_json_get (prev, "cpu_stats");
  double cpu = num (berth_json_get (cs, "cpu_usage"), "total_usage") - num (berth_json_get (ps, "cpu_usage"), "total_usage");
  double sys = num (cs, "system_cpu_usage") - num (ps, "system_cpu_usage");
  double online = num (cs, "online_cpus");
  json_object *percpu = berth_json_get (berth_json_get (cs, "cpu_usage"), "percpu_usage");

  if (online == 0.0 && percpu != NULL && json_object_is_type (percpu, json_type_array))
    online = (double) json_object_array_length (percpu);
  if (prev == NULL || sys <= 0.0 || cpu <= 0.0)
    return 0.0;
  return cpu / sys * online * 100.0;
}

/* calculateMemUsageUnixNoCache: the page cache does not count */
static double
mem_used (json_object *mem)
{
  json_object *st = berth_json_get (mem, "stats");
  double used = num (mem, "usage");
  json_object *v1 = berth_json_get (st, "total_inactive_file");

  if (v1 != NULL && (double) json_object_get_uint64 (v1) < used)
    return used - (double) json_object_get_uint64 (v1);
  if (num (st, "inactive_file") < used)
    return used - num (st, "inactive_file");
  return used;
}

static void
blkio (json_object *s, double *rd, double *wr)
{
  json_object *a = berth_json_get (berth_json_get (s, "blkio_stats"), "io_service_bytes_recursive");

  *rd = *wr = 0;
  for (size_t i = 0; a != NULL && json_object_is_type (a, json_type_array) && i < json_object_array_length (a); i++)
    {
      json_object *e = json_object_array_get_idx (a, i);
      const char *op = berth_json_str (e, "op");
      if (strcasecmp (op, "read") == 0)
        *rd += num (e, "value");
      else if (strcasecmp (op, "write") == 0)
        *wr += num (e, "value");
    }
}

static void
network (json_object *s, double *rx, double *tx)
{
  json_object *nets = berth_json_get (s, "networks");

  *rx = *tx = 0;
  if (nets == NULL || !json_object_is_type (nets, json_type_object))
    return;
  json_object_object_foreach (nets, k, v)
  {
    (void) k;
    *rx += num (v, "rx_bytes");
    *tx += num (v, "tx_bytes");
  }
}

static void
add_str (json_object *o, const char *key, const char *value)
{
  json_object_object_add (o, key, json_object_new_string (value));
}

static json_object *
row_context (const struct entry *e, bool trunc)
{
  json_object *o = json_object_new_object (), *s = e->cur;
  json_object *mem = berth_json_get (s, "memory_stats");
  const char *id = berth_json_str (s, "id"), *name = berth_json_str (s, "name");
  double used = mem_used (mem), limit = num (mem, "limit"), rd, wr, rx, tx;
  char a[32], b[32], buf[96];

  add_str (o, "Container", e->container);
  add_str (o, "Name", name[0] == '/' ? name + 1 : name[0] != '\0' ? name : "--");
  add_str (o, "ID", trunc ? berth_short_id (id, a) : id);
  snprintf (buf, sizeof (buf), "%.2f%%", cpu_percent (s, e->prev));
  add_str (o, "CPUPerc", buf);
  berth_format_bytes ((int64_t) used, a, sizeof (a));
  berth_format_bytes ((int64_t) limit, b, sizeof (b));
  snprintf (buf, sizeof (buf), "%s / %s", a, b);
  add_str (o, "MemUsage", buf);
  snprintf (buf, sizeof (buf), "%.2f%%", limit != 0.0 ? used / limit * 100.0 : 0.0);
  add_str (o, "MemPerc", buf);
  network (s, &rx, &tx);
  berth_format_human_size_prec ((int64_t) rx, 3, a, sizeof (a));
  berth_format_human_size_prec ((int64_t) tx, 3, b, sizeof (b));
  snprintf (buf, sizeof (buf), "%s / %s", a, b);
  add_str (o, "NetIO", buf);
  blkio (s, &rd, &wr);
  berth_format_human_size_prec ((int64_t) rd, 3, a, sizeof (a));
  berth_format_human_size_prec ((int64_t) wr, 3, b, sizeof (b));
  snprintf (buf, sizeof (buf), "%s / %s", a, b);
  add_str (o, "BlockIO", buf);
  snprintf (buf, sizeof (buf), "%llu", (unsigned long long) num (berth_json_get (s, "pids_stats"), "current"));
  add_str (o, "PIDs", buf);
  return o;
}

static json_object *
header_context (void)
{
  static const char *const names[][2] = {
    { "Container", "CONTAINER" }, { "Name", "NAME" },       { "ID", "CONTAINER ID" }, { "CPUPerc", "CPU %" },
    { "MemUsage", "MEM USAGE / LIMIT" }, { "MemPerc", "MEM %" }, { "NetIO", "NET I/O" }, { "BlockIO", "BLOCK I/O" },
    { "PIDs", "PIDS" },
  };
  json_object *o = json_object_new_object ();

  for (size_t i = 0; i < sizeof (names) / sizeof (names[0]); i++)
    add_str (o, names[i][0], names[i][1]);
  return o;
}

static struct entry *
find_entry (struct state *st, const char *container)
{
  for (size_t i = 0; i < st->n; i++)
    if (strcmp (st->e[i].container, container) == 0)
      return &st->e[i];
  st->e = xrealloc (st->e, (st->n + 1) * sizeof (*st->e));
  st->e[st->n] = (struct entry){ .container = xstrdup (container) };
  return &st->e[st->n++];
}

static void
drop_unseen (struct state *st)
{
  size_t k = 0;

  for (size_t i = 0; i < st->n; i++)
    if (st->e[i].seen)
      st->e[k++] = st->e[i];
    else
      {
        free (st->e[i].container);
        json_object_put (st->e[i].prev);
        json_object_put (st->e[i].cur);
      }
  st->n = k;
}

/* One round: the containers to show (named, or listed), a sample of each.
   Named containers that fail are an error (exit 1); listed ones that
   vanished meanwhile are dropped. */
static int
sample_round (struct berth_client *client, struct state *st, char **names, int n_names, bool all)
{
  json_object *list = NULL;
  char **want = names;
  int n_want = n_names, status = 0;

  for (size_t i = 0; i < st->n; i++)
    st->e[i].seen = false;
  if (n_names == 0)
    {
      cleanup_error berth_error_t err = NULL;
      if (berth_client_get_json (client, all ? "/containers/json?all=1" : "/containers/json", &list, &err) < 0)
        {
          fprintf (stderr, "%s\n", berth_error_msg (&err));
          return 1;
        }
      n_want = json_object_is_type (list, json_type_array) ? (int) json_object_array_length (list) : 0;
      want = xmalloc0 (((size_t) n_want + 1) * sizeof (char *));
      for (int i = 0; i < n_want; i++)
        want[i] = (char *) berth_json_str (json_object_array_get_idx (list, (size_t) i), "Id");
    }
  for (int i = 0; i < n_want; i++)
    {
      cleanup_error berth_error_t err = NULL;
      cleanup_free char *esc = berth_client_escape_name (want[i]);
      cleanup_free char *path = xasprintf ("/containers/%s/stats?stream=false&one-shot=true", esc);
      json_object *s = NULL;
      struct entry *e;

      if (berth_client_get_json (client, path, &s, &err) < 0)
        {
          if (n_names > 0)
            {
              fprintf (stderr, "%s\n", berth_error_msg (&err));
              status = 1;
            }
          continue;
        }
      e = find_entry (st, want[i]);
      e->seen = true;
      json_object_put (e->prev);
      e->prev = e->cur;
      e->cur = s;
    }
  if (n_names == 0)
    {
      free (want);
      json_object_put (list);
    }
  drop_unseen (st);
  return status;
}

static int
render (struct state *st, const struct stats_opts *o)
{
  json_object *rows = json_object_new_array (), *header = header_context ();
  const char *format = o->format != NULL && strcmp (o->format, "table") != 0 ? o->format : DEFAULT_FORMAT;
  int status;

  for (size_t i = 0; i < st->n; i++)
    json_object_array_add (rows, row_context (&st->e[i], !o->no_trunc));
  status = berth_cli_render (format, rows, header, true);
  fflush (stdout);
  json_object_put (rows);
  json_object_put (header);
  return status;
}

int
berth_cmd_stats (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "all", no_argument, NULL, 'a' },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "no-stream", no_argument, NULL, OPT_NO_STREAM },
    { "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
    { NULL, 0, NULL, 0 },
  };
  struct stats_opts o = { 0 };
  struct state st = { 0 };
  struct berth_client *client;
  struct timespec second = { 1, 0 };
  int status = 0;

  if (berth_cli_parse_interspersed (argc, argv, usage, opts, "a", on_opt, &o, &status))
    return status;
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  /* two rounds a second apart give the first CPU % */
  status = sample_round (client, &st, argv + optind, argc - optind, o.all);
  if (status == 0)
    {
      nanosleep (&second, NULL);
      status = sample_round (client, &st, argv + optind, argc - optind, o.all);
    }
  while (status == 0)
    {
      if (!o.no_stream)
        fputs ("\033[2J\033[H", stdout);
      status = render (&st, &o);
      if (o.no_stream || status != 0)
        break;
      nanosleep (&second, NULL);
      status = sample_round (client, &st, argv + optind, argc - optind, o.all);
    }
  for (size_t i = 0; i < st.n; i++)
    {
      free (st.e[i].container);
      json_object_put (st.e[i].prev);
      json_object_put (st.e[i].cur);
    }
  free (st.e);
  return status;
}
