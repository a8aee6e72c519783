#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "core/lib/mem.h"
#include "core/network/netns.h"

struct job
{
  const char *path;
  int code;
  const char *what;
};

/* unshare in a thread of its own: the namespace is the thread's only, and
   the bind mount keeps it once the thread is gone */
static void *
make_ns (void *p)
{
  struct job *j = p;

  if (unshare (CLONE_NEWNET) < 0)
    {
      j->code = errno;
      j->what = "unshare(CLONE_NEWNET)";
    }
  else if (mount ("/proc/thread-self/ns/net", j->path, NULL, MS_BIND, NULL) < 0)
    {
      j->code = errno;
      j->what = "bind mount of the namespace";
    }
  return NULL;
}

int
network_netns_create (const char *path, berth_error_t *err)
{
  struct job j = { .path = path };
  cleanup_close int fd = open (path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
  pthread_t t;
  int r;

  if (fd < 0)
    return berth_error_errno (err, errno, "create %s", path);
  r = pthread_create (&t, NULL, make_ns, &j);
  if (r != 0)
    {
      unlink (path);
      return berth_error_errno (err, r, "cannot start a thread");
    }
  pthread_join (t, NULL);
  if (j.code != 0)
    {
      unlink (path);
      return berth_error_errno (err, j.code, "network namespace %s: %s", path, j.what);
    }
  return 0;
}

void
network_netns_remove (const char *path)
{
  if (umount2 (path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
    return; /* still mounted: keep the file rather than hide the mount */
  unlink (path);
}
