#include "config.h"

#include <linux/magic.h>
#include <sys/statfs.h>

#include "core/lib/pseudo-fs.h"

/* not in every linux/magic.h */
#define BERTH_MQUEUE_MAGIC 0x19800202
#define BERTH_CONFIGFS_MAGIC 0x62656570
#define BERTH_FUSECTL_MAGIC 0x65735543
#define BERTH_BINFMTFS_MAGIC 0x42494e4d

bool
berth_fd_on_pseudo_fs (int fd)
{
  struct statfs sf;

  if (fstatfs (fd, &sf) < 0)
    return true;
  switch ((unsigned long)sf.f_type)
    {
    case PROC_SUPER_MAGIC:
    case SYSFS_MAGIC:
    case CGROUP_SUPER_MAGIC:
    case CGROUP2_SUPER_MAGIC:
    case DEVPTS_SUPER_MAGIC:
    case SECURITYFS_MAGIC:
    case DEBUGFS_MAGIC:
    case TRACEFS_MAGIC:
    case BPF_FS_MAGIC:
    case SELINUX_MAGIC:
    case SMACK_MAGIC:
    case EFIVARFS_MAGIC:
    case PSTOREFS_MAGIC:
    case NSFS_MAGIC:
    case BERTH_MQUEUE_MAGIC:
    case BERTH_CONFIGFS_MAGIC:
    case BERTH_FUSECTL_MAGIC:
    case BERTH_BINFMTFS_MAGIC:
      return true;
    default:
      return false;
    }
}
