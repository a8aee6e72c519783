/* Removing images as moby's classic store does (daemon/images/image_delete.go
   and image_prune.go): untag first, delete the image when nothing refers to
   it any more, report each step. */
#include "config.h"

#include "core/image/service.h"
#include "core/image/service-internal.h"
#include "core/image/store-gc.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ref_list
{
  struct image_ref **refs;
  size_t n;
};

static int
collect_ref (void *ud, const char *ref, const char *image_id)
{
  struct ref_list *l = ud;
  struct image_ref *r = NULL;

  (void)image_id;
  if (image_ref_parse (ref, 0, &r, NULL) < 0)
    return 0;
  l->refs = xrealloc (l->refs, (l->n + 1) * sizeof (*l->refs));
  l->refs[l->n++] = r;
  return 0;
}

static void
ref_list_clear (struct ref_list *l)
{
  for (size_t i = 0; i < l->n; i++)
    image_ref_free (l->refs[i]);
  free (l->refs);
  l->refs = NULL;
  l->n = 0;
}

static int
ref_list_load (struct image_service *svc, const char *id, struct ref_list *l, berth_error_t *err)
{
  ref_list_clear (l);
  return store_tag_list (svc->store, id, collect_ref, l, err);
}

static void
add_record (json_object *items, const char *key, const char *value)
{
  json_object *o = json_object_new_object ();
  json_object_object_add (o, key, json_object_new_string (value));
  json_object_array_add (items, o);
}

static int
untag (struct image_service *svc, const struct image_ref *ref, json_object *items, berth_error_t *err)
{
  cleanup_free char *familiar = image_ref_familiar_string (ref);

  if (store_tag_remove (svc->store, ref, err) < 0)
    return berth_error_ret (err);
  add_record (items, "Untagged", familiar);
  return 0;
}

static bool
same_name (const struct image_ref *a, const struct image_ref *b)
{
  return strcmp (a->domain, b->domain) == 0 && strcmp (a->path, b->path) == 0;
}

/* moby's isSingleReference: at most one tag, all in one repository */
static bool
single_reference (const struct ref_list *l)
{
  size_t tags = 0;

  for (size_t i = 0; i < l->n; i++)
    {
      if (l->refs[i]->digest == NULL)
        tags++;
      if (tags > 1 || !same_name (l->refs[i], l->refs[0]))
        return false;
    }
  return true;
}

static bool
is_id_prefix (const char *id, const char *name)
{
  size_t n = strlen (name);
  return n > 0 && (strncmp (id, name, n) == 0 || strncmp (id + DIGEST_PREFIX_LEN, name, n) == 0);
}

static void
short_id (const char *id, char out[13])
{
  memcpy (out, id + DIGEST_PREFIX_LEN, 12);
  out[12] = '\0';
}

/* A container using the image: a running one always blocks, a stopped one
   unless forced. */
static int
check_usage (struct image_service *svc, const char *id, bool force, berth_error_t *err)
{
  cleanup_free char *what = NULL;
  bool running = false;
  char sid[13];
  int r = image_service_usage (svc, id, &running, &what);

  if (r < 0)
    return berth_error_make (err, EIO, "image %s: cannot tell whether a container uses it", id);
  if (r == 0)
    return 0;
  short_id (id, sid);
  if (running)
    return berth_error_make (err, EEXIST,
                             "conflict: unable to delete %s (cannot be forced) - image is being used by running "
                             "container %s",
                             sid, what != NULL ? what : "");
  if (!force)
    return berth_error_make (err, EEXIST,
                             "conflict: unable to delete %s (must be forced) - image is being used by stopped "
                             "container %s",
                             sid, what != NULL ? what : "");
  return 0;
}

static int
delete_image (struct image_service *svc, const char *id, json_object *items, int64_t *reclaimed, berth_error_t *err)
{
  struct image_release_ctx rctx = { .svc = svc, .items = items, .sizes = image_service_layer_sizes (svc) };
  int r;

  add_record (items, "Deleted", id);
  r = store_image_delete (svc->store, id, image_service_release_cb, &rctx, err);
  json_object_put (rctx.sizes);
  if (reclaimed != NULL)
    *reclaimed += rctx.reclaimed;
  return r;
}

static int
remove_locked (struct image_service *svc, const char *name, bool force, json_object *items, berth_error_t *err)
{
  struct ref_list refs = { 0 };
  char id[DIGEST_BUF_SIZE];
  bool untagged = false;
  char sid[13];
  int r;

  if ((r = image_service_lookup (svc, name, id, err)) < 0)
    return r;
  if ((r = ref_list_load (svc, id, &refs, err)) < 0)
    goto out;

  if (!is_id_prefix (id, name))
    {
      cleanup_image_ref struct image_ref *ref = NULL;
      bool tag_left = false;

      if ((r = image_ref_parse (name, IMAGE_REF_DEFAULT_TAG, &ref, err)) < 0)
        goto out;
      if ((r = untag (svc, ref, items, err)) < 0)
        goto out;
      if ((r = ref_list_load (svc, id, &refs, err)) < 0)
        goto out;
      /* a removed tag takes the digests of its repository along when no
         other tag of that repository remains */
      if (ref->digest == NULL)
        {
          for (size_t i = 0; i < refs.n; i++)
            if (refs.refs[i]->digest == NULL && same_name (refs.refs[i], ref))
              tag_left = true;
          for (size_t i = 0; !tag_left && i < refs.n; i++)
            if (refs.refs[i]->digest != NULL && same_name (refs.refs[i], ref)
                && (r = untag (svc, refs.refs[i], items, err)) < 0)
              goto out;
          if ((r = ref_list_load (svc, id, &refs, err)) < 0)
            goto out;
        }
      if (refs.n > 0)
        {
          r = 0;
          goto out;
        }
      untagged = true;
    }
  else if (single_reference (&refs))
    {
      for (size_t i = 0; i < refs.n; i++)
        if ((r = untag (svc, refs.refs[i], items, err)) < 0)
          goto out;
      if ((r = ref_list_load (svc, id, &refs, err)) < 0)
        goto out;
    }

  short_id (id, sid);
  if (refs.n > 0 && !force)
    {
      r = berth_error_make (err, EEXIST,
                            "conflict: unable to delete %s (must be forced) - image is referenced in multiple "
                            "repositories",
                            sid);
      goto out;
    }
  if ((r = check_usage (svc, id, force, err)) < 0)
    {
      /* as moby: the untag was what was asked; a container keeps the image */
      if (untagged)
        {
          berth_error_release (err);
          r = 0;
        }
      goto out;
    }
  for (size_t i = 0; i < refs.n; i++)
    if ((r = untag (svc, refs.refs[i], items, err)) < 0)
      goto out;
  r = delete_image (svc, id, items, NULL, err);
out:
  ref_list_clear (&refs);
  return r;
}

int
image_service_remove (struct image_service *svc, const char *name, bool force, json_object *items, berth_error_t *err)
{
  int r;

  image_service_lock (svc);
  r = remove_locked (svc, name, force, items, err);
  image_service_unlock (svc);
  return r;
}

struct prune_ctx
{
  char **ids;
  size_t n;
};

static int
collect_image (void *ud, const struct store_image *img)
{
  struct prune_ctx *c = ud;
  c->ids = xrealloc (c->ids, (c->n + 2) * sizeof (char *));
  c->ids[c->n++] = xstrdup (img->id);
  c->ids[c->n] = NULL;
  return 0;
}

int
image_service_prune (struct image_service *svc, bool all, image_prune_keep_fn keep, void *ud, json_object *items,
                     int64_t *ret_reclaimed, berth_error_t *err)
{
  struct prune_ctx c = { 0 };
  struct image_release_ctx rctx = { .svc = svc, .items = NULL };
  int64_t reclaimed = 0;
  int r;

  image_service_lock (svc);
  r = store_image_list (svc->store, collect_image, &c, err);
  for (size_t i = 0; r == 0 && i < c.n; i++)
    {
      struct ref_list refs = { 0 };
      cleanup_store_image struct store_image *img = NULL;
      cleanup_free char *what = NULL;
      bool running;

      if (store_image_get (svc->store, c.ids[i], &img, NULL) < 0)
        continue;
      if ((r = ref_list_load (svc, img->id, &refs, err)) < 0)
        break;
      if ((!all && refs.n > 0) || image_service_usage (svc, img->id, &running, &what) != 0
          || (keep != NULL && keep (ud, img)))
        {
          ref_list_clear (&refs);
          continue;
        }
      for (size_t k = 0; r == 0 && k < refs.n; k++)
        r = untag (svc, refs.refs[k], items, err);
      ref_list_clear (&refs);
      if (r == 0)
        r = delete_image (svc, img->id, items, &reclaimed, err);
    }
  strv_free (c.ids);
  if (r == 0)
    {
      rctx.sizes = image_service_layer_sizes (svc);
      r = store_layer_gc (svc->store, image_service_release_cb, &rctx, NULL, err);
      json_object_put (rctx.sizes);
      reclaimed += rctx.reclaimed;
    }
  image_service_unlock (svc);
  if (ret_reclaimed != NULL)
    *ret_reclaimed = reclaimed;
  return r;
}
