/* Shared by service*.c only. */
#ifndef BERTH_IMAGE_SERVICE_INTERNAL_H
#define BERTH_IMAGE_SERVICE_INTERNAL_H

#include <pthread.h>

#include "core/image/service.h"

struct image_service
{
  char *data_root;
  char *store_root; /* <data_root>/image */
  char *tars_dir;   /* <data_root>/image/layer-tars */
  char *tmp_dir;    /* <data_root>/tmp */
  struct berth_driver *driver;
  struct image_store *store;
  uint64_t max_layer;
  pthread_rwlock_t rw;  /* shared: adding content; exclusive: removing it */
  pthread_mutex_t lock; /* with changed: waiting for a layer another thread applies */
  pthread_cond_t changed;
  image_usage_fn usage;
  void *usage_ud;
};

/* What the release callback needs: where to report deleted layers
   ({"Deleted": chain id} appended to items) and their sizes. */
struct image_release_ctx
{
  struct image_service *svc;
  json_object *items; /* may be NULL */
  json_object *sizes; /* chain id -> size; may be NULL */
  int64_t reclaimed;
};

/* now in RFC 3339 with nanoseconds, trailing zeros trimmed, as Go's
   RFC3339Nano (config "created" times, LastTagTime) */
char *image_service_now (void);

int image_service_release_cb (void *ud, const char *storage_id, const char *chain_id);
/* chain id -> size of every layer, for reporting reclaimed space */
json_object *image_service_layer_sizes (struct image_service *svc);

#endif
