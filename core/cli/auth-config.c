/* Registry credentials of the CLI: config.json and credential helpers
   (see auth-config.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "core/cli/auth-config.h"
#include "core/lib/base64.h"
#include "core/lib/fs.h"
#include "core/lib/mem.h"

#define CONFIG_MAX (16 * 1024 * 1024)
#define HELPER_OUTPUT_MAX (1024 * 1024)
/* a helper's username meaning "Secret is an identity token" */
#define TOKEN_USERNAME "<token>"

void
cli_auth_free (struct cli_auth *a)
{
  if (a == NULL)
    return;
  if (a->password != NULL)
    explicit_bzero (a->password, strlen (a->password));
  free (a->username);
  free (a->password);
  free (a->identitytoken);
  free (a->serveraddress);
  free (a);
}

static void
cleanup_authp (struct cli_auth **a)
{
  cli_auth_free (*a);
}
#define cleanup_auth __attribute__ ((cleanup (cleanup_authp)))

static void
cleanup_jsonp (json_object **o)
{
  json_object_put (*o);
}
#define cleanup_json __attribute__ ((cleanup (cleanup_jsonp)))

char *
cli_auth_server_key (const char *server)
{
  const char *s = server != NULL ? server : "";
  size_t n;

  if (strncmp (s, "http://", 7) == 0)
    s += 7;
  else if (strncmp (s, "https://", 8) == 0)
    s += 8;
  n = strcspn (s, "/");
  if (n == 0 || (n == 9 && strncmp (s, "docker.io", 9) == 0) || (n == 15 && strncmp (s, "index.docker.io", 15) == 0)
      || (n == 20 && strncmp (s, "registry-1.docker.io", 20) == 0))
    return xstrdup (BERTH_INDEX_SERVER);
  return xstrndup (s, n);
}

static char *
config_dir (void)
{
  const char *env = getenv ("BERTH_CONFIG");
  const char *home = getenv ("HOME");

  if (env != NULL && env[0] != '\0')
    return xstrdup (env);
  if (home == NULL || home[0] == '\0')
    {
      struct passwd *pw = getpwuid (getuid ());
      home = pw != NULL ? pw->pw_dir : "/";
    }
  return xasprintf ("%s/.berth", home);
}

static char *
config_path (void)
{
  cleanup_free char *dir = config_dir ();
  return xasprintf ("%s/config.json", dir);
}

/* The whole config.json ({} when missing). */
static int
config_load (json_object **ret, berth_error_t *err)
{
  cleanup_free char *path = config_path ();
  cleanup_free char *data = NULL;
  size_t len;
  json_object *doc;

  if (berth_read_file (path, CONFIG_MAX, &data, &len, err) < 0)
    {
      if (berth_error_code (err) != ENOENT)
        return berth_error_ret (err);
      berth_error_release (err);
      *ret = json_object_new_object ();
      return 0;
    }
  doc = len > 0 ? json_tokener_parse (data) : json_object_new_object ();
  if (doc == NULL || !json_object_is_type (doc, json_type_object))
    {
      json_object_put (doc);
      return berth_error_make (err, EINVAL, "%s: not a JSON object; fix or remove it", path);
    }
  *ret = doc;
  return 0;
}

static int
config_save (json_object *doc, berth_error_t *err)
{
  cleanup_free char *dir = config_dir ();
  cleanup_free char *path = config_path ();
  const char *text;

  if (berth_mkdir_p (dir, 0700, err) < 0)
    return berth_error_ret (err);
  text = json_object_to_json_string_ext (doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
                                                  | JSON_C_TO_STRING_NOSLASHESCAPE);
  cleanup_free char *body = xasprintf ("%s\n", text);
  if (berth_write_file_atomic (path, body, strlen (body), 0600, err) < 0)
    return berth_error_wrap (err, "cannot save credentials");
  return 0;
}

static const char *
str_member (json_object *o, const char *key)
{
  json_object *v;
  if (o == NULL || !json_object_object_get_ex (o, key, &v) || !json_object_is_type (v, json_type_string))
    return NULL;
  return json_object_get_string (v);
}

/* credHelpers[host] or credsStore, or NULL */
static const char *
helper_for (json_object *doc, const char *key)
{
  json_object *helpers;
  const char *name;

  if (json_object_object_get_ex (doc, "credHelpers", &helpers) && (name = str_member (helpers, key)) != NULL
      && name[0] != '\0')
    return name;
  name = str_member (doc, "credsStore");
  return name != NULL && name[0] != '\0' ? name : NULL;
}

/* Run docker-credential-NAME ACTION with input on stdin; its stdout. */
static int
run_helper (const char *name, const char *action, const char *input, char **ret_out, int *ret_status,
            berth_error_t *err)
{
  cleanup_free char *prog = xasprintf ("docker-credential-%s", name);
  int in[2], out[2], status;
  char *buf = NULL;
  size_t len = 0;
  pid_t pid;
  void (*old_pipe) (int);

  if (pipe2 (in, O_CLOEXEC) < 0)
    return berth_error_errno (err, errno, "pipe");
  if (pipe2 (out, O_CLOEXEC) < 0)
    {
      close (in[0]);
      close (in[1]);
      return berth_error_errno (err, errno, "pipe");
    }
  pid = fork ();
  if (pid < 0)
    {
      close (in[0]);
      close (in[1]);
      close (out[0]);
      close (out[1]);
      return berth_error_errno (err, errno, "fork");
    }
  if (pid == 0)
    {
      dup2 (in[0], 0);
      dup2 (out[1], 1);
      execlp (prog, prog, action, (char *)NULL);
      fprintf (stderr, "exec %s: %s\n", prog, strerror (errno));
      _exit (127);
    }
  close (in[0]);
  close (out[1]);
  old_pipe = signal (SIGPIPE, SIG_IGN);
  for (size_t off = 0, n = strlen (input); off < n;)
    {
      ssize_t w = write (in[1], input + off, n - off);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        break;
      off += (size_t)w;
    }
  close (in[1]);
  signal (SIGPIPE, old_pipe);
  for (;;)
    {
      char chunk[4096];
      ssize_t n = read (out[0], chunk, sizeof (chunk));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      if (len + (size_t)n > HELPER_OUTPUT_MAX)
        break;
      buf = xrealloc (buf, len + (size_t)n + 1);
      memcpy (buf + len, chunk, (size_t)n);
      len += (size_t)n;
      buf[len] = '\0';
    }
  close (out[0]);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (WIFEXITED (status) && WEXITSTATUS (status) == 127)
    {
      free (buf);
      return berth_error_make (err, ENOENT, "credential helper %s is not installed (not found in $PATH)", prog);
    }
  *ret_out = buf != NULL ? buf : xstrdup ("");
  *ret_status = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
  return 0;
}

static void
chomp (char *s)
{
  size_t n = strlen (s);
  while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
    s[--n] = '\0';
}

static int
helper_get (const char *name, const char *key, struct cli_auth **ret, berth_error_t *err)
{
  cleanup_free char *out = NULL;
  cleanup_json json_object *doc = NULL;
  const char *user, *secret;
  int status;

  *ret = NULL;
  if (run_helper (name, "get", key, &out, &status, err) < 0)
    return berth_error_ret (err);
  if (status != 0)
    {
      chomp (out);
      /* the protocol's "nothing stored" */
      if (strstr (out, "credentials not found") != NULL)
        return 0;
      return berth_error_make (err, EIO, "docker-credential-%s get: %s", name,
                               out[0] != '\0' ? out : "failed without a message");
    }
  doc = json_tokener_parse (out);
  user = str_member (doc, "Username");
  secret = str_member (doc, "Secret");
  if (doc == NULL || secret == NULL)
    return berth_error_make (err, EIO, "docker-credential-%s get: the answer is not {\"Username\",\"Secret\"}", name);
  struct cli_auth *a = xmalloc0 (sizeof (*a));
  a->serveraddress = xstrdup (key);
  if (user != NULL && strcmp (user, TOKEN_USERNAME) == 0)
    a->identitytoken = xstrdup (secret);
  else
    {
      a->username = xstrdup (user != NULL ? user : "");
      a->password = xstrdup (secret);
    }
  *ret = a;
  return 0;
}

static int
helper_call (const char *name, const char *action, const char *input, berth_error_t *err)
{
  cleanup_free char *out = NULL;
  int status;

  if (run_helper (name, action, input, &out, &status, err) < 0)
    return berth_error_ret (err);
  if (status != 0)
    {
      chomp (out);
      return berth_error_make (err, EIO, "docker-credential-%s %s: %s", name, action,
                               out[0] != '\0' ? out : "failed without a message");
    }
  return 0;
}

/* auths[key], or an entry whose key names the same host ("https://h/v2/") */
static json_object *
find_entry (json_object *auths, const char *key, const char **ret_key)
{
  json_object *v;

  if (auths == NULL)
    return NULL;
  if (json_object_object_get_ex (auths, key, &v))
    {
      *ret_key = key;
      return v;
    }
  json_object_object_foreach (auths, k, val)
  {
    cleanup_free char *norm = cli_auth_server_key (k);
    if (strcmp (norm, key) == 0)
      {
        *ret_key = k;
        return val;
      }
  }
  return NULL;
}

int
cli_auth_get (const char *key, struct cli_auth **ret, berth_error_t *err)
{
  cleanup_json json_object *doc = NULL;
  json_object *auths = NULL, *entry;
  const char *helper, *b64, *found_key = key;
  cleanup_auth struct cli_auth *a = NULL;

  *ret = NULL;
  if (config_load (&doc, err) < 0)
    return berth_error_ret (err);
  helper = helper_for (doc, key);
  if (helper != NULL)
    return helper_get (helper, key, ret, err);
  json_object_object_get_ex (doc, "auths", &auths);
  entry = find_entry (auths, key, &found_key);
  if (entry == NULL)
    return 0;
  a = xmalloc0 (sizeof (*a));
  a->serveraddress = xstrdup (key);
  b64 = str_member (entry, "auth");
  if (b64 != NULL && b64[0] != '\0')
    {
      size_t len;
      cleanup_free char *plain = berth_base64_decode (b64, &len);
      char *colon = plain != NULL ? strchr (plain, ':') : NULL;
      if (colon == NULL)
        {
          cleanup_free char *path = config_path ();
          return berth_error_make (err, EINVAL, "%s: the \"auth\" of %s is not base64 of user:password", path,
                                   found_key);
        }
      *colon = '\0';
      a->username = xstrdup (plain);
      a->password = xstrdup (colon + 1);
      explicit_bzero (plain, len);
    }
  if (str_member (entry, "identitytoken") != NULL && str_member (entry, "identitytoken")[0] != '\0')
    a->identitytoken = xstrdup (str_member (entry, "identitytoken"));
  if (a->username == NULL && a->identitytoken == NULL)
    return 0;
  *ret = steal_pointer (&a);
  return 0;
}

int
cli_auth_store (const struct cli_auth *a, berth_error_t *err)
{
  cleanup_json json_object *doc = NULL;
  json_object *auths, *entry;
  const char *helper;

  if (config_load (&doc, err) < 0)
    return berth_error_ret (err);
  helper = helper_for (doc, a->serveraddress);
  if (helper != NULL)
    {
      cleanup_json json_object *in = json_object_new_object ();
      bool token = a->identitytoken != NULL;
      json_object_object_add (in, "ServerURL", json_object_new_string (a->serveraddress));
      json_object_object_add (in, "Username", json_object_new_string (token ? TOKEN_USERNAME : a->username));
      json_object_object_add (in, "Secret", json_object_new_string (token ? a->identitytoken : a->password));
      return helper_call (helper, "store", json_object_to_json_string (in), err);
    }
  if (!json_object_object_get_ex (doc, "auths", &auths) || !json_object_is_type (auths, json_type_object))
    {
      auths = json_object_new_object ();
      json_object_object_add (doc, "auths", auths);
    }
  entry = json_object_new_object ();
  {
    cleanup_free char *pair = xasprintf ("%s:%s", a->username ? a->username : "",
                                         a->identitytoken != NULL ? "" : (a->password ? a->password : ""));
    cleanup_free char *b64 = berth_base64_encode (pair, strlen (pair));
    json_object_object_add (entry, "auth", json_object_new_string (b64));
    explicit_bzero (pair, strlen (pair));
  }
  if (a->identitytoken != NULL)
    json_object_object_add (entry, "identitytoken", json_object_new_string (a->identitytoken));
  json_object_object_add (auths, a->serveraddress, entry);
  return config_save (doc, err);
}

int
cli_auth_erase (const char *key, berth_error_t *err)
{
  cleanup_json json_object *doc = NULL;
  json_object *auths = NULL;
  const char *helper, *found_key = key;
  int removed = 0;

  if (config_load (&doc, err) < 0)
    return berth_error_ret (err);
  helper = helper_for (doc, key);
  if (helper != NULL)
    {
      cleanup_auth struct cli_auth *a = NULL;
      if (helper_get (helper, key, &a, err) < 0)
        return berth_error_ret (err);
      if (a == NULL)
        return 0;
      if (helper_call (helper, "erase", key, err) < 0)
        return berth_error_ret (err);
      removed = 1;
    }
  json_object_object_get_ex (doc, "auths", &auths);
  if (find_entry (auths, key, &found_key) != NULL)
    {
      cleanup_free char *k = xstrdup (found_key);
      json_object_object_del (auths, k);
      if (config_save (doc, err) < 0)
        return berth_error_ret (err);
      removed = 1;
    }
  return removed;
}

char *
cli_auth_header_for (const char *domain)
{
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *key = cli_auth_server_key (domain);
  cleanup_auth struct cli_auth *a = NULL;
  cleanup_json json_object *obj = NULL;
  const char *text;
  char *b64;

  if (cli_auth_get (key, &a, &err) < 0)
    {
      fprintf (stderr, "WARNING: cannot read the credentials for %s: %s\n", key, berth_error_msg (&err));
      return NULL;
    }
  if (a == NULL)
    return NULL;
  obj = json_object_new_object ();
  if (a->username != NULL)
    json_object_object_add (obj, "username", json_object_new_string (a->username));
  if (a->password != NULL)
    json_object_object_add (obj, "password", json_object_new_string (a->password));
  if (a->identitytoken != NULL)
    json_object_object_add (obj, "identitytoken", json_object_new_string (a->identitytoken));
  json_object_object_add (obj, "serveraddress", json_object_new_string (key));
  text = json_object_to_json_string_ext (obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  b64 = berth_base64_encode (text, strlen (text));
  /* base64url, as the docker CLI sends it */
  for (char *p = b64; *p; p++)
    *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
  return b64;
}

void
cli_auth_use_for (struct berth_client *client, const char *domain)
{
  cleanup_free char *value = cli_auth_header_for (domain);

  berth_client_set_header (client, "X-Registry-Auth", value);
}

/* X-Registry-Config of a build: {"KEY": AuthConfig, ...} for every key
   of auths and credHelpers in config.json (the docker CLI sends them all:
   it cannot know which registries the Dockerfile's FROMs name), base64url;
   NULL when there are none. */
char *
cli_auth_build_header (void)
{
  cleanup_error berth_error_t err = NULL;
  cleanup_json json_object *doc = NULL, *all = NULL;
  json_object *keys[2] = { NULL, NULL };
  const char *text;
  char *b64;

  if (config_load (&doc, &err) < 0)
    {
      fprintf (stderr, "WARNING: cannot read the credentials: %s\n", berth_error_msg (&err));
      return NULL;
    }
  json_object_object_get_ex (doc, "auths", &keys[0]);
  json_object_object_get_ex (doc, "credHelpers", &keys[1]);
  all = json_object_new_object ();
  for (size_t i = 0; i < 2; i++)
    {
      if (!json_object_is_type (keys[i], json_type_object))
        continue;
      json_object_object_foreach (keys[i], k, v)
      {
        cleanup_auth struct cli_auth *a = NULL;
        cleanup_free char *key = cli_auth_server_key (k);
        json_object *o;
        (void)v;
        if (json_object_object_get_ex (all, key, NULL))
          continue;
        if (cli_auth_get (key, &a, &err) < 0)
          {
            fprintf (stderr, "WARNING: cannot read the credentials for %s: %s\n", key, berth_error_msg (&err));
            berth_error_release (&err);
            continue;
          }
        if (a == NULL)
          continue;
        o = json_object_new_object ();
        if (a->username != NULL)
          json_object_object_add (o, "username", json_object_new_string (a->username));
        if (a->password != NULL)
          json_object_object_add (o, "password", json_object_new_string (a->password));
        if (a->identitytoken != NULL)
          json_object_object_add (o, "identitytoken", json_object_new_string (a->identitytoken));
        json_object_object_add (o, "serveraddress", json_object_new_string (key));
        json_object_object_add (all, key, o);
      }
    }
  if (json_object_object_length (all) == 0)
    return NULL;
  text = json_object_to_json_string_ext (all, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  b64 = berth_base64_encode (text, strlen (text));
  for (char *p = b64; *p; p++)
    *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
  return b64;
}
