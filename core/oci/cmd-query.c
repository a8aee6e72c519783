/* state, list, ps */
#include "config.h"

#include "core/oci/oci.h"
#include "core/runtime/container.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
oci_cmd_state (struct oci_globals *g, int argc, char **argv, berth_error_t *err)
{
  static const struct option opts[] = { { NULL, 0, NULL, 0 } };
  cleanup_free char *json = NULL;

  if (getopt_long_only (argc, argv, "+", opts, NULL) != -1)
    return berth_error_make (err, EINVAL, "unknown option `%s`; usage: state ID", argv[optind - 1]);
  if (oci_positional (argc, argv, optind, 1, "state ID", err) < 0)
    return berth_error_ret (err);
  json = berth_container_state (g->root, argv[optind], err);
  if (json == NULL)
    return berth_error_ret (err);
  printf ("%s\n", json);
  return 0;
}

static int
parse_format (const char *s, bool *json, berth_error_t *err)
{
  if (strcmp (s, "json") == 0)
    *json = true;
  else if (strcmp (s, "table") == 0)
    *json = false;
  else
    return berth_error_make (err, EINVAL, "--format: `%s` is not table or json", s);
  return 0;
}

int
oci_cmd_list (struct oci_globals *g, int argc, char **argv, berth_error_t *err)
{
  static const struct option opts[] = { { "format", required_argument, NULL, 'f' },
                                        { "quiet", no_argument, NULL, 'q' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_strv char **ids = NULL;
  bool json = false, quiet = false;
  json_object *arr;
  size_t i;
  int c;

  while ((c = getopt_long_only (argc, argv, "+f:q", opts, NULL)) != -1)
    {
      if (c == 'f')
        {
          if (parse_format (optarg, &json, err) < 0)
            return berth_error_ret (err);
        }
      else if (c == 'q')
        quiet = true;
      else
        return berth_error_make (err, EINVAL, "unknown option `%s`; usage: list [--format table|json] [--quiet]",
                                 argv[optind - 1]);
    }
  if (oci_positional (argc, argv, optind, 0, "list [--format table|json] [--quiet]", err) < 0)
    return berth_error_ret (err);
  ids = berth_state_list (g->root, err);
  if (ids == NULL)
    return berth_error_ret (err);
  arr = json_object_new_array ();
  if (!json && !quiet)
    printf ("%-24s %-8s %-10s %-40s %-32s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
  for (i = 0; ids[i]; i++)
    {
      cleanup_state struct berth_state *st = berth_state_load (g->root, ids[i], NULL);
      enum berth_status s;
      if (st == NULL)
        continue; /* still being created, or being deleted */
      s = berth_state_status (g->root, st);
      if (quiet)
        printf ("%s\n", st->id);
      else if (json)
        {
          json_object *o = json_object_new_object ();
          json_object_object_add (o, "ociVersion", json_object_new_string ("1.2.0"));
          json_object_object_add (o, "id", json_object_new_string (st->id));
          json_object_object_add (o, "pid", json_object_new_int (s == BERTH_STATUS_STOPPED ? 0 : st->pid));
          json_object_object_add (o, "status", json_object_new_string (berth_status_name (s)));
          json_object_object_add (o, "bundle", json_object_new_string (st->bundle));
          json_object_object_add (o, "rootfs", json_object_new_string (st->rootfs));
          json_object_object_add (o, "created", json_object_new_string (st->created));
          json_object_object_add (o, "owner", json_object_new_string (st->owner ? st->owner : ""));
          json_object_array_add (arr, o);
        }
      else
        printf ("%-24s %-8d %-10s %-40s %-32s %s\n", st->id, s == BERTH_STATUS_STOPPED ? 0 : (int) st->pid,
                berth_status_name (s), st->bundle, st->created, st->owner && *st->owner ? st->owner : "root");
    }
  if (json)
    printf ("%s\n", json_object_to_json_string_ext (arr, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (arr);
  return 0;
}

static void
print_cmdline (pid_t pid)
{
  char path[64], buf[4096];
  cleanup_close int fd = -1;
  ssize_t n, i;

  snprintf (path, sizeof (path), "/proc/%d/cmdline", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  n = fd >= 0 ? read (fd, buf, sizeof (buf) - 1) : -1;
  if (n <= 0)
    {
      printf ("\n");
      return;
    }
  for (i = 0; i < n - 1; i++)
    if (buf[i] == '\0')
      buf[i] = ' ';
  buf[n] = '\0';
  printf ("%s\n", buf);
}

int
oci_cmd_ps (struct oci_globals *g, int argc, char **argv, berth_error_t *err)
{
  static const struct option opts[] = { { "format", required_argument, NULL, 'f' }, { NULL, 0, NULL, 0 } };
  cleanup_free pid_t *pids = NULL;
  bool json = false;
  size_t n, i;
  int c;

  while ((c = getopt_long_only (argc, argv, "+f:", opts, NULL)) != -1)
    {
      if (c != 'f')
        return berth_error_make (err, EINVAL, "unknown option `%s`; usage: ps [--format table|json] ID",
                                 argv[optind - 1]);
      if (parse_format (optarg, &json, err) < 0)
        return berth_error_ret (err);
    }
  if (oci_positional (argc, argv, optind, 1, "ps [--format table|json] ID", err) < 0)
    return berth_error_ret (err);
  if (berth_container_pids (g->root, argv[optind], &pids, &n, err) < 0)
    return berth_error_ret (err);
  if (json)
    {
      printf ("[");
      for (i = 0; i < n; i++)
        printf ("%s%d", i ? "," : "", (int) pids[i]);
      printf ("]\n");
      return 0;
    }
  printf ("%-8s %s\n", "PID", "CMD");
  for (i = 0; i < n; i++)
    {
      printf ("%-8d ", (int) pids[i]);
      print_cmdline (pids[i]);
    }
  return 0;
}
