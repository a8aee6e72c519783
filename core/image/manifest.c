#include "config.h"

#include "core/image/manifest.h"
#include "core/image/digest.h"
#include "core/lib/mem.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
platform_free (struct image_platform *p)
{
  if (p == NULL)
    return;
  free (p->architecture);
  free (p->os);
  free (p->os_version);
  strv_free (p->os_features);
  free (p->variant);
  strv_free (p->features);
  free (p);
}

static void
descriptor_clear (struct image_descriptor *d)
{
  free (d->media_type);
  free (d->digest);
  strv_free (d->urls);
  image_kv_free (d->annotations, d->n_annotations);
  free (d->artifact_type);
  platform_free (d->platform);
  memset (d, 0, sizeof (*d));
}

static void
descriptors_free (struct image_descriptor *d, size_t n)
{
  size_t i;

  for (i = 0; d && i < n; i++)
    descriptor_clear (&d[i]);
  free (d);
}

void
manifest_free (struct image_manifest *m)
{
  if (m == NULL)
    return;
  free (m->media_type);
  free (m->artifact_type);
  descriptor_clear (&m->config);
  descriptors_free (m->layers, m->n_layers);
  descriptors_free (m->manifests, m->n_manifests);
  if (m->subject)
    descriptor_clear (m->subject);
  free (m->subject);
  image_kv_free (m->annotations, m->n_annotations);
  free (m);
}

void
cleanup_manifestp (struct image_manifest **m)
{
  manifest_free (*m);
  *m = NULL;
}

bool
manifest_is_index (const struct image_manifest *m)
{
  return m->kind == MANIFEST_KIND_OCI_INDEX || m->kind == MANIFEST_KIND_DOCKER_LIST;
}

const char *
manifest_kind_media_type (enum manifest_kind kind)
{
  switch (kind)
    {
    case MANIFEST_KIND_OCI_MANIFEST:
      return MEDIA_TYPE_OCI_MANIFEST;
    case MANIFEST_KIND_DOCKER_MANIFEST:
      return MEDIA_TYPE_DOCKER_MANIFEST;
    case MANIFEST_KIND_OCI_INDEX:
      return MEDIA_TYPE_OCI_INDEX;
    case MANIFEST_KIND_DOCKER_LIST:
      return MEDIA_TYPE_DOCKER_LIST;
    }
  return NULL;
}

static int
kind_of_media_type (const char *mt)
{
  if (strcmp (mt, MEDIA_TYPE_OCI_MANIFEST) == 0)
    return MANIFEST_KIND_OCI_MANIFEST;
  if (strcmp (mt, MEDIA_TYPE_DOCKER_MANIFEST) == 0)
    return MANIFEST_KIND_DOCKER_MANIFEST;
  if (strcmp (mt, MEDIA_TYPE_OCI_INDEX) == 0)
    return MANIFEST_KIND_OCI_INDEX;
  if (strcmp (mt, MEDIA_TYPE_DOCKER_LIST) == 0)
    return MANIFEST_KIND_DOCKER_LIST;
  return 0;
}

/* RFC 6838 type/subtype, as the OCI descriptor spec restricts it */
static bool
media_type_valid (const char *mt)
{
  const char *slash = strchr (mt, '/');
  const char *parts[2];
  size_t lens[2], i, j;

  if (slash == NULL)
    return false;
  parts[0] = mt;
  lens[0] = (size_t)(slash - mt);
  parts[1] = slash + 1;
  lens[1] = strlen (slash + 1);
  for (i = 0; i < 2; i++)
    {
      if (lens[i] == 0 || lens[i] > 127 || !isalnum ((unsigned char)parts[i][0]))
        return false;
      for (j = 0; j < lens[i]; j++)
        if (!isalnum ((unsigned char)parts[i][j]) && !strchr ("!#$&^_.+-", parts[i][j]))
          return false;
    }
  return true;
}

static int
parse_platform (json_object *o, const char *what, struct image_platform **ret, berth_error_t *err)
{
  json_object *p;
  struct image_platform *pl;

  *ret = NULL;
  if (jf_object (o, "platform", what, false, &p, err) < 0)
    return berth_error_ret (err);
  if (p == NULL)
    return 0;
  pl = xmalloc0 (sizeof (*pl));
  *ret = pl;
  if (jf_string_dup (p, "architecture", what, true, &pl->architecture, err) < 0
      || jf_string_dup (p, "os", what, true, &pl->os, err) < 0
      || jf_string_dup (p, "os.version", what, false, &pl->os_version, err) < 0
      || jf_strv (p, "os.features", what, &pl->os_features, err) < 0
      || jf_string_dup (p, "variant", what, false, &pl->variant, err) < 0
      || jf_strv (p, "features", what, &pl->features, err) < 0)
    return berth_error_wrap (err, "platform");
  return 0;
}

static int
parse_descriptor (json_object *o, const char *what, bool with_platform, struct image_descriptor *d, berth_error_t *err)
{
  bool present;

  if (o == NULL || !json_object_is_type (o, json_type_object))
    return berth_error_make (err, EINVAL, "%s must be an object", what);
  if (jf_string_dup (o, "mediaType", what, true, &d->media_type, err) < 0
      || jf_string_dup (o, "digest", what, true, &d->digest, err) < 0
      || jf_int64 (o, "size", what, true, &d->size, &present, err) < 0 || jf_strv (o, "urls", what, &d->urls, err) < 0
      || jf_string_map (o, "annotations", what, &d->annotations, &d->n_annotations, err) < 0
      || jf_string_dup (o, "artifactType", what, false, &d->artifact_type, err) < 0)
    return berth_error_ret (err);
  if (!media_type_valid (d->media_type))
    return berth_error_make (err, EINVAL, "%s: invalid mediaType `%s`", what, d->media_type);
  if (digest_validate (d->digest, err) < 0)
    return berth_error_wrap (err, "%s", what);
  if (d->size < 0)
    return berth_error_make (err, EINVAL, "%s: size must not be negative (%lld)", what, (long long)d->size);
  if (with_platform && parse_platform (o, what, &d->platform, err) < 0)
    return berth_error_wrap (err, "%s", what);
  return 0;
}

static int
parse_descriptor_array (json_object *root, const char *key, bool with_platform, struct image_descriptor **ret,
                        size_t *ret_n, berth_error_t *err)
{
  json_object *a;
  size_t i, n;

  if (jf_array (root, key, "manifest", true, &a, err) < 0)
    return berth_error_ret (err);
  n = json_object_array_length (a);
  *ret = n ? xmalloc0 (n * sizeof (**ret)) : NULL;
  *ret_n = n;
  for (i = 0; i < n; i++)
    {
      char what[64];
      snprintf (what, sizeof (what), "manifest: %s[%zu]", key, i);
      if (parse_descriptor (json_object_array_get_idx (a, i), what, with_platform, &(*ret)[i], err) < 0)
        return berth_error_ret (err);
    }
  return 0;
}

/* "application/vnd.oci.image.manifest.v1+json; charset=utf-8" -> the type */
static char *
bare_content_type (const char *ct)
{
  size_t n;

  while (*ct == ' ' || *ct == '\t')
    ct++;
  n = strcspn (ct, "; \t");
  return xstrndup (ct, n);
}

static int
refuse_schema1 (const char *content_type, berth_error_t *err)
{
  cleanup_free char *ct = content_type ? bare_content_type (content_type) : NULL;

  if (ct && (strcmp (ct, MEDIA_TYPE_DOCKER_SCHEMA1) == 0 || strcmp (ct, MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED) == 0))
    return berth_error_make (err, ENOTSUP,
                             "manifest: Docker schema1 manifests (%s) are not supported; push the image again with a "
                             "current client",
                             ct);
  return 0;
}

static int
decide_kind (json_object *root, const char *doc_mt, const char *content_type, enum manifest_kind *ret,
             berth_error_t *err)
{
  cleanup_free char *ct = content_type ? bare_content_type (content_type) : NULL;
  int ct_kind = 0, doc_kind = 0;

  if (ct)
    ct_kind = kind_of_media_type (ct);
  if (doc_mt)
    {
      doc_kind = kind_of_media_type (doc_mt);
      if (doc_kind == 0)
        return berth_error_make (err, ENOTSUP, "manifest: unsupported mediaType `%s`", doc_mt);
      /* only a manifest Content-Type is compared: registries also answer
         application/json or octet-stream */
      if (ct_kind && ct_kind != doc_kind)
        return berth_error_make (err, EINVAL, "manifest: mediaType `%s` does not match Content-Type `%s`", doc_mt, ct);
      *ret = doc_kind;
      return 0;
    }
  if (ct_kind == MANIFEST_KIND_DOCKER_MANIFEST || ct_kind == MANIFEST_KIND_DOCKER_LIST)
    return berth_error_make (err, EINVAL, "manifest: Docker %s has no mediaType field",
                             ct_kind == MANIFEST_KIND_DOCKER_LIST ? "manifest list" : "manifest");
  if (ct_kind)
    {
      *ret = ct_kind;
      return 0;
    }
  /* OCI allows leaving mediaType out: decide by shape */
  if (json_object_object_get_ex (root, "manifests", NULL) && !json_object_object_get_ex (root, "config", NULL))
    *ret = MANIFEST_KIND_OCI_INDEX;
  else if (json_object_object_get_ex (root, "config", NULL) && !json_object_object_get_ex (root, "manifests", NULL))
    *ret = MANIFEST_KIND_OCI_MANIFEST;
  else
    return berth_error_make (err, EINVAL, "manifest: no mediaType and neither a manifest nor an index by shape");
  return 0;
}

int
manifest_parse (const char *data, size_t len, const char *content_type, struct image_manifest **ret, berth_error_t *err)
{
  cleanup_manifest struct image_manifest *m = xmalloc0 (sizeof (*m));
  json_object *root = NULL, *sub;
  int64_t schema = 0;
  bool present = false;
  int r = -1;

  if (len > MANIFEST_MAX_SIZE)
    return berth_error_make (err, EFBIG, "manifest: %zu bytes is over the %u byte limit", len, MANIFEST_MAX_SIZE);
  if (refuse_schema1 (content_type, err) < 0 || jf_parse_object (data, len, "manifest", &root, err) < 0)
    return berth_error_ret (err);
  if (jf_int64 (root, "schemaVersion", "manifest", true, &schema, &present, err) < 0)
    goto out;
  if (schema != 2)
    {
      berth_error_make (err, schema == 1 ? ENOTSUP : EINVAL,
                        schema == 1 ? "manifest: schemaVersion 1 (Docker schema1) is not supported"
                                    : "manifest: schemaVersion must be 2, not %lld",
                        (long long)schema);
      goto out;
    }
  if (jf_string_dup (root, "mediaType", "manifest", false, &m->media_type, err) < 0
      || decide_kind (root, m->media_type, content_type, &m->kind, err) < 0
      || jf_string_dup (root, "artifactType", "manifest", false, &m->artifact_type, err) < 0
      || jf_string_map (root, "annotations", "manifest", &m->annotations, &m->n_annotations, err) < 0)
    goto out;
  if (manifest_is_index (m))
    {
      if (json_object_object_get_ex (root, "config", NULL) || json_object_object_get_ex (root, "layers", NULL))
        {
          berth_error_make (err, EINVAL, "manifest: an index (%s) must not have config or layers",
                            manifest_kind_media_type (m->kind));
          goto out;
        }
      if (parse_descriptor_array (root, "manifests", true, &m->manifests, &m->n_manifests, err) < 0)
        goto out;
    }
  else
    {
      json_object *cfg;
      if (json_object_object_get_ex (root, "manifests", NULL))
        {
          berth_error_make (err, EINVAL, "manifest: an image manifest (%s) must not have manifests",
                            manifest_kind_media_type (m->kind));
          goto out;
        }
      if (jf_object (root, "config", "manifest", true, &cfg, err) < 0
          || parse_descriptor (cfg, "manifest: config", false, &m->config, err) < 0
          || parse_descriptor_array (root, "layers", false, &m->layers, &m->n_layers, err) < 0)
        goto out;
      if (m->kind == MANIFEST_KIND_DOCKER_MANIFEST && strcmp (m->config.media_type, MEDIA_TYPE_DOCKER_CONFIG) != 0)
        {
          berth_error_make (err, EINVAL, "manifest: Docker manifest config mediaType must be %s, not `%s`",
                            MEDIA_TYPE_DOCKER_CONFIG, m->config.media_type);
          goto out;
        }
    }
  if (jf_object (root, "subject", "manifest", false, &sub, err) < 0)
    goto out;
  if (sub)
    {
      m->subject = xmalloc0 (sizeof (*m->subject));
      if (parse_descriptor (sub, "manifest: subject", false, m->subject, err) < 0)
        goto out;
    }
  *ret = steal_pointer (&m);
  r = 0;
out:
  json_object_put (root);
  return r < 0 ? berth_error_ret (err) : 0;
}

int
media_type_layer_compression (const char *mt)
{
  static const struct
  {
    const char *mt;
    int c;
  } types[] = {
    { MEDIA_TYPE_OCI_LAYER, LAYER_COMPRESSION_NONE },
    { MEDIA_TYPE_OCI_LAYER_GZIP, LAYER_COMPRESSION_GZIP },
    { MEDIA_TYPE_OCI_LAYER_ZSTD, LAYER_COMPRESSION_ZSTD },
    { MEDIA_TYPE_OCI_LAYER_ND, LAYER_COMPRESSION_NONE },
    { MEDIA_TYPE_OCI_LAYER_ND_GZIP, LAYER_COMPRESSION_GZIP },
    { MEDIA_TYPE_OCI_LAYER_ND_ZSTD, LAYER_COMPRESSION_ZSTD },
    { MEDIA_TYPE_DOCKER_LAYER_GZIP, LAYER_COMPRESSION_GZIP },
    { MEDIA_TYPE_DOCKER_FOREIGN_LAYER_GZIP, LAYER_COMPRESSION_GZIP },
  };
  size_t i;

  for (i = 0; i < sizeof (types) / sizeof (types[0]); i++)
    if (strcmp (mt, types[i].mt) == 0)
      return types[i].c;
  return -EINVAL;
}

int
manifest_check_image (const struct image_manifest *m, berth_error_t *err)
{
  size_t i;

  if (manifest_is_index (m))
    return berth_error_make (err, EINVAL, "manifest: expected an image manifest, got an index (%s)",
                             manifest_kind_media_type (m->kind));
  if (strcmp (m->config.media_type, MEDIA_TYPE_OCI_CONFIG) != 0
      && strcmp (m->config.media_type, MEDIA_TYPE_DOCKER_CONFIG) != 0)
    return berth_error_make (err, EINVAL, "manifest: not a container image: config mediaType is `%s`",
                             m->config.media_type);
  for (i = 0; i < m->n_layers; i++)
    if (media_type_layer_compression (m->layers[i].media_type) < 0)
      return berth_error_make (err, ENOTSUP, "manifest: layers[%zu]: unsupported layer mediaType `%s`", i,
                               m->layers[i].media_type);
  return 0;
}

static json_object *
emit_descriptor (const struct image_descriptor *d)
{
  json_object *o = json_object_new_object ();

  jf_add_string (o, "mediaType", d->media_type);
  jf_add_string (o, "digest", d->digest);
  json_object_object_add (o, "size", json_object_new_int64 (d->size));
  jf_add_strv (o, "urls", d->urls);
  jf_add_string_map (o, "annotations", d->annotations, d->n_annotations);
  if (d->platform)
    {
      json_object *p = json_object_new_object ();
      jf_add_string (p, "architecture", d->platform->architecture);
      jf_add_string (p, "os", d->platform->os);
      jf_add_string (p, "os.version", d->platform->os_version);
      jf_add_strv (p, "os.features", d->platform->os_features);
      jf_add_string (p, "variant", d->platform->variant);
      jf_add_strv (p, "features", d->platform->features);
      json_object_object_add (o, "platform", p);
    }
  jf_add_string (o, "artifactType", d->artifact_type);
  return o;
}

char *
manifest_emit (const struct image_manifest *m, size_t *ret_len)
{
  json_object *o = json_object_new_object ();
  json_object *a = json_object_new_array ();
  size_t i;
  char *s;

  json_object_object_add (o, "schemaVersion", json_object_new_int (2));
  jf_add_string (o, "mediaType", manifest_kind_media_type (m->kind));
  jf_add_string (o, "artifactType", m->artifact_type);
  if (manifest_is_index (m))
    {
      for (i = 0; i < m->n_manifests; i++)
        json_object_array_add (a, emit_descriptor (&m->manifests[i]));
      json_object_object_add (o, "manifests", a);
    }
  else
    {
      json_object_object_add (o, "config", emit_descriptor (&m->config));
      for (i = 0; i < m->n_layers; i++)
        json_object_array_add (a, emit_descriptor (&m->layers[i]));
      json_object_object_add (o, "layers", a);
    }
  if (m->subject)
    json_object_object_add (o, "subject", emit_descriptor (m->subject));
  jf_add_string_map (o, "annotations", m->annotations, m->n_annotations);
  s = jf_to_string (o, ret_len);
  json_object_put (o);
  return s;
}

static const char *
default_variant (const char *arch)
{
  if (strcmp (arch, "arm64") == 0)
    return "v8";
  if (strcmp (arch, "arm") == 0)
    return "v7";
  return "";
}

int
manifest_index_select (const struct image_manifest *idx, const char *os, const char *architecture, const char *variant,
                       berth_error_t *err)
{
  const char *want = variant && *variant ? variant : default_variant (architecture);
  cleanup_free char *avail = xstrdup ("");
  size_t i;

  if (!manifest_is_index (idx))
    return berth_error_make (err, EINVAL, "platform selection needs an index, not %s",
                             manifest_kind_media_type (idx->kind));
  for (i = 0; i < idx->n_manifests; i++)
    {
      const struct image_platform *p = idx->manifests[i].platform;
      const char *v;
      char *tmp;
      if (p == NULL || (strcmp (p->os, "unknown") == 0 && strcmp (p->architecture, "unknown") == 0))
        continue;
      v = p->variant && *p->variant ? p->variant : default_variant (p->architecture);
      if (strcmp (p->os, os) == 0 && strcmp (p->architecture, architecture) == 0 && strcmp (v, want) == 0)
        return (int)i;
      tmp = xasprintf ("%s%s%s/%s%s%s", avail, *avail ? ", " : "", p->os, p->architecture, *v ? "/" : "", v);
      free (avail);
      avail = tmp;
    }
  return berth_error_make (err, ENOENT, "no matching manifest for %s/%s%s%s in the manifest list entries (have: %s)",
                           os, architecture, *want ? "/" : "", want, *avail ? avail : "none");
}
