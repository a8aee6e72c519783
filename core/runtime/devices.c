#include "config.h"

#include "core/runtime/devices.h"
#include "core/runtime/resolve.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const struct
{
  const char *path;
  unsigned int major, minor;
} default_devices[] = {
  { "/dev/null", 1, 3 },    { "/dev/zero", 1, 5 },    { "/dev/full", 1, 7 },
  { "/dev/random", 1, 8 },  { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
};

/* allowed in the device cgroup on top of the nodes above */
static const struct berth_spec_device_rule extra_allowed[] = {
  { true, 'c', -1, -1, "m" },   /* mknod of anything; opening is what the rules guard */
  { true, 'b', -1, -1, "m" },
  { true, 'c', 5, 2, "rwm" },   /* /dev/ptmx */
  { true, 'c', 136, -1, "rwm" }, /* /dev/pts/N */
  { true, 'c', 5, 1, "rwm" },   /* /dev/console */
};

static const struct
{
  const char *path;
  const char *target;
} default_links[] = {
  { "/dev/fd", "/proc/self/fd" },         { "/dev/stdin", "/proc/self/fd/0" },
  { "/dev/stdout", "/proc/self/fd/1" },   { "/dev/stderr", "/proc/self/fd/2" },
  { "/dev/core", "/proc/kcore" },
};

static int
split_parent (int rootfd, const char *path, char **last, berth_error_t *err)
{
  cleanup_free char *dir = xstrdup (path);
  char *slash = strrchr (dir, '/');

  *slash = '\0';
  *last = xstrdup (slash + 1);
  /* /dev and anything below it must not be a symlink (CVE-2025-31133 class) */
  return berth_open_or_create_in_root (rootfd, *dir ? dir : "/", true, 0755, BERTH_RESOLVE_NO_SYMLINKS, err);
}

static int
bind_host_node (int rootfd, const char *path, berth_error_t *err)
{
  cleanup_close int target = -1;
  cleanup_close int tree = -1;

  target = berth_open_or_create_in_root (rootfd, path, false, 0600, BERTH_RESOLVE_NO_SYMLINKS, err);
  if (target < 0)
    return target;
  tree = open_tree (AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (tree < 0)
    return berth_error_errno (err, errno, "bind host device `%s`", path);
  if (move_mount (tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return berth_error_errno (err, errno, "bind host device `%s`", path);
  return 0;
}

static int
make_node (int rootfd, const char *path, char type, unsigned int major, unsigned int minor, mode_t perm, bool bind,
           bool has_uid, uid_t uid, bool has_gid, gid_t gid, berth_error_t *err)
{
  cleanup_free char *last = NULL;
  cleanup_close int dirfd = -1;
  mode_t kind = type == 'b' ? S_IFBLK : type == 'p' ? S_IFIFO : S_IFCHR;
  dev_t dev = makedev (major, minor);
  struct stat st;

  if (bind && type != 'p')
    return bind_host_node (rootfd, path, err);
  dirfd = split_parent (rootfd, path, &last, err);
  if (dirfd < 0)
    return dirfd;
  if (mknodat (dirfd, last, kind | perm, type == 'p' ? 0 : dev) < 0)
    {
      if (errno != EEXIST)
        return berth_error_errno (err, errno, "mknod `%s`", path);
      /* keep a node that is already right; replace anything else */
      if (fstatat (dirfd, last, &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_IFMT) == kind
          && (type == 'p' || st.st_rdev == dev))
        {
          if (fchmodat (dirfd, last, perm, 0) < 0)
            return berth_error_errno (err, errno, "chmod `%s`", path);
        }
      else if (unlinkat (dirfd, last, 0) < 0 || mknodat (dirfd, last, kind | perm, type == 'p' ? 0 : dev) < 0)
        return berth_error_errno (err, errno, "replace `%s`", path);
    }
  if ((has_uid || has_gid)
      && fchownat (dirfd, last, has_uid ? uid : (uid_t) -1, has_gid ? gid : (gid_t) -1, AT_SYMLINK_NOFOLLOW) < 0)
    return berth_error_errno (err, errno, "chown `%s`", path);
  return 0;
}

static int
make_link (int rootfd, const char *path, const char *target, berth_error_t *err)
{
  cleanup_free char *last = NULL;
  cleanup_close int dirfd = split_parent (rootfd, path, &last, err);

  if (dirfd < 0)
    return dirfd;
  if (symlinkat (target, dirfd, last) < 0 && errno != EEXIST)
    return berth_error_errno (err, errno, "symlink `%s`", path);
  return 0;
}

static bool
spec_has_device (const struct berth_spec *spec, const char *path)
{
  size_t i;

  for (i = 0; i < spec->lx.n_devices; i++)
    if (strcmp (spec->lx.devices[i].path, path) == 0)
      return true;
  return false;
}

static bool
has_devpts (const struct berth_spec *spec)
{
  size_t i;

  for (i = 0; i < spec->n_mounts; i++)
    if (strcmp (spec->mounts[i].destination, "/dev/pts") == 0)
      return true;
  return false;
}

int
berth_devices_create (int rootfd, const struct berth_spec *spec, bool bind, berth_error_t *err)
{
  size_t i;

  for (i = 0; i < sizeof (default_devices) / sizeof (default_devices[0]); i++)
    {
      if (spec_has_device (spec, default_devices[i].path))
        continue;
      if (make_node (rootfd, default_devices[i].path, 'c', default_devices[i].major, default_devices[i].minor, 0666,
                     bind, false, 0, false, 0, err)
          < 0)
        return berth_error_ret (err);
    }
  for (i = 0; i < spec->lx.n_devices; i++)
    {
      const struct berth_spec_device *d = &spec->lx.devices[i];
      if (make_node (rootfd, d->path, d->type, (unsigned) d->major, (unsigned) d->minor,
                     d->has_file_mode ? (d->file_mode & 07777) : 0666, bind, d->has_uid, d->uid, d->has_gid, d->gid,
                     err)
          < 0)
        return berth_error_wrap (err, "linux.devices[%zu]", i);
    }
  for (i = 0; i < sizeof (default_links) / sizeof (default_links[0]); i++)
    if (make_link (rootfd, default_links[i].path, default_links[i].target, err) < 0)
      return berth_error_ret (err);
  if (has_devpts (spec) && !spec_has_device (spec, "/dev/ptmx"))
    {
      cleanup_free char *last = NULL;
      cleanup_close int dirfd = split_parent (rootfd, "/dev/ptmx", &last, err);
      if (dirfd < 0)
        return dirfd;
      /* the ptmx of the container's own devpts instance */
      if (unlinkat (dirfd, last, 0) < 0 && errno != ENOENT)
        return berth_error_errno (err, errno, "unlink /dev/ptmx");
      if (symlinkat ("pts/ptmx", dirfd, last) < 0)
        return berth_error_errno (err, errno, "symlink /dev/ptmx");
    }
  return 0;
}

size_t
berth_devices_cgroup_rules (const struct berth_spec *spec, struct berth_spec_device_rule **out)
{
  const struct berth_spec_resources *r = &spec->lx.resources;
  size_t n_default = sizeof (default_devices) / sizeof (default_devices[0]);
  size_t n_extra = sizeof (extra_allowed) / sizeof (extra_allowed[0]);
  size_t total = r->n_devices + n_default + n_extra + spec->lx.n_devices;
  struct berth_spec_device_rule *v = xmalloc0 ((total + 1) * sizeof (*v));
  size_t n = 0, i;

  for (i = 0; i < r->n_devices; i++)
    v[n++] = r->devices[i];
  for (i = 0; i < n_default; i++)
    v[n++] = (struct berth_spec_device_rule){ true, 'c', default_devices[i].major, default_devices[i].minor, "rwm" };
  for (i = 0; i < n_extra; i++)
    v[n++] = extra_allowed[i];
  for (i = 0; i < spec->lx.n_devices; i++)
    {
      const struct berth_spec_device *d = &spec->lx.devices[i];
      if (d->type == 'p')
        continue;
      v[n++] = (struct berth_spec_device_rule){ true, d->type, d->major, d->minor, "rwm" };
    }
  *out = v;
  return n;
}
