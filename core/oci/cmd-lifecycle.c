/* create, run, start, kill, delete */
#include "config.h"

#include "core/oci/oci.h"
#include "core/runtime/container.h"
#include "core/runtime/signals.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

enum
{
  OPT_BUNDLE = 256,
  OPT_PID_FILE,
  OPT_CONSOLE_SOCKET,
  OPT_PRESERVE_FDS,
  OPT_NO_PIVOT,
  OPT_NO_NEW_KEYRING,
  OPT_DETACH,
  OPT_KEEP,
  OPT_NO_SUBREAPER,
  OPT_PIDFD_SOCKET,
};

static const struct option create_opts[] = {
  { "bundle", required_argument, NULL, OPT_BUNDLE },
  { "pid-file", required_argument, NULL, OPT_PID_FILE },
  { "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
  { "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
  { "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
  { "no-new-keyring", no_argument, NULL, OPT_NO_NEW_KEYRING },
  { "detach", no_argument, NULL, OPT_DETACH },
  { "keep", no_argument, NULL, OPT_KEEP },
  { "no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER },
  { "pidfd-socket", required_argument, NULL, OPT_PIDFD_SOCKET },
  { NULL, 0, NULL, 0 },
};

static int
parse_count (const char *s, int *out, berth_error_t *err)
{
  char *end;
  long v = strtol (s, &end, 10);

  if (*s == '\0' || *end || v < 0 || v > 10000)
    return berth_error_make (err, EINVAL, "--preserve-fds: `%s` is not a count", s);
  *out = (int) v;
  return 0;
}

static int
create_or_run (struct oci_globals *g, int argc, char **argv, bool run, berth_error_t *err)
{
  struct berth_create_opts o = { 0 };
  cleanup_free char *bundle = NULL;
  cleanup_free char *pid_file = NULL;
  bool detach = false;
  int c, status = 0;
  const char *usage_line = run ? "run [--bundle DIR] [--detach] [--pid-file F] [--console-socket S] ID"
                               : "create [--bundle DIR] [--pid-file F] [--console-socket S] ID";

  while ((c = getopt_long_only (argc, argv, "+b:d", create_opts, NULL)) != -1)
    switch (c)
      {
      case 'b':
      case OPT_BUNDLE:
        free (bundle);
        bundle = oci_absolute (optarg);
        break;
      case OPT_PID_FILE:
        free (pid_file);
        pid_file = oci_absolute (optarg);
        break;
      case OPT_CONSOLE_SOCKET:
        o.console_socket = optarg;
        break;
      case OPT_PRESERVE_FDS:
        if (parse_count (optarg, &o.preserve_fds, err) < 0)
          return berth_error_ret (err);
        break;
      case OPT_NO_PIVOT:
        o.no_pivot = true;
        break;
      case 'd':
      case OPT_DETACH:
        detach = true;
        break;
      case OPT_KEEP:
        o.keep = true;
        break;
      case OPT_NO_NEW_KEYRING:
      case OPT_NO_SUBREAPER:
        break;
      case OPT_PIDFD_SOCKET:
        return berth_error_make (err, ENOTSUP, "--pidfd-socket is not supported");
      default:
        return berth_error_make (err, EINVAL, "unknown option `%s`; usage: %s", argv[optind - 1], usage_line);
      }
  if (oci_positional (argc, argv, optind, 1, usage_line, err) < 0)
    return berth_error_ret (err);
  if (!run && detach)
    return berth_error_make (err, EINVAL, "--detach is for run");
  if (bundle == NULL)
    bundle = oci_absolute (".");
  o.bundle = bundle;
  o.pid_file = pid_file;
  if (berth_container_create (g->root, argv[optind], run ? (detach ? BERTH_RUN_DETACH : BERTH_RUN) : BERTH_CREATE, &o,
                              &status, err)
      < 0)
    return berth_error_ret (err);
  oci_exit_status = status;
  return 0;
}

int
oci_cmd_create (struct oci_globals *g, int argc, char **argv, berth_error_t *err)
{
  return create_or_run (g, argc, argv, false, err);
}

int
oci_cmd_run (struct oci_globals *g, int argc, char **argv, berth_error_t *err)
{
  return create_or_run (g, argc, argv, true, err);
}

static const struct option no_opts[] = { { NULL, 0, NULL, 0 } };

int
oci_cmd_start (struct oci_globals *g, int argc, char **argv, berth_error_t *err)
{
  int c;

  while ((c = getopt_long_only (argc, argv, "+", no_opts, NULL)) != -1)
    return berth_error_make (err, EINVAL, "unknown option `%s`; usage: start ID", argv[optind - 1]);
  if (oci_positional (argc, argv, optind, 1, "start ID", err) < 0)
    return berth_error_ret (err);
  return berth_container_start (g->root, argv[optind], err);
}

int
oci_cmd_kill (struct oci_globals *g, int argc, char **argv, berth_error_t *err)
{
  static const struct option opts[] = { { "all", no_argument, NULL, 'a' }, { NULL, 0, NULL, 0 } };
  const char *usage_line = "kill [--all] ID [SIGNAL]";
  bool all = false;
  int c, sig = SIGTERM;

  while ((c = getopt_long_only (argc, argv, "+a", opts, NULL)) != -1)
    {
      if (c != 'a')
        return berth_error_make (err, EINVAL, "unknown option `%s`; usage: %s", argv[optind - 1], usage_line);
      all = true;
    }
  if (argc - optind == 2)
    {
      sig = berth_signal_parse (argv[optind + 1]);
      if (sig < 0)
        return berth_error_make (err, EINVAL, "kill: unknown signal `%s`", argv[optind + 1]);
    }
  else if (oci_positional (argc, argv, optind, 1, usage_line, err) < 0)
    return berth_error_ret (err);
  return berth_container_kill (g->root, argv[optind], sig, all, err);
}

int
oci_cmd_delete (struct oci_globals *g, int argc, char **argv, berth_error_t *err)
{
  static const struct option opts[] = { { "force", no_argument, NULL, 'f' }, { NULL, 0, NULL, 0 } };
  bool force = false;
  int c;

  while ((c = getopt_long_only (argc, argv, "+f", opts, NULL)) != -1)
    {
      if (c != 'f')
        return berth_error_make (err, EINVAL, "unknown option `%s`; usage: delete [--force] ID", argv[optind - 1]);
      force = true;
    }
  if (oci_positional (argc, argv, optind, 1, "delete [--force] ID", err) < 0)
    return berth_error_ret (err);
  return berth_container_delete (g->root, argv[optind], force, err);
}
