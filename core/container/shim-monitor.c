/* A thread per shim, woken by its pidfd when it exits. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/container/shim-monitor.h"
#include "core/lib/mem.h"

struct shim_monitor
{
  int pidfd;
  shim_monitor_fn on_exit;
  void *ctx, *obj;
};

static void *
monitor_main (void *p)
{
  struct shim_monitor a = *(struct shim_monitor *)p;
  struct pollfd pfd = { a.pidfd, POLLIN, 0 };

  free (p);
  while (poll (&pfd, 1, -1) < 0 && errno == EINTR)
    ;
  close (pfd.fd);
  a.on_exit (a.ctx, a.obj);
  return NULL;
}

int
shim_monitor_start (pid_t pid, const char *what, shim_monitor_fn on_exit, void *ctx, void *obj, berth_error_t *err)
{
  int pidfd = (int)syscall (SYS_pidfd_open, pid, 0);
  struct shim_monitor *a;
  pthread_attr_t attr;
  pthread_t t;
  int r;

  if (pidfd < 0)
    return berth_error_errno (err, errno, "pidfd_open of %s %d", what, (int)pid);
  a = xmalloc0 (sizeof (*a));
  a->pidfd = pidfd;
  a->on_exit = on_exit;
  a->ctx = ctx;
  a->obj = obj;
  pthread_attr_init (&attr);
  pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
  /* it only polls and then takes the manager's lock */
  pthread_attr_setstacksize (&attr, 64 * 1024);
  r = pthread_create (&t, &attr, monitor_main, a);
  pthread_attr_destroy (&attr);
  if (r != 0)
    {
      close (pidfd);
      free (a);
      return berth_error_make (err, EAGAIN, "cannot start a monitor thread");
    }
  return 0;
}
