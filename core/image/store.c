#include "config.h"

#include "core/image/store.h"
#include "core/image/json-field.h"
#include "core/image/store-internal.h"
#include "core/lib/fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

json_object *
store_db_layers (json_object *db)
{
  json_object *v = NULL;

  json_object_object_get_ex (db, "layers", &v);
  return v;
}

json_object *
store_db_images (json_object *db)
{
  json_object *v = NULL;

  json_object_object_get_ex (db, "images", &v);
  return v;
}

json_object *
store_repos_refs (json_object *repos)
{
  json_object *v = NULL;

  json_object_object_get_ex (repos, "references", &v);
  return v;
}

json_object *
store_db_copy (struct image_store *s)
{
  json_object *c = NULL;

  if (json_object_deep_copy (s->db, &c, NULL) < 0)
    oom ();
  return c;
}

json_object *
store_repos_copy (struct image_store *s)
{
  json_object *c = NULL;

  if (json_object_deep_copy (s->repos, &c, NULL) < 0)
    oom ();
  return c;
}

static int
write_json (struct image_store *s, const char *name, json_object *o, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/%s", s->root, name);
  size_t len;
  cleanup_free char *text = jf_to_string (o, &len);

  return berth_write_file_atomic (path, text, len, 0600, err);
}

int
store_db_commit (struct image_store *s, json_object *db, berth_error_t *err)
{
  if (write_json (s, STORE_DB_FILE, db, err) < 0)
    {
      json_object_put (db);
      return berth_error_wrap (err, "image store");
    }
  json_object_put (s->db);
  s->db = db;
  return 0;
}

int
store_repos_commit (struct image_store *s, json_object *repos, berth_error_t *err)
{
  if (write_json (s, STORE_REPOS_FILE, repos, err) < 0)
    {
      json_object_put (repos);
      return berth_error_wrap (err, "image store");
    }
  json_object_put (s->repos);
  s->repos = repos;
  return 0;
}

/* Load <root>/<name>, or a fresh document with an empty object per key. */
static int
load_json (struct image_store *s, const char *name, const char *const *keys, json_object **ret, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/%s", s->root, name);
  cleanup_free char *text = NULL;
  json_object *o = NULL;
  size_t len, i;
  int64_t version = 0;

  berth_error_t rerr = NULL;

  if (berth_read_file (path, STORE_DB_MAX, &text, &len, &rerr) < 0)
    {
      if (berth_error_code (&rerr) != ENOENT)
        {
          int r = berth_error_make (err, berth_error_code (&rerr), "%s", berth_error_msg (&rerr));
          berth_error_release (&rerr);
          return r;
        }
      berth_error_release (&rerr);
      o = json_object_new_object ();
      json_object_object_add (o, "version", json_object_new_int (1));
    }
  else if (jf_parse_object (text, len, path, &o, err) < 0)
    return berth_error_ret (err);
  else if (jf_int64 (o, "version", path, true, &version, NULL, err) < 0 || version != 1)
    {
      json_object_put (o);
      if (version != 1)
        berth_error_make (err, EINVAL, "%s: unsupported version %lld", path, (long long)version);
      return berth_error_ret (err);
    }
  for (i = 0; keys[i]; i++)
    {
      json_object *m = NULL;
      if (jf_object (o, keys[i], path, false, &m, err) < 0)
        {
          json_object_put (o);
          return berth_error_ret (err);
        }
      if (m == NULL)
        json_object_object_add (o, keys[i], json_object_new_object ());
    }
  *ret = o;
  return 0;
}

/* Remove leftovers of interrupted writes: everything in ingest/ and the temp
   files berth_write_file_atomic leaves next to the metadata files. */
static int
sweep_temp_files (struct image_store *s, berth_error_t *err)
{
  cleanup_dir DIR *d = NULL;
  struct dirent *de;

  d = opendir (s->ingest_dir);
  if (d == NULL)
    return berth_error_errno (err, errno, "open `%s`", s->ingest_dir);
  while ((de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      log_info ("image store: removing interrupted ingest `%s`", de->d_name);
      if (unlinkat (dirfd (d), de->d_name, 0) < 0 && errno != ENOENT)
        return berth_error_errno (err, errno, "remove `%s/%s`", s->ingest_dir, de->d_name);
    }
  closedir (steal_pointer (&d));

  d = opendir (s->root);
  if (d == NULL)
    return berth_error_errno (err, errno, "open `%s`", s->root);
  while ((de = readdir (d)) != NULL)
    {
      if (strstr (de->d_name, ".json.tmp-") == NULL)
        continue;
      log_info ("image store: removing interrupted metadata write `%s`", de->d_name);
      if (unlinkat (dirfd (d), de->d_name, 0) < 0 && errno != ENOENT)
        return berth_error_errno (err, errno, "remove `%s/%s`", s->root, de->d_name);
    }
  return 0;
}

/* Layers still "applying" or "removing", or ready but held by nobody (a pull
   that died before registering its image), are given up.  Children go before
   their parents, so a driver never loses a layer that still has a child. */
static int
recover_layers (struct image_store *s, store_layer_release_fn release, void *ud, berth_error_t *err)
{
  json_object *db = store_db_copy (s);
  json_object *layers = store_db_layers (db);
  cleanup_strv char **victims = NULL;
  size_t n = 0, cap = 0;
  bool changed;

  /* repeat until stable: dropping a child may leave its parent unreferenced */
  do
    {
      changed = false;
      json_object_object_foreach (layers, chain, l)
      {
        struct store_layer rec;
        bool has_child = false;
        const char *state = store_layer_state (l);

        store_layer_from_json (chain, l, &rec);
        if (strcmp (state, LAYER_STATE_REMOVING) == 0)
          continue;
        if (strcmp (state, LAYER_STATE_READY) == 0 && rec.refcount > 0)
          continue;
        json_object_object_foreach (layers, c2, l2)
        {
          struct store_layer other;
          store_layer_from_json (c2, l2, &other);
          if (strcmp (other.parent, chain) == 0 && strcmp (store_layer_state (l2), LAYER_STATE_REMOVING) != 0)
            has_child = true;
        }
        if (has_child)
          continue;
        json_object_object_add (l, "state", json_object_new_string (LAYER_STATE_REMOVING));
        changed = true;
      }
    }
  while (changed);

  /* order victims: a layer before its parent */
  do
    {
      changed = false;
      json_object_object_foreach (layers, chain, l)
      {
        bool has_child = false;
        size_t i;
        if (strcmp (store_layer_state (l), LAYER_STATE_REMOVING) != 0)
          continue;
        for (i = 0; i < n; i++)
          if (strcmp (victims[i], chain) == 0)
            break;
        if (i < n)
          continue;
        json_object_object_foreach (layers, c2, l2)
        {
          struct store_layer other;
          size_t j;
          store_layer_from_json (c2, l2, &other);
          if (strcmp (other.parent, chain) != 0)
            continue;
          for (j = 0; j < n; j++)
            if (strcmp (victims[j], c2) == 0)
              break;
          if (j == n)
            has_child = true;
        }
        if (has_child)
          continue;
        if (n + 2 > cap)
          {
            cap = cap ? cap * 2 : 8;
            victims = xrealloc (victims, cap * sizeof (char *));
          }
        victims[n++] = xstrdup (chain);
        victims[n] = NULL;
        changed = true;
      }
    }
  while (changed);

  if (n == 0)
    {
      json_object_put (db);
      return 0;
    }
  for (size_t i = 0; i < n; i++)
    log_info ("image store: dropping incomplete or unreferenced layer %s", victims[i]);
  /* persist the "removing" marks first: a crash during release repeats it */
  if (store_db_commit (s, db, err) < 0)
    return berth_error_ret (err);
  return store_release_removing (s, victims, release, ud, err);
}

static int
recover_references (struct image_store *s, berth_error_t *err)
{
  json_object *repos = store_repos_copy (s);
  json_object *refs = store_repos_refs (repos);
  json_object *images = store_db_images (s->db);
  cleanup_strv char **gone = NULL;
  size_t n = 0, i;

  json_object_object_foreach (refs, ref, id)
  {
    if (json_object_is_type (id, json_type_string)
        && json_object_object_get_ex (images, json_object_get_string (id), NULL))
      continue;
    gone = xrealloc (gone, (n + 2) * sizeof (char *));
    gone[n++] = xstrdup (ref);
    gone[n] = NULL;
  }
  if (n == 0)
    {
      json_object_put (repos);
      return 0;
    }
  for (i = 0; i < n; i++)
    {
      log_info ("image store: dropping reference `%s` to a missing image", gone[i]);
      json_object_object_del (refs, gone[i]);
    }
  return store_repos_commit (s, repos, err);
}

void
store_close (struct image_store *s)
{
  if (s == NULL)
    return;
  json_object_put (s->db);
  json_object_put (s->repos);
  if (s->lock_fd >= 0)
    close (s->lock_fd);
  pthread_mutex_destroy (&s->lock);
  free (s->root);
  free (s->blobs_dir);
  free (s->ingest_dir);
  free (s);
}

int
store_open (const char *root, store_layer_release_fn release, void *ud, struct image_store **ret, berth_error_t *err)
{
  static const char *const db_keys[] = { "layers", "images", NULL };
  static const char *const repo_keys[] = { "references", NULL };
  struct image_store *s = xmalloc0 (sizeof (*s));
  cleanup_free char *lock_path = NULL;

  s->lock_fd = -1;
  pthread_mutex_init (&s->lock, NULL);
  s->root = xstrdup (root);
  s->blobs_dir = xasprintf ("%s/blobs/sha256", root);
  s->ingest_dir = xasprintf ("%s/ingest", root);
  if (berth_mkdir_p (s->blobs_dir, 0700, err) < 0 || berth_mkdir_p (s->ingest_dir, 0700, err) < 0)
    goto fail;
  lock_path = xasprintf ("%s/%s", root, STORE_LOCK_FILE);
  s->lock_fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (s->lock_fd < 0)
    {
      berth_error_errno (err, errno, "open `%s`", lock_path);
      goto fail;
    }
  if (flock (s->lock_fd, LOCK_EX | LOCK_NB) < 0)
    {
      if (errno == EWOULDBLOCK)
        berth_error_make (err, EBUSY, "image store `%s` is in use by another process", root);
      else
        berth_error_errno (err, errno, "lock `%s`", lock_path);
      goto fail;
    }
  if (sweep_temp_files (s, err) < 0 || load_json (s, STORE_DB_FILE, db_keys, &s->db, err) < 0
      || load_json (s, STORE_REPOS_FILE, repo_keys, &s->repos, err) < 0)
    goto fail;
  if (recover_layers (s, release, ud, err) < 0 || recover_references (s, err) < 0)
    goto fail;
  *ret = s;
  return 0;

fail:
  store_close (s);
  return berth_error_wrap (err, "open image store `%s`", root);
}

const char *
store_root (const struct image_store *s)
{
  return s->root;
}
