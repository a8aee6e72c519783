/* The flags of berth run / berth create, the create request they make, and
   berth create itself. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cli/container.h"
#include "core/cli/image-pull.h"
#include "core/cli/terminal.h"
#include "core/image/reference.h"
#include "core/lib/mem.h"
#include "core/lib/timestamp.h"

enum
{
  OPT_RM = 256,
  OPT_NAME,
  OPT_ENV_FILE,
  OPT_ENTRYPOINT,
  OPT_CPUS,
  OPT_PIDS_LIMIT,
  OPT_NETWORK,
  OPT_READ_ONLY,
  OPT_CAP_ADD,
  OPT_CAP_DROP,
  OPT_STOP_SIGNAL,
  OPT_STOP_TIMEOUT,
  OPT_RESTART,
  OPT_SHM_SIZE,
  OPT_PRIVILEGED,
  OPT_SIG_PROXY,
  OPT_CGROUPNS,
  OPT_PULL,
  OPT_HEALTH_CMD,
  OPT_HEALTH_INTERVAL,
  OPT_HEALTH_TIMEOUT,
  OPT_HEALTH_START_PERIOD,
  OPT_HEALTH_START_INTERVAL,
  OPT_HEALTH_RETRIES,
  OPT_NO_HEALTHCHECK,
};

/* go-units RAMInBytes: "512m", "1.5g", "64MiB", "100" (bytes); 1 on error
   with docker's reason in *why */
int
berth_parse_ram (const char *s, int64_t *ret, const char **why)
{
  static const char units[] = "kmgtp";
  char *end;
  double v;
  int64_t mult = 1;

  errno = 0;
  if (!isdigit ((unsigned char)s[0]))
    {
      *why = "invalid size";
      return 1;
    }
  v = strtod (s, &end);
  if (errno != 0)
    {
      *why = "invalid size";
      return 1;
    }
  if (*end == ' ')
    end++;
  if (*end != '\0')
    {
      const char *u = strchr (units, tolower ((unsigned char)*end));
      if (u == NULL)
        {
          *why = "invalid suffix";
          return 1;
        }
      for (long i = 0; i <= u - units; i++)
        mult *= 1024;
      end++;
      if (*end == 'i' || *end == 'I')
        end++;
      if (*end == 'b' || *end == 'B')
        end++;
      if (*end != '\0')
        {
          *why = "invalid suffix";
          return 1;
        }
    }
  *ret = (int64_t)(v * (double)mult);
  return 0;
}

static int
parse_int (const char *s, int64_t *ret)
{
  char *end;
  long long v;

  errno = 0;
  v = strtoll (s, &end, 10);
  if (s[0] == '\0' || *end != '\0' || errno != 0)
    return 1;
  *ret = v;
  return 0;
}

static void
strv_append (struct json_object **arr, const char *s)
{
  if (*arr == NULL)
    *arr = json_object_new_array ();
  json_object_array_add (*arr, json_object_new_string (s));
}

static int
bad_value (const char *arg, const char *flag, const char *why)
{
  fprintf (stderr, "invalid argument \"%s\" for \"%s\" flag: %s\n", arg, flag, why);
  return 1;
}

/* --health-interval etc.: a Go duration, not negative */
static int
health_duration (const char *arg, const char *flag, int64_t *ret)
{
  if (berth_duration_parse (arg, ret) < 0)
    return bad_value (arg, flag, "invalid duration");
  if (*ret < 0)
    {
      fprintf (stderr, "%s cannot be negative\n", flag);
      return 1;
    }
  return 0;
}

static int
on_opt (int opt, const char *arg, void *ud)
{
  struct berth_create_opts *o = ud;
  const char *why = NULL;

  if (opt >= BERTH_OPT_MEMORY_SWAP && opt <= BERTH_OPT_LOG_OPT)
    return berth_container_opt_more (o, opt, arg);
  if (opt == 'v' || (opt >= BERTH_OPT_MOUNT && opt <= BERTH_OPT_INIT))
    return berth_container_opt_mounts (o, opt, arg);
  if (opt == 'p' || opt == 'P' || opt == BERTH_OPT_EXPOSE)
    return berth_container_opt_ports (o, opt, arg);
  if (opt >= BERTH_OPT_DNS && opt <= BERTH_OPT_DOMAINNAME)
    return berth_container_opt_net (o, opt, arg);
  if (opt == BERTH_OPT_IP || opt == BERTH_OPT_NET_ALIAS || opt == BERTH_OPT_IP6)
    return berth_container_opt_endpoint (o, opt, arg);
  switch (opt)
    {
    case 'd':
      o->detach = true;
      return 0;
    case OPT_RM:
      o->rm = true;
      return 0;
    case OPT_NAME:
      o->name = arg;
      return 0;
    case OPT_PULL:
      if (strcmp (arg, "missing") != 0 && strcmp (arg, "always") != 0 && strcmp (arg, "never") != 0)
        {
          fprintf (stderr, "invalid pull option: '%s': must be one of \"always\", \"missing\" or \"never\"\n", arg);
          return 1;
        }
      o->pull = arg;
      return 0;
    case 'e':
      if (arg[0] == '=' || arg[0] == '\0')
        return bad_value (arg, "-e, --env", "invalid environment variable");
      strv_append (&o->env, arg);
      return 0;
    case OPT_ENV_FILE:
      strv_append (&o->env_files, arg);
      return 0;
    case 'w':
      o->workdir = arg;
      return 0;
    case 'u':
      o->user = arg;
      return 0;
    case 'h':
      o->hostname = arg;
      return 0;
    case OPT_ENTRYPOINT:
      o->entrypoint = arg;
      o->has_entrypoint = true;
      return 0;
    case 'l':
      {
        const char *eq = strchr (arg, '=');
        cleanup_free char *key = eq != NULL ? xstrndup (arg, (size_t)(eq - arg)) : xstrdup (arg);
        if (key[0] == '\0')
          return bad_value (arg, "-l, --label", "invalid label format");
        if (o->labels == NULL)
          o->labels = json_object_new_object ();
        json_object_object_add (o->labels, key, json_object_new_string (eq != NULL ? eq + 1 : ""));
        return 0;
      }
    case 'i':
      o->interactive = true;
      return 0;
    case 't':
      o->tty = true;
      return 0;
    case 'm':
      if (berth_parse_ram (arg, &o->memory, &why) != 0)
        {
          cleanup_free char *msg = xasprintf ("%s: '%s'", why, arg);
          return bad_value (arg, "-m, --memory", msg);
        }
      return 0;
    case OPT_SHM_SIZE:
      if (berth_parse_ram (arg, &o->shm_size, &why) != 0)
        {
          cleanup_free char *msg = xasprintf ("%s: '%s'", why, arg);
          return bad_value (arg, "--shm-size", msg);
        }
      return 0;
    case OPT_CPUS:
      {
        char *end;
        double v;
        errno = 0;
        v = strtod (arg, &end);
        if (arg[0] == '\0' || *end != '\0' || errno != 0 || !isfinite (v))
          {
            cleanup_free char *msg = xasprintf ("failed to parse %s as a rational number", arg);
            return bad_value (arg, "--cpus", msg);
          }
        o->nano_cpus = (int64_t)(v * 1e9 + (v < 0 ? -0.5 : 0.5));
        return 0;
      }
    case 'c':
      if (parse_int (arg, &o->cpu_shares) != 0)
        return bad_value (arg, "-c, --cpu-shares", "invalid syntax");
      return 0;
    case OPT_PIDS_LIMIT:
      if (parse_int (arg, &o->pids_limit) != 0)
        return bad_value (arg, "--pids-limit", "invalid syntax");
      o->has_pids_limit = true;
      return 0;
    case OPT_NETWORK:
      o->network = arg;
      return 0;
    case OPT_CGROUPNS:
      if (strcmp (arg, "host") != 0 && strcmp (arg, "private") != 0)
        return bad_value (arg, "--cgroupns", "must be \"host\" or \"private\"");
      o->cgroupns = arg;
      return 0;
    case OPT_READ_ONLY:
      o->read_only = true;
      return 0;
    case OPT_CAP_ADD:
      strv_append (&o->cap_add, arg);
      return 0;
    case OPT_CAP_DROP:
      strv_append (&o->cap_drop, arg);
      return 0;
    case OPT_STOP_SIGNAL:
      o->stop_signal = arg;
      return 0;
    case OPT_STOP_TIMEOUT:
      if (parse_int (arg, &o->stop_timeout) != 0)
        return bad_value (arg, "--stop-timeout", "invalid syntax");
      o->has_stop_timeout = true;
      return 0;
    case OPT_RESTART:
      o->restart = arg;
      return 0;
    case OPT_HEALTH_CMD:
      o->health_cmd = arg;
      o->has_health = true;
      return 0;
    case OPT_HEALTH_INTERVAL:
      o->has_health = true;
      return health_duration (arg, "--health-interval", &o->health_interval);
    case OPT_HEALTH_TIMEOUT:
      o->has_health = true;
      return health_duration (arg, "--health-timeout", &o->health_timeout);
    case OPT_HEALTH_START_PERIOD:
      o->has_health = true;
      return health_duration (arg, "--health-start-period", &o->health_start_period);
    case OPT_HEALTH_START_INTERVAL:
      o->has_health = true;
      return health_duration (arg, "--health-start-interval", &o->health_start_interval);
    case OPT_HEALTH_RETRIES:
      if (parse_int (arg, &o->health_retries) != 0 || o->health_retries < 0 || o->health_retries > 1000000)
        return bad_value (arg, "--health-retries", "invalid syntax");
      o->has_health = true;
      return 0;
    case OPT_NO_HEALTHCHECK:
      o->no_healthcheck = true;
      return 0;
    case OPT_PRIVILEGED:
      o->privileged = true;
      return 0;
    case OPT_SIG_PROXY:
      if (arg == NULL || strcmp (arg, "true") == 0 || strcmp (arg, "1") == 0)
        o->sig_proxy = true;
      else if (strcmp (arg, "false") == 0 || strcmp (arg, "0") == 0)
        o->sig_proxy = false;
      else
        return bad_value (arg, "--sig-proxy", "invalid syntax");
      return 0;
    }
  return 1;
}

int
berth_container_opts_parse (int argc, char **argv, const char *usage, struct berth_create_opts *o, int *status)
{
  static const struct option create_opts[] = {
    { "rm", no_argument, NULL, OPT_RM },
    { "name", required_argument, NULL, OPT_NAME },
    { "pull", required_argument, NULL, OPT_PULL },
    { "env", required_argument, NULL, 'e' },
    { "env-file", required_argument, NULL, OPT_ENV_FILE },
    { "workdir", required_argument, NULL, 'w' },
    { "user", required_argument, NULL, 'u' },
    { "hostname", required_argument, NULL, 'h' },
    { "entrypoint", required_argument, NULL, OPT_ENTRYPOINT },
    { "label", required_argument, NULL, 'l' },
    { "interactive", no_argument, NULL, 'i' },
    { "tty", no_argument, NULL, 't' },
    { "memory", required_argument, NULL, 'm' },
    { "cpus", required_argument, NULL, OPT_CPUS },
    { "cpu-shares", required_argument, NULL, 'c' },
    { "pids-limit", required_argument, NULL, OPT_PIDS_LIMIT },
    { "cgroupns", required_argument, NULL, OPT_CGROUPNS },
    { "network", required_argument, NULL, OPT_NETWORK },
    { "net", required_argument, NULL, OPT_NETWORK },
    { "read-only", no_argument, NULL, OPT_READ_ONLY },
    { "cap-add", required_argument, NULL, OPT_CAP_ADD },
    { "cap-drop", required_argument, NULL, OPT_CAP_DROP },
    { "stop-signal", required_argument, NULL, OPT_STOP_SIGNAL },
    { "stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT },
    { "restart", required_argument, NULL, OPT_RESTART },
    { "health-cmd", required_argument, NULL, OPT_HEALTH_CMD },
    { "health-interval", required_argument, NULL, OPT_HEALTH_INTERVAL },
    { "health-timeout", required_argument, NULL, OPT_HEALTH_TIMEOUT },
    { "health-start-period", required_argument, NULL, OPT_HEALTH_START_PERIOD },
    { "health-start-interval", required_argument, NULL, OPT_HEALTH_START_INTERVAL },
    { "health-retries", required_argument, NULL, OPT_HEALTH_RETRIES },
    { "no-healthcheck", no_argument, NULL, OPT_NO_HEALTHCHECK },
    { "shm-size", required_argument, NULL, OPT_SHM_SIZE },
    { "privileged", no_argument, NULL, OPT_PRIVILEGED },
    { "memory-swap", required_argument, NULL, BERTH_OPT_MEMORY_SWAP },
    { "ulimit", required_argument, NULL, BERTH_OPT_ULIMIT },
    { "security-opt", required_argument, NULL, BERTH_OPT_SECURITY_OPT },
    { "log-driver", required_argument, NULL, BERTH_OPT_LOG_DRIVER },
    { "log-opt", required_argument, NULL, BERTH_OPT_LOG_OPT },
    { "volume", required_argument, NULL, 'v' },
    { "mount", required_argument, NULL, BERTH_OPT_MOUNT },
    { "tmpfs", required_argument, NULL, BERTH_OPT_TMPFS },
    { "init", no_argument, NULL, BERTH_OPT_INIT },
    { "publish", required_argument, NULL, 'p' },
    { "publish-all", no_argument, NULL, 'P' },
    { "expose", required_argument, NULL, BERTH_OPT_EXPOSE },
    { "dns", required_argument, NULL, BERTH_OPT_DNS },
    { "dns-search", required_argument, NULL, BERTH_OPT_DNS_SEARCH },
    { "dns-option", required_argument, NULL, BERTH_OPT_DNS_OPTION },
    { "dns-opt", required_argument, NULL, BERTH_OPT_DNS_OPTION },
    { "add-host", required_argument, NULL, BERTH_OPT_ADD_HOST },
    { "domainname", required_argument, NULL, BERTH_OPT_DOMAINNAME },
    { "ip", required_argument, NULL, BERTH_OPT_IP },
    { "ip6", required_argument, NULL, BERTH_OPT_IP6 },
    { "network-alias", required_argument, NULL, BERTH_OPT_NET_ALIAS },
    { NULL, 0, NULL, 0 },
  };
  static const struct option run_only[] = {
    { "detach", no_argument, NULL, 'd' },
    { "sig-proxy", optional_argument, NULL, OPT_SIG_PROXY },
  };
  const size_t n_create = sizeof (create_opts) / sizeof (create_opts[0]) - 1;
  const size_t n_run = sizeof (run_only) / sizeof (run_only[0]);
  struct option all[sizeof (create_opts) / sizeof (create_opts[0]) + sizeof (run_only) / sizeof (run_only[0])];
  size_t n = 0;

  o->sig_proxy = true;
  for (size_t i = 0; i < n_create; i++)
    all[n++] = create_opts[i];
  if (o->run)
    for (size_t i = 0; i < n_run; i++)
      all[n++] = run_only[i];
  all[n] = (struct option){ NULL, 0, NULL, 0 };
  /* options stop at IMAGE: what follows is the container's command line */
  if (berth_cli_parse (argc, argv, usage, all, o->run ? "de:w:u:h:l:itm:c:v:p:P" : "e:w:u:h:l:itm:c:v:p:P", on_opt, o, status))
    return 1;
  if (optind >= argc)
    {
      fprintf (stderr, "\"berth %s\" requires at least 1 argument.\nSee 'berth %s --help'.\n", argv[0], argv[0]);
      *status = 125;
      return 1;
    }
  if (o->no_healthcheck && o->has_health)
    {
      fprintf (stderr, "berth: --no-healthcheck conflicts with --health-* options\n");
      *status = 125;
      return 1;
    }
  if (o->rm && o->restart != NULL && strcmp (o->restart, "no") != 0 && o->restart[0] != '\0')
    {
      fprintf (stderr,
               "berth: conflicting options: cannot specify both --restart and --rm\n\n"
               "Run 'berth %s --help' for more information\n",
               argv[0]);
      *status = 125;
      return 1;
    }
  return 0;
}

void
berth_container_opts_free (struct berth_create_opts *o)
{
  json_object_put (o->env);
  json_object_put (o->env_files);
  json_object_put (o->labels);
  json_object_put (o->cap_add);
  json_object_put (o->cap_drop);
  berth_container_opts_more_free (o);
  berth_container_opts_mounts_free (o);
  berth_container_opts_ports_free (o);
  berth_container_opts_net_free (o);
  json_object_put (o->net_aliases);
}

/* docker's env-file format: NAME=VALUE lines, # comments, a bare NAME takes
   the value from our environment (skipped when unset) */
int
berth_container_read_env_file (const char *path, struct json_object *env, berth_error_t *err)
{
  cleanup_file FILE *f = fopen (path, "re");
  cleanup_free char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  bool first = true;

  if (f == NULL)
    return berth_error_errno (err, errno, "open %s", path);
  while ((len = getline (&line, &cap, f)) >= 0)
    {
      char *p = line, *eq;
      while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
      if (first && strncmp (p, "\xef\xbb\xbf", 3) == 0)
        p += 3;
      first = false;
      while (*p == ' ' || *p == '\t')
        p++;
      if (*p == '\0' || *p == '#')
        continue;
      eq = strchr (p, '=');
      for (char *q = p; *q && q != eq; q++)
        if (isspace ((unsigned char)*q))
          {
            cleanup_free char *name = eq != NULL ? xstrndup (p, (size_t)(eq - p)) : xstrdup (p);
            return berth_error_make (err, EINVAL, "variable '%s' contains whitespaces", name);
          }
      if (eq == p)
        return berth_error_make (err, EINVAL, "invalid environment variable: %s", p);
      if (eq != NULL)
        json_object_array_add (env, json_object_new_string (p));
      else if (getenv (p) != NULL)
        {
          cleanup_free char *kv = xasprintf ("%s=%s", p, getenv (p));
          json_object_array_add (env, json_object_new_string (kv));
        }
    }
  return 0;
}

static struct json_object *
strv_or_null (struct json_object *a)
{
  return a != NULL ? json_object_get (a) : NULL;
}

static int
build_body (struct berth_create_opts *o, const char *image, char **cmd, int n_cmd, struct json_object **ret,
            berth_error_t *err)
{
  struct json_object *body = json_object_new_object (), *host = json_object_new_object ();
  struct json_object *env = NULL, *restart = json_object_new_object ();
  bool attach = !o->detach;
  unsigned h, w;

  for (size_t i = 0; o->env_files != NULL && i < json_object_array_length (o->env_files); i++)
    {
      if (env == NULL)
        env = json_object_new_array ();
      if (berth_container_read_env_file (json_object_get_string (json_object_array_get_idx (o->env_files, i)), env,
                                         err)
          < 0)
        {
          json_object_put (env);
          json_object_put (body);
          json_object_put (host);
          json_object_put (restart);
          return berth_error_ret (err);
        }
    }
  for (size_t i = 0; o->env != NULL && i < json_object_array_length (o->env); i++)
    {
      const char *kv = json_object_get_string (json_object_array_get_idx (o->env, i));
      if (env == NULL)
        env = json_object_new_array ();
      if (strchr (kv, '=') == NULL && getenv (kv) != NULL)
        {
          cleanup_free char *full = xasprintf ("%s=%s", kv, getenv (kv));
          json_object_array_add (env, json_object_new_string (full));
        }
      else
        json_object_array_add (env, json_object_new_string (kv));
    }

  json_object_object_add (body, "Hostname", json_object_new_string (o->hostname != NULL ? o->hostname : ""));
  json_object_object_add (body, "Domainname", json_object_new_string (o->domainname != NULL ? o->domainname : ""));
  json_object_object_add (body, "User", json_object_new_string (o->user != NULL ? o->user : ""));
  json_object_object_add (body, "AttachStdin", json_object_new_boolean (attach && o->interactive));
  json_object_object_add (body, "AttachStdout", json_object_new_boolean (attach));
  json_object_object_add (body, "AttachStderr", json_object_new_boolean (attach));
  json_object_object_add (body, "Tty", json_object_new_boolean (o->tty));
  json_object_object_add (body, "OpenStdin", json_object_new_boolean (o->interactive));
  json_object_object_add (body, "StdinOnce", json_object_new_boolean (attach && o->interactive));
  json_object_object_add (body, "Env", env);
  if (n_cmd > 0)
    {
      struct json_object *c = json_object_new_array ();
      for (int i = 0; i < n_cmd; i++)
        json_object_array_add (c, json_object_new_string (cmd[i]));
      json_object_object_add (body, "Cmd", c);
    }
  else
    json_object_object_add (body, "Cmd", NULL);
  json_object_object_add (body, "Image", json_object_new_string (image));
  json_object_object_add (body, "WorkingDir", json_object_new_string (o->workdir != NULL ? o->workdir : ""));
  if (o->has_entrypoint)
    {
      struct json_object *ep = json_object_new_array ();
      json_object_array_add (ep, json_object_new_string (o->entrypoint));
      json_object_object_add (body, "Entrypoint", ep);
    }
  else
    json_object_object_add (body, "Entrypoint", NULL);
  json_object_object_add (body, "Labels", o->labels != NULL ? json_object_get (o->labels) : json_object_new_object ());
  if (o->stop_signal != NULL)
    json_object_object_add (body, "StopSignal", json_object_new_string (o->stop_signal));
  if (o->has_stop_timeout)
    json_object_object_add (body, "StopTimeout", json_object_new_int64 (o->stop_timeout));
  if (o->no_healthcheck || o->has_health)
    {
      /* docker's CLI: NONE, or the given fields (the rest from the image) */
      json_object *hc = json_object_new_object (), *test = json_object_new_array ();
      if (o->no_healthcheck)
        json_object_array_add (test, json_object_new_string ("NONE"));
      else if (o->health_cmd != NULL)
        {
          json_object_array_add (test, json_object_new_string ("CMD-SHELL"));
          json_object_array_add (test, json_object_new_string (o->health_cmd));
        }
      json_object_object_add (hc, "Test", test);
      json_object_object_add (hc, "Interval", json_object_new_int64 (o->health_interval));
      json_object_object_add (hc, "Timeout", json_object_new_int64 (o->health_timeout));
      json_object_object_add (hc, "StartPeriod", json_object_new_int64 (o->health_start_period));
      json_object_object_add (hc, "StartInterval", json_object_new_int64 (o->health_start_interval));
      json_object_object_add (hc, "Retries", json_object_new_int64 (o->health_retries));
      json_object_object_add (body, "Healthcheck", hc);
    }

  json_object_object_add (host, "AutoRemove", json_object_new_boolean (o->rm));
  json_object_object_add (host, "NetworkMode", json_object_new_string (o->network != NULL ? o->network : "default"));
  if (o->cgroupns != NULL)
    json_object_object_add (host, "CgroupnsMode", json_object_new_string (o->cgroupns));
  if (o->restart != NULL && o->restart[0] != '\0')
    {
      const char *colon = strchr (o->restart, ':');
      cleanup_free char *name
          = colon != NULL ? xstrndup (o->restart, (size_t)(colon - o->restart)) : xstrdup (o->restart);
      int64_t max = 0;
      if (colon != NULL && parse_int (colon + 1, &max) != 0)
        {
          json_object_put (restart);
          json_object_put (host);
          json_object_put (body);
          return berth_error_make (err, EINVAL,
                                   "invalid restart policy format: maximum retry count must be an integer");
        }
      json_object_object_add (restart, "Name", json_object_new_string (name));
      json_object_object_add (restart, "MaximumRetryCount", json_object_new_int64 (max));
    }
  else
    {
      json_object_object_add (restart, "Name", json_object_new_string ("no"));
      json_object_object_add (restart, "MaximumRetryCount", json_object_new_int (0));
    }
  json_object_object_add (host, "RestartPolicy", restart);
  if (o->tty && berth_terminal_size (STDOUT_FILENO, &h, &w))
    {
      struct json_object *cs = json_object_new_array ();
      json_object_array_add (cs, json_object_new_int ((int)h));
      json_object_array_add (cs, json_object_new_int ((int)w));
      json_object_object_add (host, "ConsoleSize", cs);
    }
  json_object_object_add (host, "CapAdd", strv_or_null (o->cap_add));
  json_object_object_add (host, "CapDrop", strv_or_null (o->cap_drop));
  json_object_object_add (host, "ReadonlyRootfs", json_object_new_boolean (o->read_only));
  json_object_object_add (host, "Privileged", json_object_new_boolean (o->privileged));
  json_object_object_add (host, "Memory", json_object_new_int64 (o->memory));
  json_object_object_add (host, "NanoCpus", json_object_new_int64 (o->nano_cpus));
  json_object_object_add (host, "CpuShares", json_object_new_int64 (o->cpu_shares));
  if (o->has_pids_limit)
    json_object_object_add (host, "PidsLimit", json_object_new_int64 (o->pids_limit));
  if (o->shm_size > 0)
    json_object_object_add (host, "ShmSize", json_object_new_int64 (o->shm_size));
  berth_container_opts_more_body (o, host);
  berth_container_opts_mounts_body (o, body, host);
  berth_container_opts_ports_body (o, body, host);
  berth_container_opts_net_body (o, host);
  json_object_object_add (body, "HostConfig", host);
  berth_container_opts_endpoint_body (o, body);
  *ret = body;
  return 0;
}

/* The pull docker does after a 404 for the image, its progress on stderr.
   Returns 0 when the image came. */
static int
pull (struct berth_client *client, const struct image_ref *ref, berth_error_t *err)
{
  return berth_cli_pull_image (client, ref, NULL, stderr, false, err);
}

int
berth_container_create (struct berth_client *client, struct berth_create_opts *o, const char *image, char **cmd,
                        int n_cmd, char **ret_id, berth_error_t *err)
{
  cleanup_free char *path = xstrdup ("/containers/create");
  struct json_object *body = NULL, *reply = NULL;
  int r;

  if (build_body (o, image, cmd, n_cmd, &body, err) < 0)
    return berth_error_ret (err);
  if (o->name != NULL)
    berth_client_query_add (&path, "name", o->name);
  /* --pull always: pull first, whatever the store holds */
  if (o->pull != NULL && strcmp (o->pull, "always") == 0)
    {
      cleanup_image_ref struct image_ref *ref = NULL;

      if (image_ref_parse (image, IMAGE_REF_DEFAULT_TAG, &ref, err) < 0 || pull (client, ref, err) < 0)
        {
          json_object_put (body);
          return berth_error_ret (err);
        }
    }
  r = berth_client_send_json (client, "POST", path, body, &reply, err);
  /* --pull never: the daemon's "No such image" stands */
  if (r < 0 && (o->pull == NULL || strcmp (o->pull, "never") != 0) && berth_error_code (err) == ENOENT && strstr (berth_error_msg (err), "No such image") != NULL)
    {
      cleanup_image_ref struct image_ref *ref = NULL;
      cleanup_free char *familiar = NULL;

      if (image_ref_parse (image, IMAGE_REF_DEFAULT_TAG, &ref, NULL) < 0)
        {
          json_object_put (body);
          return -1; /* the daemon's 404 stands */
        }
      berth_error_release (err);
      familiar = image_ref_familiar_string (ref);
      fprintf (stderr, "Unable to find image '%s' locally\n", familiar);
      if (pull (client, ref, err) < 0)
        {
          json_object_put (body);
          return berth_error_ret (err);
        }
      r = berth_client_send_json (client, "POST", path, body, &reply, err);
    }
  json_object_put (body);
  if (r < 0)
    return berth_error_ret (err);
  {
    struct json_object *warnings = berth_json_get (reply, "Warnings");
    for (size_t i = 0;
         warnings != NULL && json_object_is_type (warnings, json_type_array) && i < json_object_array_length (warnings);
         i++)
      fprintf (stderr, "WARNING: %s\n", json_object_get_string (json_object_array_get_idx (warnings, i)));
  }
  if (berth_json_str (reply, "Id")[0] == '\0')
    {
      json_object_put (reply);
      return berth_error_make (err, EPROTO, "the daemon's reply to create has no Id");
    }
  *ret_id = xstrdup (berth_json_str (reply, "Id"));
  json_object_put (reply);
  return 0;
}

/* docker matches lower-case text (Go's error strings); strerror's
   capitalised "Permission denied" is accepted too */
int
berth_container_error_status (const char *msg)
{
  if (strcasestr (msg, "executable file not found") != NULL || strcasestr (msg, "no such file or directory") != NULL)
    return 127;
  if (strcasestr (msg, "permission denied") != NULL || strcasestr (msg, "is a directory") != NULL)
    return 126;
  return 125;
}

static const char create_usage[]
    = "Usage:  berth create [OPTIONS] IMAGE [COMMAND] [ARG...]\n"
      "\n"
      "Create a new container\n"
      "\n"
      "Aliases:\n"
      "  berth container create, berth create\n"
      "\n"
      "Options:\n"
      "      --cap-add list             Add Linux capabilities\n"
      "      --cap-drop list            Drop Linux capabilities\n"
      "      --cgroupns string          Cgroup namespace to use (host|private); default: private on cgroup v2, host on v1\n"
      "  -c, --cpu-shares int           CPU shares (relative weight)\n"
      "      --cpus decimal             Number of CPUs\n"
      "      --add-host list            Add a custom host-to-IP mapping (host:ip, ip may be host-gateway)\n"
      "      --dns list                 Set custom DNS servers\n"
      "      --dns-option list          Set DNS options\n"
      "      --dns-search list          Set custom DNS search domains\n"
      "      --domainname string        Container NIS domain name\n"
      "      --entrypoint string        Overwrite the default ENTRYPOINT of the image\n"
      "  -e, --env list                 Set environment variables\n"
      "      --env-file list            Read in a file of environment variables\n"
      "      --help                     Print usage\n"
      "      --health-cmd string        Command to run to check health\n"
      "      --health-interval duration Time between running the check (ms|s|m|h) (default 0s)\n"
      "      --health-retries int       Consecutive failures needed to report unhealthy\n"
      "      --health-start-interval duration\n"
      "                                 Time between running the check during the start period (ms|s|m|h) (default 0s)\n"
      "      --health-start-period duration\n"
      "                                 Start period for the container to initialize before starting health-retries\n"
      "                                 countdown (ms|s|m|h) (default 0s)\n"
      "      --health-timeout duration  Maximum time to allow one check to run (ms|s|m|h) (default 0s)\n"
      "  -h, --hostname string          Container host name\n"
      "      --init                     Run an init inside the container that forwards signals and reaps processes\n"
      "  -i, --interactive              Keep STDIN open even if not attached\n"
      "  -l, --label list               Set meta data on a container\n"
      "  -m, --memory bytes             Memory limit\n"
      "      --mount mount              Attach a filesystem mount to the container\n"
      "      --name string              Assign a name to the container\n"
      "      --network string           Connect a container to a network (bridge, none, host, a user-defined "
      "network)\n"
      "      --network-alias list       Add network-scoped alias for the container\n"
      "      --ip string                IPv4 address (e.g., 172.30.100.104)\n"
      "      --ip6 string               IPv6 address (e.g., 2001:db8::33)\n"
      "  -p, --publish list             Publish a container's port(s) to the host\n"
      "  -P, --publish-all              Publish all exposed ports to random ports\n"
      "      --expose list              Expose a port or a range of ports\n"
      "      --no-healthcheck           Disable any container-specified HEALTHCHECK\n"
      "      --pids-limit int           Tune container pids limit (set -1 for unlimited)\n"
      "      --privileged               Give extended privileges to this container\n"
      "      --pull string              Pull image before running (\"always\", \"missing\", \"never\") (default \"missing\")\n"
      "      --read-only                Mount the container's root filesystem as read only\n"
      "      --restart string           Restart policy to apply when a container exits (default \"no\")\n"
      "      --rm                       Automatically remove the container and its associated anonymous volumes\n"
      "                                 when it exits\n"
      "      --shm-size bytes           Size of /dev/shm\n"
      "      --tmpfs list               Mount a tmpfs directory\n"
      "      --stop-signal string       Signal to stop the container\n"
      "      --stop-timeout int         Timeout (in seconds) to stop a container\n"
      "  -t, --tty                      Allocate a pseudo-TTY\n"
      "  -u, --user string              Username or UID (format: <name|uid>[:<group|gid>])\n"
      "  -v, --volume list              Bind mount a volume\n"
      "  -w, --workdir string           Working directory inside the container\n";

int
berth_cmd_create (struct berth_cli *cli, int argc, char **argv)
{
  cleanup_error berth_error_t err = NULL;
  struct berth_create_opts o = { .run = false };
  struct berth_client *client;
  cleanup_free char *id = NULL;
  int status;

  if (berth_container_opts_parse (argc, argv, create_usage, &o, &status))
    {
      berth_container_opts_free (&o);
      return status;
    }
  client = berth_cli_client (cli);
  if (client == NULL)
    {
      berth_container_opts_free (&o);
      return 1;
    }
  status = 0;
  if (berth_container_create (client, &o, argv[optind], argv + optind + 1, argc - optind - 1, &id, &err) < 0)
    {
      fprintf (stderr, "%s\n", berth_error_msg (&err));
      status = 1;
    }
  else
    printf ("%s\n", id);
  berth_container_opts_free (&o);
  return status;
}
