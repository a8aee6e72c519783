/* Bookkeeping shared by the storage drivers whose layers are independent
   directories (vfs, btrfs): which layers are mounted (in memory: nothing is
   really mounted, and the core's mount counts restart with the daemon too)
   and which layer each one was made from (on disk, <root>/.parent-<id>), so
   that these drivers refuse to remove a mounted layer or a layer with
   children exactly as overlay must. */
#ifndef BERTH_LAYER_BOOK_H
#define BERTH_LAYER_BOOK_H

#include <berth/storage.h>
#include <stdbool.h>

#include "driver-root.h"

struct layer_book;

/* root: the driver's state directory (borrowed; must outlive the book).
   NULL when out of memory. */
struct layer_book *layer_book_new (const struct driver_root *root);
void layer_book_free (struct layer_book *b);

/* Serialises create against remove: a parent cannot disappear between the
   check that it exists and the record of its new child. */
void layer_book_lock (struct layer_book *b);
void layer_book_unlock (struct layer_book *b);

/* Record that `id` is made from `parent` (written atomically). */
int layer_book_set_parent (struct layer_book *b, const char *id, const char *parent, struct berth_error **err);
/* Drop the record of `id` (if any) and its mount mark. */
void layer_book_forget (struct layer_book *b, const char *id);

/* 0, or -EBUSY naming the reason: `id` is mounted, or is the parent of a layer. */
int layer_book_check_removable (struct layer_book *b, const char *id, struct berth_error **err);

int layer_book_set_mounted (struct layer_book *b, const char *id, bool mounted, struct berth_error **err);

/* Remove parent records of layers that no longer exist (a crash between
   the record and the commit of a layer, or during a removal). */
int layer_book_sweep (struct layer_book *b, struct berth_error **err);

#endif
