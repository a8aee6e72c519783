/* The container's filesystem for one cp operation: a running container's
   own view through /proc/<pid>/root, else its writable layer, mounted while
   borrowed. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/container/archive-internal.h"
#include "core/container/manager-internal.h"
#include "core/container/rootfs.h"
#include "core/lib/mem.h"

/* /proc/<pid>/root of the container's init, checked to be the container's
   root (the same inode as its mounted writable layer) so that a pid that
   died and was reused meanwhile is never taken for the container. */
static int
open_live_root (const struct container *c, const char *layer_path, berth_error_t *err)
{
  char path[64];
  struct stat want, got;
  cleanup_close int fd = -1;

  snprintf (path, sizeof (path), "/proc/%d/root", (int)c->pid);
  fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return berth_error_errno (err, errno, "open the filesystem of container %s", c->id);
  if (stat (layer_path, &want) < 0)
    return berth_error_errno (err, errno, "stat the root of container %s", c->id);
  if (fstat (fd, &got) < 0)
    return berth_error_errno (err, errno, "stat the filesystem of container %s", c->id);
  if (want.st_dev != got.st_dev || want.st_ino != got.st_ino)
    return berth_error_make (err, ESRCH, "container %s: its process %d does not run in its root filesystem", c->id,
                             (int)c->pid);
  return steal_fd (&fd);
}

/* The writable layer is borrowed either way (container_rootfs_hold): if the
   container exits meanwhile its mount stays for us, and a restart shares it
   instead of mounting the same layer twice. */
int
archive_fs_open (struct container_manager *m, struct container *c, struct archive_fs *ret, berth_error_t *err)
{
  cleanup_free char *layer_path = NULL;
  struct stat st;
  int r = 0;

  ret->root_fd = -1;
  ret->live = ret->held = false;
  pthread_mutex_lock (&m->lock);
  manager_wait_start_locked (m, c); /* it sets c->rootfs */
  ret->readonly_rootfs = json_object_get_boolean (json_object_object_get (c->host_config, "ReadonlyRootfs"));
  if (c->removed || c->status == CONTAINER_REMOVING)
    r = berth_error_make (err, EBUSY, "container %s is marked for removal", c->id);
  else if (container_rootfs_hold (m->storage, c, &layer_path, err) < 0)
    r = -1;
  else
    {
      ret->held = true;
      if (manager_running (c) && c->pid > 0 && c->rootfs != NULL)
        {
          berth_error_t lerr = NULL;
          ret->root_fd = open_live_root (c, layer_path, &lerr);
          ret->live = ret->root_fd >= 0;
          /* its init just exited (the monitor has not seen it yet): the layer */
          berth_error_release (&lerr);
        }
      if (ret->root_fd < 0)
        {
          ret->root_fd = open (layer_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
          if (ret->root_fd < 0)
            berth_error_errno (err, errno, "open the root of container %s", c->id);
        }
      r = ret->root_fd < 0 ? -1 : 0;
    }
  pthread_mutex_unlock (&m->lock);
  if (r == 0 && fstat (ret->root_fd, &st) < 0)
    r = berth_error_errno (err, errno, "stat the root of container %s", c->id);
  if (r < 0)
    {
      archive_fs_close (m, c, ret);
      return berth_error_ret (err);
    }
  ret->root_dev = st.st_dev;
  return 0;
}

void
archive_fs_close (struct container_manager *m, struct container *c, struct archive_fs *fs)
{
  if (fs->root_fd >= 0)
    close (fs->root_fd);
  fs->root_fd = -1;
  if (!fs->held)
    return;
  fs->held = false;
  pthread_mutex_lock (&m->lock);
  container_rootfs_release (m->storage, c);
  pthread_mutex_unlock (&m->lock);
}
