/* The state directory of a storage driver whose layers are directories named
 * by their ids (vfs, btrfs, overlay): opening it at init, checking layer ids,
 * finding layers and walking the directory's entries.  Errors start with the
 * driver's name, as every message of a driver does. */
#ifndef BERTH_STORAGE_DRIVER_ROOT_H
#define BERTH_STORAGE_DRIVER_ROOT_H

#include <berth/storage.h>
#include <stdbool.h>
#include <stddef.h>

struct driver_root
{
  const struct berth_host_api *h;
  struct berth_host_ctx *ctx;
  const char *driver;   /* "vfs": what errors start with */
  const char *reserved; /* a well-formed name that is not a layer (overlay's "l"), or NULL */
  char *path;
  int fd;
};

/* The validate of a driver that takes no options. */
int driver_root_no_options (const struct berth_host_api *h, const struct berth_cfg *opts, const char *driver,
                            struct berth_error **err);

/* Open the host's state directory for `driver` into *r; 0, or negative with
 *err (then nothing is left to close). */
int driver_root_open (struct driver_root *r, const struct berth_host_api *h, struct berth_host_ctx *ctx,
                      const char *driver, struct berth_error **err);
void driver_root_close (struct driver_root *r);

/* [A-Za-z0-9_.-], 1-128 characters, not starting with '.' or '-'. */
bool driver_valid_id (const char *id);
/* driver_valid_id, and not the reserved name. */
bool driver_root_valid_id (const struct driver_root *r, const char *id);
/* 0, or -EINVAL naming the id. */
int driver_root_check_id (const struct driver_root *r, const char *id, struct berth_error **err);
/* The checks every create starts with: valid ids, no size quota. */
int driver_root_check_create (const struct driver_root *r, const char *id, const char *parent,
                              const struct berth_layer_opts *o, struct berth_error **err);

/* 1 when `id` is a directory in the root, 0 when it is not, -errno. */
int driver_root_layer_exists (const struct driver_root *r, const char *id);
/* A valid id of an existing layer: 0, else negative with *err. */
int driver_root_require_layer (const struct driver_root *r, const char *id, struct berth_error **err);
/* No layer `id` exists yet: 0, else -EEXIST (or the stat error) with *err. */
int driver_root_require_absent (const struct driver_root *r, const char *id, struct berth_error **err);

/* "<root>/<id>" or "<root>/<id>/<sub>" (sub may be NULL) into buf. */
int driver_root_layer_path (const struct driver_root *r, char *buf, size_t len, const char *id, const char *sub,
                            struct berth_error **err);
/* rm -rf "<root>/<name>". */
int driver_root_remove (const struct driver_root *r, const char *name, struct berth_error **err);

/* Calls fn for each entry of the directory, passing err on; a non-zero
   return stops the walk and is returned. */
int driver_root_each (const struct driver_root *r, int (*fn) (void *ud, const char *name, struct berth_error **err),
                      void *ud, struct berth_error **err);
/* A .tmp-<id> being built or a .rm-<id> being removed when a crash came. */
bool driver_root_is_leftover (const char *name);
/* emit each layer's id. */
int driver_root_list (const struct driver_root *r, berth_str_fn emit, void *ud, struct berth_error **err);

#endif
