/* The build cache: step key -> image id, one small file per key under
 * <data-root>/build-cache, named by the key's sha256.  A hit is only a hit
 * when the image still exists. */
#ifndef BERTH_BUILD_CACHE_H
#define BERTH_BUILD_CACHE_H

#include "core/image/service.h"

/* 1 with ret_id set on a hit, 0 on a miss */
int build_cache_get (struct image_service *svc, const char *dir, const char *key, char ret_id[DIGEST_BUF_SIZE]);
void build_cache_put (const char *dir, const char *key, const char *id);

#endif
