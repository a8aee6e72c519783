/* The build context `berth build` sends: a directory written as a tar
 * stream (to a pipe: never held in memory), honouring its .dockerignore as
 * the docker CLI does (the Dockerfile and .dockerignore are always sent;
 * owners are not; only files, directories and symlinks), or a lone
 * Dockerfile as a one-file tar. */
#ifndef BERTH_CLI_BUILD_CONTEXT_H
#define BERTH_CLI_BUILD_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "core/lib/error.h"

/* dockerfile: its path relative to dir (always sent), or NULL.  extra_name
   (may be NULL): one more file, from memory (a Dockerfile from outside the
   context or from stdin).  session (NULL: none): what the daemon's context
   session holds, path -> stat (GET /build/context); each regular file then
   carries its stat, and one the daemon holds with the same stat is sent as
   a header alone (see core/build/context.h).  *ret_bytes (may be NULL): the
   size of the tar written. */
int build_context_write_dir (const char *dir, const char *dockerfile, const char *extra_name, const char *extra_data,
                             size_t extra_len, json_object *session, int out_fd, uint64_t *ret_bytes,
                             berth_error_t *err);
int build_context_write_dockerfile (const char *data, size_t len, int out_fd, uint64_t *ret_bytes, berth_error_t *err);
/* Do these first bytes start a tar archive (or a compressed stream)? */
bool build_context_is_archive (const unsigned char *head, size_t len);

#endif
