/* `docker export`: the container's whole tree, streamed as a tar. */
#include "config.h"

#include "core/container/commit.h"
#include "core/container/manager-internal.h"

int
container_export (struct container_manager *m, struct image_service *images, struct container *c, int out_fd,
                  berth_error_t *err)
{
  struct container_fs fs;
  int r;

  if (container_fs_open (m, images, c, &fs, err) < 0)
    return berth_error_ret (err);
  r = container_fs_export_tar (&fs, out_fd, err);
  container_fs_close (&fs);
  if (r == 0)
    {
      pthread_mutex_lock (&m->lock);
      manager_event (m, c, "export", NULL);
      pthread_mutex_unlock (&m->lock);
    }
  return r;
}
