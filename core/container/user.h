/* Config.User ("name", "uid", "uid:gid", "name:group") resolved against the
   container's own /etc/passwd and /etc/group, read inside the rootfs
   (openat2 RESOLVE_IN_ROOT: symlinks cannot lead out) and parsed here,
   never through NSS. */
#ifndef BERTH_CONTAINER_USER_H
#define BERTH_CONTAINER_USER_H

#include <stddef.h>
#include <stdint.h>

#include "core/lib/error.h"

struct container_user
{
  uint32_t uid;
  uint32_t gid;
  uint32_t *groups; /* supplementary, from /etc/group */
  size_t n_groups;
};

int container_user_resolve (const char *rootfs, const char *spec, struct container_user *ret, berth_error_t *err);
void container_user_clear (struct container_user *u);

#endif
