#include "config.h"

#include "core/image/archive-save.h"
#include "core/image/manifest.h"
#include "core/image/path-set.h"
#include "core/lib/mem.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SAVE_BUF_SIZE (128 * 1024)

struct save_image
{
  char id[DIGEST_BUF_SIZE];
  struct image_ref **refs; /* tagged references to write */
  size_t n_refs;
};

struct image_save_plan
{
  struct save_image *images;
  size_t n;
};

void
image_save_plan_free (struct image_save_plan *plan)
{
  if (plan == NULL)
    return;
  for (size_t i = 0; i < plan->n; i++)
    {
      for (size_t k = 0; k < plan->images[i].n_refs; k++)
        image_ref_free (plan->images[i].refs[k]);
      free (plan->images[i].refs);
    }
  free (plan->images);
  free (plan);
}

/* add (id, ref) once; ref may be NULL (untagged) and is taken over */
static void
plan_add (struct image_save_plan *p, const char *id, struct image_ref *ref)
{
  struct save_image *img = NULL;

  for (size_t i = 0; i < p->n; i++)
    if (strcmp (p->images[i].id, id) == 0)
      img = &p->images[i];
  if (img == NULL)
    {
      p->images = xrealloc (p->images, (p->n + 1) * sizeof (*p->images));
      img = &p->images[p->n++];
      memset (img, 0, sizeof (*img));
      memcpy (img->id, id, DIGEST_BUF_SIZE);
    }
  if (ref == NULL)
    return;
  for (size_t k = 0; k < img->n_refs; k++)
    {
      cleanup_free char *a = image_ref_string (img->refs[k]);
      cleanup_free char *b = image_ref_string (ref);
      if (strcmp (a, b) == 0)
        {
          image_ref_free (ref);
          return;
        }
    }
  img->refs = xrealloc (img->refs, (img->n_refs + 1) * sizeof (*img->refs));
  img->refs[img->n_refs++] = ref;
}

struct repo_match
{
  const struct image_ref *name;
  struct image_save_plan *plan;
  size_t found;
};

static int
match_repo (void *ud, const char *ref, const char *image_id)
{
  struct repo_match *m = ud;
  struct image_ref *r = NULL;

  if (image_ref_parse (ref, 0, &r, NULL) < 0)
    return 0;
  if (strcmp (r->domain, m->name->domain) != 0 || strcmp (r->path, m->name->path) != 0)
    {
      image_ref_free (r);
      return 0;
    }
  m->found++;
  if (r->tag == NULL)
    {
      /* digest references hold the image but are not written as tags */
      plan_add (m->plan, image_id, NULL);
      image_ref_free (r);
      return 0;
    }
  plan_add (m->plan, image_id, r);
  return 0;
}

static int
plan_name (struct image_service *svc, struct image_save_plan *p, const char *name, berth_error_t *err)
{
  cleanup_image_ref struct image_ref *ref = NULL;
  char id[DIGEST_BUF_SIZE];

  if (strncmp (name, DIGEST_PREFIX, DIGEST_PREFIX_LEN) == 0 || image_ref_parse (name, 0, &ref, NULL) < 0)
    {
      if (image_service_lookup (svc, name, id, err) < 0)
        return berth_error_ret (err);
      plan_add (p, id, NULL);
      return 0;
    }
  if (ref->tag == NULL && ref->digest == NULL)
    {
      struct repo_match m = { .name = ref, .plan = p };
      if (store_tag_list (image_service_store (svc), NULL, match_repo, &m, err) < 0)
        return berth_error_ret (err);
      if (m.found > 0)
        return 0;
      if (image_service_lookup (svc, name, id, err) < 0)
        return berth_error_ret (err);
      plan_add (p, id, NULL);
      return 0;
    }
  if (store_tag_lookup (image_service_store (svc), ref, id, NULL) < 0)
    {
      cleanup_free char *familiar = image_ref_familiar_string (ref);
      return berth_error_make (err, ENOENT, "No such image: %s", familiar);
    }
  plan_add (p, id, ref->tag != NULL && ref->digest == NULL ? steal_pointer (&ref) : NULL);
  return 0;
}

int
image_save_plan_new (struct image_service *svc, char *const *names, struct image_save_plan **ret, berth_error_t *err)
{
  struct image_save_plan *p = xmalloc0 (sizeof (*p));

  if (names == NULL || names[0] == NULL)
    {
      free (p);
      return berth_error_make (err, EINVAL, "no image names given");
    }
  for (size_t i = 0; names[i] != NULL; i++)
    if (plan_name (svc, p, names[i], err) < 0)
      {
        image_save_plan_free (p);
        return berth_error_ret (err);
      }
  *ret = p;
  return 0;
}

/* ---- writing ---- */

struct writer
{
  struct archive *a;
  struct path_set *written;
  char *buf;
};

static int
archive_fail (struct archive *a, const char *what, berth_error_t *err)
{
  int code = archive_errno (a) > 0 ? archive_errno (a) : EIO;
  return berth_error_make (err, code, "write %s: %s", what,
                           archive_error_string (a) != NULL ? archive_error_string (a) : strerror (code));
}

static int
write_header (struct writer *w, const char *name, mode_t type, int64_t size, berth_error_t *err)
{
  struct archive_entry *e = archive_entry_new ();
  int r = 0;

  archive_entry_set_pathname (e, name);
  archive_entry_set_filetype (e, type);
  archive_entry_set_perm (e, type == AE_IFDIR ? 0755 : 0644);
  archive_entry_set_size (e, type == AE_IFDIR ? 0 : size);
  archive_entry_set_mtime (e, 0, 0);
  if (archive_write_header (w->a, e) != ARCHIVE_OK)
    r = archive_fail (w->a, name, err);
  archive_entry_free (e);
  return r;
}

static int
write_mem (struct writer *w, const char *name, const char *data, size_t len, berth_error_t *err)
{
  if (write_header (w, name, AE_IFREG, (int64_t)len, err) < 0)
    return berth_error_ret (err);
  if (len > 0 && archive_write_data (w->a, data, len) != (la_ssize_t)len)
    return archive_fail (w->a, name, err);
  return 0;
}

static int
write_blob_mem (struct writer *w, const char *digest, const char *data, size_t len, berth_error_t *err)
{
  cleanup_free char *name = xasprintf ("blobs/sha256/%s", digest_hex (digest));

  if (!path_set_add (w->written, name))
    return 0;
  return write_mem (w, name, data, len, err);
}

static int
write_blob_fd (struct writer *w, const char *digest, int fd, berth_error_t *err)
{
  cleanup_free char *name = xasprintf ("blobs/sha256/%s", digest_hex (digest));
  struct stat st;
  int64_t left;

  if (!path_set_add (w->written, name))
    return 0;
  if (fstat (fd, &st) < 0)
    return berth_error_errno (err, errno, "stat layer %s", digest);
  if (write_header (w, name, AE_IFREG, st.st_size, err) < 0)
    return berth_error_ret (err);
  for (left = st.st_size; left > 0;)
    {
      ssize_t n = read (fd, w->buf, SAVE_BUF_SIZE);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return berth_error_errno (err, n < 0 ? errno : EIO, "read layer %s", digest);
      if (n > left)
        n = (ssize_t)left;
      if (archive_write_data (w->a, w->buf, (size_t)n) != n)
        return archive_fail (w->a, name, err);
      left -= n;
    }
  return 0;
}

static json_object *
descriptor (const char *media_type, const char *digest, int64_t size)
{
  json_object *d = json_object_new_object ();
  json_object_object_add (d, "mediaType", json_object_new_string (media_type));
  json_object_object_add (d, "digest", json_object_new_string (digest));
  json_object_object_add (d, "size", json_object_new_int64 (size));
  return d;
}

struct save_docs
{
  json_object *manifest_json; /* array */
  json_object *index_entries; /* array */
  json_object *repositories;  /* object */
};

static int
save_image (struct image_service *svc, struct writer *w, const struct save_image *img, struct save_docs *docs,
            berth_error_t *err)
{
  struct image_store *store = image_service_store (svc);
  cleanup_store_image struct store_image *rec = NULL;
  cleanup_image_config struct image_config *cfg = NULL;
  cleanup_free char *config = NULL;
  cleanup_free char *mtext = NULL;
  json_object *manifest = json_object_new_object ();
  json_object *mlayers = json_object_new_array ();
  json_object *entry = json_object_new_object ();
  json_object *paths = json_object_new_array ();
  json_object *tags = json_object_new_array ();
  char mdigest[DIGEST_BUF_SIZE];
  const char *top_diff = NULL;
  size_t len, mlen, n_layers;
  int r = 0;

  json_object_object_add (entry, "Config", json_object_new_string_len ("", 0));
  json_object_object_add (entry, "RepoTags", tags);
  json_object_object_add (entry, "Layers", paths);
  json_object_array_add (docs->manifest_json, entry);
  json_object_object_add (manifest, "schemaVersion", json_object_new_int (2));
  json_object_object_add (manifest, "mediaType", json_object_new_string (MEDIA_TYPE_OCI_MANIFEST));

  if ((r = store_image_get (store, img->id, &rec, err)) < 0
      || (r = store_blob_read (store, img->id, IMAGE_CONFIG_MAX_SIZE, &config, &len, err)) < 0
      || (r = image_config_parse (config, len, &cfg, err)) < 0)
    goto out;
  n_layers = image_strv_len (rec->layers);
  if (n_layers != image_config_n_layers (cfg))
    {
      r = berth_error_make (err, EIO, "image %s: the store has %zu layers for %zu diff ids", img->id, n_layers,
                            image_config_n_layers (cfg));
      goto out;
    }
  if ((r = write_blob_mem (w, img->id, config, len, err)) < 0)
    goto out;
  {
    cleanup_free char *cpath = xasprintf ("blobs/sha256/%s", digest_hex (img->id));
    json_object_object_add (entry, "Config", json_object_new_string (cpath));
  }
  json_object_object_add (manifest, "config", descriptor (MEDIA_TYPE_OCI_CONFIG, img->id, (int64_t)len));
  for (size_t i = 0; i < n_layers; i++)
    {
      struct store_layer l;
      cleanup_close int fd = -1;
      struct stat st;

      if ((r = store_layer_get (store, rec->layers[i], &l, err)) < 0)
        goto out;
      if (strcmp (l.diff_id, cfg->diff_ids[i]) != 0)
        {
          r = berth_error_make (err, EIO, "image %s: layer %zu has diff id %s, the config says %s", img->id, i,
                                l.diff_id, cfg->diff_ids[i]);
          goto out;
        }
      fd = image_service_layer_tar_open (svc, &l, err);
      if (fd < 0)
        {
          r = fd;
          goto out;
        }
      if (fstat (fd, &st) < 0)
        {
          r = berth_error_errno (err, errno, "stat the tar of layer %s", l.chain_id);
          goto out;
        }
      if ((r = write_blob_fd (w, l.diff_id, fd, err)) < 0)
        goto out;
      {
        cleanup_free char *lpath = xasprintf ("blobs/sha256/%s", digest_hex (l.diff_id));
        json_object_array_add (paths, json_object_new_string (lpath));
      }
      json_object_array_add (mlayers, descriptor (MEDIA_TYPE_OCI_LAYER, l.diff_id, st.st_size));
      top_diff = cfg->diff_ids[i];
    }
  json_object_object_add (manifest, "layers", json_object_get (mlayers));
  mtext = jf_to_string (manifest, &mlen);
  if ((r = digest_buffer (mtext, mlen, mdigest, err)) < 0 || (r = write_blob_mem (w, mdigest, mtext, mlen, err)) < 0)
    goto out;

  for (size_t k = 0; k < img->n_refs; k++)
    {
      const struct image_ref *ref = img->refs[k];
      cleanup_free char *full = image_ref_string (ref);
      cleanup_free char *familiar = image_ref_familiar_string (ref);
      cleanup_free char *fname = image_ref_familiar_name (ref);
      json_object *d = descriptor (MEDIA_TYPE_OCI_MANIFEST, mdigest, (int64_t)mlen);
      json_object *ann = json_object_new_object ();
      json_object *repo = NULL;

      json_object_object_add (ann, "io.containerd.image.name", json_object_new_string (full));
      json_object_object_add (ann, "org.opencontainers.image.ref.name", json_object_new_string (ref->tag));
      json_object_object_add (d, "annotations", ann);
      json_object_array_add (docs->index_entries, d);
      json_object_array_add (tags, json_object_new_string (familiar));
      if (top_diff != NULL)
        {
          if (!json_object_object_get_ex (docs->repositories, fname, &repo))
            {
              repo = json_object_new_object ();
              json_object_object_add (docs->repositories, fname, repo);
            }
          json_object_object_add (repo, ref->tag, json_object_new_string (digest_hex (top_diff)));
        }
    }
  if (img->n_refs == 0)
    json_object_array_add (docs->index_entries, descriptor (MEDIA_TYPE_OCI_MANIFEST, mdigest, (int64_t)mlen));
out:
  json_object_put (mlayers);
  json_object_put (manifest);
  return r;
}

static int
write_doc (struct writer *w, const char *name, json_object *o, berth_error_t *err)
{
  size_t len;
  cleanup_free char *text = jf_to_string (o, &len);
  return write_mem (w, name, text, len, err);
}

int
image_save_write (struct image_service *svc, const struct image_save_plan *plan, int out_fd, berth_error_t *err)
{
  struct writer w = { .written = path_set_new (), .buf = xmalloc (SAVE_BUF_SIZE) };
  struct save_docs docs = {
    .manifest_json = json_object_new_array (),
    .index_entries = json_object_new_array (),
    .repositories = json_object_new_object (),
  };
  json_object *index = json_object_new_object ();
  json_object *layout = json_object_new_object ();
  int r = 0;

  w.a = archive_write_new ();
  if (w.a == NULL)
    oom ();
  archive_write_set_format_pax_restricted (w.a);
  archive_write_set_bytes_in_last_block (w.a, 1);
  if (archive_write_open_fd (w.a, out_fd) != ARCHIVE_OK)
    r = archive_fail (w.a, "archive", err);

  image_service_pin (svc);
  if (r == 0)
    r = write_header (&w, "blobs", AE_IFDIR, 0, err);
  if (r == 0)
    r = write_header (&w, "blobs/sha256", AE_IFDIR, 0, err);
  for (size_t i = 0; r == 0 && i < plan->n; i++)
    r = save_image (svc, &w, &plan->images[i], &docs, err);
  image_service_unpin (svc, false);

  json_object_object_add (index, "schemaVersion", json_object_new_int (2));
  json_object_object_add (index, "mediaType", json_object_new_string (MEDIA_TYPE_OCI_INDEX));
  json_object_object_add (index, "manifests", json_object_get (docs.index_entries));
  json_object_object_add (layout, "imageLayoutVersion", json_object_new_string ("1.0.0"));
  if (r == 0)
    r = write_doc (&w, "index.json", index, err);
  if (r == 0)
    r = write_doc (&w, "manifest.json", docs.manifest_json, err);
  if (r == 0)
    r = write_doc (&w, "oci-layout", layout, err);
  if (r == 0 && json_object_object_length (docs.repositories) > 0)
    r = write_doc (&w, "repositories", docs.repositories, err);
  if (r == 0 && archive_write_close (w.a) != ARCHIVE_OK)
    r = archive_fail (w.a, "archive", err);
  archive_write_free (w.a);
  json_object_put (index);
  json_object_put (layout);
  json_object_put (docs.manifest_json);
  json_object_put (docs.index_entries);
  json_object_put (docs.repositories);
  path_set_free (w.written);
  free (w.buf);
  return r;
}
