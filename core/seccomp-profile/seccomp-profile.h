/* Docker-format seccomp profiles turned into the OCI linux.seccomp object.

   Docker keeps its profiles in a format of its own (etc/seccomp/default.json
   is berth's default, installed as BERTH_SYSCONFDIR/berth/seccomp/default.json):
   rules carry includes/excludes conditions on the container's capabilities,
   the architecture and the kernel version.  Converting evaluates those
   conditions for one container, the way moby does at create time, and gives
   the plain OCI object berth-runtime reads (core/runtime/spec-seccomp.c):
     { "defaultAction", "defaultErrnoRet"?, "architectures": [native, subs...],
       "flags"?, "syscalls": [ { "names", "action", "errnoRet"?,
                                 "args"?: [ { "index", "value", "valueTwo", "op" } ] } ] }

   Use from the daemon's spec builder (HostConfig.SecurityOpt, Privileged):
     - "seccomp=unconfined"            -> no linux.seccomp at all;
     - "seccomp=<profile JSON text>"   -> seccomp_profile_to_oci (text, strlen (text), caps, NULL, &obj, err),
                                          also when privileged (a custom profile wins, moby TestSeccomp);
       (the docker CLI sends the file's contents, not its path)
     - privileged, no custom profile   -> no linux.seccomp;
     - otherwise                       -> seccomp_default_to_oci (NULL, caps, &obj, err)
                                          (or the daemon's configured profile path instead of NULL).
   caps is the container's final bounding set after --cap-add/--cap-drop, as
   "CAP_X" names, NULL-terminated ("ALL" must already be expanded): moby
   evaluates the conditions against the bounding set.  On failure the error
   names the profile entry at fault (400 for a user profile, 500 for the
   installed default).  The object in *ret is owned by the caller
   (json_object_put); e.g. set it as oci_spec's `seccomp` member. */
#ifndef BERTH_SECCOMP_PROFILE_SECCOMP_PROFILE_H
#define BERTH_SECCOMP_PROFILE_SECCOMP_PROFILE_H

#include <json-c/json.h>
#include <stddef.h>

#include "core/lib/error.h"

#define SECCOMP_PROFILE_DEFAULT_PATH BERTH_SYSCONFDIR "/berth/seccomp/default.json"

struct seccomp_target
{
  const char *const *caps; /* bounding set, "CAP_X", NULL-terminated; NULL = no capabilities */
  const char *arch;        /* "x86_64", "amd64" or "SCMP_ARCH_X86_64"; NULL = this host */
  const char *kernel;      /* "6.1" or a uname release; NULL = the running kernel */
};

/* Convert profile text for a container holding caps, on arch (NULL = host),
   for the running kernel. */
int seccomp_profile_to_oci (const char *profile_json, size_t len, const char *const *caps, const char *arch,
                            json_object **ret, berth_error_t *err);
/* The same with every input explicit (tests, cross-arch inspection). */
int seccomp_profile_to_oci_target (const char *profile_json, size_t len, const struct seccomp_target *target,
                                   json_object **ret, berth_error_t *err);

/* Read a profile file (path NULL = SECCOMP_PROFILE_DEFAULT_PATH); *ret is NUL-terminated. */
int seccomp_profile_read (const char *path, char **ret, size_t *ret_len, berth_error_t *err);
/* Read the profile at path (NULL = the installed default) and convert it for caps on this host. */
int seccomp_default_to_oci (const char *path, const char *const *caps, json_object **ret, berth_error_t *err);

/* etc/seccomp/default.json as compiled into the binary (Docker's "builtin"
   profile): containers get it even when nothing is installed. */
extern const char seccomp_builtin_profile[];
extern const size_t seccomp_builtin_profile_len;
/* The builtin profile converted for caps on this host. */
int seccomp_builtin_to_oci (const char *const *caps, json_object **ret, berth_error_t *err);

#endif
