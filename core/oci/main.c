/* berth-runtime: global options, the command table, and the one place where
   errors are printed (stderr, and the --log file as text or JSON). */
#include "config.h"

#include "core/oci/oci.h"
#include "core/runtime/cloned-binary.h"
#include "core/runtime/state.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int oci_exit_status = 0;

static const struct
{
  const char *name;
  oci_command_fn fn;
  bool enters; /* runs code inside a container: re-exec from a sealed copy first */
  const char *help;
} commands[] = {
  { "create", oci_cmd_create, true, "create a container" },
  { "start", oci_cmd_start, false, "run the user program of a created container" },
  { "run", oci_cmd_run, true, "create and start a container" },
  { "state", oci_cmd_state, false, "print the OCI state of a container" },
  { "kill", oci_cmd_kill, false, "send a signal to the container's init (or to all with --all)" },
  { "delete", oci_cmd_delete, false, "delete a stopped container (--force: any)" },
  { "exec", oci_cmd_exec, true, "run a process in a running container" },
  { "ps", oci_cmd_ps, false, "list the processes of a container" },
  { "list", oci_cmd_list, false, "list containers" },
  { "pause", oci_cmd_pause, false, "freeze all processes of a container" },
  { "resume", oci_cmd_resume, false, "thaw a paused container" },
  { "update", oci_cmd_update, false, "change the resource limits of a container" },
  { "spec", oci_cmd_spec, false, "write a default config.json" },
  { "features", oci_cmd_features, false, "print what this runtime supports (JSON)" },
};

static void
usage (FILE *out)
{
  size_t i;

  fprintf (out, "Usage: berth-runtime [--root DIR] [--log FILE] [--log-format text|json] COMMAND [OPTIONS] ...\n\n"
                "Commands:\n");
  for (i = 0; i < sizeof (commands) / sizeof (commands[0]); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].help);
}

int
oci_positional (int argc, char **argv, int optind_, int n, const char *usage_line, berth_error_t *err)
{
  if (argc - optind_ != n)
    return berth_error_make (err, EINVAL, "usage: %s", usage_line);
  return 0;
}

char *
oci_absolute (const char *path)
{
  char cwd[4096];

  if (path[0] == '/')
    return xstrdup (path);
  if (getcwd (cwd, sizeof (cwd)) == NULL)
    return xstrdup (path);
  if (strcmp (path, ".") == 0)
    return xstrdup (cwd);
  return xasprintf ("%s/%s", cwd, path);
}

static void
log_to_file (struct oci_globals *g, const char *msg)
{
  cleanup_close int fd = -1;
  cleanup_free char *line = NULL;

  if (g->log_path == NULL)
    return;
  fd = open (g->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return;
  if (g->log_json)
    {
      cleanup_free char *now = berth_rfc3339_now ();
      json_object *o = json_object_new_object ();
      json_object_object_add (o, "level", json_object_new_string ("error"));
      json_object_object_add (o, "msg", json_object_new_string (msg));
      json_object_object_add (o, "time", json_object_new_string (now));
      line = xasprintf ("%s\n", json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN));
      json_object_put (o);
    }
  else
    line = xasprintf ("berth-runtime: %s\n", msg);
  if (write (fd, line, strlen (line)) < 0)
    return;
}

/* the command name, skipping global options and their values */
static const char *
peek_command (int argc, char **argv)
{
  int i;

  for (i = 1; i < argc; i++)
    {
      const char *a = argv[i];
      if (a[0] != '-')
        return a;
      if (strchr (a, '='))
        continue;
      if (strcmp (a, "--root") == 0 || strcmp (a, "-root") == 0 || strcmp (a, "--log") == 0
          || strcmp (a, "-log") == 0 || strcmp (a, "--log-format") == 0 || strcmp (a, "-log-format") == 0
          || strcmp (a, "--rootless") == 0 || strcmp (a, "-rootless") == 0 || strcmp (a, "--criu") == 0)
        i++;
    }
  return NULL;
}

static int
parse_globals (struct oci_globals *g, int argc, char **argv, berth_error_t *err)
{
  enum
  {
    OPT_ROOT = 256,
    OPT_LOG,
    OPT_LOG_FORMAT,
    OPT_SYSTEMD,
    OPT_DEBUG,
    OPT_ROOTLESS,
    OPT_CRIU,
    OPT_HELP,
    OPT_VERSION,
  };
  static const struct option opts[] = {
    { "root", required_argument, NULL, OPT_ROOT },
    { "log", required_argument, NULL, OPT_LOG },
    { "log-format", required_argument, NULL, OPT_LOG_FORMAT },
    { "systemd-cgroup", no_argument, NULL, OPT_SYSTEMD },
    { "debug", no_argument, NULL, OPT_DEBUG },
    { "rootless", required_argument, NULL, OPT_ROOTLESS },
    { "criu", required_argument, NULL, OPT_CRIU },
    { "help", no_argument, NULL, OPT_HELP },
    { "version", no_argument, NULL, OPT_VERSION },
    { NULL, 0, NULL, 0 },
  };
  int c;

  opterr = 0;
  while ((c = getopt_long_only (argc, argv, "+hv", opts, NULL)) != -1)
    switch (c)
      {
      case OPT_ROOT:
        g->root = optarg;
        break;
      case OPT_LOG:
        g->log_path = optarg;
        break;
      case OPT_LOG_FORMAT:
        if (strcmp (optarg, "json") == 0)
          g->log_json = true;
        else if (strcmp (optarg, "text") == 0)
          g->log_json = false;
        else
          return berth_error_make (err, EINVAL, "--log-format: `%s` is not text or json", optarg);
        break;
      case OPT_SYSTEMD:
        return berth_error_make (err, ENOTSUP, "--systemd-cgroup: the systemd cgroup driver is not supported; "
                                               "berth-runtime manages cgroups through cgroupfs");
      case OPT_DEBUG:
        g->debug = true;
        break;
      case OPT_ROOTLESS:
        if (strcmp (optarg, "true") == 0)
          return berth_error_make (err, ENOTSUP, "--rootless true: rootless mode is not supported");
        break;
      case OPT_CRIU:
        break;
      case OPT_HELP:
      case 'h':
        usage (stdout);
        exit (0);
      case OPT_VERSION:
      case 'v':
        printf ("berth-runtime version %s\nspec: 1.2.0\n", PACKAGE_VERSION);
        exit (0);
      default:
        return berth_error_make (err, EINVAL, "unknown global option `%s`", argv[optind - 1]);
      }
  return 0;
}

int
main (int argc, char **argv)
{
  struct oci_globals g = { .root = BERTH_RUNTIME_DEFAULT_ROOT };
  berth_error_t err = NULL;
  const char *cmd = peek_command (argc, argv);
  size_t i;
  int ret;

  berth_log_init ("berth-runtime", BERTH_LOG_WARN, BERTH_LOG_TARGET_STDERR);
  for (i = 0; cmd && i < sizeof (commands) / sizeof (commands[0]); i++)
    if (strcmp (cmd, commands[i].name) == 0 && commands[i].enters && berth_ensure_cloned_binary (argv, &err) < 0)
      goto fail;
  if (parse_globals (&g, argc, argv, &err) < 0)
    goto fail;
  if (g.debug)
    berth_log_set_level (BERTH_LOG_DEBUG);
  if (optind >= argc)
    {
      usage (stderr);
      return 1;
    }
  cmd = argv[optind];
  for (i = 0; i < sizeof (commands) / sizeof (commands[0]); i++)
    if (strcmp (cmd, commands[i].name) == 0)
      break;
  if (i == sizeof (commands) / sizeof (commands[0]))
    {
      berth_error_make (&err, EINVAL, "unknown command `%s` (try --help)", cmd);
      goto fail;
    }
  /* each command parses its own options from its name on */
  argc -= optind;
  argv += optind;
  optind = 0;
  ret = commands[i].fn (&g, argc, argv, &err);
  if (ret < 0)
    goto fail;
  return oci_exit_status;
fail:
  fprintf (stderr, "berth-runtime: %s\n", berth_error_msg (&err));
  log_to_file (&g, berth_error_msg (&err));
  berth_error_release (&err);
  return 1;
}
