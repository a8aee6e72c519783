#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/daemon/options.h"
#include "core/lib/api-version.h"
#include "core/lib/mem.h"

#define DEFAULT_CONFIG BERTH_SYSCONFDIR "/berth/berth.yaml"

static void
usage (FILE *out)
{
  fprintf (out, "Usage: berthd [OPTIONS]\n"
                "\n"
                "The berth container engine daemon.\n"
                "\n"
                "Options:\n"
                "      --config FILE           configuration file (default " DEFAULT_CONFIG ")\n"
                "      --data-root DIR         root of persistent state\n"
                "      --exec-root DIR         root of runtime state (socket, pid file)\n"
                "  -H, --host ADDR             listen on unix:///PATH or tcp://HOST:PORT (beyond loopback\n"
                "                              only with --tlsverify); repeatable, replaces the configured hosts\n"
                "      --tls                   serve TCP listeners over TLS (implied by --tlsverify)\n"
                "      --tlsverify             TLS, and require client certificates signed by --tlscacert\n"
                "      --tlscacert FILE        trust client certificates signed by this CA\n"
                "      --tlscert FILE          the server's TLS certificate\n"
                "      --tlskey FILE           the server's TLS key\n"
                "      --storage-driver NAME   storage driver (auto picks overlay where it works, else vfs)\n"
                "      --log-level LEVEL       error, warn, info or debug\n"
                "      --pidfile FILE          pid file, locked while the daemon runs\n"
                "      --validate              load the configuration and plugins, select the storage\n"
                "                              driver, print the drivers and exit\n"
                "  -h, --help                  print this help and exit\n"
                "  -v, --version               print the version and exit\n"
                "\n"
                "Command-line options override the configuration file.\n");
}

static void
strv_append (char ***v, const char *s)
{
  size_t n = 0;
  while (*v != NULL && (*v)[n] != NULL)
    n++;
  *v = xrealloc (*v, (n + 2) * sizeof (char *));
  (*v)[n] = xstrdup (s);
  (*v)[n + 1] = NULL;
}

/* Certificate flags may be relative, as dockerd's; the configuration keeps
   absolute paths. */
static char *
absolute_path (const char *path)
{
  cleanup_free char *cwd = NULL;

  if (path[0] == '/' || path[0] == '\0' || (cwd = getcwd (NULL, 0)) == NULL)
    return xstrdup (path);
  return xasprintf ("%s/%s", cwd, path);
}

int
main (int argc, char **argv)
{
  enum
  {
    OPT_CONFIG = 256,
    OPT_DATA_ROOT,
    OPT_EXEC_ROOT,
    OPT_STORAGE_DRIVER,
    OPT_LOG_LEVEL,
    OPT_PIDFILE,
    OPT_VALIDATE,
    OPT_TLS,
    OPT_TLSVERIFY,
    OPT_TLSCACERT,
    OPT_TLSCERT,
    OPT_TLSKEY,
  };
  static const struct option long_options[] = {
    { "config", required_argument, NULL, OPT_CONFIG },
    { "data-root", required_argument, NULL, OPT_DATA_ROOT },
    { "exec-root", required_argument, NULL, OPT_EXEC_ROOT },
    { "host", required_argument, NULL, 'H' },
    { "storage-driver", required_argument, NULL, OPT_STORAGE_DRIVER },
    { "log-level", required_argument, NULL, OPT_LOG_LEVEL },
    { "pidfile", required_argument, NULL, OPT_PIDFILE },
    { "validate", no_argument, NULL, OPT_VALIDATE },
    { "tls", optional_argument, NULL, OPT_TLS },
    { "tlsverify", optional_argument, NULL, OPT_TLSVERIFY },
    { "tlscacert", required_argument, NULL, OPT_TLSCACERT },
    { "tlscert", required_argument, NULL, OPT_TLSCERT },
    { "tlskey", required_argument, NULL, OPT_TLSKEY },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'v' },
    { NULL, 0, NULL, 0 },
  };
  struct berthd_options opts = { 0 };
  cleanup_strv char **hosts = NULL;
  cleanup_free char *tlscacert = NULL, *tlscert = NULL, *tlskey = NULL;
  int c;

  while ((c = getopt_long (argc, argv, "H:hv", long_options, NULL)) != -1)
    switch (c)
      {
      case OPT_CONFIG:
        opts.config_path = optarg;
        break;
      case OPT_DATA_ROOT:
        opts.data_root = optarg;
        break;
      case OPT_EXEC_ROOT:
        opts.exec_root = optarg;
        break;
      case 'H':
        strv_append (&hosts, optarg);
        break;
      case OPT_STORAGE_DRIVER:
        opts.storage_driver = optarg;
        break;
      case OPT_LOG_LEVEL:
        opts.log_level = optarg;
        break;
      case OPT_PIDFILE:
        opts.pidfile = optarg;
        break;
      case OPT_VALIDATE:
        opts.validate = true;
        break;
      case OPT_TLS:
      case OPT_TLSVERIFY:
        /* Go's boolean flags: --tlsverify or --tlsverify=false */
        if (optarg != NULL && strcmp (optarg, "true") != 0 && strcmp (optarg, "false") != 0)
          {
            fprintf (stderr, "berthd: --%s: must be true or false, not `%s`\n", c == OPT_TLS ? "tls" : "tlsverify",
                     optarg);
            return 1;
          }
        *(c == OPT_TLS ? &opts.tls : &opts.tlsverify) = optarg != NULL ? optarg : "true";
        break;
      case OPT_TLSCACERT:
        free (tlscacert);
        opts.tlscacert = tlscacert = absolute_path (optarg);
        break;
      case OPT_TLSCERT:
        free (tlscert);
        opts.tlscert = tlscert = absolute_path (optarg);
        break;
      case OPT_TLSKEY:
        free (tlskey);
        opts.tlskey = tlskey = absolute_path (optarg);
        break;
      case 'h':
        usage (stdout);
        return 0;
      case 'v':
        printf ("berthd version %s, build %s\n", PACKAGE_VERSION, BERTH_GIT_COMMIT);
        return 0;
      default:
        fprintf (stderr, "See 'berthd --help'.\n");
        return 1;
      }
  if (optind < argc)
    {
      fprintf (stderr, "berthd: unexpected argument `%s`\nSee 'berthd --help'.\n", argv[optind]);
      return 1;
    }
  opts.hosts = hosts;
  return berthd_run (&opts);
}
