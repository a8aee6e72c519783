/* The name of a filesystem type, for storage driver messages and status. */
#ifndef BERTH_STORAGE_FS_NAME_H
#define BERTH_STORAGE_FS_NAME_H

/* "extfs", "xfs", "btrfs", "tmpfs", "overlayfs", ... or "unknown", for the
   f_type of statfs. */
const char *storage_fs_name (long magic);

#endif
