/* The berth command line: global state, the command table's types, and
   helpers shared by the commands. */
#ifndef BERTH_CLI_CLI_H
#define BERTH_CLI_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "core/cli/client.h"

struct berth_cli
{
  const char *host;            /* -H, $BERTH_HOST, or the default */
  struct berth_client *client; /* created on first use */
};

/* argv[0] is the command name; returns the exit status. */
typedef int (*berth_command_fn) (struct berth_cli *cli, int argc, char **argv);

struct berth_command
{
  const char *name;
  berth_command_fn fn;
  const char *summary;
};

/* The client for cli->host; prints the error and returns NULL on failure. */
struct berth_client *berth_cli_client (struct berth_cli *cli);

/* Parse a command's options with getopt_long (a --help/-h option is added).
   Returns 0 with optind at the first operand after calling on_opt for each
   option, or 1 when the command should exit with *exit_status: 0 after
   printing `usage` for --help, 125 after docker's "unknown flag" hint. */
typedef int (*berth_opt_fn) (int opt, const char *arg, void *ud);
int berth_cli_parse (int argc, char **argv, const char *usage, const struct option *opts, const char *shortopts,
                     berth_opt_fn on_opt, void *ud, int *exit_status);

/* JSON accessors that tolerate missing or mistyped fields. */
const char *berth_json_str (struct json_object *o, const char *key);
int64_t berth_json_int (struct json_object *o, const char *key);
bool berth_json_bool (struct json_object *o, const char *key);
struct json_object *berth_json_get (struct json_object *o, const char *key);

/* docker's units.BytesSize: "23.54GiB" */
void berth_format_bytes (int64_t n, char *buf, size_t len);
/* RFC 3339 -> Go's time.ANSIC ("Mon Jan  2 15:04:05 2006"); unparsable
   input is returned as is.  Returns buf. */
const char *berth_format_build_time (const char *rfc3339, char *buf, size_t len);

int berth_cmd_version (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_info (struct berth_cli *cli, int argc, char **argv);

#endif
