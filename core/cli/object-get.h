/* Getting objects from the daemon for the commands that list and inspect
 * them (ls, inspect of networks, volumes, containers, images). */
#ifndef BERTH_CLI_OBJECT_GET_H
#define BERTH_CLI_OBJECT_GET_H

#include "core/cli/cli.h"

/* GET path as JSON into *ret: 0, or -1 after printing why. */
int berth_cli_get_json (struct berth_cli *cli, const char *path, struct json_object **ret);

/* GET <collection>/<name> for each of names[0..n), then print those found as
   one indented JSON array, or each through `format` (may be NULL).  A name
   not found is reported on stderr and makes the exit status 1. */
int berth_cli_inspect_objects (struct berth_cli *cli, const char *collection, char **names, int n, const char *format);

#endif
