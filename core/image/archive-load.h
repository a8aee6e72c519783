/* `docker load`: image archives into the image service.
 *
 * Accepted: a docker-archive as `docker save` writes it (manifest.json with
 * Config / RepoTags / Layers; both the docker >= 25 layout under blobs/ and
 * the older <v1id>/layer.tar one), and an OCI image layout tar (index.json,
 * blobs/sha256/...; nested indexes pick this machine's platform).  When both
 * are present manifest.json wins, as in moby's classic store.  The archive
 * may be gzip, xz or zstd compressed, and so may each layer.
 *
 * The archive is spooled to a scratch directory under <data-root>/tmp
 * first (its members come in any order); only regular files are written
 * there, under generated names, so no member name ever becomes a path.
 * Every layer's diff id is checked against the config, and in an OCI layout
 * every blob against its descriptor.  Images are registered one by one; a
 * failure stops the load and drops the layers it left unreferenced. */
#ifndef BERTH_IMAGE_ARCHIVE_LOAD_H
#define BERTH_IMAGE_ARCHIVE_LOAD_H

#include "core/image/service.h"

/* Called with each progress line ("Loaded image: busybox:latest"). */
typedef void (*image_load_emit_fn) (void *ud, const char *line);

/* Members of the archive beyond this many are refused. */
#define IMAGE_ARCHIVE_MAX_MEMBERS 100000

int image_archive_load (struct image_service *svc, int fd, image_load_emit_fn emit, void *ud, berth_error_t *err);

#endif
