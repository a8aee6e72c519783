/* The image service: the image store glued to the daemon's storage driver.
 *
 * On disk, under <data-root>:
 *   image/                      the store (see store.h and docs/images.md)
 *   image/layer-tars/<sid>.tar  each layer's uncompressed tar as it arrived,
 *                               named by the layer's storage id; `save`
 *                               hands these out so diff ids stay valid
 *   tmp/                        scratch space of loads, emptied at start
 *
 * Adding a layer follows the store's rule "record first, then create":
 * the tar is spooled (decompressed, both digests checked), the layer is
 * begun in the store ("applying"), the driver layer is created as a child of
 * the parent's storage layer, the tar is applied, and the layer committed.
 * Drivers with a diff_dir op (overlay) get the tar in their diff dir in
 * overlay mode (whiteouts as 0/0 devices, opaque xattrs); the others (vfs,
 * btrfs) in the mounted layer in flatten mode (it holds the parents).  Any failure unmounts, removes the driver layer
 * and aborts the record.  A crash leaves an "applying" record that the next open removes through the release callback,
 * which removes the driver layer and the layer tar.
 *
 * Concurrency: the daemon serves requests on many threads.  Operations that
 * add content (load, import, pull, save) take the service's lock shared
 * (image_service_pin), operations that remove layers take it exclusively,
 * so a layer committed by a load can never be removed before the load
 * registers its image.  Two loads of the same new layer: the second waits
 * for the first to commit or abort.
 */
#ifndef BERTH_IMAGE_SERVICE_H
#define BERTH_IMAGE_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "core/image/image-config.h"
#include "core/image/layer-tar.h"
#include "core/image/store.h"
#include "core/lib/error.h"

struct berth_driver;
struct image_service;

/* Hook for the container manager: 1 when a container uses the image (with
   *ret_running set when one of them runs, *ret_what naming it), 0 when none
   does.  Without a hook no image is in use. */
typedef int (*image_usage_fn) (void *ud, const char *image_id, bool *ret_running, char **ret_what);

/* Open the store under <data_root>/image (recovering it), empty
   <data_root>/tmp, and reconcile the driver's layers with the store: driver
   layers the store does not know are removed (keep, when not NULL, may claim
   them, e.g. containers' read-write layers) and layer tars without a layer
   are deleted. */
typedef bool (*image_keep_layer_fn) (void *ud, const char *storage_id);
int image_service_open (const char *data_root, struct berth_driver *storage, image_keep_layer_fn keep, void *keep_ud,
                        struct image_service **ret, berth_error_t *err);
void image_service_close (struct image_service *svc);

struct image_store *image_service_store (struct image_service *svc);
const char *image_service_driver_name (const struct image_service *svc);
struct berth_driver *image_service_driver (struct image_service *svc);
/* <data_root>/tmp, for scratch directories of loads */
const char *image_service_tmp_dir (const struct image_service *svc);
void image_service_set_usage_hook (struct image_service *svc, image_usage_fn fn, void *ud);
/* the hook's answer (0 when no hook) */
int image_service_usage (struct image_service *svc, const char *image_id, bool *ret_running, char **ret_what);

/* Shared hold for operations that add or read layers.  unpin with
   collect=true (after a failure) then drops layers nobody holds. */
void image_service_pin (struct image_service *svc);
void image_service_unpin (struct image_service *svc, bool collect);
/* Exclusive hold for removals. */
void image_service_lock (struct image_service *svc);
void image_service_unlock (struct image_service *svc);

/* Upper bound for a layer's uncompressed size (decompression bombs): 0 =
   no limit; the default is 0, the disk is the limit. */
void image_service_set_max_layer_size (struct image_service *svc, uint64_t max);

/* Add a layer from a tar stream (gzip, zstd, xz or none) on top of parent
   (chain id, NULL for a base layer), while pinned.  expected_compressed
   (the digest of the bytes read) and expected_diff_id may be NULL.  An
   existing layer is reused (the stream is still read to its end). */
int image_service_layer_add (struct image_service *svc, const char *parent, int tar_fd, const char *expected_compressed,
                             const char *expected_diff_id, struct store_layer *ret, berth_error_t *err);
/* The same in two steps, so that layers can be received (decompressed and
   verified) in parallel and added in order: spool the stream into a temp
   file beside the kept layer tars, then add it on top of parent (this
   consumes sp, whatever the result).  discard drops a spooled layer. */
struct image_spooled_layer
{
  char *path;
  int fd;
  struct layer_tar_result result; /* diff id and compressed digest */
  bool adopted;                   /* path belongs to the caller: hard-linked into place, never removed */
};
int image_service_layer_spool (struct image_service *svc, int tar_fd, const char *expected_compressed,
                               const char *expected_diff_id, struct image_spooled_layer *ret, berth_error_t *err);
int image_service_layer_add_spooled (struct image_service *svc, const char *parent, struct image_spooled_layer *sp,
                                     struct store_layer *ret, berth_error_t *err);
void image_service_spooled_discard (struct image_spooled_layer *sp);
/* A spooled layer from an uncompressed layer tar the caller already holds
   in a file (a load's archive member), with its sha256 and size, taken when
   it was written: no copy, no second hash.  The digests are checked as
   image_service_layer_spool does (the diff id and the compressed digest are
   both `digest`); add_spooled hard-links the file into place, so it must be
   on the data root's filesystem (else it is copied as by _spool) and the
   caller may not change it. */
int image_service_layer_adopt (struct image_service *svc, const char *path, const char *digest, uint64_t size,
                               const char *expected_compressed, const char *expected_diff_id,
                               struct image_spooled_layer *ret, berth_error_t *err);
/* The layer's uncompressed tar, read-only, while pinned. */
int image_service_layer_tar_open (struct image_service *svc, const struct store_layer *l, berth_error_t *err);

/* Docker's lookup: a tagged or digested reference (normalised, default tag
   latest), "sha256:<hex>", full hex or a unique id prefix.  ENOENT with
   "No such image: <name>" otherwise. */
int image_service_lookup (struct image_service *svc, const char *name, char ret_id[DIGEST_BUF_SIZE],
                          berth_error_t *err);

/* The image's config, parsed and raw (either may be NULL). */
int image_service_config (struct image_service *svc, const char *image_id, struct image_config **ret_cfg,
                          json_object **ret_raw, berth_error_t *err);
/* Sum of the image's layer sizes. */
int64_t image_service_image_size (struct image_service *svc, const struct store_image *img);

/* Register a config blob and image on top of top_chain (may be NULL) while
   pinned; ret_id gets the image id. */
int image_service_image_add (struct image_service *svc, const char *config, size_t config_len,
                             const char *expected_digest, const char *top_chain, char ret_id[DIGEST_BUF_SIZE],
                             berth_error_t *err);
/* Point ref at image_id.  ret_previous (may be NULL) gets the image the tag
   pointed to before, when it was another one ("" otherwise). */
int image_service_tag (struct image_service *svc, const struct image_ref *ref, const char *image_id,
                       char ret_previous[DIGEST_BUF_SIZE], berth_error_t *err);

/* `docker rmi`: name is a reference or an id.  Appends {"Untagged": ref} and
   {"Deleted": id} objects to items.  EEXIST (409) "conflict: ..." when an id
   names an image with several references and force is false, or when a
   container uses it. */
int image_service_remove (struct image_service *svc, const char *name, bool force, json_object *items,
                          berth_error_t *err);
/* `docker image prune`: removes unused images that are dangling (no
   reference), or all unused images when all is true, for which keep (may be
   NULL) returns false.  Appends to items; *ret_reclaimed gets the bytes of
   the layers dropped. */
typedef bool (*image_prune_keep_fn) (void *ud, const struct store_image *img);
int image_service_prune (struct image_service *svc, bool all, image_prune_keep_fn keep, void *ud, json_object *items,
                         int64_t *ret_reclaimed, berth_error_t *err);

/* `docker import`: a rootfs tar (any supported compression) as a one-layer
   image.  changes are Dockerfile instructions (see image-change.h); message
   becomes the history comment; ref (may be NULL) is tagged. */
int image_service_import (struct image_service *svc, int tar_fd, char *const *changes, const char *message,
                          const struct image_ref *ref, char ret_id[DIGEST_BUF_SIZE], berth_error_t *err);

/* GOARCH name of this machine ("amd64", "arm64", ...). */
const char *image_service_host_arch (void);

#endif
