/* Kernel filesystems whose files are interfaces, not data (proc, sysfs,
   cgroup, ...): copying them out is meaningless (sizes lie, reads never
   end) and writing into them from the host changes the kernel's state. */
#ifndef BERTH_LIB_PSEUDO_FS_H
#define BERTH_LIB_PSEUDO_FS_H

#include <stdbool.h>

/* Also true when fstatfs fails: an unknown filesystem is not trusted. */
bool berth_fd_on_pseudo_fs (int fd);

#endif
