/* berth pull, and what run/create and push share with it: Docker's JSON
   progress streams rendered as the docker CLI does (a line per id rewritten
   in place on a terminal; plain "id: status" lines otherwise, progress bars
   dropped). */
#ifndef BERTH_CLI_IMAGE_PULL_H
#define BERTH_CLI_IMAGE_PULL_H

#include <stdbool.h>
#include <stdio.h>

#include "core/cli/cli.h"
#include "core/image/reference.h"
#include "core/lib/error.h"

/* POST path and show its JSON message stream on out (nothing when quiet).
   An errorDetail in the stream becomes an error.  ret_aux (may be NULL)
   gets the last "aux" object. */
int berth_cli_progress_request (struct berth_client *client, const char *path, FILE *out, bool quiet,
                                struct json_object **ret_aux, berth_error_t *err);

/* Pull ref (platform may be NULL), progress on out unless quiet. */
int berth_cli_pull_image (struct berth_client *client, const struct image_ref *ref, const char *platform, FILE *out,
                          bool quiet, berth_error_t *err);

int berth_cmd_pull (struct berth_cli *cli, int argc, char **argv);
/* image-push.c */
int berth_cmd_push (struct berth_cli *cli, int argc, char **argv);

#endif
