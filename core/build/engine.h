/* The build engine: a Dockerfile's stages run step by step against the
 * daemon's images and containers, as Docker's legacy builder does.
 *
 * Every step becomes an image whose Parent is the previous step's image:
 * RUN in a container (the build's network) whose layer diff is committed;
 * COPY/ADD through a container too (the sources as a tar extracted into its
 * filesystem, then its diff); WORKDIR the same when it creates the
 * directory; every other instruction changes only the config and gets an
 * empty_layer history entry.  A step is looked up in the cache first (see
 * cache.h): parent image + the instruction as run (+ for COPY/ADD the hash
 * of its sources).  ONBUILD triggers of a base image run after its FROM.
 * HEALTHCHECK is stored in the config; running health checks is the
 * daemon's job and not done yet. */
#ifndef BERTH_BUILD_ENGINE_H
#define BERTH_BUILD_ENGINE_H

#include <stdbool.h>

#include <json-c/json.h>

#include "core/container/manager.h"
#include "core/image/service.h"

struct build_deps
{
  struct image_service *images;
  struct container_manager *containers;
  const char *cache_dir; /* <data-root>/build-cache */
};

struct build_opts
{
  const char *context_dir; /* the unpacked context */
  const char *dockerfile;  /* inside the context; NULL: "Dockerfile" */
  json_object *build_args; /* {"NAME": "value" | null}, may be NULL */
  json_object *labels;     /* {"k": "v"}, may be NULL */
  const char *target;      /* stage to stop after, may be NULL */
  const char *network;     /* RUN's network: NULL/"default"/"bridge", "none", "host" */
  bool no_cache;
  bool rm;       /* remove intermediate containers after a successful step */
  bool force_rm; /* ... also after a failed one */
};

/* Progress text ("Step 1/3 : FROM busybox\n", RUN output, ...). */
typedef void (*build_output_fn) (void *ud, const char *text, size_t len);

/* *ret_code: the failing RUN's exit code (0 otherwise). */
int build_run (const struct build_deps *d, const struct build_opts *o, build_output_fn out, void *ud,
               char ret_id[DIGEST_BUF_SIZE], int *ret_code, berth_error_t *err);

#endif
