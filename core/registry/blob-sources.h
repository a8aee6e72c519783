/* Which registry repositories hold a blob: the compressed digest of every
 * layer pulled or pushed, its size, its diff id and the "host/repo" it came
 * from or went to.  A push uses it to skip compressing a layer whose blob a
 * registry already has (HEAD by the recorded digest) and to mount a blob
 * from another repository of the same registry instead of uploading it.
 * One JSON file (written atomically), shared by every pull and push. */
#ifndef BERTH_REGISTRY_BLOB_SOURCES_H
#define BERTH_REGISTRY_BLOB_SOURCES_H

#include <stddef.h>
#include <stdint.h>

#include "core/lib/error.h"

struct blob_source
{
  char *digest; /* compressed */
  int64_t size;
  char *diff_id;
  char *repo; /* the repository path on the host asked for ("library/busybox") */
};

/* Record that host/repo holds these blobs (n entries; their repo is ignored). */
int blob_sources_record (const char *path, const char *host, const char *repo, const struct blob_source *blobs,
                         size_t n, berth_error_t *err);

/* The blobs of host whose diff id is diff_id, those of repo first; an
   array of *ret_n entries to free with blob_sources_free. */
int blob_sources_find (const char *path, const char *host, const char *repo, const char *diff_id,
                       struct blob_source **ret, size_t *ret_n, berth_error_t *err);
void blob_sources_free (struct blob_source *v, size_t n);

#endif
