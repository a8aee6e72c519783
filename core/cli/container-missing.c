/* Container commands whose API routes berthd does not serve yet: they say
   so instead of pretending. */
#include "config.h"

#include <stdio.h>

#include "core/cli/container.h"

int
berth_cmd_not_implemented (struct berth_cli *cli, int argc, char **argv)
{
  (void)cli;
  (void)argc;
  fprintf (stderr, "berth: '%s' is not implemented yet\n", argv[0]);
  return 1;
}
