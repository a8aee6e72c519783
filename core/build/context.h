/* The build context on the daemon's side: the uploaded tar (any
 * compression) read from a stream and unpacked into a directory, never
 * held in memory (runs of zeros become holes); then what .dockerignore
 * excludes is removed (the Dockerfile and .dockerignore always stay, as
 * the docker CLI keeps them).  Entries are unpacked with libarchive's
 * secure options: no absolute paths, no "..", no writing through
 * symlinks; owners are not kept.  Each regular file is hashed as it is
 * written (see file-digests.h), so a COPY of it needs no second read.
 *
 * A berth CLI's context session (see context-session.h) sends the same
 * tar, with two extended attributes on regular files: BUILD_CONTEXT_XATTR_STAT,
 * the client's "size:mtime:ino:ctime:mode" of the file, and, for a file the
 * client sent before with that same stat, BUILD_CONTEXT_XATTR_KEEP and no
 * data: the daemon keeps its copy.  What the tar does not list is removed.
 * Without a session these attributes are ignored. */
#ifndef BERTH_BUILD_CONTEXT_H
#define BERTH_BUILD_CONTEXT_H

#include <json-c/json.h>

#include "core/build/file-digests.h"
#include "core/lib/error.h"

#define BUILD_CONTEXT_XATTR_STAT "user.berth.cstat"
#define BUILD_CONTEXT_XATTR_KEEP "user.berth.keep"
/* in the error when a kept file is missing: the CLI sends everything again */
#define BUILD_CONTEXT_STALE_MARK "(stale build context session)"

struct build_context_extract_opts
{
  const char *dockerfile;             /* NULL: "Dockerfile" */
  struct build_file_digests *digests; /* filled, or NULL */
  /* a session: path -> client stat of the files dir holds (may be NULL),
     and an empty object that gets those of this tar; NULL: no session */
  json_object *known;
  json_object *sent;
};

int build_context_extract (int tar_fd, const char *dir, const struct build_context_extract_opts *o, berth_error_t *err);

#endif
