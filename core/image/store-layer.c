#include "config.h"

#include "core/image/store.h"
#include "core/image/json-field.h"
#include "core/image/store-internal.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static void
copy_digest (char dst[DIGEST_BUF_SIZE], const char *src)
{
  snprintf (dst, DIGEST_BUF_SIZE, "%s", src ? src : "");
}

static const char *
get_str (json_object *o, const char *key)
{
  json_object *v = NULL;

  if (!json_object_object_get_ex (o, key, &v) || !json_object_is_type (v, json_type_string))
    return "";
  return json_object_get_string (v);
}

static int64_t
get_int (json_object *o, const char *key)
{
  json_object *v = NULL;

  if (!json_object_object_get_ex (o, key, &v))
    return 0;
  return json_object_get_int64 (v);
}

const char *
store_layer_state (json_object *o)
{
  const char *st = get_str (o, "state");

  return *st ? st : LAYER_STATE_APPLYING;
}

void
store_layer_from_json (const char *chain_id, json_object *o, struct store_layer *l)
{
  memset (l, 0, sizeof (*l));
  copy_digest (l->chain_id, chain_id);
  copy_digest (l->diff_id, get_str (o, "diff_id"));
  copy_digest (l->parent, get_str (o, "parent"));
  snprintf (l->storage_id, sizeof (l->storage_id), "%s", get_str (o, "storage_id"));
  l->size = get_int (o, "size");
  l->refcount = get_int (o, "refcount");
  l->ready = strcmp (store_layer_state (o), LAYER_STATE_READY) == 0;
}

static json_object *
layer_json (json_object *db, const char *chain_id)
{
  json_object *l = NULL;

  if (!json_object_object_get_ex (store_db_layers (db), chain_id, &l))
    return NULL;
  return l;
}

static int
new_storage_id (char out[DIGEST_HEX_LEN + 1], berth_error_t *err)
{
  static const char xd[] = "0123456789abcdef";
  unsigned char raw[DIGEST_HEX_LEN / 2];
  size_t i;

  if (getrandom (raw, sizeof (raw), 0) != (ssize_t)sizeof (raw))
    return berth_error_errno (err, errno, "image store: getrandom");
  for (i = 0; i < sizeof (raw); i++)
    {
      out[2 * i] = xd[raw[i] >> 4];
      out[2 * i + 1] = xd[raw[i] & 0xf];
    }
  out[DIGEST_HEX_LEN] = '\0';
  return 0;
}

int
store_layer_begin (struct image_store *s, const char *parent_chain_id, const char *diff_id, struct store_layer *ret,
                   berth_error_t *err)
{
  char chain[DIGEST_BUF_SIZE];
  json_object *db, *l, *parent;
  int r;

  if (parent_chain_id && *parent_chain_id == '\0')
    parent_chain_id = NULL;
  if (digest_chain_id (parent_chain_id, diff_id, chain, err) < 0)
    return berth_error_wrap (err, "register layer");
  pthread_mutex_lock (&s->lock);
  if (parent_chain_id)
    {
      parent = layer_json (s->db, parent_chain_id);
      if (parent == NULL || strcmp (store_layer_state (parent), LAYER_STATE_READY) != 0)
        {
          r = berth_error_make (err, ENOENT, "register layer %s: parent layer %s is not in the store", diff_id,
                                parent_chain_id);
          goto out;
        }
    }
  l = layer_json (s->db, chain);
  if (l)
    {
      store_layer_from_json (chain, l, ret);
      if (ret->ready)
        r = 1;
      else
        r = berth_error_make (err, EBUSY, "layer %s is being applied or removed", chain);
      goto out;
    }
  memset (ret, 0, sizeof (*ret));
  copy_digest (ret->chain_id, chain);
  copy_digest (ret->diff_id, diff_id);
  copy_digest (ret->parent, parent_chain_id);
  r = new_storage_id (ret->storage_id, err);
  if (r < 0)
    goto out;
  db = store_db_copy (s);
  l = json_object_new_object ();
  json_object_object_add (l, "diff_id", json_object_new_string (diff_id));
  if (parent_chain_id)
    json_object_object_add (l, "parent", json_object_new_string (parent_chain_id));
  json_object_object_add (l, "storage_id", json_object_new_string (ret->storage_id));
  json_object_object_add (l, "size", json_object_new_int64 (0));
  json_object_object_add (l, "refcount", json_object_new_int64 (0));
  json_object_object_add (l, "state", json_object_new_string (LAYER_STATE_APPLYING));
  json_object_object_add (store_db_layers (db), chain, l);
  r = store_db_commit (s, db, err);
out:
  pthread_mutex_unlock (&s->lock);
  return r;
}

int
store_layer_commit (struct image_store *s, const char *chain_id, int64_t size, berth_error_t *err)
{
  json_object *db, *l;
  int r;

  pthread_mutex_lock (&s->lock);
  l = layer_json (s->db, chain_id);
  if (l == NULL || strcmp (store_layer_state (l), LAYER_STATE_APPLYING) != 0)
    {
      r = berth_error_make (err, ENOENT, "commit layer %s: no layer is being applied under that chain id", chain_id);
      goto out;
    }
  db = store_db_copy (s);
  l = layer_json (db, chain_id);
  json_object_object_add (l, "size", json_object_new_int64 (size));
  json_object_object_add (l, "state", json_object_new_string (LAYER_STATE_READY));
  r = store_db_commit (s, db, err);
out:
  pthread_mutex_unlock (&s->lock);
  return r;
}

int
store_layer_abort (struct image_store *s, const char *chain_id, berth_error_t *err)
{
  json_object *db, *l;
  int r;

  pthread_mutex_lock (&s->lock);
  l = layer_json (s->db, chain_id);
  if (l == NULL || strcmp (store_layer_state (l), LAYER_STATE_APPLYING) != 0)
    {
      r = berth_error_make (err, ENOENT, "abort layer %s: no layer is being applied under that chain id", chain_id);
      goto out;
    }
  db = store_db_copy (s);
  json_object_object_del (store_db_layers (db), chain_id);
  r = store_db_commit (s, db, err);
out:
  pthread_mutex_unlock (&s->lock);
  return r;
}

int
store_layer_get (struct image_store *s, const char *chain_id, struct store_layer *ret, berth_error_t *err)
{
  json_object *l;
  int r = 0;

  pthread_mutex_lock (&s->lock);
  l = layer_json (s->db, chain_id);
  if (l == NULL)
    r = berth_error_make (err, ENOENT, "layer %s not found", chain_id);
  else
    store_layer_from_json (chain_id, l, ret);
  pthread_mutex_unlock (&s->lock);
  return r;
}

/* Increment the refcount of chain_id and all its ancestors, in db. */
int
store_chain_ref (json_object *db, const char *chain_id, berth_error_t *err)
{
  const char *c = chain_id;
  size_t depth = 0;

  while (c && *c)
    {
      json_object *l = layer_json (db, c);
      if (l == NULL || strcmp (store_layer_state (l), LAYER_STATE_READY) != 0)
        return berth_error_make (err, ENOENT, "layer %s is not in the store (or not ready)", c);
      if (++depth > 4096)
        return berth_error_make (err, ELOOP, "layer %s: parent chain too deep or cyclic", chain_id);
      json_object_object_add (l, "refcount", json_object_new_int64 (get_int (l, "refcount") + 1));
      c = get_str (l, "parent");
    }
  return 0;
}

int
store_chain_unref (json_object *db, const char *chain_id, char ***zeros, berth_error_t *err)
{
  const char *c = chain_id;
  size_t n = image_strv_len (*zeros), depth = 0;

  while (c && *c)
    {
      json_object *l = layer_json (db, c);
      int64_t rc;
      if (l == NULL)
        return berth_error_make (err, ENOENT, "layer %s is not in the store", c);
      if (++depth > 4096)
        return berth_error_make (err, ELOOP, "layer %s: parent chain too deep or cyclic", chain_id);
      rc = get_int (l, "refcount") - 1;
      if (rc < 0)
        return berth_error_make (err, EINVAL, "layer %s: reference count would drop below zero", c);
      json_object_object_add (l, "refcount", json_object_new_int64 (rc));
      if (rc == 0)
        {
          json_object_object_add (l, "state", json_object_new_string (LAYER_STATE_REMOVING));
          *zeros = xrealloc (*zeros, (n + 2) * sizeof (char *));
          (*zeros)[n++] = xstrdup (c);
          (*zeros)[n] = NULL;
        }
      c = get_str (l, "parent");
    }
  return 0;
}

/* Called with the lock held; zeros are top-most first and already persisted as
   "removing", so a crash here is finished by the next store_open. */
int
store_release_removing (struct image_store *s, char **zeros, store_layer_release_fn release, void *ud,
                        berth_error_t *err)
{
  json_object *db;
  size_t i;

  if (zeros == NULL || zeros[0] == NULL)
    return 0;
  for (i = 0; zeros[i]; i++)
    {
      json_object *l = layer_json (s->db, zeros[i]);
      if (l == NULL || release == NULL)
        continue;
      if (release (ud, get_str (l, "storage_id"), zeros[i]) < 0)
        log_warn ("image store: releasing storage layer %s of %s failed", get_str (l, "storage_id"), zeros[i]);
    }
  db = store_db_copy (s);
  for (i = 0; zeros[i]; i++)
    json_object_object_del (store_db_layers (db), zeros[i]);
  return store_db_commit (s, db, err);
}

int
store_layer_hold (struct image_store *s, const char *chain_id, berth_error_t *err)
{
  json_object *db;
  int r;

  pthread_mutex_lock (&s->lock);
  db = store_db_copy (s);
  r = store_chain_ref (db, chain_id, err);
  if (r < 0)
    json_object_put (db);
  else
    r = store_db_commit (s, db, err);
  pthread_mutex_unlock (&s->lock);
  return r;
}

int
store_layer_release (struct image_store *s, const char *chain_id, store_layer_release_fn release, void *ud,
                     berth_error_t *err)
{
  cleanup_strv char **zeros = NULL;
  json_object *db;
  int r;

  pthread_mutex_lock (&s->lock);
  db = store_db_copy (s);
  r = store_chain_unref (db, chain_id, &zeros, err);
  if (r < 0)
    json_object_put (db);
  else
    r = store_db_commit (s, db, err);
  if (r == 0)
    r = store_release_removing (s, zeros, release, ud, err);
  pthread_mutex_unlock (&s->lock);
  return r;
}

int
store_layer_list (struct image_store *s, store_layer_fn fn, void *ud, berth_error_t *err)
{
  json_object *db;
  int r = 0;

  pthread_mutex_lock (&s->lock);
  db = json_object_get (s->db);
  pthread_mutex_unlock (&s->lock);
  json_object_object_foreach (store_db_layers (db), chain, l)
  {
    struct store_layer rec;
    store_layer_from_json (chain, l, &rec);
    r = fn (ud, &rec);
    if (r < 0)
      break;
  }
  pthread_mutex_lock (&s->lock);
  json_object_put (db);
  pthread_mutex_unlock (&s->lock);
  if (r < 0)
    return berth_error_make (err, -r, "layer list interrupted by its callback");
  return 0;
}
