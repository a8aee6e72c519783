/* Garbage collection of layers nobody holds.
 *
 * A load, import or pull commits its layers one by one and registers the
 * image last; when it fails in between, the committed layers are ready but
 * held by nobody.  store_open() drops such layers at the next start; this
 * drops them while running.  The caller must make sure no operation is
 * between committing layers and registering their image (the image service
 * runs it under its exclusive lock). */
#ifndef BERTH_IMAGE_STORE_GC_H
#define BERTH_IMAGE_STORE_GC_H

#include "core/image/store.h"

/* Every ready layer with refcount 0 (and no child left) is marked removing,
   persisted, reported through release (children first) and dropped.
   *ret_count (may be NULL) gets the number of layers dropped. */
int store_layer_gc (struct image_store *s, store_layer_release_fn release, void *ud, size_t *ret_count,
                    berth_error_t *err);

#endif
