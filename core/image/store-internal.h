/* Shared by store*.c only. */
#ifndef BERTH_IMAGE_STORE_INTERNAL_H
#define BERTH_IMAGE_STORE_INTERNAL_H

#include <json-c/json.h>
#include <pthread.h>

#include "core/image/store.h"

#define STORE_DB_FILE "images.json"
#define STORE_REPOS_FILE "repositories.json"
#define STORE_LOCK_FILE "lock"
#define STORE_DB_MAX (256u << 20)

#define LAYER_STATE_READY "ready"
#define LAYER_STATE_APPLYING "applying"
#define LAYER_STATE_REMOVING "removing"

struct image_store
{
  char *root;
  char *blobs_dir;  /* <root>/blobs/sha256 */
  char *ingest_dir; /* <root>/ingest */
  int lock_fd;
  pthread_mutex_t lock;
  /* {"version":1,"layers":{chain:{...}},"images":{id:{...}}} */
  json_object *db;
  /* {"version":1,"references":{ref:id}} */
  json_object *repos;
};

/* A change is made on a deep copy, persisted, then swapped in (so a failed
   write leaves memory and disk as they were). */
json_object *store_db_copy (struct image_store *s);
int store_db_commit (struct image_store *s, json_object *db, berth_error_t *err);
json_object *store_repos_copy (struct image_store *s);
int store_repos_commit (struct image_store *s, json_object *repos, berth_error_t *err);

json_object *store_db_layers (json_object *db);
json_object *store_db_images (json_object *db);
json_object *store_repos_refs (json_object *repos);

void store_layer_from_json (const char *chain_id, json_object *o, struct store_layer *l);
const char *store_layer_state (json_object *o);
/* Increment refcounts along the chain from chain_id down (all must be ready). */
int store_chain_ref (json_object *db, const char *chain_id, berth_error_t *err);
/* Decrement refcounts along the chain from chain_id down; layers reaching 0
   are marked "removing" and appended to *zeros (top-most first). */
int store_chain_unref (json_object *db, const char *chain_id, char ***zeros, berth_error_t *err);
/* Report "removing" layers to release and drop them from the db. */
int store_release_removing (struct image_store *s, char **zeros, store_layer_release_fn release, void *ud,
                            berth_error_t *err);

char *store_blob_path (struct image_store *s, const char *digest);

#endif
