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
  const char *pull; /* --pull: "missing" (NULL), "always" or "never" */
  bool has_entrypoint, has_stop_timeout, has_pids_limit;
  /* --health-*, --no-healthcheck (durations in nanoseconds, 0 = not given) */
  const char *health_cmd;
  int64_t health_interval, health_timeout, health_start_period, health_start_interval, health_retries;
  bool has_health, no_healthcheck;
  int64_t memory, nano_cpus, cpu_shares, pids_limit, shm_size, stop_timeout;
  struct json_object *env, *env_files, *labels, *cap_add, *cap_drop;
  /* --memory-swap (-1: unlimited), --ulimit, --security-opt, --log-driver, --log-opt */
  bool has_memory_swap;
  int64_t memory_swap;
  const char *log_driver;
  struct json_object *ulimits, *security_opt, *log_opts;
  /* -v (binds; anonymous volumes), --mount, --tmpfs, --init (container-mounts.c) */
  struct json_object *binds, *volumes, *mounts, *tmpfs;
  bool init;
  /* -p, -P, --expose (container-ports.c) */
  struct json_object *port_bindings, *exposed_ports;
  bool publish_all;
  /* --dns, --dns-search, --dns-option, --add-host, --domainname (container-net-opts.c) */
  struct json_object *dns, *dns_search, *dns_options, *extra_hosts;
  const char *domainname;
  /* --ip, --ip6, --network-alias (network.c) */
  const char *ip, *ip6;
  struct json_object *net_aliases;
};

/* Port flags of run/create (container-ports.c): -p is 'p', -P is 'P'. */
enum
{
  BERTH_OPT_EXPOSE = 0x1200,
};
/* 0 when taken, 1 after printing docker's complaint */
int berth_container_opt_ports (struct berth_create_opts *o, int opt, const char *arg);
/* Config.ExposedPorts (body), HostConfig.PortBindings and PublishAllPorts */
void berth_container_opts_ports_body (const struct berth_create_opts *o, struct json_object *body,
                                     struct json_object *host);
void berth_container_opts_ports_free (struct berth_create_opts *o);

/* Mount flags of run/create (container-mounts.c): -v is 'v'; getopt
   values from 0x1100. */
enum
{
  BERTH_OPT_MOUNT = 0x1100,
  BERTH_OPT_TMPFS,
  BERTH_OPT_INIT,
};
/* 0 when taken, 1 after printing docker's complaint */
int berth_container_opt_mounts (struct berth_create_opts *o, int opt, const char *arg);
/* Config.Volumes (body) and the HostConfig fields */
void berth_container_opts_mounts_body (const struct berth_create_opts *o, struct json_object *body,
                                       struct json_object *host);
void berth_container_opts_mounts_free (struct berth_create_opts *o);

/* More run/create flags (container-create-more.c): --memory-swap, --ulimit,
   --security-opt, --log-driver, --log-opt; getopt values from 0x1000. */
enum
{
  BERTH_OPT_MEMORY_SWAP = 0x1000,
  BERTH_OPT_ULIMIT,
  BERTH_OPT_SECURITY_OPT,
  BERTH_OPT_LOG_DRIVER,
  BERTH_OPT_LOG_OPT,
};
/* go-units RAMInBytes ("512m", "1.5g"); 1 on error with the reason in *why */
int berth_parse_ram (const char *s, int64_t *ret, const char **why);
/* 0 when taken, 1 after printing docker's complaint */
int berth_container_opt_more (struct berth_create_opts *o, int opt, const char *arg);
/* their HostConfig fields */
void berth_container_opts_more_body (const struct berth_create_opts *o, struct json_object *host);
void berth_container_opts_more_free (struct berth_create_opts *o);

/* DNS and hosts flags of run/create (container-net-opts.c); getopt values
   from 0x1400. */
enum
{
  BERTH_OPT_DNS = 0x1400,
  BERTH_OPT_DNS_SEARCH,
  BERTH_OPT_DNS_OPTION,
  BERTH_OPT_ADD_HOST,
  BERTH_OPT_DOMAINNAME,
};
int berth_container_opt_net (struct berth_create_opts *o, int opt, const char *arg);
/* HostConfig.Dns, DnsSearch, DnsOptions, ExtraHosts */
void berth_container_opts_net_body (const struct berth_create_opts *o, struct json_object *host);
void berth_container_opts_net_free (struct berth_create_opts *o);

/* --ip and --network-alias of run/create (network.c); getopt values from
   0x1500; NetworkingConfig.EndpointsConfig for the --network given. */
enum
{
  BERTH_OPT_IP = 0x1500,
  BERTH_OPT_NET_ALIAS,
  BERTH_OPT_IP6,
};
int berth_container_opt_endpoint (struct berth_create_opts *o, int opt, const char *arg);
void berth_container_opts_endpoint_body (const struct berth_create_opts *o, struct json_object *body);
int berth_cmd_network (struct berth_cli *cli, int argc, char **argv);

/* Parse argv (argv[0] "run" or "create"); on success optind is at IMAGE.
   Returns 1 when the command must exit with *status (help, bad flag). */
int berth_container_opts_parse (int argc, char **argv, const char *usage, struct berth_create_opts *o, int *status);
void berth_container_opts_free (struct berth_create_opts *o);

/* POST /containers/create for IMAGE [CMD...]; prints docker's "Unable to find
   image" and the pull error on a 404 for the image.  *ret_id is the new id. */
int berth_container_create (struct berth_client *client, struct berth_create_opts *o, const char *image, char **cmd,
                            int n_cmd, char **ret_id, berth_error_t *err);

/* docker's env-file format (NAME=VALUE lines, # comments, a bare NAME
   taken from our environment), appended to env as strings */
int berth_container_read_env_file (const char *path, struct json_object *env, berth_error_t *err);

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
  const char *detach_keys; /* --detach-keys (checked), NULL: ctrl-p,ctrl-q */
};
/* Returns the exit status berth should exit with. */
int berth_container_follow (struct berth_client *client, const char *id, const struct berth_attach_plan *p);

/* GET /containers/{id}/json (id escaped here) */
int berth_container_inspect (struct berth_client *client, const char *id, struct json_object **ret, berth_error_t *err);

int berth_cmd_run (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_volume (struct berth_cli *cli, int argc, char **argv);
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
int berth_cmd_exec (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_container (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_cp (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_events (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_diff (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_export (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_commit (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_pause (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_unpause (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_rename (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_top (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_port (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_stats (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_container_prune (struct berth_cli *cli, int argc, char **argv);
/* commands the daemon has no route for yet */
int berth_cmd_not_implemented (struct berth_cli *cli, int argc, char **argv);

#endif
