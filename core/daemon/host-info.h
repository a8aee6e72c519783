/* Facts about the host that /info and /version report. */
#ifndef BERTH_DAEMON_HOST_INFO_H
#define BERTH_DAEMON_HOST_INFO_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct berth_host_info
{
  char *kernel_version; /* uname -r */
  char *machine;        /* uname -m, e.g. x86_64 */
  const char *arch;     /* Go's name for it, e.g. amd64 */
  char *os_name;        /* os-release PRETTY_NAME */
  char *os_version;     /* os-release VERSION_ID */
  char *hostname;
  int64_t mem_total; /* bytes */
  int ncpu;          /* CPUs this process may run on */
};

/* Never fails: what cannot be read is left as "" or 0. */
void berth_host_info_read (struct berth_host_info *hi);
void berth_host_info_clear (struct berth_host_info *hi);

/* Go's GOARCH for a uname machine name (unknown names are returned as is). */
const char *berth_host_go_arch (const char *machine);

int berth_host_count_fds (void);
int berth_host_count_threads (void);
bool berth_host_ipv4_forwarding (void);

/* Go's time.RFC3339Nano in local time: 2006-01-02T15:04:05.999999999Z07:00 */
char *berth_format_rfc3339nano (const struct timespec *ts);

/* What the cgroup hierarchy lets containers limit. */
struct berth_cgroup_caps
{
  int version; /* 1 (also for hybrid) or 2 */
  bool memory, swap, oom_kill_disable;
  bool cpu_cfs_period, cpu_cfs_quota, cpu_shares, cpuset;
  bool pids;
};

void berth_host_cgroup_caps (struct berth_cgroup_caps *caps);

#endif
