/* berthd's side of precompiled seccomp filters (core/runtime/seccomp-file.h):
   <exec-root>/seccomp/<hash>.bpf, one per distinct linux.seccomp, built at
   the first start that needs it and named in the spec's annotations. */
#ifndef BERTH_CONTAINER_SECCOMP_CACHE_H
#define BERTH_CONTAINER_SECCOMP_CACHE_H

#include <json-c/json.h>

/* Annotate spec with the filter file for its linux.seccomp, building the
   file when missing.  A filter that cannot be built is left to the
   runtime, which compiles it and reports the error as without a cache. */
void container_seccomp_cache_annotate (const char *exec_root, json_object *spec);

#endif
