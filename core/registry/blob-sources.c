/* Blob sources: see blob-sources.h.
 *
 * {"sha256:<compressed>": {"diffId": "sha256:…", "size": N,
 *                          "repos": ["host/repo", …]}, …}
 * The most recently used repositories come last; each blob keeps at most
 * MAX_REPOS of them and the file at most MAX_BLOBS blobs. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/lib/fs.h"
#include "core/lib/mem.h"
#include "core/registry/blob-sources.h"

#define MAX_FILE_SIZE (16u << 20)
#define MAX_REPOS 8
#define MAX_BLOBS 20000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static json_object *
load (const char *path)
{
  cleanup_free char *data = NULL;
  size_t len = 0;
  json_object *doc = NULL;

  if (berth_read_file (path, MAX_FILE_SIZE, &data, &len, NULL) == 0)
    doc = json_tokener_parse (data);
  if (doc != NULL && !json_object_is_type (doc, json_type_object))
    {
      json_object_put (doc);
      doc = NULL;
    }
  /* a missing or damaged file only costs a compression or an upload */
  return doc != NULL ? doc : json_object_new_object ();
}

int
blob_sources_record (const char *path, const char *host, const char *repo, const struct blob_source *blobs, size_t n,
                     berth_error_t *err)
{
  cleanup_free char *where = xasprintf ("%s/%s", host, repo);
  json_object *doc;
  const char *text;
  size_t len;
  int r;

  if (path == NULL || n == 0)
    return 0;
  pthread_mutex_lock (&lock);
  doc = load (path);
  for (size_t i = 0; i < n; i++)
    {
      json_object *e, *repos, *keep;

      if (!json_object_object_get_ex (doc, blobs[i].digest, &e))
        {
          if (json_object_object_length (doc) >= MAX_BLOBS)
            continue;
          e = json_object_new_object ();
          json_object_object_add (doc, blobs[i].digest, e);
        }
      json_object_object_add (e, "diffId", json_object_new_string (blobs[i].diff_id));
      json_object_object_add (e, "size", json_object_new_int64 (blobs[i].size));
      keep = json_object_new_array ();
      if (json_object_object_get_ex (e, "repos", &repos) && json_object_is_type (repos, json_type_array))
        {
          size_t m = json_object_array_length (repos);
          for (size_t k = 0; k < m; k++)
            {
              const char *s = json_object_get_string (json_object_array_get_idx (repos, k));
              if (s != NULL && strcmp (s, where) != 0 && m - k < MAX_REPOS)
                json_object_array_add (keep, json_object_new_string (s));
            }
        }
      json_object_array_add (keep, json_object_new_string (where));
      json_object_object_add (e, "repos", keep);
    }
  text = json_object_to_json_string_ext (doc, JSON_C_TO_STRING_PLAIN);
  len = strlen (text);
  r = berth_write_file_atomic (path, text, len, 0600, err);
  json_object_put (doc);
  pthread_mutex_unlock (&lock);
  return r;
}

static void
add_hit (struct blob_source **v, size_t *n, const char *digest, const char *diff_id, int64_t size, const char *repo)
{
  *v = xrealloc (*v, (*n + 1) * sizeof (**v));
  (*v)[*n].digest = xstrdup (digest);
  (*v)[*n].diff_id = xstrdup (diff_id);
  (*v)[*n].size = size;
  (*v)[*n].repo = xstrdup (repo);
  (*n)++;
}

int
blob_sources_find (const char *path, const char *host, const char *repo, const char *diff_id, struct blob_source **ret,
                   size_t *ret_n, berth_error_t *err)
{
  size_t hl = strlen (host);
  struct blob_source *own = NULL, *other = NULL;
  size_t n_own = 0, n_other = 0;
  json_object *doc;

  (void)err;
  *ret = NULL;
  *ret_n = 0;
  if (path == NULL)
    return 0;
  pthread_mutex_lock (&lock);
  doc = load (path);
  json_object_object_foreach (doc, digest, e)
  {
    json_object *v, *repos;
    int64_t size;

    if (!json_object_object_get_ex (e, "diffId", &v) || strcmp (json_object_get_string (v), diff_id) != 0)
      continue;
    if (!json_object_object_get_ex (e, "size", &v) || (size = json_object_get_int64 (v)) <= 0)
      continue;
    if (!json_object_object_get_ex (e, "repos", &repos) || !json_object_is_type (repos, json_type_array))
      continue;
    /* the most recent first */
    for (size_t k = json_object_array_length (repos); k-- > 0;)
      {
        const char *s = json_object_get_string (json_object_array_get_idx (repos, k));
        if (s == NULL || strncmp (s, host, hl) != 0 || s[hl] != '/')
          continue;
        if (strcmp (s + hl + 1, repo) == 0)
          add_hit (&own, &n_own, digest, diff_id, size, s + hl + 1);
        else
          add_hit (&other, &n_other, digest, diff_id, size, s + hl + 1);
      }
  }
  json_object_put (doc);
  pthread_mutex_unlock (&lock);
  own = xrealloc (own, (n_own + n_other + 1) * sizeof (*own));
  if (n_other > 0)
    memcpy (own + n_own, other, n_other * sizeof (*other));
  free (other);
  *ret = own;
  *ret_n = n_own + n_other;
  return 0;
}

void
blob_sources_free (struct blob_source *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (v[i].digest);
      free (v[i].diff_id);
      free (v[i].repo);
    }
  free (v);
}
