/* Shared by the container commands (run, create, start, attach, ...). */
#ifndef BERTH_CLI_CONTAINER_H
#define BERTH_CLI_CONTAINER_H

#include <stdbool.h>

#include <json-c/json.h>

#include "core/cli/cli.h"

/* The flags of `run` and `create`, gathered by berth_container_opts_parse. */
struct berth_create_opts
{
  bool run; /* parsing for `run` (accepts -d, --rm's partner flags, --sig-proxy) */
  bool detach, rm, interactive, tty, read_only, privileged, sig_proxy;
  const char *name, *workdir, *user, *hostname, *entrypoint, *network, *stop_signal, *restart;
  const char *cgroupns;
  bool has_entrypoint, has_stop_timeout, has_pids_limit;
  int64_t memory, nano_cpus, cpu_shares, pids_limit, shm_size, stop_timeout;
  struct json_object *env, *env_files, *labels, *cap_add, *cap_drop;
};

/* Parse argv (argv[0] "run" or "create"); on success optind is at IMAGE.
   Returns 1 when the command must exit with *status (help, bad flag). */
int berth_container_opts_parse (int argc, char **argv, const char *usage, struct berth_create_opts *o, int *status);
void berth_container_opts_free (struct berth_create_opts *o);

/* POST /containers/create for IMAGE [CMD...]; prints docker's "Unable to find
   image" and the pull error on a 404 for the image.  *ret_id is the new id. */
int berth_container_create (struct berth_client *client, struct berth_create_opts *o, const char *image, char **cmd,
                            int n_cmd, char **ret_id, berth_error_t *err);

/* docker's exit status for a failed create/start: 127, 126 or 125 */
int berth_container_error_status (const char *msg);

/* Attach to a container and follow it to its end: the stream, then the
   wait result.  Used by run, start -a and attach. */
struct berth_attach_plan
{
  bool stdin;            /* forward stdin */
  bool tty;              /* the container has a tty */
  bool sig_proxy;        /* forward signals (without a tty) */
  bool start;            /* send start after attaching */
  const char *wait_cond; /* "next-exit", "removed", "" */
  const char *cmd_name;  /* for messages: "run", "start", "attach" */
};
/* Returns the exit status berth should exit with. */
int berth_container_follow (struct berth_client *client, const char *id, const struct berth_attach_plan *p);

/* GET /containers/{id}/json (id escaped here) */
int berth_container_inspect (struct berth_client *client, const char *id, struct json_object **ret, berth_error_t *err);

int berth_cmd_run (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_create (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_start (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_attach (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_stop (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_kill (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_restart (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_rm (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_wait (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_ps (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_logs (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_container (struct berth_cli *cli, int argc, char **argv);
/* commands the daemon has no route for yet */
int berth_cmd_not_implemented (struct berth_cli *cli, int argc, char **argv);

#endif
