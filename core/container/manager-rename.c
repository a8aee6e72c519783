/* rename: a new unique name, saved in config.v1.json (atomically) before
   anyone sees it. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/container/manager-internal.h"
#include "core/lib/mem.h"
#include "core/network/manager-network.h"

/* Old names stay allocated: some readers use c->name without the lock
   (the log reader's driver info), and renames are rare and small. */
static pthread_mutex_t retired_lock = PTHREAD_MUTEX_INITIALIZER;
static char **retired;
static size_t n_retired;

static void
retire (char *name)
{
  pthread_mutex_lock (&retired_lock);
  retired = xrealloc (retired, (n_retired + 1) * sizeof (*retired));
  retired[n_retired++] = name;
  pthread_mutex_unlock (&retired_lock);
}

int
container_manager_rename (struct container_manager *m, struct container *c, const char *name, berth_error_t *err)
{
  struct container *other;
  json_object *attrs;
  char *old;
  int r = 0;

  if (name != NULL && name[0] == '/')
    name++;
  if (name == NULL || name[0] == '\0')
    return berth_error_make (err, EINVAL, "Neither old nor new names may be empty");
  if (!container_name_valid (name))
    return berth_error_make (err, EINVAL, "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                             name);
  pthread_mutex_lock (&m->lock);
  if (c->removed)
    r = berth_error_make (err, ENOENT, "No such container: %s", c->id);
  else if (strcmp (c->name, name) == 0)
    r = berth_error_make (err, EINVAL, "Renaming a container with the same name as its current name");
  else if ((other = manager_by_name_locked (m, name)) != NULL)
    r = berth_error_make (err, EEXIST,
                          "Conflict. The container name \"/%s\" is already in use by container \"%s\". You have to "
                          "remove (or rename) that container to be able to reuse that name.",
                          name, other->id);
  if (r < 0)
    {
      pthread_mutex_unlock (&m->lock);
      return r;
    }
  old = c->name;
  c->name = xstrdup (name);
  if (container_save_config (c, err) < 0)
    {
      free (c->name);
      c->name = old;
      pthread_mutex_unlock (&m->lock);
      return berth_error_wrap (err, "Error when allocating new name");
    }
  manager_network_renamed (m, c); /* names on user networks */
  attrs = json_object_new_object ();
  {
    cleanup_free char *slashed = xasprintf ("/%s", old);
    json_object_object_add (attrs, "oldName", json_object_new_string (slashed));
  }
  manager_event (m, c, "rename", attrs);
  json_object_put (attrs);
  pthread_cond_broadcast (&m->changed);
  pthread_mutex_unlock (&m->lock);
  retire (old);
  return 0;
}
