/* Runs inside a container (built with cc -static by matrix.sh): issues each
   syscall of SECURITY.md P4 and prints "NAME RESULT", RESULT being "ok" or
   the errno number.  Arguments are chosen so the kernel itself would accept
   most calls (or fail with something other than EPERM), so EPERM shows the
   filter at work. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425
#endif

static void
report (const char *name, long ret)
{
  if (ret < 0)
    printf ("%s %d\n", name, errno);
  else
    printf ("%s ok\n", name);
  fflush (stdout);
}

/* A clone-like call that may create a child: the child leaves at once. */
static long
reap (long ret)
{
  int saved = errno;

  if (ret == 0)
    _exit (0);
  if (ret > 0)
    waitpid ((pid_t)ret, NULL, __WALL);
  errno = saved;
  return ret;
}

/* Run a call that changes the caller (namespaces, mounts) in a child, so
   that later calls still run in the container's own namespaces. */
static void
in_child (const char *name, long (*fn) (void))
{
  pid_t pid = fork ();

  if (pid == 0)
    {
      report (name, fn ());
      _exit (0);
    }
  if (pid < 0)
    report (name, -1);
  else
    waitpid (pid, NULL, 0);
}

static long
do_unshare_user (void)
{
  return unshare (CLONE_NEWUSER);
}

static long
do_unshare_uts (void)
{
  return unshare (CLONE_NEWUTS);
}

/* mount a tmpfs on /tmp, then unmount /tmp (the new tmpfs when the mount
   worked; otherwise not a mount point: EINVAL past the filter) */
static long
do_mount_umount (void)
{
  report ("mount", mount ("berth-seccomp", "/tmp", "tmpfs", 0, NULL));
  return umount2 ("/tmp", MNT_DETACH);
}

static long
do_setns (void)
{
  int fd = open ("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);

  return syscall (SYS_setns, fd, 0);
}

int
main (void)
{
  struct
  {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
  } cl3;
  char buf[16];
  long r;
  int fd;

  /* ordinary calls first: the filter must let a normal program run */
  report ("getpid", getpid ());
  fd = open ("/etc/passwd", O_RDONLY | O_CLOEXEC);
  report ("open", fd);
  report ("read", fd < 0 ? -1 : read (fd, buf, sizeof (buf)));
  if (fd >= 0)
    close (fd);
  r = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  report ("socket-inet", r);
  if (r >= 0)
    close ((int)r);
  report ("personality-query", personality (0xffffffff));
  report ("fork", reap (fork ()));
  report ("clone-plain", reap (syscall (SYS_clone, SIGCHLD, 0, 0, 0, 0)));

  report ("keyctl", syscall (SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0));
  report ("add_key", syscall (SYS_add_key, "user", "berth-seccomp-test", "x", 1, -3));
  report ("request_key", syscall (SYS_request_key, "user", "berth-seccomp-none", NULL, 0));
  in_child ("unshare-newuser", do_unshare_user);
  in_child ("unshare-newuts", do_unshare_uts);
  report ("clone-newns", reap (syscall (SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0)));
  report ("clone-newnet", reap (syscall (SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0)));
  memset (&cl3, 0, sizeof (cl3));
  cl3.exit_signal = SIGCHLD;
  report ("clone3", reap (syscall (SYS_clone3, &cl3, sizeof (cl3))));
  in_child ("umount2", do_mount_umount);
  report ("pivot_root", syscall (SYS_pivot_root, ".", "."));
  in_child ("setns", do_setns);
  report ("kexec_load", syscall (SYS_kexec_load, 0, 0, NULL, 0));
  report ("bpf", syscall (SYS_bpf, 0, NULL, 0));
  report ("perf_event_open", syscall (SYS_perf_event_open, NULL, 0, -1, -1, 0));
  report ("userfaultfd", syscall (SYS_userfaultfd, 0));
  report ("io_uring_setup", syscall (SYS_io_uring_setup, 1, NULL));
  report ("acct", syscall (SYS_acct, NULL));
  report ("open_by_handle_at", syscall (SYS_open_by_handle_at, AT_FDCWD, NULL, 0));
  report ("socket-vsock", socket (AF_VSOCK, SOCK_STREAM, 0));
  report ("personality-noaslr", personality (ADDR_NO_RANDOMIZE));
  report ("syscall-1000", syscall (1000, 0, 0, 0, 0, 0));
  printf ("done\n");
  return 0;
}
