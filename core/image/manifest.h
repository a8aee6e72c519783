/* Image manifests and indexes: OCI image manifest / index and Docker v2
   schema2 manifest / manifest list.  Parse with validation, emit
   deterministically, pick a platform from an index. */
#ifndef BERTH_IMAGE_MANIFEST_H
#define BERTH_IMAGE_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/image/json-field.h"
#include "core/lib/error.h"

#define MEDIA_TYPE_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MEDIA_TYPE_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MEDIA_TYPE_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MEDIA_TYPE_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define MEDIA_TYPE_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MEDIA_TYPE_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define MEDIA_TYPE_OCI_LAYER_ND "application/vnd.oci.image.layer.nondistributable.v1.tar"
#define MEDIA_TYPE_OCI_LAYER_ND_GZIP "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
#define MEDIA_TYPE_OCI_LAYER_ND_ZSTD "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
#define MEDIA_TYPE_OCI_EMPTY "application/vnd.oci.empty.v1+json"
#define MEDIA_TYPE_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MEDIA_TYPE_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MEDIA_TYPE_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MEDIA_TYPE_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define MEDIA_TYPE_DOCKER_FOREIGN_LAYER_GZIP "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
#define MEDIA_TYPE_DOCKER_SCHEMA1 "application/vnd.docker.distribution.manifest.v1+json"
#define MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED "application/vnd.docker.distribution.manifest.v1+prettyjws"

#define EMPTY_JSON_DIGEST "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"

/* registries refuse manifests over 4 MiB; so do we */
#define MANIFEST_MAX_SIZE (4u << 20)

enum manifest_kind
{
  MANIFEST_KIND_OCI_MANIFEST = 1,
  MANIFEST_KIND_DOCKER_MANIFEST,
  MANIFEST_KIND_OCI_INDEX,
  MANIFEST_KIND_DOCKER_LIST,
};

enum layer_compression
{
  LAYER_COMPRESSION_NONE = 0,
  LAYER_COMPRESSION_GZIP,
  LAYER_COMPRESSION_ZSTD,
};

struct image_platform
{
  char *architecture;
  char *os;
  char *os_version;
  char **os_features;
  char *variant;
  char **features;
};

struct image_descriptor
{
  char *media_type;
  char *digest;
  int64_t size;
  char **urls;
  struct image_kv *annotations;
  size_t n_annotations;
  char *artifact_type;
  struct image_platform *platform; /* index entries only */
};

struct image_manifest
{
  enum manifest_kind kind;
  char *media_type; /* as in the document (may be NULL for OCI) */
  char *artifact_type;
  /* manifests */
  struct image_descriptor config;
  struct image_descriptor *layers;
  size_t n_layers;
  /* indexes */
  struct image_descriptor *manifests;
  size_t n_manifests;
  struct image_descriptor *subject;
  struct image_kv *annotations;
  size_t n_annotations;
};

/* The media type of a manifest document (from its mediaType field or shape,
   checked against content_type when that names a manifest type; content_type
   may be NULL or carry parameters).  Schema1 and unknown types are refused. */
int manifest_parse (const char *data, size_t len, const char *content_type, struct image_manifest **ret,
                    berth_error_t *err);
bool manifest_is_index (const struct image_manifest *m);
const char *manifest_kind_media_type (enum manifest_kind kind);
void manifest_free (struct image_manifest *m);
void cleanup_manifestp (struct image_manifest **m);
#define cleanup_manifest __attribute__ ((cleanup (cleanup_manifestp)))

/* For pulling: a manifest whose config is an image config and whose layers
   are all layer types we can unpack (error names the first that is not). */
int manifest_check_image (const struct image_manifest *m, berth_error_t *err);
/* compression of a layer media type, or -EINVAL when it is not a layer type */
int media_type_layer_compression (const char *media_type);

/* Deterministic serialisation (the kind decides the shape); caller frees. */
char *manifest_emit (const struct image_manifest *m, size_t *ret_len);

/* Index of the first entry matching os/architecture/variant (variant NULL =
   the architecture's default: arm64 v8, arm v7), skipping unknown/unknown
   attestation entries; -ENOENT with an error listing what is available. */
int manifest_index_select (const struct image_manifest *idx, const char *os, const char *architecture,
                           const char *variant, berth_error_t *err);

#endif
