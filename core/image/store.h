/* The image store: content-addressed blobs, layer records with reference
 * counts, image records and tags, all under one root directory:
 *
 *   <root>/blobs/sha256/<hex>    blobs (configs, manifests, compressed layers)
 *   <root>/ingest/               temp files of blobs being written
 *   <root>/images.json           image records and layer records (one atomic file)
 *   <root>/repositories.json     references -> image id (one atomic file)
 *
 * Every metadata change is written with berth_write_file_atomic, so a crash
 * leaves either the old or the new state.  store_open() sweeps ingest/, drops
 * layers still marked "applying" (reporting their storage ids so the caller can
 * remove them from the storage driver), drops unreferenced layers and tags that
 * point at missing images.  See docs/images.md.
 *
 * A store is safe to use from several threads; each call takes the store lock.
 */
#ifndef BERTH_IMAGE_STORE_H
#define BERTH_IMAGE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/image/digest.h"
#include "core/image/reference.h"
#include "core/lib/error.h"

struct image_store;

/* Called for every storage-driver layer the store gives up (recovery, image
   removal); the caller removes it from the driver.  Return <0 to log a warning. */
typedef int (*store_layer_release_fn) (void *ud, const char *storage_id, const char *chain_id);

/* Open (creating if needed) the store at root and recover.  release may be NULL. */
int store_open (const char *root, store_layer_release_fn release, void *ud, struct image_store **ret,
                berth_error_t *err);
void store_close (struct image_store *s);
const char *store_root (const struct image_store *s);

/* --- blobs --- */

/* 0 means no limit */
struct store_blob_writer;
/* expected may be NULL (digest computed); max_size 0 = unlimited */
int store_blob_writer_new (struct image_store *s, const char *expected, uint64_t max_size,
                           struct store_blob_writer **ret, berth_error_t *err);
int store_blob_writer_write (struct store_blob_writer *w, const void *data, size_t len, berth_error_t *err);
uint64_t store_blob_writer_size (const struct store_blob_writer *w);
/* Verify, fsync and move into place; frees w in every case.  On a digest
   mismatch the error names both digests and nothing is stored. */
int store_blob_writer_commit (struct store_blob_writer *w, char ret_digest[DIGEST_BUF_SIZE], berth_error_t *err);
/* Drop the temp file and free w. */
void store_blob_writer_abort (struct store_blob_writer *w);

/* Convenience: stream from fd / from memory. */
int store_blob_write_fd (struct image_store *s, int fd, const char *expected, uint64_t max_size,
                         char ret_digest[DIGEST_BUF_SIZE], berth_error_t *err);
int store_blob_write_mem (struct image_store *s, const void *data, size_t len, const char *expected,
                          char ret_digest[DIGEST_BUF_SIZE], berth_error_t *err);

int store_blob_exists (struct image_store *s, const char *digest); /* 1, 0 or <0 for a bad digest */
int store_blob_size (struct image_store *s, const char *digest, uint64_t *ret_size, berth_error_t *err);
/* read-only fd positioned at 0 */
int store_blob_open (struct image_store *s, const char *digest, berth_error_t *err);
/* whole blob, NUL-terminated, re-verified against its digest; fails beyond max_size */
int store_blob_read (struct image_store *s, const char *digest, size_t max_size, char **ret, size_t *ret_len,
                     berth_error_t *err);
int store_blob_delete (struct image_store *s, const char *digest, berth_error_t *err);

/* --- layers: keyed by chain id --- */

struct store_layer
{
  char chain_id[DIGEST_BUF_SIZE];
  char diff_id[DIGEST_BUF_SIZE];
  char parent[DIGEST_BUF_SIZE]; /* chain id of the parent, "" for a base layer */
  char storage_id[DIGEST_HEX_LEN + 1];
  int64_t size;     /* bytes of the uncompressed diff */
  int64_t refcount; /* images holding this layer (directly or as an ancestor) + explicit holds */
  bool ready;       /* false while being applied */
};

/* Start registering the layer diff_id on top of parent (NULL = base).  When a
   ready layer with that chain id exists, returns 1 and fills *ret (nothing to
   apply).  Otherwise records it as "applying" with a fresh storage id, returns
   0 and fills *ret: the caller creates the driver layer, applies the diff,
   then calls store_layer_commit or store_layer_abort.  A layer being applied
   by someone else gives -EBUSY. */
int store_layer_begin (struct image_store *s, const char *parent_chain_id, const char *diff_id, struct store_layer *ret,
                       berth_error_t *err);
int store_layer_commit (struct image_store *s, const char *chain_id, int64_t size, berth_error_t *err);
/* forget an "applying" layer; the caller removes its driver layer */
int store_layer_abort (struct image_store *s, const char *chain_id, berth_error_t *err);
/* 0 and *ret filled, or -ENOENT */
int store_layer_get (struct image_store *s, const char *chain_id, struct store_layer *ret, berth_error_t *err);
/* Hold / release the layer and all its ancestors (e.g. a container's parent
   layer).  Layers reaching zero are forgotten and reported through release,
   top-most first. */
int store_layer_hold (struct image_store *s, const char *chain_id, berth_error_t *err);
int store_layer_release (struct image_store *s, const char *chain_id, store_layer_release_fn release, void *ud,
                         berth_error_t *err);
typedef int (*store_layer_fn) (void *ud, const struct store_layer *l);
int store_layer_list (struct image_store *s, store_layer_fn fn, void *ud, berth_error_t *err);

/* --- images: id = sha256 of the config blob --- */

struct store_image
{
  char id[DIGEST_BUF_SIZE];
  char top_layer[DIGEST_BUF_SIZE]; /* chain id, "" for an image without layers */
  char **layers;                   /* chain ids, bottom first, NULL-terminated */
  int64_t added;                   /* unix time it entered the store */
  char parent[DIGEST_BUF_SIZE];    /* image it was committed from, "" when none */
  char *last_tag_time;             /* RFC 3339 of the last tag given to it, NULL when never */
};
void store_image_free (struct store_image *img);
void cleanup_store_imagep (struct store_image **img);
#define cleanup_store_image __attribute__ ((cleanup (cleanup_store_imagep)))

/* Register an image whose config blob config_digest is in the store, on top
   of the given ready layer (chain id; NULL for none).  Holds the layer chain.
   Adding an image that exists is fine (returns 1, holds nothing more). */
int store_image_add (struct image_store *s, const char *config_digest, const char *top_chain_id, berth_error_t *err);
int store_image_get (struct image_store *s, const char *id, struct store_image **ret, berth_error_t *err);
/* Image metadata outside the config (Docker keeps these beside its image
   store too): the parent image of a commit, the time of the last tag. */
int store_image_set_parent (struct image_store *s, const char *id, const char *parent_id, berth_error_t *err);
int store_image_set_last_tag_time (struct image_store *s, const char *id, const char *when, berth_error_t *err);
/* Remove the image and every reference to it, release its layer chain
   (reporting layers that reach zero through release) and delete its config blob. */
int store_image_delete (struct image_store *s, const char *id, store_layer_release_fn release, void *ud,
                        berth_error_t *err);
typedef int (*store_image_fn) (void *ud, const struct store_image *img);
int store_image_list (struct image_store *s, store_image_fn fn, void *ud, berth_error_t *err);
/* Find an image the way `docker image inspect X` does: a reference that is
   tagged, "sha256:<hex>", full hex, or a unique id prefix.  ret_id filled. */
int store_image_lookup (struct image_store *s, const char *what, char ret_id[DIGEST_BUF_SIZE], berth_error_t *err);

/* --- references (tags and digests) --- */

/* ref must have a tag or a digest.  An existing reference to another image is
   moved only when force is true (otherwise -EEXIST). */
int store_tag_add (struct image_store *s, const struct image_ref *ref, const char *image_id, bool force,
                   berth_error_t *err);
/* -ENOENT when not there */
int store_tag_remove (struct image_store *s, const struct image_ref *ref, berth_error_t *err);
int store_tag_lookup (struct image_store *s, const struct image_ref *ref, char ret_id[DIGEST_BUF_SIZE],
                      berth_error_t *err);
/* every reference (image_id NULL) or those of one image, as full normalised strings */
typedef int (*store_tag_fn) (void *ud, const char *ref, const char *image_id);
int store_tag_list (struct image_store *s, const char *image_id, store_tag_fn fn, void *ud, berth_error_t *err);

#endif
