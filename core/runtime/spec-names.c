#include "config.h"

#include "core/runtime/spec.h"

#include <sched.h>
#include <string.h>
#include <sys/resource.h>

static const struct
{
  const char *name;
  int flag;
} ns_table[BERTH_NS__COUNT] = {
  [BERTH_NS_USER] = { "user", CLONE_NEWUSER },       [BERTH_NS_PID] = { "pid", CLONE_NEWPID },
  [BERTH_NS_NET] = { "network", CLONE_NEWNET },      [BERTH_NS_IPC] = { "ipc", CLONE_NEWIPC },
  [BERTH_NS_UTS] = { "uts", CLONE_NEWUTS },          [BERTH_NS_CGROUP] = { "cgroup", CLONE_NEWCGROUP },
  [BERTH_NS_MOUNT] = { "mount", CLONE_NEWNS },       [BERTH_NS_TIME] = { "time", CLONE_NEWTIME },
};

const char *
berth_ns_kind_name (enum berth_ns_kind kind)
{
  return kind < BERTH_NS__COUNT ? ns_table[kind].name : "?";
}

int
berth_ns_kind_from_name (const char *name)
{
  int i;

  for (i = 0; i < BERTH_NS__COUNT; i++)
    if (strcmp (ns_table[i].name, name) == 0)
      return i;
  return -1;
}

int
berth_ns_kind_clone_flag (enum berth_ns_kind kind)
{
  return kind < BERTH_NS__COUNT ? ns_table[kind].flag : 0;
}

static const char *const hook_names[BERTH_HOOK__COUNT] = {
  [BERTH_HOOK_PRESTART] = "prestart",
  [BERTH_HOOK_CREATE_RUNTIME] = "createRuntime",
  [BERTH_HOOK_CREATE_CONTAINER] = "createContainer",
  [BERTH_HOOK_START_CONTAINER] = "startContainer",
  [BERTH_HOOK_POSTSTART] = "poststart",
  [BERTH_HOOK_POSTSTOP] = "poststop",
};

const char *
berth_hook_kind_name (enum berth_hook_kind kind)
{
  return kind < BERTH_HOOK__COUNT ? hook_names[kind] : "?";
}

static const struct
{
  const char *name;
  int resource;
} rlimit_table[] = {
  { "RLIMIT_AS", RLIMIT_AS },
  { "RLIMIT_CORE", RLIMIT_CORE },
  { "RLIMIT_CPU", RLIMIT_CPU },
  { "RLIMIT_DATA", RLIMIT_DATA },
  { "RLIMIT_FSIZE", RLIMIT_FSIZE },
  { "RLIMIT_LOCKS", RLIMIT_LOCKS },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
  { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
  { "RLIMIT_NICE", RLIMIT_NICE },
  { "RLIMIT_NOFILE", RLIMIT_NOFILE },
  { "RLIMIT_NPROC", RLIMIT_NPROC },
  { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
  { "RLIMIT_RTTIME", RLIMIT_RTTIME },
  { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
  { "RLIMIT_STACK", RLIMIT_STACK },
};

int
berth_rlimit_from_name (const char *name)
{
  size_t i;

  for (i = 0; i < sizeof (rlimit_table) / sizeof (rlimit_table[0]); i++)
    if (strcmp (rlimit_table[i].name, name) == 0)
      return rlimit_table[i].resource;
  return -1;
}
