/* `berth image SUBCOMMAND` and `berth system SUBCOMMAND`, as docker's
   management commands. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/cli/cli.h"
#include "core/cli/container.h"
#include "core/cli/image-pull.h"

static const struct berth_command image_commands[] = {
  { "build", berth_cmd_build, "Build an image from a Dockerfile" },
  { "history", berth_cmd_history, "Show the history of an image" },
  { "import", berth_cmd_import, "Import the contents from a tarball to create a filesystem image" },
  { "inspect", berth_cmd_image_inspect, "Display detailed information on one or more images" },
  { "load", berth_cmd_load, "Load an image from a tar archive or STDIN" },
  { "ls", berth_cmd_images, "List images" },
  { "list", berth_cmd_images, NULL },
  { "prune", berth_cmd_image_prune, "Remove unused images" },
  { "pull", berth_cmd_pull, "Download an image from a registry" },
  { "push", berth_cmd_push, "Upload an image to a registry" },
  { "rm", berth_cmd_rmi, "Remove one or more images" },
  { "remove", berth_cmd_rmi, NULL },
  { "save", berth_cmd_save, "Save one or more images to a tar archive (streamed to STDOUT by default)" },
  { "tag", berth_cmd_tag, "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE" },
};

static const struct berth_command system_commands[] = {
  { "df", berth_cmd_system_df, "Show berth disk usage" },
  { "events", berth_cmd_events, "Get real time events from the server" },
  { "info", berth_cmd_info, "Display system-wide information" },
};

static int
management (struct berth_cli *cli, int argc, char **argv, const char *group, const char *summary,
            const struct berth_command *cmds, size_t n)
{
  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      FILE *out = argc < 2 ? stderr : stdout;
      fprintf (out, "Usage:  berth %s COMMAND\n\n%s\n\nCommands:\n", group, summary);
      for (size_t i = 0; i < n; i++)
        if (cmds[i].summary != NULL)
          fprintf (out, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
      fprintf (out, "\nRun 'berth %s COMMAND --help' for more information on a command.\n", group);
      return argc < 2 ? 1 : 0;
    }
  for (size_t i = 0; i < n; i++)
    if (strcmp (argv[1], cmds[i].name) == 0)
      return cmds[i].fn (cli, argc - 1, argv + 1);
  fprintf (stderr, "berth: unknown command: berth %s %s\n\nRun 'berth %s --help' for more information\n", group,
           argv[1], group);
  return 1;
}

int
berth_cmd_image (struct berth_cli *cli, int argc, char **argv)
{
  return management (cli, argc, argv, "image", "Manage images", image_commands,
                     sizeof (image_commands) / sizeof (image_commands[0]));
}

int
berth_cmd_system (struct berth_cli *cli, int argc, char **argv)
{
  return management (cli, argc, argv, "system", "Manage berth", system_commands,
                     sizeof (system_commands) / sizeof (system_commands[0]));
}
