/* A container's mounts as create is asked for them: HostConfig.Binds
   ("name:/dst[:opts]", "/host:/dst[:opts]"), HostConfig.Mounts (type bind,
   volume or tmpfs), HostConfig.Tmpfs and Config.Volumes (anonymous
   volumes, the image's included), checked with moby's rules and messages.

   The result is one JSON object per mount point, as kept in the
   container's mounts.json:
     Type         "bind" | "volume" | "tmpfs"
     Name         volume name ("" until an anonymous volume is created)
     Source       host path of a bind ("" for volumes until created)
     Destination  clean absolute path in the container
     Driver       volume driver ("local"), "" otherwise
     Mode         the mode text of a bind spec ("ro", "rw,nocopy", ...)
     RW           false when read-only
     Propagation  bind propagation ("rprivate" by default for binds)
     Anonymous    a volume made for this container only
     CopyData     fill an empty volume from the image at start
     CreateSource a -v bind whose missing host directory is created at start
     NonRecursive bind without submounts
     TmpfsOptions mount(2) data for a tmpfs ("size=65536k,mode=1777")
     HideInInspect  HostConfig.Tmpfs entries, which moby does not list in Mounts
     VolumeLabels, VolumeOptions  for a volume created on first use */
#ifndef BERTH_CONTAINER_MOUNT_SPEC_H
#define BERTH_CONTAINER_MOUNT_SPEC_H

#include <json-c/json.h>

#include "core/lib/error.h"

/* config: the merged Config (its Volumes); host: HostConfig.  EINVAL with
   moby's message for a bad spec.  *ret: array (owned). */
int mount_spec_collect (json_object *config, json_object *host, json_object **ret, berth_error_t *err);

struct container;
/* Docker's `Mounts` of inspect from c->mount_points (lock held). */
json_object *container_mounts_json (const struct container *c);

/* "/a/../b/" -> "/b" (filepath.Clean for absolute paths; relative ones
   are cleaned too but stay relative) */
char *mount_spec_clean_path (const char *path);

#endif
