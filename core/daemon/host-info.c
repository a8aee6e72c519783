#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/daemon/host-info.h"
#include "core/lib/mem.h"

static const struct
{
  const char *machine, *go;
} arch_names[] = {
  { "x86_64", "amd64" },    { "aarch64", "arm64" }, { "armv7l", "arm" },          { "armv6l", "arm" },
  { "i686", "386" },        { "i386", "386" },      { "ppc64le", "ppc64le" },     { "s390x", "s390x" },
  { "riscv64", "riscv64" }, { "mips64", "mips64" }, { "loongarch64", "loong64" },
};

const char *
berth_host_go_arch (const char *machine)
{
  for (size_t i = 0; i < sizeof (arch_names) / sizeof (arch_names[0]); i++)
    if (strcmp (machine, arch_names[i].machine) == 0)
      return arch_names[i].go;
  return machine;
}

/* Unquote an os-release value ("..." or '...', with \ escapes in "..."). */
static char *
os_release_value (const char *v)
{
  size_t len = strlen (v);
  char *out, *o;

  while (len > 0 && (v[len - 1] == '\n' || v[len - 1] == '\r'))
    len--;
  if (len >= 2 && (v[0] == '"' || v[0] == '\'') && v[len - 1] == v[0])
    {
      char q = v[0];
      out = o = xmalloc (len);
      for (size_t i = 1; i < len - 1; i++)
        {
          if (q == '"' && v[i] == '\\' && i + 1 < len - 1)
            i++;
          *o++ = v[i];
        }
      *o = '\0';
      return out;
    }
  return xstrndup (v, len);
}

static void
read_os_release (struct berth_host_info *hi)
{
  cleanup_file FILE *f = fopen ("/etc/os-release", "re");
  char line[1024];

  if (f == NULL)
    f = fopen ("/usr/lib/os-release", "re");
  if (f == NULL)
    return;
  while (fgets (line, sizeof (line), f) != NULL)
    {
      if (strncmp (line, "PRETTY_NAME=", 12) == 0 && hi->os_name[0] == '\0')
        {
          free (hi->os_name);
          hi->os_name = os_release_value (line + 12);
        }
      else if (strncmp (line, "VERSION_ID=", 11) == 0 && hi->os_version[0] == '\0')
        {
          free (hi->os_version);
          hi->os_version = os_release_value (line + 11);
        }
    }
}

void
berth_host_info_read (struct berth_host_info *hi)
{
  struct utsname u;
  struct sysinfo si;
  cpu_set_t set;
  char host[256];

  memset (hi, 0, sizeof (*hi));
  if (uname (&u) == 0)
    {
      hi->kernel_version = xstrdup (u.release);
      hi->machine = xstrdup (u.machine);
    }
  else
    {
      hi->kernel_version = xstrdup ("");
      hi->machine = xstrdup ("");
    }
  hi->arch = berth_host_go_arch (hi->machine);
  hi->os_name = xstrdup ("");
  hi->os_version = xstrdup ("");
  read_os_release (hi);
  if (gethostname (host, sizeof (host)) == 0)
    {
      host[sizeof (host) - 1] = '\0';
      hi->hostname = xstrdup (host);
    }
  else
    hi->hostname = xstrdup ("");
  if (sysinfo (&si) == 0)
    hi->mem_total = (int64_t)si.totalram * (int64_t)si.mem_unit;
  if (sched_getaffinity (0, sizeof (set), &set) == 0)
    hi->ncpu = CPU_COUNT (&set);
  if (hi->ncpu <= 0)
    hi->ncpu = (int)sysconf (_SC_NPROCESSORS_ONLN);
}

void
berth_host_info_clear (struct berth_host_info *hi)
{
  free (hi->kernel_version);
  free (hi->machine);
  free (hi->os_name);
  free (hi->os_version);
  free (hi->hostname);
  memset (hi, 0, sizeof (*hi));
}

int
berth_host_count_fds (void)
{
  cleanup_dir DIR *d = opendir ("/proc/self/fd");
  struct dirent *e;
  int n = 0;

  if (d == NULL)
    return 0;
  while ((e = readdir (d)) != NULL)
    if (e->d_name[0] != '.')
      n++;
  /* minus the one opendir holds */
  return n > 0 ? n - 1 : 0;
}

int
berth_host_count_threads (void)
{
  cleanup_file FILE *f = fopen ("/proc/self/status", "re");
  char line[256];

  if (f == NULL)
    return 0;
  while (fgets (line, sizeof (line), f) != NULL)
    if (strncmp (line, "Threads:", 8) == 0)
      return atoi (line + 8);
  return 0;
}

bool
berth_host_ipv4_forwarding (void)
{
  cleanup_file FILE *f = fopen ("/proc/sys/net/ipv4/ip_forward", "re");
  int c;

  if (f == NULL)
    return false;
  c = fgetc (f);
  return c == '1';
}

char *
berth_format_rfc3339nano (const struct timespec *ts)
{
  struct tm tm;
  char date[64], frac[16] = "", zone[32];
  long off;

  localtime_r (&ts->tv_sec, &tm);
  strftime (date, sizeof (date), "%Y-%m-%dT%H:%M:%S", &tm);
  if (ts->tv_nsec != 0)
    {
      /* Go trims trailing zeros of the fraction */
      int len = snprintf (frac, sizeof (frac), ".%09ld", ts->tv_nsec);
      while (len > 1 && frac[len - 1] == '0')
        frac[--len] = '\0';
    }
  off = tm.tm_gmtoff;
  if (off == 0)
    strcpy (zone, "Z");
  else
    snprintf (zone, sizeof (zone), "%c%02d:%02d", off < 0 ? '-' : '+', (int)(labs (off) / 3600 % 100),
              (int)(labs (off) % 3600 / 60));
  return xasprintf ("%s%s%s", date, frac, zone);
}
