/* Precompiled seccomp filters.  berthd compiles each distinct
   linux.seccomp (profile x capabilities x architectures) once into a file
   and names it in the spec's annotations; the container's init then loads
   that program instead of running libseccomp (about 10 ms of every start
   under load).

   The file keeps the linux.seccomp text it was built from and the
   libseccomp version: the runtime uses it only when its own spec's
   linux.seccomp is the same text and its libseccomp the same version, so
   the program is the one berth_seccomp_prepare would have built, ENOSYS
   stub and flags included.  Anything else (no file, another profile, a
   torn file, an unreadable path) falls back to compiling. */
#ifndef BERTH_RUNTIME_SECCOMP_FILE_H
#define BERTH_RUNTIME_SECCOMP_FILE_H

#include <json-c/json.h>

#include "core/lib/error.h"
#include "core/runtime/spec.h"

/* annotation: the path of the precompiled filter for linux.seccomp */
#define BERTH_SECCOMP_BPF_ANNOTATION "io.berth.seccomp.bpf"

/* linux.seccomp as both sides serialize it (malloc'd) */
char *berth_seccomp_json_text (json_object *seccomp);
/* Compile linux.seccomp and write the file at path (replaced atomically). */
int berth_seccomp_file_build (const char *path, json_object *seccomp, berth_error_t *err);
/* The filter in the file at path, when it was built from json; ESTALE when
   built from another, EINVAL when malformed.  For berth_seccomp_load. */
int berth_seccomp_file_read (const char *path, const char *json, void **filter, berth_error_t *err);
/* The spec's filter: the annotated file's when it matches, else compiled
   (berth_seccomp_prepare). */
int berth_seccomp_prepare_spec (const struct berth_spec *spec, void **filter, berth_error_t *err);

#endif
