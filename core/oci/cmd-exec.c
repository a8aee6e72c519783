/* exec: --process FILE (containerd), or a command line (runc exec -t ID CMD...) */
#include "config.h"

#include "core/oci/oci.h"
#include "core/runtime/container.h"
#include "core/lib/fs.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

enum
{
  X_PROCESS = 256,
  X_CONSOLE,
  X_PID_FILE,
  X_PRESERVE,
  X_CAP,
  X_NNP,
  X_CWD,
  X_GROUPS,
};

static int
parse_uint (const char *what, const char *s, uint32_t *out, berth_error_t *err)
{
  char *end;
  unsigned long v;

  errno = 0;
  v = strtoul (s, &end, 10);
  if (errno || end == s || *end || v > UINT32_MAX || *s == '-')
    return berth_error_make (err, EINVAL, "%s: `%s` is not a number", what, s);
  *out = (uint32_t) v;
  return 0;
}

static int
apply_user (struct berth_spec_process *p, const char *s, berth_error_t *err)
{
  cleanup_free char *copy = xstrdup (s);
  char *colon = strchr (copy, ':');

  if (colon)
    *colon = '\0';
  if (parse_uint ("--user", copy, &p->user.uid, err) < 0)
    return berth_error_ret (err);
  p->user.gid = 0;
  if (colon && parse_uint ("--user", colon + 1, &p->user.gid, err) < 0)
    return berth_error_ret (err);
  return 0;
}

static void
append_env (struct berth_spec_process *p, const char *kv)
{
  size_t n = 0, keylen = strcspn (kv, "=");

  for (n = 0; p->env[n]; n++)
    if (strncmp (p->env[n], kv, keylen) == 0 && p->env[n][keylen] == '=')
      {
        free (p->env[n]);
        p->env[n] = xstrdup (kv);
        return;
      }
  p->env = xrealloc (p->env, (n + 2) * sizeof (char *));
  p->env[n] = xstrdup (kv);
  p->env[n + 1] = NULL;
}

static int
add_cap (struct berth_spec_process *p, const char *name, berth_error_t *err)
{
  cap_value_t v;
  uint64_t bit;

  if (strncasecmp (name, "CAP_", 4) != 0 || cap_from_name (name, &v) < 0 || v < 0 || v > 63)
    return berth_error_make (err, EINVAL, "--cap: unknown capability `%s`", name);
  bit = (uint64_t) 1 << v;
  p->has_caps = true;
  p->caps.bounding |= bit;
  p->caps.effective |= bit;
  p->caps.permitted |= bit;
  return 0;
}

static int
add_gids (struct berth_spec_process *p, const char *list, berth_error_t *err)
{
  cleanup_free char *copy = xstrdup (list);
  char *tok, *save = NULL;

  for (tok = strtok_r (copy, ",", &save); tok; tok = strtok_r (NULL, ",", &save))
    {
      uint32_t g;
      if (parse_uint ("--additional-gids", tok, &g, err) < 0)
        return berth_error_ret (err);
      p->user.additional_gids = xrealloc (p->user.additional_gids, (p->user.n_additional_gids + 1) * sizeof (uint32_t));
      p->user.additional_gids[p->user.n_additional_gids++] = g;
    }
  return 0;
}

int
oci_cmd_exec (struct oci_globals *g, int argc, char **argv, berth_error_t *err)
{
  static const struct option opts[] = {
    { "process", required_argument, NULL, X_PROCESS },  { "console-socket", required_argument, NULL, X_CONSOLE },
    { "pid-file", required_argument, NULL, X_PID_FILE }, { "preserve-fds", required_argument, NULL, X_PRESERVE },
    { "tty", no_argument, NULL, 't' },                   { "detach", no_argument, NULL, 'd' },
    { "env", required_argument, NULL, 'e' },             { "user", required_argument, NULL, 'u' },
    { "cwd", required_argument, NULL, X_CWD },           { "cap", required_argument, NULL, X_CAP },
    { "no-new-privs", no_argument, NULL, X_NNP },        { "additional-gids", required_argument, NULL, 'g' },
    { NULL, 0, NULL, 0 },
  };
  const char *usage_line = "exec [--process FILE | [-t] [-u UID[:GID]] [--cwd DIR] [-e K=V] [--cap CAP]] [--detach] "
                           "[--pid-file F] [--console-socket S] ID [COMMAND ARGS...]";
  struct berth_exec_opts o = { 0 };
  struct berth_spec_process *p = NULL;
  cleanup_free char *pid_file = NULL;
  cleanup_strv char **envs = NULL;
  cleanup_strv char **caps = NULL;
  const char *process_file = NULL, *user = NULL, *cwd = NULL, *gids = NULL;
  bool tty = false, nnp = false;
  size_t n_envs = 0, n_caps = 0, i;
  int c, status = 0, ret = -1;

  envs = xmalloc0 (sizeof (char *) * (size_t) (argc + 1));
  caps = xmalloc0 (sizeof (char *) * (size_t) (argc + 1));
  while ((c = getopt_long_only (argc, argv, "+tde:u:g:", opts, NULL)) != -1)
    switch (c)
      {
      case X_PROCESS:
        process_file = optarg;
        break;
      case X_CONSOLE:
        o.console_socket = optarg;
        break;
      case X_PID_FILE:
        free (pid_file);
        pid_file = oci_absolute (optarg);
        break;
      case X_PRESERVE:
        {
          uint32_t v;
          if (parse_uint ("--preserve-fds", optarg, &v, err) < 0 || v > 10000)
            return berth_error_make (err, EINVAL, "--preserve-fds: `%s` is not a count", optarg);
          o.preserve_fds = (int) v;
        }
        break;
      case 't':
        tty = true;
        break;
      case 'd':
        o.detach = true;
        break;
      case 'e':
        if (strchr (optarg, '=') == NULL)
          return berth_error_make (err, EINVAL, "--env: `%s` is not KEY=VALUE", optarg);
        envs[n_envs++] = xstrdup (optarg);
        break;
      case 'u':
        user = optarg;
        break;
      case 'g':
        gids = optarg;
        break;
      case X_CWD:
        cwd = optarg;
        break;
      case X_CAP:
        caps[n_caps++] = xstrdup (optarg);
        break;
      case X_NNP:
        nnp = true;
        break;
      default:
        return berth_error_make (err, EINVAL, "unknown option `%s`; usage: %s", argv[optind - 1], usage_line);
      }
  if (argc - optind < 1)
    return berth_error_make (err, EINVAL, "usage: %s", usage_line);
  if (process_file)
    {
      cleanup_free char *text = NULL;
      size_t len;
      if (argc - optind != 1)
        return berth_error_make (err, EINVAL, "exec: --process takes no command line");
      if (berth_read_file (process_file, 1 << 20, &text, &len, err) < 0)
        return berth_error_ret (err);
      p = berth_spec_parse_process (text, len, err);
      if (p == NULL)
        return berth_error_wrap (err, "%s", process_file);
    }
  else
    {
      if (argc - optind < 2)
        return berth_error_make (err, EINVAL, "exec: no command given; usage: %s", usage_line);
      p = berth_container_process (g->root, argv[optind], err);
      if (p == NULL)
        return berth_error_ret (err);
      strv_free (p->args);
      p->args = xmalloc0 (sizeof (char *) * (size_t) (argc - optind));
      for (i = 0; (int) i < argc - optind - 1; i++)
        p->args[i] = xstrdup (argv[optind + 1 + (int) i]);
      p->terminal = tty;
      for (i = 0; i < n_envs; i++)
        append_env (p, envs[i]);
      if (cwd)
        {
          free (p->cwd);
          p->cwd = xstrdup (cwd);
        }
      if (user && apply_user (p, user, err) < 0)
        goto out;
      if (gids && add_gids (p, gids, err) < 0)
        goto out;
      for (i = 0; i < n_caps; i++)
        if (add_cap (p, caps[i], err) < 0)
          goto out;
      if (nnp)
        p->no_new_privileges = true;
    }
  o.process = p;
  o.pid_file = pid_file;
  ret = berth_container_exec (g->root, argv[optind], &o, &status, err);
  if (ret == 0)
    oci_exit_status = status;
out:
  berth_spec_process_free (p);
  return ret < 0 ? berth_error_ret (err) : 0;
}
