/* Names of backing filesystems for driver status and probe messages. */
#include "config.h"

#include "fs-name.h"

#include <linux/magic.h>

const char *
storage_fs_name (long magic)
{
  switch (magic)
    {
    case EXT4_SUPER_MAGIC: /* also ext2 and ext3 */
      return "extfs";
    case XFS_SUPER_MAGIC:
      return "xfs";
    case BTRFS_SUPER_MAGIC:
      return "btrfs";
    case TMPFS_MAGIC:
      return "tmpfs";
    case OVERLAYFS_SUPER_MAGIC:
      return "overlayfs";
    case 0x2fc12fc1: /* ZFS */
      return "zfs";
    case NFS_SUPER_MAGIC:
      return "nfs";
    case 0x65735546: /* FUSE */
      return "fuse";
    }
  return "unknown";
}
