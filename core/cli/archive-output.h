/* Where berth save and berth export write the archive the daemon streams:
 * the file of -o (complete or not at all) or standard output. */
#ifndef BERTH_CLI_ARCHIVE_OUTPUT_H
#define BERTH_CLI_ARCHIVE_OUTPUT_H

#include <stdbool.h>

#include "core/cli/client.h"

/* Docker refuses to write an archive to a terminal: true, after saying so,
   when there is no -o and standard output is one. */
bool berth_cli_archive_output_refused (const char *output);

/* GET `path` into `output` (written to a temporary file beside it and
   renamed once complete) or, when NULL, to standard output.  Errors say
   "failed to <what>: ..." (what: "save image").  The exit status. */
int berth_cli_archive_output (struct berth_client *client, const char *path, const char *output, const char *what);

#endif
