/* btrfs subvolume operations of the btrfs storage driver, by ioctl. */
#ifndef BERTH_BTRFS_SUBVOL_H
#define BERTH_BTRFS_SUBVOL_H

#include <berth/storage.h>

/* A new empty subvolume `name` in the directory dirfd. */
int btrfs_subvol_create (const struct berth_host_api *h, int dirfd, const char *name, struct berth_error **err);

/* A writable snapshot of the subvolume src_fd, as `name` in dirfd.  Nested
   subvolumes of the source show up as empty directories in the snapshot. */
int btrfs_subvol_snapshot (const struct berth_host_api *h, int src_fd, int dirfd, const char *name,
                           struct berth_error **err);

/* Destroy `name` in dirfd (whose path is dir_path, for messages), with
   every subvolume nested in it (a container may have made some), deepest
   first.  A plain directory is removed recursively.  0 when it does not
   exist. */
int btrfs_subvol_destroy (const struct berth_host_api *h, int dirfd, const char *dir_path, const char *name,
                          struct berth_error **err);

#endif
