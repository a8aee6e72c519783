/* The CLI's registry credentials, kept as the docker CLI keeps them: a
 * config.json ($BERTH_CONFIG/config.json, else ~/.berth/config.json) with
 *   {"auths": {"SERVER": {"auth": "base64(user:pass)", "identitytoken": ...}},
 *    "credsStore": "NAME", "credHelpers": {"HOST": "NAME"}}
 * written atomically with mode 0600 (other keys are kept as they are).
 * A helper named by credHelpers for the host, else by credsStore, holds
 * the secrets instead: `docker-credential-NAME get|store|erase` speaking
 * JSON on stdin/stdout.  Docker Hub's key is "https://index.docker.io/v1/". */
#ifndef BERTH_CLI_AUTH_CONFIG_H
#define BERTH_CLI_AUTH_CONFIG_H

#include "core/cli/client.h"
#include "core/lib/error.h"

#define BERTH_INDEX_SERVER "https://index.docker.io/v1/"

struct cli_auth
{
  char *username;
  char *password;
  char *identitytoken;
  char *serveraddress; /* the key it is stored under */
};

void cli_auth_free (struct cli_auth *a);

/* The key credentials of a registry are stored under: the index URL for
   Docker Hub (docker.io, index.docker.io, registry-1.docker.io, or none),
   else the host[:port] of server (scheme and path dropped). */
char *cli_auth_server_key (const char *server);

/* The credentials stored for a key (*ret NULL when there are none). */
int cli_auth_get (const char *key, struct cli_auth **ret, berth_error_t *err);
int cli_auth_store (const struct cli_auth *a, berth_error_t *err);
/* 1 when something was removed, 0 when nothing was stored */
int cli_auth_erase (const char *key, berth_error_t *err);

/* X-Registry-Auth for an image's registry domain ("docker.io",
   "127.0.0.1:5000"): base64url JSON of the stored credentials, or NULL
   when none are stored.  Problems reading the store are warnings. */
char *cli_auth_header_for (const char *domain);
/* Set it on the client for the requests that follow. */
void cli_auth_use_for (struct berth_client *client, const char *domain);
/* X-Registry-Config for POST /build: every stored credential, keyed by
   server, base64url JSON; NULL when none are stored. */
char *cli_auth_build_header (void);

/* login.c: berth login, berth logout */
struct berth_cli;
int berth_cmd_login (struct berth_cli *cli, int argc, char **argv);
int berth_cmd_logout (struct berth_cli *cli, int argc, char **argv);

#endif
