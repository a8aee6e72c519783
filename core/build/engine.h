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
 * of its sources; for ADD <URL> of the downloaded content, see
 * fetch-url.h), or, with --cache-from, in the history of the cache source
 * images.  FROM (and COPY --from an image) pulls an image that is not here,
 * or always with --pull.  ONBUILD triggers of a base image run after its
 * FROM.  HEALTHCHECK is stored in the config; the daemon runs it
 * (core/container/manager-health.c). */
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
  /* FROM's pull of `name` (a reference), progress lines through out; NULL:
     images are never pulled */
  int (*pull) (void *pull_ud, const char *name, void (*out) (void *ud, const char *text, size_t len), void *ud,
               berth_error_t *err);
  void *pull_ud;
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
  /* FROM: pull the image even when it is here (a missing one is always
     pulled, through build_deps.pull) */
  bool pull;
  /* --cache-from: images (names or ids) whose history is a cache source as
     in moby's legacy builder, also without Parent links (e.g. loaded);
     with them, a local cache hit counts only when it is in one's chain */
  char *const *cache_from;
  /* digests of the context's files (core/build/file-digests.h), or NULL */
  struct build_file_digests *digests;
};

/* Progress text ("Step 1/3 : FROM busybox\n", RUN output, ...). */
typedef void (*build_output_fn) (void *ud, const char *text, size_t len);

/* *ret_code: the failing RUN's exit code (0 otherwise). */
int build_run (const struct build_deps *d, const struct build_opts *o, build_output_fn out, void *ud,
               char ret_id[DIGEST_BUF_SIZE], int *ret_code, berth_error_t *err);

#endif
