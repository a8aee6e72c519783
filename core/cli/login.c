/* berth login / logout: check credentials through the daemon (POST /auth)
   and keep them in config.json or a credential helper (auth-config.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "core/cli/auth-config.h"
#include "core/cli/cli.h"
#include "core/lib/mem.h"

#define PASSWORD_MAX (64 * 1024)

static const char login_usage[] = "Usage:  berth login [OPTIONS] [SERVER]\n"
                                  "\n"
                                  "Log in to a registry.\n"
                                  "If no server is specified, the default is defined by the daemon.\n"
                                  "\n"
                                  "Options:\n"
                                  "  -p, --password string   Password\n"
                                  "      --password-stdin    Take the password from stdin\n"
                                  "  -u, --username string   Username\n";

static const char logout_usage[] = "Usage:  berth logout [SERVER]\n"
                                   "\n"
                                   "Log out from a registry.\n"
                                   "If no server is specified, the default is defined by the daemon.\n";

enum
{
  OPT_PASSWORD_STDIN = 0x1300,
};

struct login_opts
{
  const char *username;
  const char *password;
  bool password_stdin;
};

static int
on_login_opt (int opt, const char *arg, void *ud)
{
  struct login_opts *o = ud;

  switch (opt)
    {
    case 'u':
      o->username = arg;
      return 0;
    case 'p':
      o->password = arg;
      return 0;
    case OPT_PASSWORD_STDIN:
      o->password_stdin = true;
      return 0;
    default:
      return 1;
    }
}

/* one line from stdin, without its end of line; NULL at EOF */
static char *
read_line (bool echo)
{
  struct termios saved, quiet;
  bool tty = !echo && isatty (0) && tcgetattr (0, &saved) == 0;
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;

  if (tty)
    {
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t)ECHO;
      tcsetattr (0, TCSAFLUSH, &quiet);
    }
  n = getline (&line, &cap, stdin);
  if (tty)
    {
      tcsetattr (0, TCSAFLUSH, &saved);
      fputc ('\n', stdout);
    }
  if (n < 0)
    {
      free (line);
      return NULL;
    }
  while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
    line[--n] = '\0';
  return line;
}

/* all of stdin, trailing newlines dropped */
static char *
read_stdin (void)
{
  char *buf = xmalloc (1);
  size_t len = 0;

  for (;;)
    {
      char chunk[4096];
      ssize_t n = read (0, chunk, sizeof (chunk));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0 || len + (size_t)n > PASSWORD_MAX)
        break;
      buf = xrealloc (buf, len + (size_t)n + 1);
      memcpy (buf + len, chunk, (size_t)n);
      len += (size_t)n;
    }
  buf[len] = '\0';
  while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
    buf[--len] = '\0';
  return buf;
}

/* POST /auth; the identity token the daemon returned, if any */
static int
check_login (struct berth_client *client, const struct cli_auth *a, char **ret_identity, berth_error_t *err)
{
  json_object *body = json_object_new_object (), *reply = NULL;
  const char *tok;
  int r;

  if (a->username != NULL)
    json_object_object_add (body, "username", json_object_new_string (a->username));
  if (a->password != NULL)
    json_object_object_add (body, "password", json_object_new_string (a->password));
  if (a->identitytoken != NULL)
    json_object_object_add (body, "identitytoken", json_object_new_string (a->identitytoken));
  json_object_object_add (body, "serveraddress", json_object_new_string (a->serveraddress));
  r = berth_client_send_json (client, "POST", "/auth", body, &reply, err);
  json_object_put (body);
  if (r < 0)
    return r;
  tok = berth_json_str (reply, "IdentityToken");
  *ret_identity = tok[0] != '\0' ? xstrdup (tok) : NULL;
  json_object_put (reply);
  return 0;
}

int
berth_cmd_login (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "username", required_argument, NULL, 'u' },
    { "password", required_argument, NULL, 'p' },
    { "password-stdin", no_argument, NULL, OPT_PASSWORD_STDIN },
    { NULL, 0, NULL, 0 },
  };
  struct login_opts o = { 0 };
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *key = NULL, *identity = NULL, *user_buf = NULL, *pass_buf = NULL;
  struct cli_auth a = { 0 };
  struct cli_auth *stored = NULL;
  struct berth_client *client;
  int status;

  if (berth_cli_parse (argc, argv, login_usage, opts, "u:p:", on_login_opt, &o, &status))
    return status;
  if (argc - optind > 1)
    {
      fprintf (stderr, "\"berth login\" requires at most 1 argument.\nSee 'berth login --help'.\n\n%s", login_usage);
      return 1;
    }
  key = cli_auth_server_key (optind < argc ? argv[optind] : NULL);
  if (o.password != NULL)
    {
      fprintf (stderr, "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
      if (o.password_stdin)
        {
          fprintf (stderr, "--password and --password-stdin are mutually exclusive\n");
          return 1;
        }
    }
  if (o.password_stdin)
    {
      if (o.username == NULL)
        {
          fprintf (stderr, "Must provide --username with --password-stdin\n");
          return 1;
        }
      o.password = pass_buf = read_stdin ();
    }
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;

  /* no flags: the stored credentials, when they still work */
  if (o.username == NULL && o.password == NULL)
    {
      if (cli_auth_get (key, &stored, &err) < 0)
        {
          fprintf (stderr, "WARNING: %s\n", berth_error_msg (&err));
          berth_error_release (&err);
        }
      if (stored != NULL)
        {
          printf ("Authenticating with existing credentials...\n");
          if (check_login (client, stored, &identity, &err) == 0)
            {
              cli_auth_free (stored);
              printf ("Login Succeeded\n");
              return 0;
            }
          fprintf (stderr, "Login did not succeed, error: %s\n", berth_error_msg (&err));
          berth_error_release (&err);
          o.username = user_buf = stored->username != NULL ? xstrdup (stored->username) : NULL;
          cli_auth_free (stored);
        }
    }
  if (o.username == NULL || o.password == NULL)
    {
      if (!isatty (0))
        {
          fprintf (stderr, "Error: Cannot perform an interactive login from a non TTY device\n");
          return 1;
        }
      if (o.username == NULL || o.username[0] == '\0')
        {
          printf ("Username: ");
          fflush (stdout);
          free (user_buf);
          o.username = user_buf = read_line (true);
        }
      if (o.username == NULL || o.username[0] == '\0')
        {
          fprintf (stderr, "Error: Non-null Username Required\n");
          return 1;
        }
      if (o.password == NULL)
        {
          printf ("Password: ");
          fflush (stdout);
          o.password = pass_buf = read_line (false);
        }
    }
  if (o.password == NULL || o.password[0] == '\0')
    {
      fprintf (stderr, "Error: Password Required\n");
      return 1;
    }
  a.username = (char *)o.username;
  a.password = (char *)o.password;
  a.serveraddress = key;
  if (check_login (client, &a, &identity, &err) < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      return 1;
    }
  if (identity != NULL)
    {
      a.password = NULL;
      a.identitytoken = identity;
    }
  if (cli_auth_store (&a, &err) < 0)
    {
      fprintf (stderr, "Error saving credentials: %s\n", berth_error_msg (&err));
      return 1;
    }
  if (pass_buf != NULL)
    explicit_bzero (pass_buf, strlen (pass_buf));
  printf ("Login Succeeded\n");
  return 0;
}

int
berth_cmd_logout (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = { { NULL, 0, NULL, 0 } };
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *key = NULL;
  int status, r;

  (void)cli;
  if (berth_cli_parse (argc, argv, logout_usage, opts, "", NULL, NULL, &status))
    return status;
  if (argc - optind > 1)
    {
      fprintf (stderr, "\"berth logout\" requires at most 1 argument.\nSee 'berth logout --help'.\n\n%s", logout_usage);
      return 1;
    }
  key = cli_auth_server_key (optind < argc ? argv[optind] : NULL);
  r = cli_auth_erase (key, &err);
  if (r < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      return 1;
    }
  if (r == 0)
    printf ("Not logged in to %s\n", key);
  else
    printf ("Removing login credentials for %s\n", key);
  return 0;
}
