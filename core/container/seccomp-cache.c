#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "core/container/seccomp-cache.h"
#include "core/lib/fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/runtime/seccomp-file.h"

/* names the file only; the runtime compares the whole text */
static uint64_t
fnv1a (const char *s)
{
  uint64_t h = 14695981039346656037ULL;

  for (; *s; s++)
    {
      h ^= (unsigned char) *s;
      h *= 1099511628211ULL;
    }
  return h;
}

void
container_seccomp_cache_annotate (const char *exec_root, json_object *spec)
{
  json_object *lx = json_object_object_get (spec, "linux");
  json_object *seccomp = lx ? json_object_object_get (lx, "seccomp") : NULL;
  json_object *notes;
  cleanup_free char *text = NULL, *dir = NULL, *path = NULL;
  berth_error_t err = NULL;

  if (!json_object_is_type (seccomp, json_type_object))
    return;
  text = berth_seccomp_json_text (seccomp);
  dir = xasprintf ("%s/seccomp", exec_root);
  path = xasprintf ("%s/%016" PRIx64 "-%zu.bpf", dir, fnv1a (text), strlen (text));
  /* two starts may build the same file at once: each replaces it whole */
  if (access (path, F_OK) < 0
      && (berth_mkdir_p (dir, 0700, &err) < 0 || berth_seccomp_file_build (path, seccomp, &err) < 0))
    {
      log_debug ("seccomp filter not precompiled (the runtime compiles it): %s", berth_error_msg (&err));
      berth_error_release (&err);
      return;
    }
  notes = json_object_object_get (spec, "annotations");
  if (!json_object_is_type (notes, json_type_object))
    {
      notes = json_object_new_object ();
      json_object_object_add (spec, "annotations", notes);
    }
  json_object_object_add (notes, BERTH_SECCOMP_BPF_ANNOTATION, json_object_new_string (path));
}
