/* The build context on the daemon's side: the uploaded tar (any
 * compression) read from a stream and unpacked into a private directory,
 * never held in memory; then what .dockerignore excludes is removed (the
 * Dockerfile and .dockerignore always stay, as the docker CLI keeps them).
 * Entries are unpacked with libarchive's secure options: no absolute
 * paths, no "..", no writing through symlinks; owners are not kept. */
#ifndef BERTH_BUILD_CONTEXT_H
#define BERTH_BUILD_CONTEXT_H

#include "core/lib/error.h"

int build_context_extract (int tar_fd, const char *dir, const char *dockerfile, berth_error_t *err);

#endif
