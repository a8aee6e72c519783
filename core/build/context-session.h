/* Where a build's context lives while it runs.  Without a session (the
 * docker CLI, a tar on stdin): a fresh directory under the daemon's tmp
 * dir, removed after the build.  With a session (the berth CLI names its
 * context directory by a hash of the machine and the directory's path):
 * the daemon keeps what it received under <tmp>/build-contexts/<id>, and
 * the next build of that directory sends only the files whose stat
 * changed (see context.h), so a rebuild of an unchanged 50 MB context
 * sends a few headers and hashes nothing (file-digests.h).  One build at
 * a time uses a session (others wait).  Sessions are lost when the daemon
 * restarts (its tmp dir is emptied), at most BUILD_CONTEXT_SESSIONS_MAX are
 * kept (the least recently used idle one goes), POST /build/prune removes
 * the idle ones. */
#ifndef BERTH_BUILD_CONTEXT_SESSION_H
#define BERTH_BUILD_CONTEXT_SESSION_H

#include <stdbool.h>

#include <json-c/json.h>

#include "core/build/file-digests.h"
#include "core/lib/error.h"

#define BUILD_CONTEXT_SESSIONS_MAX 8

struct build_context;

/* Unpack the tar from tar_fd; session is NULL or 64 hex digits. */
int build_context_receive (const char *tmp_dir, const char *session, int tar_fd, const char *dockerfile,
                           struct build_context **ret, berth_error_t *err);
const char *build_context_dir (const struct build_context *c);
struct build_file_digests *build_context_digests (const struct build_context *c);
/* the build is done with it: a fresh directory is removed, a session freed
   for the next build */
void build_context_release (struct build_context *c);

/* path -> the client's stat of every file the session holds, {} for an
   unknown session (the caller owns the object); NULL for a bad id */
json_object *build_context_session_files (const char *session);
/* remove the idle sessions; how many were removed */
int build_context_sessions_prune (void);

#endif
