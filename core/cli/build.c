/* berth build: the context tar written by a child process into a pipe
   that is the body of POST /build (so the context is never held in
   memory), and the daemon's JSON message stream shown as the docker CLI's
   legacy builder shows it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/build/context.h"
#include "core/cli/auth-config.h"
#include "core/cli/build-context.h"
#include "core/cli/cli.h"
#include "core/lib/mem.h"

#define MAX_DOCKERFILE (16u << 20)

static const char build_usage[]
    = "Usage:  berth build [OPTIONS] PATH | -\n"
      "\n"
      "Build an image from a Dockerfile\n"
      "\n"
      "Aliases:\n"
      "  berth image build, berth build\n"
      "\n"
      "Options:\n"
      "      --build-arg list      Set build-time variables\n"
      "      --cache-from strings  Images to consider as cache sources\n"
      "  -f, --file string         Name of the Dockerfile (default: \"PATH/Dockerfile\")\n"
      "      --force-rm            Always remove intermediate containers\n"
      "      --iidfile string      Write the image ID to the file\n"
      "      --label list          Set metadata for an image\n"
      "      --network string      Set the networking mode for the RUN instructions during build (default "
      "\"default\")\n"
      "      --no-cache            Do not use cache when building the image\n"
      "      --progress string     Set type of progress output (the legacy builder has only plain output)\n"
      "      --pull                Always attempt to pull a newer version of the image\n"
      "  -q, --quiet               Suppress the build output and print image ID on success\n"
      "      --rm                  Remove intermediate containers after a successful build (default true)\n"
      "  -t, --tag list            Name and optionally a tag in the \"name:tag\" format\n"
      "      --target string       Set the target build stage to build\n";

enum
{
  OPT_BUILD_ARG = 0x100,
  OPT_FORCE_RM,
  OPT_IIDFILE,
  OPT_LABEL,
  OPT_NETWORK,
  OPT_NO_CACHE,
  OPT_PROGRESS,
  OPT_RM,
  OPT_TARGET,
  OPT_PULL,
  OPT_CACHE_FROM,
};

struct build_cli
{
  const char *file;
  char **tags;
  json_object *args;
  json_object *labels;
  const char *iidfile;
  const char *network;
  const char *target;
  bool quiet, no_cache, force_rm, rm;
  bool pull;
  json_object *cache_from; /* array */
};

static int
on_opt (int opt, const char *arg, void *ud)
{
  struct build_cli *o = ud;
  const char *eq;

  switch (opt)
    {
    case 'f':
      o->file = arg;
      break;
    case 't':
      {
        size_t n = 0;
        while (o->tags != NULL && o->tags[n] != NULL)
          n++;
        o->tags = xrealloc (o->tags, (n + 2) * sizeof (char *));
        o->tags[n] = xstrdup (arg);
        o->tags[n + 1] = NULL;
      }
      break;
    case 'q':
      o->quiet = true;
      break;
    case OPT_BUILD_ARG:
      /* docker: NAME without '=' takes the variable from the environment,
         else it is sent without a value */
      eq = strchr (arg, '=');
      if (eq != NULL)
        {
          cleanup_free char *k = xstrndup (arg, (size_t)(eq - arg));
          json_object_object_add (o->args, k, json_object_new_string (eq + 1));
        }
      else
        json_object_object_add (o->args, arg, getenv (arg) != NULL ? json_object_new_string (getenv (arg)) : NULL);
      break;
    case OPT_LABEL:
      eq = strchr (arg, '=');
      if (eq != NULL)
        {
          cleanup_free char *k = xstrndup (arg, (size_t)(eq - arg));
          json_object_object_add (o->labels, k, json_object_new_string (eq + 1));
        }
      else
        json_object_object_add (o->labels, arg, json_object_new_string (""));
      break;
    case OPT_IIDFILE:
      o->iidfile = arg;
      break;
    case OPT_NETWORK:
      o->network = arg;
      break;
    case OPT_TARGET:
      o->target = arg;
      break;
    case OPT_NO_CACHE:
      o->no_cache = true;
      break;
    case OPT_PULL:
      o->pull = true;
      break;
    case OPT_CACHE_FROM:
      /* docker: a list flag, also comma-separated */
      {
        cleanup_free char *copy = xstrdup (arg);
        char *save = NULL;
        for (char *t = strtok_r (copy, ",", &save); t != NULL; t = strtok_r (NULL, ",", &save))
          if (t[0] != '\0')
            json_object_array_add (o->cache_from, json_object_new_string (t));
      }
      break;
    case OPT_FORCE_RM:
      o->force_rm = true;
      break;
    case OPT_RM:
      if (arg != NULL && strcmp (arg, "true") != 0 && strcmp (arg, "false") != 0)
        {
          fprintf (stderr, "invalid argument \"%s\" for \"--rm\" flag: expected true or false\n", arg);
          return 1;
        }
      o->rm = arg == NULL || strcmp (arg, "true") == 0;
      break;
    case OPT_PROGRESS:
      /* the legacy builder's output is always plain */
      if (strcmp (arg, "auto") != 0 && strcmp (arg, "plain") != 0 && strcmp (arg, "tty") != 0
          && strcmp (arg, "quiet") != 0)
        {
          fprintf (stderr, "invalid argument \"%s\" for \"--progress\" flag: expected auto, plain, tty or quiet\n",
                   arg);
          return 1;
        }
      if (strcmp (arg, "quiet") == 0)
        o->quiet = true;
      break;
    default:
      return 1;
    }
  return 0;
}

/* ---- the context ---- */

static char *
read_all (int fd, size_t max, size_t *ret_len, const char *what)
{
  size_t len = 0, cap = 8192;
  char *buf = xmalloc (cap);

  for (;;)
    {
      ssize_t n;
      if (len == cap)
        {
          if (cap >= max)
            {
              fprintf (stderr, "%s is larger than %zu bytes\n", what, max);
              free (buf);
              return NULL;
            }
          cap *= 2;
          buf = xrealloc (buf, cap + 1);
        }
      n = read (fd, buf + len, cap - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          fprintf (stderr, "read %s: %s\n", what, strerror (errno));
          free (buf);
          return NULL;
        }
      if (n == 0)
        break;
      len += (size_t)n;
    }
  *ret_len = len;
  return buf;
}

/* what the child sends */
struct context_plan
{
  const char *dir;        /* a directory, or NULL */
  const char *rel_df;     /* the Dockerfile relative to dir */
  const char *extra_name; /* a Dockerfile from elsewhere, sent under this name */
  char *extra;
  size_t extra_len;
  bool from_stdin_tar; /* stdin is a tar: head, then the rest of stdin */
  unsigned char head[512];
  size_t head_len;
  bool dockerfile_only; /* extra is a lone Dockerfile */
  bool say_size;
  json_object *session; /* what the daemon's context session holds, or NULL */
};

static int
write_full (int fd, const void *buf, size_t len)
{
  const char *p = buf;

  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      p += n;
      len -= (size_t)n;
    }
  return 0;
}

static void
say_size (uint64_t n)
{
  char size[32];

  berth_format_human_size_prec ((int64_t)n, 4, size, sizeof (size));
  printf ("Sending build context to berth daemon  %s\n", size);
  fflush (stdout);
}

/* the writer process: the tar into out_fd, then (the daemon answers only
   after the whole body arrived) the size line; the exit status */
static int
child_main (const struct context_plan *p, int out_fd)
{
  cleanup_error berth_error_t err = NULL;
  char buf[64 * 1024];
  uint64_t total = 0;

  if (!p->from_stdin_tar)
    {
      int r;
      if (p->dockerfile_only)
        r = build_context_write_dockerfile (p->extra, p->extra_len, out_fd, &total, &err);
      else
        r = build_context_write_dir (p->dir, p->rel_df, p->extra_name, p->extra, p->extra_len, p->session, out_fd,
                                     &total, &err);
      if (r < 0)
        {
          fprintf (stderr, "error creating the build context: %s\n", berth_error_msg (&err));
          return 1;
        }
      /* before the end of the body: the daemon answers after it */
      if (p->say_size)
        say_size (total);
      close (out_fd);
      return 0;
    }
  if (write_full (out_fd, p->head, p->head_len) < 0)
    return 1;
  total = p->head_len;
  for (;;)
    {
      ssize_t n = read (STDIN_FILENO, buf, sizeof (buf));
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          fprintf (stderr, "read the build context from stdin: %s\n", strerror (errno));
          return 1;
        }
      if (n == 0)
        break;
      if (write_full (out_fd, buf, (size_t)n) < 0)
        return 1;
      total += (uint64_t)n;
    }
  if (p->say_size)
    say_size (total);
  close (out_fd);
  return 0;
}

/* the pipe the context arrives through; *ret_pid the process writing it */
static int
start_context (const struct context_plan *p, pid_t *ret_pid)
{
  int fds[2];
  pid_t pid;

  if (pipe2 (fds, O_CLOEXEC) < 0)
    {
      fprintf (stderr, "pipe: %s\n", strerror (errno));
      return -1;
    }
  /* fewer wake-ups of the writer and the sender (best effort) */
  (void)fcntl (fds[1], F_SETPIPE_SZ, 1 << 20);
  fflush (stdout);
  fflush (stderr);
  pid = fork ();
  if (pid < 0)
    {
      fprintf (stderr, "fork: %s\n", strerror (errno));
      close (fds[0]);
      close (fds[1]);
      return -1;
    }
  if (pid == 0)
    {
      close (fds[0]);
      _exit (child_main (p, fds[1]));
    }
  close (fds[1]);
  *ret_pid = pid;
  return fds[0];
}

static char *
random_name (void)
{
  unsigned char b[10];
  char hex[21];

  if (getrandom (b, sizeof (b), 0) != (ssize_t)sizeof (b))
    for (size_t i = 0; i < sizeof (b); i++)
      b[i] = (unsigned char)rand ();
  for (size_t i = 0; i < sizeof (b); i++)
    snprintf (hex + 2 * i, 3, "%02x", b[i]);
  return xasprintf (".dockerfile.%s", hex);
}

/* the Dockerfile's path relative to the context dir, or NULL when it lies
   outside */
static char *
relative_to (const char *ctx_real, const char *file_real)
{
  size_t n = strlen (ctx_real);

  if (strcmp (ctx_real, "/") == 0)
    return xstrdup (file_real + 1);
  if (strncmp (file_real, ctx_real, n) == 0 && file_real[n] == '/')
    return xstrdup (file_real + n + 1);
  return NULL;
}

/* fills p; 0 or the exit status */
static int
plan_context (const char *arg, const char *file, struct context_plan *p, char **ret_dockerfile, char **keep)
{
  *ret_dockerfile = NULL;
  if (strcmp (arg, "-") == 0)
    {
      ssize_t n = 0;
      if (file != NULL && strcmp (file, "-") == 0)
        {
          fprintf (stderr, "invalid argument: can't use stdin for both build context and dockerfile\n");
          return 1;
        }
      /* a tar (any compression) or a Dockerfile */
      while (p->head_len < sizeof (p->head)
             && ((n = read (STDIN_FILENO, p->head + p->head_len, sizeof (p->head) - p->head_len)) > 0
                 || (n < 0 && errno == EINTR)))
        if (n > 0)
          p->head_len += (size_t)n;
      if (n < 0)
        {
          fprintf (stderr, "read stdin: %s\n", strerror (errno));
          return 1;
        }
      if (build_context_is_archive (p->head, p->head_len))
        {
          p->from_stdin_tar = true;
          if (file != NULL)
            *ret_dockerfile = xstrdup (file);
          return 0;
        }
      {
        size_t rest = 0;
        char *more = read_all (STDIN_FILENO, MAX_DOCKERFILE, &rest, "the Dockerfile on stdin");
        if (more == NULL)
          return 1;
        p->extra = xmalloc (p->head_len + rest + 1);
        memcpy (p->extra, p->head, p->head_len);
        memcpy (p->extra + p->head_len, more, rest);
        p->extra_len = p->head_len + rest;
        free (more);
        p->dockerfile_only = true;
        *ret_dockerfile = xstrdup ("Dockerfile");
        return 0;
      }
    }
  {
    char ctx_real[PATH_MAX];
    struct stat st;
    if (strstr (arg, "://") != NULL || strncmp (arg, "git@", 4) == 0)
      {
        fprintf (stderr, "unable to prepare context: building from a URL (%s) is not supported\n", arg);
        return 1;
      }
    if (stat (arg, &st) < 0)
      {
        fprintf (stderr, "unable to prepare context: path \"%s\" not found\n", arg);
        return 1;
      }
    if (!S_ISDIR (st.st_mode))
      {
        fprintf (stderr, "unable to prepare context: context must be a directory: %s\n", arg);
        return 1;
      }
    if (realpath (arg, ctx_real) == NULL)
      {
        fprintf (stderr, "unable to prepare context: %s: %s\n", arg, strerror (errno));
        return 1;
      }
    *keep = xstrdup (ctx_real);
    p->dir = *keep;
    if (file != NULL && strcmp (file, "-") == 0)
      {
        p->extra = read_all (STDIN_FILENO, MAX_DOCKERFILE, &p->extra_len, "the Dockerfile on stdin");
        if (p->extra == NULL)
          return 1;
        *ret_dockerfile = random_name ();
        p->extra_name = *ret_dockerfile;
        return 0;
      }
    {
      cleanup_free char *df = file != NULL ? xstrdup (file) : xasprintf ("%s/Dockerfile", ctx_real);
      char df_real[PATH_MAX];
      char *rel;
      if (realpath (df, df_real) == NULL)
        {
          /* docker also accepts a lower-case "dockerfile" by default */
          if (file == NULL)
            {
              free (df);
              df = xasprintf ("%s/dockerfile", ctx_real);
            }
          if (file != NULL || realpath (df, df_real) == NULL)
            {
              fprintf (stderr, "unable to prepare context: unable to evaluate symlinks in Dockerfile path: %s: %s\n",
                       file != NULL ? file : df, strerror (ENOENT));
              return 1;
            }
        }
      rel = relative_to (ctx_real, df_real);
      if (rel != NULL)
        {
          *ret_dockerfile = rel;
          p->rel_df = rel;
          return 0;
        }
      /* outside the context: sent along under a name of its own */
      {
        cleanup_close int fd = open (df_real, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
          {
            fprintf (stderr, "unable to prepare context: open %s: %s\n", df_real, strerror (errno));
            return 1;
          }
        p->extra = read_all (fd, MAX_DOCKERFILE, &p->extra_len, df_real);
        if (p->extra == NULL)
          return 1;
        *ret_dockerfile = random_name ();
        p->extra_name = *ret_dockerfile;
      }
    }
  }
  return 0;
}

/* ---- the daemon's messages ---- */

struct messages
{
  char *buf;
  size_t len;
  bool quiet;
  char *quiet_out; /* -q: the stream text, shown on failure or printed at the end */
  size_t quiet_len;
  char *error;
  int code;
  char *id;
};

static void
quiet_append (struct messages *m, const char *s)
{
  size_t n = strlen (s);

  m->quiet_out = xrealloc (m->quiet_out, m->quiet_len + n + 1);
  memcpy (m->quiet_out + m->quiet_len, s, n + 1);
  m->quiet_len += n;
}

static void
show (struct messages *m, const char *line)
{
  json_object *o = json_tokener_parse (line);
  json_object *detail, *aux;

  if (o == NULL || m->error != NULL)
    {
      json_object_put (o);
      return;
    }
  detail = berth_json_get (o, "errorDetail");
  aux = berth_json_get (o, "aux");
  if (detail != NULL || berth_json_get (o, "error") != NULL)
    {
      const char *msg = detail != NULL ? berth_json_str (detail, "message") : "";
      m->error = xstrdup (msg[0] != '\0' ? msg : berth_json_str (o, "error"));
      m->code = detail != NULL ? (int)berth_json_int (detail, "code") : 0;
    }
  else if (aux != NULL)
    {
      if (berth_json_str (aux, "ID")[0] != '\0')
        {
          free (m->id);
          m->id = xstrdup (berth_json_str (aux, "ID"));
        }
    }
  else if (berth_json_get (o, "stream") != NULL)
    {
      if (m->quiet)
        quiet_append (m, berth_json_str (o, "stream"));
      else
        fputs (berth_json_str (o, "stream"), stdout);
    }
  else if (berth_json_get (o, "status") != NULL && !m->quiet)
    {
      if (berth_json_str (o, "id")[0] != '\0')
        printf ("%s: ", berth_json_str (o, "id"));
      printf ("%s\n", berth_json_str (o, "status"));
    }
  fflush (stdout);
  json_object_put (o);
}

static int
on_data (void *ud, const char *data, size_t len)
{
  struct messages *m = ud;
  char *nl;

  m->buf = xrealloc (m->buf, m->len + len + 1);
  memcpy (m->buf + m->len, data, len);
  m->len += len;
  m->buf[m->len] = '\0';
  while ((nl = memchr (m->buf, '\n', m->len)) != NULL)
    {
      size_t n = (size_t)(nl - m->buf) + 1;
      *nl = '\0';
      show (m, m->buf);
      memmove (m->buf, m->buf + n, m->len - n);
      m->len -= n;
      m->buf[m->len] = '\0';
    }
  return 0;
}

static char *
query (const struct build_cli *o, const char *dockerfile)
{
  char *path = xstrdup ("/build");

  for (size_t i = 0; o->tags != NULL && o->tags[i] != NULL; i++)
    berth_client_query_add (&path, "t", o->tags[i]);
  if (dockerfile != NULL)
    berth_client_query_add (&path, "dockerfile", dockerfile);
  if (json_object_object_length (o->args) > 0)
    berth_client_query_add (&path, "buildargs", json_object_to_json_string_ext (o->args, JSON_C_TO_STRING_PLAIN));
  if (json_object_object_length (o->labels) > 0)
    berth_client_query_add (&path, "labels", json_object_to_json_string_ext (o->labels, JSON_C_TO_STRING_PLAIN));
  if (o->no_cache)
    berth_client_query_add (&path, "nocache", "1");
  if (o->pull)
    berth_client_query_add (&path, "pull", "1");
  if (json_object_array_length (o->cache_from) > 0)
    berth_client_query_add (&path, "cachefrom", json_object_to_json_string_ext (o->cache_from, JSON_C_TO_STRING_PLAIN));
  if (o->target != NULL)
    berth_client_query_add (&path, "target", o->target);
  if (o->quiet)
    berth_client_query_add (&path, "q", "1");
  if (o->network != NULL)
    berth_client_query_add (&path, "networkmode", o->network);
  berth_client_query_add (&path, "rm", o->rm ? "1" : "0");
  if (o->force_rm)
    berth_client_query_add (&path, "forcerm", "1");
  return path;
}

/* A context directory's session on the daemon: the sha256 of this
   machine's id and the directory's real path.  The daemon keeps what it got
   under that name, and the next build sends only the files whose stat
   changed (core/build/context-session.h).  NULL when the daemon has no
   sessions (the docker daemon, an older berthd): everything is sent. */
static char *
context_session (struct berth_client *client, const char *dir, json_object **ret_files)
{
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *machine = NULL, *key = NULL, *path = NULL;
  char d[DIGEST_BUF_SIZE];
  json_object *reply = NULL, *files;
  size_t len = 0;

  *ret_files = NULL;
  {
    cleanup_close int fd = open ("/etc/machine-id", O_RDONLY | O_CLOEXEC);
    machine = fd >= 0 ? read_all (fd, 4096, &len, "/etc/machine-id") : NULL;
  }
  key = xasprintf ("berth build context\n%.*s\n%s", (int)len, machine != NULL ? machine : "", dir);
  if (digest_buffer (key, strlen (key), d, &err) < 0)
    return NULL;
  path = xstrdup ("/build/context");
  berth_client_query_add (&path, "session", digest_hex (d));
  if (berth_client_get_json (client, path, &reply, &err) < 0)
    return NULL;
  if (!json_object_object_get_ex (reply, "Files", &files) || !json_object_is_type (files, json_type_object))
    {
      json_object_put (reply);
      return NULL;
    }
  *ret_files = json_object_get (files);
  json_object_put (reply);
  return xstrdup (digest_hex (d));
}

static int
run_build (struct berth_cli *cli, struct build_cli *o, const char *ctx_arg)
{
  cleanup_error berth_error_t err = NULL;
  struct context_plan plan = { 0 };
  struct messages m = { .quiet = o->quiet };
  cleanup_free char *dockerfile = NULL, *ctx_dir = NULL, *path = NULL, *session = NULL;
  struct berth_client *client;
  pid_t pid = -1;
  int body = -1, status, ws = 0;

  status = plan_context (ctx_arg, o->file, &plan, &dockerfile, &ctx_dir);
  if (status != 0)
    {
      free (plan.extra);
      return status;
    }
  if (o->iidfile != NULL && unlink (o->iidfile) < 0 && errno != ENOENT)
    {
      fprintf (stderr, "Removing image ID file: %s: %s\n", o->iidfile, strerror (errno));
      free (plan.extra);
      return 1;
    }
  client = berth_cli_client (cli);
  if (client == NULL)
    {
      free (plan.extra);
      return 1;
    }
  {
    /* for the pulls of FROM (and COPY --from) */
    cleanup_free char *auths = cli_auth_build_header ();
    berth_client_set_header (client, "X-Registry-Config", auths);
  }
  /* ping now, so the version prefix is settled before the child runs */
  {
    const char *v;
    if (berth_client_api_version (client, &v, &err) < 0)
      {
        fprintf (stderr, "%s\n", berth_error_msg (&err));
        free (plan.extra);
        return 1;
      }
  }
  plan.say_size = !o->quiet;
  if (plan.dir != NULL)
    session = context_session (client, plan.dir, &plan.session);
  path = query (o, dockerfile);
  if (session != NULL)
    berth_client_query_add (&path, "berth-context", session);
  for (int attempt = 0;; attempt++)
    {
      body = start_context (&plan, &pid);
      if (body < 0)
        {
          free (plan.extra);
          json_object_put (plan.session);
          return 1;
        }
      status = 0;
      if (berth_client_stream (client, "POST", path, body, "application/x-tar", on_data, &m, &err) < 0)
        {
          status = 1;
          m.error = m.error != NULL ? m.error : xstrdup (berth_error_msg (&err));
        }
      else if (m.len > 0)
        show (&m, m.buf);
      close (body);
      while (waitpid (pid, &ws, 0) < 0 && errno == EINTR)
        ;
      /* the daemon lost a file it was to keep (another build of the
         directory, an evicted session): once more, sending everything */
      if (attempt == 0 && plan.session != NULL && m.error != NULL && strstr (m.error, BUILD_CONTEXT_STALE_MARK) != NULL)
        {
          json_object_put (plan.session);
          plan.session = json_object_new_object ();
          free (m.error);
          m.error = NULL;
          m.len = 0;
          berth_error_release (&err);
          continue;
        }
      break;
    }
  free (plan.extra);
  json_object_put (plan.session);
  if (m.error == NULL && (!WIFEXITED (ws) || WEXITSTATUS (ws) != 0))
    m.error = xstrdup ("the build context could not be sent");
  if (m.error != NULL)
    {
      if (o->quiet && m.quiet_out != NULL)
        fputs (m.quiet_out, stderr);
      fprintf (stderr, "%s\n", m.error);
      status = m.code != 0 ? m.code : 1;
    }
  else
    {
      if (o->quiet && m.quiet_out != NULL)
        fputs (m.quiet_out, stdout);
      if (o->iidfile != NULL)
        {
          cleanup_error berth_error_t e2 = NULL;
          if (m.id == NULL)
            {
              fprintf (stderr, "Server did not provide an image ID. Cannot write %s\n", o->iidfile);
              status = 1;
            }
          else
            {
              FILE *f = fopen (o->iidfile, "we");
              if (f == NULL || fputs (m.id, f) < 0 || fclose (f) != 0)
                {
                  fprintf (stderr, "write %s: %s\n", o->iidfile, strerror (errno));
                  status = 1;
                }
            }
        }
    }
  fflush (stdout);
  free (m.buf);
  free (m.quiet_out);
  free (m.error);
  free (m.id);
  return status;
}

int
berth_cmd_build (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "file", required_argument, NULL, 'f' },
    { "tag", required_argument, NULL, 't' },
    { "quiet", no_argument, NULL, 'q' },
    { "build-arg", required_argument, NULL, OPT_BUILD_ARG },
    { "label", required_argument, NULL, OPT_LABEL },
    { "iidfile", required_argument, NULL, OPT_IIDFILE },
    { "network", required_argument, NULL, OPT_NETWORK },
    { "target", required_argument, NULL, OPT_TARGET },
    { "no-cache", no_argument, NULL, OPT_NO_CACHE },
    { "force-rm", no_argument, NULL, OPT_FORCE_RM },
    { "rm", optional_argument, NULL, OPT_RM },
    { "progress", required_argument, NULL, OPT_PROGRESS },
    { "pull", no_argument, NULL, OPT_PULL },
    { "cache-from", required_argument, NULL, OPT_CACHE_FROM },
    { NULL, 0, NULL, 0 },
  };
  struct build_cli o = { .rm = true };
  int status;

  o.args = json_object_new_object ();
  o.labels = json_object_new_object ();
  o.cache_from = json_object_new_array ();
  if (berth_cli_parse_interspersed (argc, argv, build_usage, opts, "f:t:q", on_opt, &o, &status))
    goto out;
  if (argc - optind != 1)
    {
      fprintf (stderr, "\"berth build\" requires exactly 1 argument.\nSee 'berth build --help'.\n\nUsage:  berth build "
                       "[OPTIONS] PATH | -\n\nBuild an image from a Dockerfile\n");
      status = 1;
      goto out;
    }
  status = run_build (cli, &o, argv[optind]);
out:
  strv_free (o.tags);
  json_object_put (o.args);
  json_object_put (o.labels);
  json_object_put (o.cache_from);
  return status;
}
