#include "config.h"

#include "core/runtime/process.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

int
berth_process_set_rlimits (const struct berth_spec_process *p, berth_error_t *err)
{
  size_t i;

  for (i = 0; i < p->n_rlimits; i++)
    {
      struct rlimit rl = { .rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard };
      struct rlimit cur = { 0, 0 };
      if (setrlimit (p->rlimits[i].resource, &rl) == 0)
        continue;
      getrlimit (p->rlimits[i].resource, &cur);
      if (errno == EPERM && rl.rlim_max > cur.rlim_max)
        return berth_error_make (err, EPERM,
                                 "process.rlimits[%zu]: raising the hard limit from %llu to %llu needs "
                                 "CAP_SYS_RESOURCE, which the runtime lacks",
                                 i, (unsigned long long) cur.rlim_max, (unsigned long long) rl.rlim_max);
      return berth_error_errno (err, errno, "process.rlimits[%zu]: set soft %llu, hard %llu", i,
                                (unsigned long long) rl.rlim_cur, (unsigned long long) rl.rlim_max);
    }
  return 0;
}

int
berth_process_set_user (const struct berth_spec_process *p, berth_error_t *err)
{
  const struct berth_spec_user *u = &p->user;
  gid_t groups[64];
  size_t i, n = u->n_additional_gids;

  if (n > sizeof (groups) / sizeof (groups[0]))
    return berth_error_make (err, E2BIG, "process.user.additionalGids: more than 64 groups");
  for (i = 0; i < n; i++)
    groups[i] = u->additional_gids[i];
  /* EPERM here means setgroups is denied in this user namespace */
  if (syscall (SYS_setgroups, n, groups) < 0 && !(errno == EPERM && n == 0))
    return berth_error_errno (err, errno, "setgroups");
  if (syscall (SYS_setresgid, u->gid, u->gid, u->gid) < 0)
    return berth_error_errno (err, errno, "setgid %u", u->gid);
  if (syscall (SYS_setresuid, u->uid, u->uid, u->uid) < 0)
    return berth_error_errno (err, errno, "setuid %u", u->uid);
  return 0;
}

int
berth_process_chdir (const char *cwd, berth_error_t *err)
{
  char buf[4096];

  if (chdir (cwd) < 0)
    return berth_error_errno (err, errno, "process.cwd `%s`", cwd);
  if (getcwd (buf, sizeof (buf)) == NULL)
    return berth_error_errno (err, errno, "process.cwd `%s`: the working directory is outside the container", cwd);
  if (buf[0] != '/')
    return berth_error_make (err, EPERM, "process.cwd `%s`: the working directory is outside the container", cwd);
  return 0;
}

static const char *
env_get (char *const *env, const char *key)
{
  size_t len = strlen (key), i;

  for (i = 0; env && env[i]; i++)
    if (strncmp (env[i], key, len) == 0 && env[i][len] == '=')
      return env[i] + len + 1;
  return NULL;
}

static int
check_exec (const char *path)
{
  struct stat st;

  if (stat (path, &st) < 0)
    return -errno;
  if (S_ISDIR (st.st_mode) || !(st.st_mode & 0111))
    return -EACCES;
  return 0;
}

char *
berth_process_find_program (const char *arg0, char *const *env, berth_error_t *err)
{
  cleanup_free char *path_copy = NULL;
  const char *path = env_get (env, "PATH");
  char *dir, *save = NULL;
  int saw_eacces = 0;

  if (strchr (arg0, '/'))
    {
      int r = check_exec (arg0);
      /* Docker's wording, which clients map to exit codes 126/127. */
      if (r == -EACCES)
        berth_error_make (err, EACCES, "exec `%s`: permission denied", arg0);
      else if (r == -ENOENT)
        berth_error_make (err, ENOENT, "exec `%s`: no such file or directory", arg0);
      else if (r < 0)
        berth_error_errno (err, -r, "exec `%s`", arg0);
      if (r < 0)
        return NULL;
      return xstrdup (arg0);
    }
  path_copy = xstrdup (path ? path : DEFAULT_PATH);
  for (dir = strtok_r (path_copy, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
    {
      cleanup_free char *cand = xasprintf ("%s/%s", *dir ? dir : ".", arg0);
      int r = check_exec (cand);
      if (r == 0)
        return steal_pointer (&cand);
      if (r == -EACCES)
        saw_eacces = 1;
    }
  if (saw_eacces)
    berth_error_make (err, EACCES, "exec `%s`: permission denied", arg0);
  else
    berth_error_make (err, ENOENT, "exec `%s`: executable file not found in $PATH", arg0);
  return NULL;
}

/* HOME for uid from the container's /etc/passwd, read as a plain file:
   no NSS module of the image is ever loaded */
static char *
home_for (uid_t uid)
{
  cleanup_file FILE *f = fopen ("/etc/passwd", "re");
  char line[1024];

  if (f == NULL)
    return NULL;
  while (fgets (line, sizeof (line), f))
    {
      char *fields[7], *p = line, *save = NULL;
      int n = 0;
      for (char *t = strtok_r (p, ":\n", &save); t && n < 7; t = strtok_r (NULL, ":\n", &save))
        fields[n++] = t;
      if (n >= 6 && (uid_t) strtoul (fields[2], NULL, 10) == uid)
        return xstrdup (fields[5]);
    }
  return NULL;
}

char **
berth_process_build_env (const struct berth_spec_process *p)
{
  size_t n = 0, i;
  char **env;

  while (p->env[n])
    n++;
  env = xmalloc0 ((n + 2) * sizeof (char *));
  for (i = 0; i < n; i++)
    env[i] = xstrdup (p->env[i]);
  if (env_get (p->env, "HOME") == NULL)
    {
      cleanup_free char *home = home_for (p->user.uid);
      env[n] = xasprintf ("HOME=%s", home ? home : "/");
    }
  return env;
}

int
berth_process_close_fds (int preserve_fds, berth_error_t *err)
{
  int fd;

  if (syscall (SYS_close_range, 3 + preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    return berth_error_errno (err, errno, "close_range");
  for (fd = 3; fd < 3 + preserve_fds; fd++)
    {
      int flags = fcntl (fd, F_GETFD);
      if (flags >= 0 && fcntl (fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
        return berth_error_errno (err, errno, "keep fd %d", fd);
    }
  return 0;
}
