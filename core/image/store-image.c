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
#include <time.h>

void
store_image_free (struct store_image *img)
{
  if (img == NULL)
    return;
  strv_free (img->layers);
  free (img->last_tag_time);
  free (img);
}

void
cleanup_store_imagep (struct store_image **img)
{
  store_image_free (*img);
  *img = NULL;
}

static json_object *
image_json (json_object *db, const char *id)
{
  json_object *o = NULL;

  if (!json_object_object_get_ex (store_db_images (db), id, &o))
    return NULL;
  return o;
}

static struct store_image *
image_from_json (const char *id, json_object *o)
{
  struct store_image *img = xmalloc0 (sizeof (*img));
  json_object *v = NULL;

  snprintf (img->id, sizeof (img->id), "%s", id);
  if (json_object_object_get_ex (o, "top_layer", &v) && json_object_is_type (v, json_type_string))
    snprintf (img->top_layer, sizeof (img->top_layer), "%s", json_object_get_string (v));
  if (json_object_object_get_ex (o, "added", &v))
    img->added = json_object_get_int64 (v);
  if (json_object_object_get_ex (o, "parent", &v) && json_object_is_type (v, json_type_string))
    snprintf (img->parent, sizeof (img->parent), "%s", json_object_get_string (v));
  if (json_object_object_get_ex (o, "last_tag_time", &v) && json_object_is_type (v, json_type_string))
    img->last_tag_time = xstrdup (json_object_get_string (v));
  if (jf_strv (o, "layers", "image record", &img->layers, NULL) < 0 || img->layers == NULL)
    img->layers = xmalloc0 (sizeof (char *));
  return img;
}

int
store_image_add (struct image_store *s, const char *config_digest, const char *top_chain_id, berth_error_t *err)
{
  json_object *db, *rec, *layers;
  cleanup_strv char **chain = NULL;
  size_t n = 0, i;
  const char *c;
  int r;

  if (digest_validate (config_digest, err) < 0)
    return berth_error_wrap (err, "add image");
  if (top_chain_id && *top_chain_id == '\0')
    top_chain_id = NULL;
  if (store_blob_exists (s, config_digest) != 1)
    return berth_error_make (err, ENOENT, "add image %s: its config blob is not in the store", config_digest);
  pthread_mutex_lock (&s->lock);
  if (image_json (s->db, config_digest))
    {
      r = 1;
      goto out;
    }
  db = store_db_copy (s);
  if (top_chain_id && (r = store_chain_ref (db, top_chain_id, err)) < 0)
    {
      json_object_put (db);
      berth_error_wrap (err, "add image %s", config_digest);
      goto out;
    }
  /* the chain, bottom first */
  for (c = top_chain_id; c && *c;)
    {
      json_object *l = NULL, *p = NULL;
      chain = xrealloc (chain, (n + 2) * sizeof (char *));
      chain[n++] = xstrdup (c);
      chain[n] = NULL;
      json_object_object_get_ex (store_db_layers (db), c, &l);
      c = json_object_object_get_ex (l, "parent", &p) ? json_object_get_string (p) : NULL;
    }
  rec = json_object_new_object ();
  if (top_chain_id)
    json_object_object_add (rec, "top_layer", json_object_new_string (top_chain_id));
  layers = json_object_new_array ();
  for (i = n; i > 0; i--)
    json_object_array_add (layers, json_object_new_string (chain[i - 1]));
  json_object_object_add (rec, "layers", layers);
  json_object_object_add (rec, "added", json_object_new_int64 ((int64_t)time (NULL)));
  json_object_object_add (store_db_images (db), config_digest, rec);
  r = store_db_commit (s, db, err);
out:
  pthread_mutex_unlock (&s->lock);
  return r;
}

int
store_image_get (struct image_store *s, const char *id, struct store_image **ret, berth_error_t *err)
{
  json_object *o;
  int r = 0;

  pthread_mutex_lock (&s->lock);
  o = image_json (s->db, id);
  if (o == NULL)
    r = berth_error_make (err, ENOENT, "No such image: %s", id);
  else
    *ret = image_from_json (id, o);
  pthread_mutex_unlock (&s->lock);
  return r;
}

static int
set_image_string (struct image_store *s, const char *id, const char *key, const char *value, berth_error_t *err)
{
  json_object *db;
  int r;

  pthread_mutex_lock (&s->lock);
  if (image_json (s->db, id) == NULL)
    {
      pthread_mutex_unlock (&s->lock);
      return berth_error_make (err, ENOENT, "No such image: %s", id);
    }
  db = store_db_copy (s);
  json_object_object_add (image_json (db, id), key, json_object_new_string (value));
  r = store_db_commit (s, db, err);
  pthread_mutex_unlock (&s->lock);
  return r;
}

int
store_image_set_parent (struct image_store *s, const char *id, const char *parent_id, berth_error_t *err)
{
  if (digest_validate (parent_id, err) < 0)
    return berth_error_wrap (err, "image %s: parent", id);
  return set_image_string (s, id, "parent", parent_id, err);
}

int
store_image_set_last_tag_time (struct image_store *s, const char *id, const char *when, berth_error_t *err)
{
  return set_image_string (s, id, "last_tag_time", when, err);
}

int
store_image_delete (struct image_store *s, const char *id, store_layer_release_fn release, void *ud, berth_error_t *err)
{
  cleanup_strv char **zeros = NULL;
  json_object *db, *repos, *rec, *top = NULL;
  cleanup_strv char **gone = NULL;
  size_t n = 0, i;
  int r;

  pthread_mutex_lock (&s->lock);
  rec = image_json (s->db, id);
  if (rec == NULL)
    {
      r = berth_error_make (err, ENOENT, "No such image: %s", id);
      goto out;
    }
  /* references first: a crash after this leaves an untagged image, never a
     tag to nothing */
  json_object_object_foreach (store_repos_refs (s->repos), ref, target)
  {
    if (strcmp (json_object_get_string (target), id) != 0)
      continue;
    gone = xrealloc (gone, (n + 2) * sizeof (char *));
    gone[n++] = xstrdup (ref);
    gone[n] = NULL;
  }
  if (n > 0)
    {
      repos = store_repos_copy (s);
      for (i = 0; i < n; i++)
        json_object_object_del (store_repos_refs (repos), gone[i]);
      if ((r = store_repos_commit (s, repos, err)) < 0)
        goto out;
    }
  db = store_db_copy (s);
  rec = image_json (db, id);
  if (json_object_object_get_ex (rec, "top_layer", &top) && json_object_is_type (top, json_type_string)
      && (r = store_chain_unref (db, json_object_get_string (top), &zeros, err)) < 0)
    {
      json_object_put (db);
      goto out;
    }
  json_object_object_del (store_db_images (db), id);
  if ((r = store_db_commit (s, db, err)) < 0)
    goto out;
  r = store_release_removing (s, zeros, release, ud, err);
  if (r == 0 && store_blob_exists (s, id) == 1)
    {
      berth_error_t e = NULL;
      if (store_blob_delete (s, id, &e) < 0)
        {
          log_warn ("image store: %s", berth_error_msg (&e));
          berth_error_release (&e);
        }
    }
out:
  pthread_mutex_unlock (&s->lock);
  return r;
}

int
store_image_list (struct image_store *s, store_image_fn fn, void *ud, berth_error_t *err)
{
  json_object *db;
  int r = 0;

  pthread_mutex_lock (&s->lock);
  db = json_object_get (s->db);
  pthread_mutex_unlock (&s->lock);
  json_object_object_foreach (store_db_images (db), id, o)
  {
    struct store_image *img = image_from_json (id, o);
    r = fn (ud, img);
    store_image_free (img);
    if (r < 0)
      break;
  }
  pthread_mutex_lock (&s->lock);
  json_object_put (db);
  pthread_mutex_unlock (&s->lock);
  if (r < 0)
    return berth_error_make (err, -r, "image list interrupted by its callback");
  return 0;
}

/* The key a reference is stored under: a digest wins over a tag. */
static char *
ref_key (const struct image_ref *ref)
{
  struct image_ref tmp = *ref;

  if (tmp.digest)
    tmp.tag = NULL;
  return image_ref_string (&tmp);
}

static bool
is_hex (const char *s)
{
  if (*s == '\0')
    return false;
  for (; *s; s++)
    if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
      return false;
  return true;
}

int
store_image_lookup (struct image_store *s, const char *what, char ret_id[DIGEST_BUF_SIZE], berth_error_t *err)
{
  cleanup_image_ref struct image_ref *ref = NULL;
  const char *hex = what;
  int found = 0, r = 0;

  if (what == NULL || *what == '\0')
    return berth_error_make (err, EINVAL, "image name or id must not be empty");
  if (strncmp (what, DIGEST_PREFIX, DIGEST_PREFIX_LEN) != 0
      && image_ref_parse (what, IMAGE_REF_DEFAULT_TAG, &ref, NULL) == 0)
    {
      if (store_tag_lookup (s, ref, ret_id, NULL) == 0)
        return 0;
    }
  if (strncmp (what, DIGEST_PREFIX, DIGEST_PREFIX_LEN) == 0)
    hex = what + DIGEST_PREFIX_LEN;
  if (!is_hex (hex) || strlen (hex) > DIGEST_HEX_LEN)
    return berth_error_make (err, ENOENT, "No such image: %s", what);
  pthread_mutex_lock (&s->lock);
  json_object_object_foreach (store_db_images (s->db), id, o)
  {
    (void)o;
    if (strncmp (id + DIGEST_PREFIX_LEN, hex, strlen (hex)) != 0)
      continue;
    if (found++ == 0)
      snprintf (ret_id, DIGEST_BUF_SIZE, "%s", id);
  }
  pthread_mutex_unlock (&s->lock);
  if (found == 0)
    r = berth_error_make (err, ENOENT, "No such image: %s", what);
  else if (found > 1)
    r = berth_error_make (err, EINVAL, "image id prefix `%s` is ambiguous (%d images match)", hex, found);
  return r;
}

int
store_tag_add (struct image_store *s, const struct image_ref *ref, const char *image_id, bool force, berth_error_t *err)
{
  cleanup_free char *key = NULL;
  json_object *repos, *cur = NULL;
  int r;

  if (ref->tag == NULL && ref->digest == NULL)
    return berth_error_make (err, EINVAL, "tag: reference needs a tag or a digest");
  if (ref->tag && ref->digest)
    return berth_error_make (err, EINVAL, "refusing to create a tag with a digest reference");
  key = ref_key (ref);
  pthread_mutex_lock (&s->lock);
  if (image_json (s->db, image_id) == NULL)
    {
      r = berth_error_make (err, ENOENT, "tag %s: No such image: %s", key, image_id);
      goto out;
    }
  if (json_object_object_get_ex (store_repos_refs (s->repos), key, &cur))
    {
      if (strcmp (json_object_get_string (cur), image_id) == 0)
        {
          r = 0;
          goto out;
        }
      if (!force)
        {
          r = berth_error_make (err, EEXIST, "reference %s already points to image %s", key,
                                json_object_get_string (cur));
          goto out;
        }
    }
  repos = store_repos_copy (s);
  json_object_object_add (store_repos_refs (repos), key, json_object_new_string (image_id));
  r = store_repos_commit (s, repos, err);
out:
  pthread_mutex_unlock (&s->lock);
  return r;
}

int
store_tag_remove (struct image_store *s, const struct image_ref *ref, berth_error_t *err)
{
  cleanup_free char *key = ref_key (ref);
  json_object *repos;
  int r;

  pthread_mutex_lock (&s->lock);
  if (!json_object_object_get_ex (store_repos_refs (s->repos), key, NULL))
    {
      r = berth_error_make (err, ENOENT, "No such image: %s", key);
      goto out;
    }
  repos = store_repos_copy (s);
  json_object_object_del (store_repos_refs (repos), key);
  r = store_repos_commit (s, repos, err);
out:
  pthread_mutex_unlock (&s->lock);
  return r;
}

int
store_tag_lookup (struct image_store *s, const struct image_ref *ref, char ret_id[DIGEST_BUF_SIZE], berth_error_t *err)
{
  cleanup_free char *key = ref_key (ref);
  json_object *v = NULL;
  int r = 0;

  pthread_mutex_lock (&s->lock);
  if (json_object_object_get_ex (store_repos_refs (s->repos), key, &v))
    snprintf (ret_id, DIGEST_BUF_SIZE, "%s", json_object_get_string (v));
  else
    r = berth_error_make (err, ENOENT, "No such image: %s", key);
  pthread_mutex_unlock (&s->lock);
  return r;
}

int
store_tag_list (struct image_store *s, const char *image_id, store_tag_fn fn, void *ud, berth_error_t *err)
{
  json_object *repos;
  int r = 0;

  pthread_mutex_lock (&s->lock);
  repos = json_object_get (s->repos);
  pthread_mutex_unlock (&s->lock);
  json_object_object_foreach (store_repos_refs (repos), ref, id)
  {
    if (image_id && strcmp (json_object_get_string (id), image_id) != 0)
      continue;
    r = fn (ud, ref, json_object_get_string (id));
    if (r < 0)
      break;
  }
  pthread_mutex_lock (&s->lock);
  json_object_put (repos);
  pthread_mutex_unlock (&s->lock);
  if (r < 0)
    return berth_error_make (err, -r, "reference list interrupted by its callback");
  return 0;
}
