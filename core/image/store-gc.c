#include "config.h"

#include "core/image/store-gc.h"
#include "core/image/json-field.h"
#include "core/image/store-internal.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool
strv_has (char **v, size_t n, const char *s)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (v[i], s) == 0)
      return true;
  return false;
}

/* true when some layer other than those in victims names chain as parent */
static bool
has_live_child (json_object *layers, const char *chain, char **victims, size_t n)
{
  json_object_object_foreach (layers, c2, l2)
  {
    struct store_layer other;
    store_layer_from_json (c2, l2, &other);
    if (strcmp (other.parent, chain) == 0 && !strv_has (victims, n, c2))
      return true;
  }
  return false;
}

int
store_layer_gc (struct image_store *s, store_layer_release_fn release, void *ud, size_t *ret_count, berth_error_t *err)
{
  cleanup_strv char **victims = NULL;
  json_object *db, *layers;
  size_t n = 0;
  bool changed;
  int r;

  pthread_mutex_lock (&s->lock);
  db = store_db_copy (s);
  layers = store_db_layers (db);
  /* Collect children before parents: a layer qualifies once every child it
     has is already a victim. */
  do
    {
      changed = false;
      json_object_object_foreach (layers, chain, l)
      {
        struct store_layer rec;
        store_layer_from_json (chain, l, &rec);
        if (!rec.ready || rec.refcount > 0 || strcmp (store_layer_state (l), LAYER_STATE_READY) != 0
            || strv_has (victims, n, chain) || has_live_child (layers, chain, victims, n))
          continue;
        victims = xrealloc (victims, (n + 2) * sizeof (char *));
        victims[n++] = xstrdup (chain);
        victims[n] = NULL;
        changed = true;
      }
    }
  while (changed);

  if (n == 0)
    {
      json_object_put (db);
      r = 0;
      goto out;
    }
  for (size_t i = 0; i < n; i++)
    {
      json_object *l = NULL;
      json_object_object_get_ex (layers, victims[i], &l);
      json_object_object_add (l, "state", json_object_new_string (LAYER_STATE_REMOVING));
      log_info ("image store: dropping unreferenced layer %s", victims[i]);
    }
  /* the "removing" marks first: a crash during release is finished by store_open */
  r = store_db_commit (s, db, err);
  if (r == 0)
    r = store_release_removing (s, victims, release, ud, err);
out:
  pthread_mutex_unlock (&s->lock);
  if (r == 0 && ret_count != NULL)
    *ret_count = n;
  return r;
}
