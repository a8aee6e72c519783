#include "config.h"

#include "core/runtime/mounts-cgroup.h"
#include "core/runtime/resolve.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

struct fill_ctx
{
  int dirfd; /* the tmpfs */
  struct mount_attr attr;
};

static int
bind_dir_at (int dirfd, const char *name, const char *host_dir, const struct mount_attr *attr, berth_error_t *err)
{
  cleanup_close int tree = -1;
  cleanup_close int target = -1;

  if (name[0] && mkdirat (dirfd, name, 0755) < 0 && errno != EEXIST)
    return berth_error_errno (err, errno, "mkdir cgroup `%s`", name);
  target = name[0] ? openat (dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : dup (dirfd);
  if (target < 0)
    return berth_error_errno (err, errno, "open cgroup `%s`", name);
  tree = open_tree (AT_FDCWD, host_dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (tree < 0)
    return berth_error_errno (err, errno, "bind `%s`", host_dir);
  if (attr->attr_set && mount_setattr (tree, "", AT_EMPTY_PATH, (struct mount_attr *) attr, sizeof (*attr)) < 0)
    return berth_error_errno (err, errno, "set attributes on `%s`", host_dir);
  if (move_mount (tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return berth_error_errno (err, errno, "bind `%s`", host_dir);
  return 0;
}

static int
fill_one (void *opaque, const char *name, const char *host_dir, const char *link_target, berth_error_t *err)
{
  struct fill_ctx *f = opaque;

  if (link_target)
    {
      if (symlinkat (link_target, f->dirfd, name) < 0 && errno != EEXIST)
        return berth_error_errno (err, errno, "symlink cgroup `%s`", name);
      return 0;
    }
  if (access (host_dir, F_OK) < 0)
    return 0; /* a hierarchy we did not join (name=systemd and the like) */
  return bind_dir_at (f->dirfd, name, host_dir, &f->attr, err);
}

static uint64_t
attr_bits (unsigned long flags)
{
  return ((flags & MS_RDONLY) ? MOUNT_ATTR_RDONLY : 0) | ((flags & MS_NOSUID) ? MOUNT_ATTR_NOSUID : 0)
         | ((flags & MS_NODEV) ? MOUNT_ATTR_NODEV : 0) | ((flags & MS_NOEXEC) ? MOUNT_ATTR_NOEXEC : 0);
}

int
berth_mount_cgroup (struct berth_mount_ctx *ctx, const struct berth_spec_mount *m, const struct berth_mount_options *o,
                    berth_error_t *err)
{
  cleanup_close int target = -1;
  struct fill_ctx f = { .dirfd = -1 };
  char path[64];

  if (ctx->cgroup == NULL)
    return berth_error_make (err, EINVAL, "a cgroup mount needs a cgroup");
  target = berth_open_or_create_in_root (ctx->rootfd, m->destination, true, 0755, BERTH_RESOLVE_NO_SYMLINKS, err);
  if (target < 0)
    return target;
  f.attr.attr_set = attr_bits (o->flags);
  if (berth_cgroup_mode (ctx->cgroup) == BERTH_CGROUP_V2)
    {
      if (ctx->new_cgroupns)
        {
          if (mount ("cgroup2", berth_fd_path (target, path, sizeof (path)), "cgroup2", o->flags & ~MS_REMOUNT, NULL)
              < 0)
            return berth_error_errno (err, errno, "mount cgroup2");
          return 0;
        }
      f.dirfd = target;
      return berth_cgroup_foreach_dir (ctx->cgroup, fill_one, &f, err);
    }
  if (mount ("tmpfs", berth_fd_path (target, path, sizeof (path)), "tmpfs",
             (o->flags & ~(MS_RDONLY | MS_REMOUNT)) | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755")
      < 0)
    return berth_error_errno (err, errno, "mount tmpfs for cgroups");
  f.dirfd = berth_open_in_root (ctx->rootfd, m->destination, O_PATH | O_DIRECTORY, BERTH_RESOLVE_NO_SYMLINKS, err);
  if (f.dirfd < 0)
    return f.dirfd;
  if (berth_cgroup_foreach_dir (ctx->cgroup, fill_one, &f, err) < 0)
    {
      close (f.dirfd);
      return berth_error_ret (err);
    }
  if (o->flags & MS_RDONLY)
    {
      struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
      if (mount_setattr (f.dirfd, "", AT_EMPTY_PATH, &ro, sizeof (ro)) < 0)
        {
          close (f.dirfd);
          return berth_error_errno (err, errno, "make the cgroup tmpfs read-only");
        }
    }
  close (f.dirfd);
  return 0;
}
