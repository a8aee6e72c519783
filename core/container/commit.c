/* `docker commit`: the layer diff is taken into an unnamed scratch file
   (with the container frozen when asked), then handed to the image side.
   Taking it whole first keeps the freeze short and means a diff that fails
   half way never becomes an image. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "core/container/commit.h"
#include "core/container/manager-internal.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/runtime/container.h"

/* moby's created_by for a commit: the container's Cmd joined by spaces */
static char *
created_by (const struct container *c)
{
  json_object *cmd = NULL;
  size_t len = 0, n;
  char *s;

  if (!json_object_object_get_ex (c->config, "Cmd", &cmd) || !json_object_is_type (cmd, json_type_array))
    return xstrdup ("");
  n = json_object_array_length (cmd);
  for (size_t i = 0; i < n; i++)
    len += strlen (json_object_get_string (json_object_array_get_idx (cmd, i))) + 1;
  s = xmalloc0 (len + 1);
  for (size_t i = 0; i < n; i++)
    {
      if (i > 0)
        strcat (s, " ");
      strcat (s, json_object_get_string (json_object_array_get_idx (cmd, i)));
    }
  return s;
}

/* Freeze c if it runs (and is not paused already); true when this call froze it. */
static bool
freeze (struct container_manager *m, struct container *c)
{
  berth_error_t err = NULL;
  bool frozen = false;

  pthread_mutex_lock (&m->lock);
  if (c->status == CONTAINER_RUNNING)
    {
      if (berth_container_pause (m->runtime_root, c->id, true, &err) < 0)
        {
          log_warn ("commit: container %.12s: could not pause it, committing it running: %s", c->id,
                    berth_error_msg (&err));
          berth_error_release (&err);
        }
      else
        frozen = true;
    }
  pthread_mutex_unlock (&m->lock);
  return frozen;
}

static void
thaw (struct container_manager *m, struct container *c)
{
  berth_error_t err = NULL;

  pthread_mutex_lock (&m->lock);
  if (manager_running (c) && berth_container_pause (m->runtime_root, c->id, false, &err) < 0)
    {
      log_warn ("commit: container %.12s: unpause: %s", c->id, berth_error_msg (&err));
      berth_error_release (&err);
    }
  pthread_mutex_unlock (&m->lock);
}

int
container_commit (struct container_manager *m, struct image_service *images, struct container *c,
                  const struct container_commit_opts *o, char ret_id[DIGEST_BUF_SIZE], berth_error_t *err)
{
  cleanup_free char *by = created_by (c);
  struct image_commit_opts io = {
    .parent_image = c->image_id,
    .config = o->config,
    .container_config = c->config,
    .changes = o->changes,
    .author = o->author,
    .comment = o->comment,
    .created_by = by,
    .ref = o->ref,
  };
  struct image_commit *ic = NULL;
  struct container_fs fs;
  cleanup_close int fd = -1;
  bool frozen = false;
  int r;

  if (image_commit_new (images, &io, &ic, err) < 0)
    return berth_error_ret (err);
  fd = open (image_service_tmp_dir (images), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      image_commit_free (ic);
      return berth_error_errno (err, errno, "commit: create a scratch file in `%s`", image_service_tmp_dir (images));
    }
  if (container_fs_open (m, images, c, &fs, err) < 0)
    {
      image_commit_free (ic);
      return berth_error_ret (err);
    }
  if (o->pause)
    frozen = freeze (m, c);
  r = container_fs_diff_tar (&fs, fd, err);
  if (frozen)
    thaw (m, c);
  container_fs_close (&fs);
  if (r == 0 && lseek (fd, 0, SEEK_SET) < 0)
    r = berth_error_errno (err, errno, "commit: rewind the layer diff");
  if (r == 0)
    r = image_commit_finish (images, ic, fd, ret_id, err);
  image_commit_free (ic);
  if (r < 0)
    return berth_error_ret (err);
  {
    json_object *attrs = json_object_new_object ();
    cleanup_free char *ref = o->ref != NULL ? image_ref_familiar_string (o->ref) : NULL;
    json_object_object_add (attrs, "comment", json_object_new_string (o->comment != NULL ? o->comment : ""));
    json_object_object_add (attrs, "imageID", json_object_new_string (ret_id));
    json_object_object_add (attrs, "imageRef", json_object_new_string (ref != NULL ? ref : ""));
    pthread_mutex_lock (&m->lock);
    manager_event (m, c, "commit", attrs);
    pthread_mutex_unlock (&m->lock);
    json_object_put (attrs);
  }
  return 0;
}
