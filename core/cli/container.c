/* berth container SUBCOMMAND: the same commands under docker's management
   command names. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/cli/container.h"

static const struct berth_command subcommands[] = {
  { "attach", berth_cmd_attach, "Attach local standard input, output, and error streams to a running container" },
  { "commit", berth_cmd_commit, "Create a new image from a container's changes" },
  { "cp", berth_cmd_cp, "Copy files/folders between a container and the local filesystem" },
  { "create", berth_cmd_create, "Create a new container" },
  { "diff", berth_cmd_diff, "Inspect changes to files or directories on a container's filesystem" },
  { "exec", berth_cmd_exec, "Execute a command in a running container" },
  { "export", berth_cmd_export, "Export a container's filesystem as a tar archive" },
  { "inspect", berth_cmd_container_inspect, "Display detailed information on one or more containers" },
  { "kill", berth_cmd_kill, "Kill one or more running containers" },
  { "list", berth_cmd_ps, "List containers" },
  { "logs", berth_cmd_logs, "Fetch the logs of a container" },
  { "ls", berth_cmd_ps, "List containers" },
  { "pause", berth_cmd_pause, "Pause all processes within one or more containers" },
  { "port", berth_cmd_port, "List port mappings or a specific mapping for the container" },
  { "prune", berth_cmd_container_prune, "Remove all stopped containers" },
  { "ps", berth_cmd_ps, "List containers" },
  { "remove", berth_cmd_rm, "Remove one or more containers" },
  { "rename", berth_cmd_rename, "Rename a container" },
  { "restart", berth_cmd_restart, "Restart one or more containers" },
  { "rm", berth_cmd_rm, "Remove one or more containers" },
  { "run", berth_cmd_run, "Create and run a new container from an image" },
  { "start", berth_cmd_start, "Start one or more stopped containers" },
  { "stats", berth_cmd_stats, "Display a live stream of container(s) resource usage statistics" },
  { "stop", berth_cmd_stop, "Stop one or more running containers" },
  { "top", berth_cmd_top, "Display the running processes of a container" },
  { "unpause", berth_cmd_unpause, "Unpause all processes within one or more containers" },
  { "wait", berth_cmd_wait, "Block until one or more containers stop, then print their exit codes" },
};

static const char *const missing[] = { "update", NULL };

static void
usage (FILE *out)
{
  fprintf (out, "Usage:  berth container COMMAND\n\nManage containers\n\nCommands:\n");
  for (size_t i = 0; i < sizeof (subcommands) / sizeof (subcommands[0]); i++)
    fprintf (out, "  %-10s %s\n", subcommands[i].name, subcommands[i].summary);
  fprintf (out, "\nRun 'berth container COMMAND --help' for more information on a command.\n");
}

int
berth_cmd_container (struct berth_cli *cli, int argc, char **argv)
{
  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      usage (stdout);
      return 0;
    }
  for (size_t i = 0; i < sizeof (subcommands) / sizeof (subcommands[0]); i++)
    if (strcmp (argv[1], subcommands[i].name) == 0)
      return subcommands[i].fn (cli, argc - 1, argv + 1);
  for (size_t i = 0; missing[i] != NULL; i++)
    if (strcmp (argv[1], missing[i]) == 0)
      return berth_cmd_not_implemented (cli, argc - 1, argv + 1);
  fprintf (stderr, "berth: 'container %s' is not a berth command.\nSee 'berth container --help'.\n", argv[1]);
  return 1;
}
