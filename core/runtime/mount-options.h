/* OCI mount options -> mount(2) flags, propagation and filesystem data. */
#ifndef BERTH_RUNTIME_MOUNT_OPTIONS_H
#define BERTH_RUNTIME_MOUNT_OPTIONS_H

#include <stdbool.h>

#include "core/lib/error.h"

struct berth_mount_options
{
  unsigned long flags;       /* MS_RDONLY, MS_NOSUID, ... to set */
  unsigned long clear;       /* flags explicitly turned off ("rw", "suid", ...) */
  unsigned long propagation; /* MS_SHARED|MS_SLAVE|MS_PRIVATE|MS_UNBINDABLE, with MS_REC */
  bool bind;                 /* "bind" or "rbind" (or type "bind") */
  bool recursive;            /* "rbind", or a recursive attribute option */
  char *data;                /* the rest, comma-joined ("mode=755,size=65536k"), or NULL */
};

/* type may be NULL.  Unknown "x-*" options are ignored, as runc does. */
int berth_mount_options_parse (const char *type, char *const *options, struct berth_mount_options *out,
                               berth_error_t *err);
void berth_mount_options_clear (struct berth_mount_options *o);

#endif
