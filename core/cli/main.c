#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cli/cli.h"
#include "core/cli/container.h"
#include "core/cli/auth-config.h"
#include "core/cli/image-pull.h"
#include "core/lib/api-version.h"
#include "core/lib/mem.h"

static const struct berth_command commands[] = {
  { "attach", berth_cmd_attach, "Attach local standard input, output, and error streams to a running container" },
  { "build", berth_cmd_build, "Build an image from a Dockerfile" },
  { "commit", berth_cmd_commit, "Create a new image from a container's changes" },
  { "container", berth_cmd_container, "Manage containers" },
  { "cp", berth_cmd_cp, "Copy files/folders between a container and the local filesystem" },
  { "create", berth_cmd_create, "Create a new container" },
  { "events", berth_cmd_events, "Get real time events from the server" },
  { "exec", berth_cmd_exec, "Execute a command in a running container" },
  { "diff", berth_cmd_diff, "Inspect changes to files or directories on a container's filesystem" },
  { "export", berth_cmd_export, "Export a container's filesystem as a tar archive" },
  { "history", berth_cmd_history, "Show the history of an image" },
  { "image", berth_cmd_image, "Manage images" },
  { "images", berth_cmd_images, "List images" },
  { "import", berth_cmd_import, "Import the contents from a tarball to create a filesystem image" },
  { "info", berth_cmd_info, "Display system-wide information" },
  { "inspect", berth_cmd_inspect, "Return low-level information on berth objects" },
  { "kill", berth_cmd_kill, "Kill one or more running containers" },
  { "load", berth_cmd_load, "Load an image from a tar archive or STDIN" },
  { "login", berth_cmd_login, "Log in to a registry" },
  { "logout", berth_cmd_logout, "Log out from a registry" },
  { "logs", berth_cmd_logs, "Fetch the logs of a container" },
  { "network", berth_cmd_network, "Manage networks" },
  { "pause", berth_cmd_pause, "Pause all processes within one or more containers" },
  { "port", berth_cmd_port, "List port mappings or a specific mapping for the container" },
  { "ps", berth_cmd_ps, "List containers" },
  { "pull", berth_cmd_pull, "Download an image from a registry" },
  { "push", berth_cmd_push, "Upload an image to a registry" },
  { "rename", berth_cmd_rename, "Rename a container" },
  { "restart", berth_cmd_restart, "Restart one or more containers" },
  { "rm", berth_cmd_rm, "Remove one or more containers" },
  { "rmi", berth_cmd_rmi, "Remove one or more images" },
  { "run", berth_cmd_run, "Create and run a new container from an image" },
  { "save", berth_cmd_save, "Save one or more images to a tar archive (streamed to STDOUT by default)" },
  { "start", berth_cmd_start, "Start one or more stopped containers" },
  { "stats", berth_cmd_stats, "Display a live stream of container(s) resource usage statistics" },
  { "stop", berth_cmd_stop, "Stop one or more running containers" },
  { "system", berth_cmd_system, "Manage berth" },
  { "tag", berth_cmd_tag, "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE" },
  { "top", berth_cmd_top, "Display the running processes of a container" },
  { "unpause", berth_cmd_unpause, "Unpause all processes within one or more containers" },
  { "version", berth_cmd_version, "Show the berth version information" },
  { "volume", berth_cmd_volume, "Manage volumes" },
  { "wait", berth_cmd_wait, "Block until one or more containers stop, then print their exit codes" },
};

/* Docker commands whose API routes berthd does not serve yet: not listed
   in the help, and they say so when used. */
static const char *const not_implemented[] = { "update", NULL };

static void
usage (FILE *out)
{
  fprintf (out, "Usage:  berth [OPTIONS] COMMAND\n"
                "\n"
                "A container engine compatible with the Docker Engine API\n"
                "\n"
                "Commands:\n");
  for (size_t i = 0; i < sizeof (commands) / sizeof (commands[0]); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\n"
                "Global Options:\n"
                "  -H, --host string   Daemon socket to connect to: unix:///PATH or tcp://HOST:PORT\n"
                "                      (default $BERTH_HOST, else " BERTH_DEFAULT_HOST ")\n"
                "      --tls           Use TLS; implied by --tlsverify\n"
                "      --tlscacert string\n"
                "                      Trust certs signed only by this CA (default\n"
                "                      $BERTH_CERT_PATH/ca.pem, else ~/.berth/ca.pem)\n"
                "      --tlscert string\n"
                "                      Path to TLS certificate file (default cert.pem beside ca.pem)\n"
                "      --tlskey string Path to TLS key file (default key.pem beside ca.pem)\n"
                "      --tlsverify     Use TLS and verify the remote (default $BERTH_TLS_VERIFY)\n"
                "  -h, --help          Print usage\n"
                "  -v, --version       Print version information and quit\n"
                "\n"
                "Run 'berth COMMAND --help' for more information on a command.\n");
}

struct berth_client *
berth_cli_client (struct berth_cli *cli)
{
  cleanup_error berth_error_t err = NULL;

  if (cli->client == NULL && berth_client_new (cli->host, &cli->client, &err) < 0)
    {
      fprintf (stderr, "berth: %s\n", berth_error_msg (&err));
      return NULL;
    }
  if (berth_client_use_tls (cli->client, &cli->tls, &err) < 0)
    {
      fprintf (stderr, "berth: %s\n", berth_error_msg (&err));
      berth_client_free (steal_pointer (&cli->client));
      return NULL;
    }
  return cli->client;
}

int
main (int argc, char **argv)
{
  enum
  {
    OPT_TLS = 256,
    OPT_TLSVERIFY,
    OPT_TLSCACERT,
    OPT_TLSCERT,
    OPT_TLSKEY,
  };
  static const struct option global_options[] = {
    { "host", required_argument, NULL, 'H' },
    { "tls", optional_argument, NULL, OPT_TLS },
    { "tlsverify", optional_argument, NULL, OPT_TLSVERIFY },
    { "tlscacert", required_argument, NULL, OPT_TLSCACERT },
    { "tlscert", required_argument, NULL, OPT_TLSCERT },
    { "tlskey", required_argument, NULL, OPT_TLSKEY },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'v' },
    { NULL, 0, NULL, 0 },
  };
  struct berth_cli cli = { 0 };
  const char *env_host = getenv ("BERTH_HOST");
  int c, status;

  cli.host = env_host != NULL && env_host[0] != '\0' ? env_host : BERTH_DEFAULT_HOST;
  opterr = 0;
  /* '+': stop at the command; its own options are parsed by the command. */
  while ((c = getopt_long (argc, argv, "+:H:hv", global_options, NULL)) != -1)
    switch (c)
      {
      case 'H':
        cli.host = optarg;
        break;
      case OPT_TLS:
      case OPT_TLSVERIFY:
        /* Go's boolean flags: --tlsverify or --tlsverify=false */
        if (optarg != NULL && strcmp (optarg, "true") != 0 && strcmp (optarg, "false") != 0)
          {
            fprintf (stderr, "invalid argument \"%s\" for \"--%s\" flag\nSee 'berth --help'.\n", optarg,
                     c == OPT_TLS ? "tls" : "tlsverify");
            return 125;
          }
        *(c == OPT_TLS ? &cli.tls.tls : &cli.tls.tlsverify) = optarg != NULL ? optarg : "true";
        break;
      case OPT_TLSCACERT:
        cli.tls.cacert = optarg;
        break;
      case OPT_TLSCERT:
        cli.tls.cert = optarg;
        break;
      case OPT_TLSKEY:
        cli.tls.key = optarg;
        break;
      case 'h':
        usage (stdout);
        return 0;
      case 'v':
        printf ("berth version %s, build %s\n", PACKAGE_VERSION, BERTH_GIT_COMMIT);
        return 0;
      case ':':
        fprintf (stderr, "flag needs an argument: %s\nSee 'berth --help'.\n", argv[optind - 1]);
        return 125;
      default:
        if (optopt != 0)
          fprintf (stderr, "unknown shorthand flag: '%c' in -%c\nSee 'berth --help'.\n", optopt, optopt);
        else
          fprintf (stderr, "unknown flag: %s\nSee 'berth --help'.\n", argv[optind - 1]);
        return 125;
      }

  if (optind >= argc)
    {
      usage (stdout);
      return 0;
    }
  for (size_t i = 0; i < sizeof (commands) / sizeof (commands[0]); i++)
    if (strcmp (argv[optind], commands[i].name) == 0)
      {
        status = commands[i].fn (&cli, argc - optind, argv + optind);
        berth_client_free (cli.client);
        return status;
      }
  for (size_t i = 0; not_implemented[i] != NULL; i++)
    if (strcmp (argv[optind], not_implemented[i]) == 0)
      return berth_cmd_not_implemented (&cli, argc - optind, argv + optind);
  fprintf (stderr, "berth: '%s' is not a berth command.\nSee 'berth --help'.\n", argv[optind]);
  return 1;
}
