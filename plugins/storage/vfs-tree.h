/* Directory-tree operations of the vfs storage driver: an exact copy (the
   whole of a vfs layer's cost) and the disk usage of a tree. */
#ifndef BERTH_VFS_TREE_H
#define BERTH_VFS_TREE_H

#include <berth/plugin.h>
#include <stdint.h>

/* Copy everything under src_dirfd into the empty directory dst_dirfd, then
   the root's own owner, mode, xattrs and times: regular files, directories,
   symlinks, device nodes, fifos and sockets, with owners, modes (setuid
   included), xattrs and times; hard links inside the tree stay hard links. */
int vfs_copy_tree (const struct berth_host_api *h, int src_dirfd, int dst_dirfd, struct berth_error **err);

/* Bytes allocated by the tree (st_blocks), each hard-linked inode counted once. */
int vfs_tree_usage (const struct berth_host_api *h, int dirfd, int64_t *ret_bytes, struct berth_error **err);

#endif
