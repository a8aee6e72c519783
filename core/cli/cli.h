/* The berth command line: global state, the command table's types, and
   helpers shared by the commands. */
#ifndef BERTH_CLI_CLI_H
#define BERTH_CLI_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "core/cli/client.h"

struct berth_cli
{
  const char *host;            /* -H, $BERTH_HOST, or the default */
  struct berth_client *client; /* created on first use */
  struct berth_tls_flags tls;  /* --tls, --tlsverify, --tlscacert, --tlscert, --tlskey */
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
/* the value --help gets (so that commands may use -h for something else) */
#define BERTH_OPT_HELP 0x7fff
int berth_cli_parse (int argc, char **argv, const char *usage, const struct option *opts, const char *shortopts,
                     berth_opt_fn on_opt, void *ud, int *exit_status);
/* As berth_cli_parse, but options may also follow operands (cobra's default:
   `berth save busybox -o x.tar`); for commands without a trailing command line. */
int berth_cli_parse_interspersed (int argc, char **argv, const char *usage, const struct option *opts,
                                  const char *shortopts, berth_opt_fn on_opt, void *ud, int *exit_status);

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

/* go-units: HumanSizeWithPrecision (decimal units, "4.26MB"); docker uses
   precision 3 in image lists and 4 (units.HumanSize) in system df */
void berth_format_human_size_prec (int64_t n, int precision, char *buf, size_t len);
void berth_format_human_size (int64_t n, char *buf, size_t len);
/* go-units HumanDuration: "2 weeks", "About an hour", "Less than a second" */
void berth_format_duration (int64_t seconds, char *buf, size_t len);
/* "sha256:<hex>" -> the first 12 hex characters (stringid.TruncateID) */
const char *berth_short_id (const char *id, char buf[13]);

/* formatter.Ellipsis: s cut to at most n runes, the last one "…" (allocated) */
char *berth_ellipsis (const char *s, size_t n);

/* Print JSON as Go's json.MarshalIndent (prefix "", indent 4 spaces). */
void berth_json_print_indent (FILE *out, struct json_object *v);

/* Add "key=value" to a filters object ({"key":{"value":true}}); 1 when
   arg has no '=' (the caller reports it). */
int berth_cli_filter_add (struct json_object *filters, const char *arg);
/* Add the filters, when there are any, to the query of *path (as Docker's
   JSON) and release them. */
void berth_cli_filters_to_query (char **path, struct json_object *filters);
/* Print rows (an array of objects) through a --format: "json", "table
   TEMPLATE" (header rendered from header), or a template; strict refuses
   unknown fields.  Returns the exit status. */
int berth_cli_render (const char *format, struct json_object *rows, struct json_object *header, bool strict);
/* Ask "Are you sure you want to continue? [y/N] " after warning; true for y. */
bool berth_cli_confirm (const char *warning);

int berth_cmd_version (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_info (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_images (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_image (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_image_inspect (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_container_inspect (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_inspect (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_history (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_tag (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_rmi (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_image_prune (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_load (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_save (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_import (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_system (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_system_df (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_build (struct berth_cli *cli, int argc, char **argv);

#endif
