/* Between the archive files: the container's filesystem held open
   (archive-access.c) and paths resolved in it (archive-path.c). */
#ifndef BERTH_CONTAINER_ARCHIVE_INTERNAL_H
#define BERTH_CONTAINER_ARCHIVE_INTERNAL_H

#include <stdbool.h>
#include <sys/stat.h>

#include "core/container/archive.h"

struct archive_fs
{
  int root_fd;          /* O_PATH: the container's "/" */
  bool live;            /* seen through a running container's mount namespace */
  bool held;            /* a stopped container's writable layer, mounted for us */
  bool readonly_rootfs; /* HostConfig.ReadonlyRootfs */
  dev_t root_dev;
};

/* EBUSY for a container being removed */
int archive_fs_open (struct container_manager *m, struct container *c, struct archive_fs *ret, berth_error_t *err);
void archive_fs_close (struct container_manager *m, struct container *c, struct archive_fs *fs);

/* A path as docker cp names it, found in the root. */
struct archive_target
{
  int parent_fd;  /* O_PATH: the directory holding it */
  char *base;     /* its name in parent_fd; "." when the path was resolved whole */
  char *as;       /* moby's name for it: the last component of the path asked for */
  char *abs;      /* that path cleaned, absolute, a trailing "/." or "/" kept */
  struct stat st; /* lstat (a symlink is itself, unless the path ends in "/") */
};

/* "/" + path cleaned as Go's filepath.Clean, keeping a trailing "/." or "/"
   (moby's PreserveTrailingDotOrSeparator) */
char *archive_clean_path (const char *path);
/* ENOENT when it (or a parent) is missing, ENOTDIR when a parent is a file */
int archive_target_resolve (int root_fd, const char *path, struct archive_target *ret, berth_error_t *err);
void archive_target_clear (struct archive_target *t);
/* moby's FollowSymlinkInScope(abs, "/"): the path with every symlink
   evaluated inside the root, as far as it exists */
char *archive_link_target (int root_fd, const char *abs);

#endif
