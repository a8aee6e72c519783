#include "config.h"

#include "core/image/archive-load.h"
#include "core/image/manifest.h"
#include "core/lib/fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MANIFEST_JSON "manifest.json"
#define INDEX_JSON "index.json"
#define MANIFEST_JSON_MAX (16u << 20)
#define LINK_HOPS_MAX 16
#define ANNOTATION_IMAGE_NAME "io.containerd.image.name"
#define ANNOTATION_REF_NAME "org.opencontainers.image.ref.name"

/* A spooled member: its sha256 and size, taken while it was written, and
   whether it is an uncompressed tar (a layer that needs no decompression
   can then be kept as it is, see image_service_layer_adopt). */
struct member_file
{
  char digest[DIGEST_BUF_SIZE];
  uint64_t size;
  bool plain_tar;
};

struct load_ctx
{
  struct image_service *svc;
  char *dir;
  int dirfd;
  /* member name -> "f<n>" (spooled file n) or "l<name>" (link to a member) */
  json_object *members;
  size_t n_members;
  struct member_file *files; /* by spooled file number */
  size_t n_files;
  image_load_emit_fn emit;
  void *ud;
};

static void emit (struct load_ctx *c, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
emit (struct load_ctx *c, const char *fmt, ...)
{
  va_list ap;
  char *line;

  va_start (ap, fmt);
  if (vasprintf (&line, fmt, ap) < 0)
    oom ();
  va_end (ap);
  if (c->emit != NULL)
    c->emit (c->ud, line);
  free (line);
}

/* ---- names ---- */

/* "./a//b/" -> "a/b", "/a" -> "a"; ".." components resolve against base
   (the member's directory for symlinks) and may not leave the archive.
   NULL when the name escapes. */
static char *
clean_name (const char *base, const char *name)
{
  cleanup_free char *joined = base != NULL && name[0] != '/' ? xasprintf ("%s/%s", base, name) : xstrdup (name);
  char *out = xmalloc (strlen (joined) + 1);
  char *save = NULL;
  size_t len = 0;

  for (char *comp = strtok_r (joined, "/", &save); comp != NULL; comp = strtok_r (NULL, "/", &save))
    {
      if (strcmp (comp, ".") == 0)
        continue;
      if (strcmp (comp, "..") == 0)
        {
          if (len == 0)
            {
              free (out);
              return NULL;
            }
          while (len > 0 && out[len - 1] != '/')
            len--;
          if (len > 0)
            len--;
          continue;
        }
      if (len > 0)
        out[len++] = '/';
      memcpy (out + len, comp, strlen (comp));
      len += strlen (comp);
    }
  out[len] = '\0';
  return out;
}

static char *
dir_of (const char *name)
{
  const char *slash = strrchr (name, '/');
  return slash != NULL ? xstrndup (name, (size_t)(slash - name)) : NULL;
}

/* ---- spooling the archive ---- */

/* An uncompressed tar: ustar magic in the first header, and none of the
   compression magics layer_tar_spool would detect (those layers go the
   decompressing way). */
static bool
looks_plain_tar (const unsigned char *p, size_t len)
{
  static const unsigned char gz[] = { 0x1f, 0x8b }, zst[] = { 0x28, 0xb5, 0x2f, 0xfd },
                             xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };

  if (len < 263 || memcmp (p, gz, sizeof (gz)) == 0 || memcmp (p, zst, sizeof (zst)) == 0
      || memcmp (p, xz, sizeof (xz)) == 0 || memcmp (p, "BZh", 3) == 0)
    return false;
  return memcmp (p + 257, "ustar", 5) == 0;
}

static int
write_all (int fd, const void *data, size_t len, const char *name, berth_error_t *err)
{
  const char *p = data;

  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return berth_error_errno (err, errno, "archive member `%s`", name);
      p += n;
      len -= (size_t)n;
    }
  return 0;
}

/* Copy the member into the scratch dir, hashing it on the way: for a layer
   this is the one pass over its bytes before the apply. */
static int
spool_member (struct load_ctx *c, struct archive *a, const char *name, berth_error_t *err)
{
  static const char zeros[4096];
  char file[32];
  cleanup_close int fd = -1;
  cleanup_digest_ctx struct digest_ctx *d = NULL;
  struct member_file *mf;
  const void *buf;
  size_t size;
  la_int64_t offset;
  uint64_t pos = 0;
  int r;

  c->files = xrealloc (c->files, (c->n_files + 1) * sizeof (*c->files));
  mf = &c->files[c->n_files];
  memset (mf, 0, sizeof (*mf));
  snprintf (file, sizeof (file), "%zu", c->n_files);
  fd = openat (c->dirfd, file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return berth_error_errno (err, errno, "create `%s/%s`", c->dir, file);
  d = digest_ctx_new (err);
  if (d == NULL)
    return berth_error_ret (err);
  while ((r = archive_read_data_block (a, &buf, &size, &offset)) == ARCHIVE_OK)
    {
      /* a sparse member's holes read as zeros */
      while (offset >= 0 && pos < (uint64_t)offset)
        {
          size_t n = (uint64_t)offset - pos < sizeof (zeros) ? (size_t)((uint64_t)offset - pos) : sizeof (zeros);
          if (write_all (fd, zeros, n, name, err) < 0)
            return berth_error_ret (err);
          digest_ctx_update (d, zeros, n);
          pos += n;
        }
      if (pos == 0)
        mf->plain_tar = looks_plain_tar (buf, size);
      if (write_all (fd, buf, size, name, err) < 0)
        return berth_error_ret (err);
      digest_ctx_update (d, buf, size);
      pos += size;
    }
  if (r != ARCHIVE_EOF)
    {
      if (archive_errno (a) == ENOSPC)
        return berth_error_errno (err, ENOSPC, "archive member `%s`", name);
      return berth_error_make (err, EINVAL, "invalid archive: member `%s`: %s", name,
                               archive_error_string (a) != NULL ? archive_error_string (a) : "read error");
    }
  if (digest_ctx_final (d, mf->digest, err) < 0)
    return berth_error_ret (err);
  mf->size = pos;
  c->n_files++;
  {
    cleanup_free char *v = xasprintf ("f%s", file);
    json_object_object_add (c->members, name, json_object_new_string (v));
  }
  return 0;
}

static int
record_link (struct load_ctx *c, const char *name, const char *target, bool symbolic)
{
  cleanup_free char *dir = symbolic ? dir_of (name) : NULL;
  cleanup_free char *resolved = clean_name (symbolic ? (dir != NULL ? dir : "") : NULL, target);
  cleanup_free char *v = NULL;

  /* a link out of the archive leads nowhere; asking for it fails later */
  if (resolved == NULL || resolved[0] == '\0')
    return 0;
  v = xasprintf ("l%s", resolved);
  json_object_object_add (c->members, name, json_object_new_string (v));
  return 0;
}

static int
spool_archive (struct load_ctx *c, int fd, berth_error_t *err)
{
  struct archive *a = archive_read_new ();
  struct archive_entry *e;
  int r = 0;

  if (a == NULL)
    oom ();
  /* in-process decompressors only, never a helper program */
  archive_read_support_filter_gzip (a);
  archive_read_support_filter_xz (a);
  archive_read_support_filter_zstd (a);
  archive_read_support_format_tar (a);
  if (archive_read_open_fd (a, fd, 128 * 1024) != ARCHIVE_OK)
    {
      r = berth_error_make (err, EINVAL, "invalid archive: %s",
                            archive_error_string (a) != NULL ? archive_error_string (a) : "cannot read it");
      goto out;
    }
  for (;;)
    {
      cleanup_free char *name = NULL;
      const char *raw;
      int h = archive_read_next_header (a, &e);

      if (h == ARCHIVE_EOF)
        break;
      if (h < ARCHIVE_WARN)
        {
          if (c->n_members == 0 && archive_errno (a) != ENOSPC)
            r = berth_error_make (err, EINVAL, "invalid archive: not a tar archive (%s)",
                                  archive_error_string (a) != NULL ? archive_error_string (a) : "unreadable");
          else
            r = berth_error_make (err, EINVAL, "invalid archive: %s",
                                  archive_error_string (a) != NULL ? archive_error_string (a) : "unreadable");
          goto out;
        }
      if (++c->n_members > IMAGE_ARCHIVE_MAX_MEMBERS)
        {
          r = berth_error_make (err, EINVAL, "invalid archive: more than %u members", IMAGE_ARCHIVE_MAX_MEMBERS);
          goto out;
        }
      raw = archive_entry_pathname (e);
      if (raw == NULL || strlen (raw) >= PATH_MAX)
        {
          r = berth_error_make (err, EINVAL, "invalid archive: member %zu has no usable name", c->n_members);
          goto out;
        }
      name = clean_name (NULL, raw);
      if (name == NULL)
        {
          r = berth_error_make (err, EINVAL, "invalid archive: member `%s` points outside the archive", raw);
          goto out;
        }
      if (name[0] == '\0')
        continue;
      if (archive_entry_hardlink (e) != NULL)
        r = record_link (c, name, archive_entry_hardlink (e), false);
      else if (archive_entry_filetype (e) == AE_IFLNK)
        r = record_link (c, name, archive_entry_symlink (e) != NULL ? archive_entry_symlink (e) : "", true);
      else if (archive_entry_filetype (e) == AE_IFREG)
        r = spool_member (c, a, name, err);
      /* directories and special files carry nothing a loader reads */
      if (r < 0)
        goto out;
    }
  if (c->n_members == 0)
    r = berth_error_make (err, EINVAL, "invalid archive: it is empty");
out:
  archive_read_free (a);
  return r;
}

/* ---- reading members ---- */

/* the spooled file of a member (following links): its number, or -1 */
static int
open_member_file (struct load_ctx *c, const char *name, size_t *ret_file, berth_error_t *err)
{
  cleanup_free char *cur = clean_name (NULL, name);
  int fd;

  if (cur == NULL)
    return berth_error_make (err, EINVAL, "invalid archive: `%s` points outside the archive", name);
  for (int hops = 0; hops <= LINK_HOPS_MAX; hops++)
    {
      json_object *v = NULL;
      const char *s;

      if (!json_object_object_get_ex (c->members, cur, &v))
        return berth_error_make (err, EINVAL, "invalid archive: `%s` is not in the archive", name);
      s = json_object_get_string (v);
      if (s[0] == 'f')
        {
          fd = openat (c->dirfd, s + 1, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
          if (fd < 0)
            return berth_error_errno (err, errno, "open `%s/%s`", c->dir, s + 1);
          if (ret_file != NULL)
            *ret_file = (size_t)strtoul (s + 1, NULL, 10);
          return fd;
        }
      free (cur);
      cur = xstrdup (s + 1);
    }
  return berth_error_make (err, EINVAL, "invalid archive: `%s`: too many levels of links", name);
}

static int
open_member (struct load_ctx *c, const char *name, berth_error_t *err)
{
  return open_member_file (c, name, NULL, err);
}

static int
read_member (struct load_ctx *c, const char *name, size_t max, char **ret, size_t *ret_len, berth_error_t *err)
{
  cleanup_close int fd = open_member (c, name, err);
  cleanup_free char *buf = NULL;
  struct stat st;
  size_t len = 0;

  if (fd < 0)
    return fd;
  if (fstat (fd, &st) < 0)
    return berth_error_errno (err, errno, "stat archive member `%s`", name);
  if ((uint64_t)st.st_size > max)
    return berth_error_make (err, EINVAL, "invalid archive: `%s` is larger than %zu bytes", name, max);
  buf = xmalloc ((size_t)st.st_size + 1);
  while (len < (size_t)st.st_size)
    {
      ssize_t n = read (fd, buf + len, (size_t)st.st_size - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return berth_error_errno (err, n < 0 ? errno : EIO, "read archive member `%s`", name);
      len += (size_t)n;
    }
  buf[len] = '\0';
  *ret = steal_pointer (&buf);
  *ret_len = len;
  return 0;
}

static bool
has_member (struct load_ctx *c, const char *name)
{
  return json_object_object_get_ex (c->members, name, NULL);
}

/* ---- registering ---- */

/* Input problems come back from the layer code as EPERM, ENAMETOOLONG, ...;
   for a load they are all a bad archive (400), not a permission problem. */
static int
as_bad_input (berth_error_t *err)
{
  int code = berth_error_code (err);
  cleanup_free char *msg = NULL;

  if (code == ENOSPC || code == EIO || code == ENOMEM || code == EINVAL)
    return berth_error_ret (err);
  msg = xstrdup (berth_error_msg (err));
  berth_error_release (err);
  return berth_error_make (err, EINVAL, "%s", msg);
}

static int
register_layers (struct load_ctx *c, char *const *paths, const char *const *expected_compressed, char *const *diff_ids,
                 char ret_top[DIGEST_BUF_SIZE], berth_error_t *err)
{
  char parent[DIGEST_BUF_SIZE] = "";

  for (size_t i = 0; paths[i] != NULL; i++)
    {
      const char *expected = expected_compressed != NULL ? expected_compressed[i] : NULL;
      size_t file = 0;
      cleanup_close int fd = open_member_file (c, paths[i], &file, err);
      struct image_spooled_layer sp;
      struct store_layer l;
      int r;

      if (fd < 0)
        return berth_error_ret (err);
      if (file < c->n_files && c->files[file].plain_tar)
        {
          /* already hashed and on the data root's disk: kept as it is */
          cleanup_free char *path = xasprintf ("%s/%zu", c->dir, file);
          r = image_service_layer_adopt (c->svc, path, c->files[file].digest, c->files[file].size, expected,
                                         diff_ids[i], &sp, err);
          if (r == 0)
            r = image_service_layer_add_spooled (c->svc, parent[0] != '\0' ? parent : NULL, &sp, &l, err);
        }
      else
        r = image_service_layer_add (c->svc, parent[0] != '\0' ? parent : NULL, fd, expected, diff_ids[i], &l, err);
      if (r < 0)
        {
          as_bad_input (err);
          return berth_error_wrap (err, "layer `%s`", paths[i]);
        }
      memcpy (parent, l.chain_id, DIGEST_BUF_SIZE);
    }
  memcpy (ret_top, parent, DIGEST_BUF_SIZE);
  return 0;
}

static int
tag_loaded (struct load_ctx *c, const char *tag, const char *id, berth_error_t *err)
{
  cleanup_image_ref struct image_ref *ref = NULL;
  cleanup_free char *familiar = NULL;
  char prev[DIGEST_BUF_SIZE];

  if (image_ref_parse (tag, IMAGE_REF_DEFAULT_TAG, &ref, err) < 0)
    return berth_error_wrap (err, "invalid tag `%s` in the archive", tag);
  if (ref->digest != NULL)
    return berth_error_make (err, EINVAL, "invalid tag `%s` in the archive: a digest is not a tag", tag);
  familiar = image_ref_familiar_string (ref);
  if (image_service_tag (c->svc, ref, id, prev, err) < 0)
    return berth_error_ret (err);
  if (prev[0] != '\0')
    emit (c, "The image %s already exists, renaming the old one with ID %s to empty string", familiar, prev);
  emit (c, "Loaded image: %s", familiar);
  return 0;
}

static int
check_layer_count (const struct image_config *cfg, size_t n, const char *what, berth_error_t *err)
{
  if (image_config_n_layers (cfg) != n)
    return berth_error_make (err, EINVAL, "invalid archive: %s lists %zu layers but its config has %zu diff ids", what,
                             n, image_config_n_layers (cfg));
  return 0;
}

/* one manifest.json entry */
static int
load_docker_image (struct load_ctx *c, json_object *entry, size_t idx, berth_error_t *err)
{
  cleanup_image_config struct image_config *cfg = NULL;
  cleanup_strv char **layers = NULL;
  cleanup_strv char **tags = NULL;
  cleanup_free char *config = NULL;
  cleanup_free char *what = xasprintf ("manifest.json entry %zu", idx);
  const char *config_path = NULL;
  char top[DIGEST_BUF_SIZE], id[DIGEST_BUF_SIZE];
  size_t len;

  if (!json_object_is_type (entry, json_type_object))
    return berth_error_make (err, EINVAL, "invalid archive: %s is not an object", what);
  if (jf_string (entry, "Config", what, true, &config_path, err) < 0
      || jf_strv (entry, "Layers", what, &layers, err) < 0 || jf_strv (entry, "RepoTags", what, &tags, err) < 0)
    return berth_error_wrap (err, "invalid archive");
  if (layers == NULL)
    layers = xmalloc0 (sizeof (char *));
  if (read_member (c, config_path, IMAGE_CONFIG_MAX_SIZE, &config, &len, err) < 0)
    return berth_error_ret (err);
  if (image_config_parse (config, len, &cfg, err) < 0)
    return berth_error_wrap (err, "invalid archive: config `%s`", config_path);
  if (check_layer_count (cfg, image_strv_len (layers), what, err) < 0)
    return berth_error_ret (err);
  if (register_layers (c, layers, NULL, cfg->diff_ids, top, err) < 0)
    return berth_error_ret (err);
  if (image_service_image_add (c->svc, config, len, NULL, top[0] != '\0' ? top : NULL, id, err) < 0)
    return berth_error_ret (err);
  for (size_t i = 0; tags != NULL && tags[i] != NULL; i++)
    if (tag_loaded (c, tags[i], id, err) < 0)
      return berth_error_ret (err);
  if (tags == NULL || tags[0] == NULL)
    emit (c, "Loaded image ID: %s", id);
  return 0;
}

static int
load_docker_archive (struct load_ctx *c, berth_error_t *err)
{
  cleanup_free char *data = NULL;
  json_object *doc = NULL;
  size_t len;
  int r = 0;

  if (read_member (c, MANIFEST_JSON, MANIFEST_JSON_MAX, &data, &len, err) < 0)
    return berth_error_ret (err);
  if (jf_parse (data, len, MANIFEST_JSON, &doc, err) < 0)
    return berth_error_wrap (err, "invalid archive");
  if (!json_object_is_type (doc, json_type_array))
    r = berth_error_make (err, EINVAL, "invalid archive: manifest.json is not a JSON array");
  else if (json_object_array_length (doc) == 0)
    r = berth_error_make (err, EINVAL, "invalid archive: manifest.json lists no image");
  for (size_t i = 0; r == 0 && i < json_object_array_length (doc); i++)
    r = load_docker_image (c, json_object_array_get_idx (doc, i), i, err);
  json_object_put (doc);
  return r;
}

/* ---- OCI layout ---- */

static char *
blob_path (const char *digest)
{
  return xasprintf ("blobs/sha256/%s", digest_hex (digest));
}

/* a blob of the layout, checked against its descriptor */
static int
read_blob (struct load_ctx *c, const struct image_descriptor *d, size_t max, char **ret, size_t *ret_len,
           berth_error_t *err)
{
  cleanup_free char *path = NULL;
  cleanup_free char *data = NULL;
  char actual[DIGEST_BUF_SIZE];
  size_t len;

  if (digest_validate (d->digest, err) < 0)
    return berth_error_wrap (err, "invalid archive: descriptor");
  path = blob_path (d->digest);
  if (read_member (c, path, max, &data, &len, err) < 0)
    return berth_error_ret (err);
  if (digest_buffer (data, len, actual, err) < 0)
    return berth_error_ret (err);
  if (strcmp (actual, d->digest) != 0)
    return berth_error_make (err, EINVAL, "invalid archive: blob %s: digest mismatch: expected %s, got %s", path,
                             d->digest, actual);
  if (d->size >= 0 && (size_t)d->size != len)
    return berth_error_make (err, EINVAL, "invalid archive: blob %s: size mismatch: expected %lld, got %zu", path,
                             (long long)d->size, len);
  *ret = steal_pointer (&data);
  *ret_len = len;
  return 0;
}

/* The tag an index entry carries: the full name annotation, or a ref.name
   that is a whole reference (a bare tag has no repository). */
static char *
oci_tag (const struct image_kv *ann, size_t n)
{
  const char *name = image_kv_get (ann, n, ANNOTATION_IMAGE_NAME);
  const char *ref = image_kv_get (ann, n, ANNOTATION_REF_NAME);

  if (name != NULL && name[0] != '\0')
    return xstrdup (name);
  if (ref != NULL && (strchr (ref, '/') != NULL || strchr (ref, ':') != NULL))
    return xstrdup (ref);
  return NULL;
}

static int load_oci_descriptor (struct load_ctx *c, const struct image_descriptor *d, const char *tag, int depth,
                                berth_error_t *err);

static int
load_oci_manifest (struct load_ctx *c, const struct image_manifest *m, const char *tag, berth_error_t *err)
{
  cleanup_image_config struct image_config *cfg = NULL;
  cleanup_free char *config = NULL;
  cleanup_free char **paths = NULL;
  cleanup_free const char **compressed = NULL;
  char top[DIGEST_BUF_SIZE], id[DIGEST_BUF_SIZE];
  size_t len;
  int r = 0;

  if (manifest_check_image (m, err) < 0)
    return berth_error_wrap (err, "invalid archive");
  if (read_blob (c, &m->config, IMAGE_CONFIG_MAX_SIZE, &config, &len, err) < 0)
    return berth_error_ret (err);
  if (image_config_parse (config, len, &cfg, err) < 0)
    return berth_error_wrap (err, "invalid archive: config %s", m->config.digest);
  if (check_layer_count (cfg, m->n_layers, "the manifest", err) < 0)
    return berth_error_ret (err);
  paths = xmalloc0 ((m->n_layers + 1) * sizeof (char *));
  compressed = xmalloc0 ((m->n_layers + 1) * sizeof (char *));
  for (size_t i = 0; i < m->n_layers; i++)
    {
      if (digest_validate (m->layers[i].digest, err) < 0)
        {
          r = berth_error_wrap (err, "invalid archive: layer %zu", i);
          goto out;
        }
      paths[i] = blob_path (m->layers[i].digest);
      compressed[i] = m->layers[i].digest;
    }
  if ((r = register_layers (c, paths, compressed, cfg->diff_ids, top, err)) < 0)
    goto out;
  if ((r = image_service_image_add (c->svc, config, len, m->config.digest, top[0] != '\0' ? top : NULL, id, err)) < 0)
    goto out;
  if (tag != NULL)
    r = tag_loaded (c, tag, id, err);
  else
    emit (c, "Loaded image ID: %s", id);
out:
  for (size_t i = 0; paths != NULL && i < m->n_layers; i++)
    free (paths[i]);
  return r;
}

static int
load_oci_index (struct load_ctx *c, const struct image_manifest *idx, const char *tag, int depth, bool pick,
                berth_error_t *err)
{
  if (pick)
    {
      int i = manifest_index_select (idx, "linux", image_service_host_arch (), NULL, err);
      if (i < 0)
        return berth_error_wrap (err, "invalid archive");
      return load_oci_descriptor (c, &idx->manifests[i], tag, depth + 1, err);
    }
  if (idx->n_manifests == 0)
    return berth_error_make (err, EINVAL, "invalid archive: index.json lists no manifest");
  for (size_t i = 0; i < idx->n_manifests; i++)
    {
      const struct image_descriptor *d = &idx->manifests[i];
      cleanup_free char *own = oci_tag (d->annotations, d->n_annotations);
      if (load_oci_descriptor (c, d, own != NULL ? own : tag, depth + 1, err) < 0)
        return berth_error_ret (err);
    }
  return 0;
}

static int
load_oci_descriptor (struct load_ctx *c, const struct image_descriptor *d, const char *tag, int depth,
                     berth_error_t *err)
{
  cleanup_manifest struct image_manifest *m = NULL;
  cleanup_free char *data = NULL;
  size_t len;

  if (depth > 4)
    return berth_error_make (err, EINVAL, "invalid archive: indexes nested too deep");
  if (read_blob (c, d, MANIFEST_MAX_SIZE, &data, &len, err) < 0)
    return berth_error_ret (err);
  if (manifest_parse (data, len, d->media_type, &m, err) < 0)
    return berth_error_wrap (err, "invalid archive: manifest %s", d->digest);
  if (manifest_is_index (m))
    return load_oci_index (c, m, tag, depth, true, err);
  return load_oci_manifest (c, m, tag, err);
}

static int
load_oci_layout (struct load_ctx *c, berth_error_t *err)
{
  cleanup_manifest struct image_manifest *idx = NULL;
  cleanup_free char *data = NULL;
  size_t len;

  if (read_member (c, INDEX_JSON, MANIFEST_MAX_SIZE, &data, &len, err) < 0)
    return berth_error_ret (err);
  if (manifest_parse (data, len, MEDIA_TYPE_OCI_INDEX, &idx, err) < 0)
    return berth_error_wrap (err, "invalid archive: index.json");
  if (!manifest_is_index (idx))
    return berth_error_make (err, EINVAL, "invalid archive: index.json is not an image index");
  return load_oci_index (c, idx, NULL, 0, false, err);
}

int
image_archive_load (struct image_service *svc, int fd, image_load_emit_fn emit_fn, void *ud, berth_error_t *err)
{
  struct load_ctx c = { .svc = svc, .dirfd = -1, .emit = emit_fn, .ud = ud };
  int r;

  c.dir = xasprintf ("%s/load-XXXXXX", image_service_tmp_dir (svc));
  if (mkdtemp (c.dir) == NULL)
    {
      r = berth_error_errno (err, errno, "create a scratch directory in `%s`", image_service_tmp_dir (svc));
      free (c.dir);
      return r;
    }
  c.dirfd = open (c.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  c.members = json_object_new_object ();
  if (c.dirfd < 0)
    r = berth_error_errno (err, errno, "open `%s`", c.dir);
  else
    r = spool_archive (&c, fd, err);
  if (r == 0)
    {
      image_service_pin (svc);
      if (has_member (&c, MANIFEST_JSON))
        r = load_docker_archive (&c, err);
      else if (has_member (&c, INDEX_JSON))
        r = load_oci_layout (&c, err);
      else if (has_member (&c, "repositories"))
        r = berth_error_make (err, EINVAL,
                              "invalid archive: no manifest.json; archives from docker before 1.10 "
                              "are not supported");
      else
        r = berth_error_make (err, EINVAL,
                              "invalid archive: neither manifest.json nor index.json found (expected "
                              "the output of `docker save` or an OCI image layout)");
      image_service_unpin (svc, r < 0);
    }
  if (c.dirfd >= 0)
    close (c.dirfd);
  json_object_put (c.members);
  free (c.files);
  {
    berth_error_t rerr = NULL;
    if (berth_rm_rf (c.dir, &rerr) < 0)
      {
        log_warn ("image load: %s", berth_error_msg (&rerr));
        berth_error_release (&rerr);
      }
  }
  free (c.dir);
  return r;
}
