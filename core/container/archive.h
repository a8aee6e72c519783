/* `docker cp` inside a container: stat a path (HEAD), tar it out (GET) and
 * extract a tar into a directory (PUT /containers/{id}/archive).
 *
 * Which files are seen:
 *   - a running (or paused) container: its own view, through
 *     /proc/<pid>/root (its mount namespace): volumes, bind mounts and
 *     /etc/hosts included, read-only mounts read-only;
 *   - any other: its writable layer, mounted for the operation; start and
 *     remove wait until the operation ends.  Volumes are not seen there
 *     (as with moby before a start, they are not mounted).
 *
 * Every path is resolved inside that root (openat2 RESOLVE_IN_ROOT, or the
 * O_PATH walk of core/image/in-root.h): symlinks, absolute or with "..",
 * never lead out of it.  Nothing of the container is executed or loaded:
 * no chroot, no NSS lookup, no helper program; decompression of uploads is
 * in-process (libarchive).  Kernel filesystems (the container's /proc,
 * /sys, cgroups) are neither copied out nor written to.
 */
#ifndef BERTH_CONTAINER_ARCHIVE_H
#define BERTH_CONTAINER_ARCHIVE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <json-c/json.h>

#include "core/container/manager.h"

/* moby's ContainerPathStat */
struct container_path_stat
{
  char *name;
  int64_t size;
  uint32_t mode; /* Go's os.FileMode bits */
  struct timespec mtime;
  char *link_target; /* symlinks: the fully resolved in-container path, else "" */
};

void container_path_stat_clear (struct container_path_stat *st);
/* {"name","size","mode","mtime","linkTarget"} as moby marshals it */
json_object *container_path_stat_json (const struct container_path_stat *st);

/* `what` is the container as the client named it: moby's 404 reads
   "Could not find the file PATH in container WHAT" (ENOENT). */
int container_archive_stat (struct container_manager *m, struct container *c, const char *what, const char *path,
                            struct container_path_stat *ret, berth_error_t *err);

/* GET: once the path is found, begin gets its stat and returns the fd the
   tar goes to (the route sends its headers there); the event
   "archive-path" follows. */
typedef int (*container_archive_begin_fn) (void *ud, const struct container_path_stat *st, berth_error_t *err);
int container_archive_get (struct container_manager *m, struct container *c, const char *what, const char *path,
                           container_archive_begin_fn begin, void *ud, berth_error_t *err);

struct container_extract_opts
{
  bool no_overwrite_dir_non_dir; /* a directory and a non-directory never replace each other */
  bool copy_uid_gid;             /* everything owned by Config.User (when set), as moby */
};

/* PUT: the tar (uncompressed, gzip, bzip2, xz or zstd) on tar_fd, read to
   its end, extracted into the directory dir.  EPERM (403) for a read-only
   destination, EINVAL (400) for a bad path or a refused entry, ENOENT (404)
   for a missing directory.  The event "extract-to-dir" follows. */
int container_archive_extract (struct container_manager *m, struct container *c, const char *what, const char *dir,
                               int tar_fd, const struct container_extract_opts *o, berth_error_t *err);

#endif
