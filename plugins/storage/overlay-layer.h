/* The on-disk record of one overlay layer, <state>/<id>/layer:
 *
 *   link=K3QZ7T2MB9XA         its short name: <state>/l/K3QZ7T2MB9XA -> ../<id>/diff
 *   parent=<id>               absent for a base layer
 *   lower=LINK1:LINK2:...     the parents' short names, nearest first
 *   rw=1                      a container's writable layer (has work/)
 *
 * Short names keep the lowerdir option of a deep chain small. */
#ifndef BERTH_OVERLAY_LAYER_H
#define BERTH_OVERLAY_LAYER_H

#include <berth/storage.h>
#include <stdbool.h>

#define OVL_LINK_DIR "l"
#define OVL_LINK_LEN 12

struct ovl_layer
{
  char link[OVL_LINK_LEN + 1];
  char *parent; /* NULL for a base layer */
  char *lower;  /* NULL for a base layer */
  bool rw;
};

/* [A-Za-z0-9_.-], 1-128 characters, not starting with '.' or '-', not the
   name of the link directory. */
bool ovl_valid_id (const char *id);

/* Read <root_fd>/<id>/layer.  -ENOENT when the layer does not exist; other
   errors fill *err.  Free with ovl_layer_clear. */
int ovl_layer_read (const struct berth_host_api *h, int root_fd, const char *id, struct ovl_layer *ret,
                    struct berth_error **err);
/* Write the record into dir (the layer's directory) atomically. */
int ovl_layer_write (const struct berth_host_api *h, const char *dir, const struct ovl_layer *l,
                     struct berth_error **err);
void ovl_layer_clear (struct ovl_layer *l);

/* A fresh random short name ([A-Z0-9], OVL_LINK_LEN characters). */
int ovl_new_link_name (char buf[OVL_LINK_LEN + 1]);

#endif
