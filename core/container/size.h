/* The disk use of a container's writable layer, as moby reports SizeRw:
   the bytes of the files the container added or changed. */
#ifndef BERTH_CONTAINER_SIZE_H
#define BERTH_CONTAINER_SIZE_H

#include <stdint.h>

#include "core/container/container.h"
#include "core/plugin/registry.h"

/* Asks the storage driver (diff_size), else walks the layer's own
   directory (diff_dir), else compares the layer's tree with its parent's
   (metadata "Dir", as vfs keeps full copies).  ENOTSUP when the driver
   offers none of them. */
int container_size_rw (struct berth_driver *storage, const struct container *c, int64_t *ret, berth_error_t *err);

#endif
