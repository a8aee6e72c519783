#include "config.h"

#include "core/runtime/mounts.h"
#include "core/runtime/mount-options.h"
#include "core/runtime/mounts-cgroup.h"
#include "core/runtime/resolve.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static uint64_t
attr_from_flags (unsigned long flags)
{
  uint64_t a = 0;

  if (flags & MS_RDONLY)
    a |= MOUNT_ATTR_RDONLY;
  if (flags & MS_NOSUID)
    a |= MOUNT_ATTR_NOSUID;
  if (flags & MS_NODEV)
    a |= MOUNT_ATTR_NODEV;
  if (flags & MS_NOEXEC)
    a |= MOUNT_ATTR_NOEXEC;
  if (flags & MS_NODIRATIME)
    a |= MOUNT_ATTR_NODIRATIME;
  if (flags & MS_NOSYMFOLLOW)
    a |= MOUNT_ATTR_NOSYMFOLLOW;
  if (flags & MS_NOATIME)
    a |= MOUNT_ATTR_NOATIME;
  else if (flags & MS_STRICTATIME)
    a |= MOUNT_ATTR_STRICTATIME;
  return a;
}

static int
set_attr (int fd, const struct berth_mount_options *o, bool recursive, const char *what, berth_error_t *err)
{
  struct mount_attr attr = { 0 };
  uint64_t set = attr_from_flags (o->flags);
  uint64_t clr = attr_from_flags (o->clear);

  if (set & (MOUNT_ATTR_NOATIME | MOUNT_ATTR_STRICTATIME) || o->flags & MS_RELATIME)
    clr |= MOUNT_ATTR__ATIME; /* the atime bits form one field */
  attr.attr_set = set;
  attr.attr_clr = clr & ~set;
  if (o->flags & MS_RELATIME)
    attr.attr_clr |= MOUNT_ATTR__ATIME;
  if (attr.attr_set == 0 && attr.attr_clr == 0)
    return 0;
  if (mount_setattr (fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof (attr)) < 0)
    return berth_error_errno (err, errno, "set mount attributes on `%s`", what);
  return 0;
}

static int
set_propagation (int fd, unsigned long propagation, const char *what, berth_error_t *err)
{
  struct mount_attr attr = { 0 };

  if (propagation == 0)
    return 0;
  attr.propagation = propagation & ~MS_REC;
  if (mount_setattr (fd, "", AT_EMPTY_PATH | ((propagation & MS_REC) ? AT_RECURSIVE : 0), &attr, sizeof (attr)) < 0)
    return berth_error_errno (err, errno, "set propagation on `%s`", what);
  return 0;
}

static unsigned int
resolve_flags_for (const struct berth_spec_mount *m)
{
  const char *t = m->type ? m->type : "";

  /* proc, sys and /dev must not be redirected by symlinks in the image
     (CVE-2019-19921, CVE-2023-27561) */
  if (strcmp (t, "proc") == 0 || strcmp (t, "sysfs") == 0 || strncmp (m->destination, "/dev", 4) == 0
      || strncmp (m->destination, "/proc", 5) == 0 || strncmp (m->destination, "/sys", 4) == 0)
    return BERTH_RESOLVE_NO_SYMLINKS;
  return 0;
}

static int
do_bind (struct berth_mount_ctx *ctx, const struct berth_spec_mount *m, const struct berth_mount_options *o,
         berth_error_t *err)
{
  cleanup_free char *src = NULL;
  cleanup_close int tree = -1;
  cleanup_close int target = -1;
  struct stat st;

  if (m->source == NULL || *m->source == '\0')
    return berth_error_make (err, EINVAL, "bind mount needs a source");
  src = m->source[0] == '/' ? xstrdup (m->source) : xasprintf ("%s/%s", ctx->bundle, m->source);
  tree = open_tree (AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (o->recursive ? AT_RECURSIVE : 0));
  if (tree < 0)
    return berth_error_errno (err, errno, "bind source `%s`", src);
  if (fstat (tree, &st) < 0)
    return berth_error_errno (err, errno, "stat `%s`", src);
  if (set_attr (tree, o, o->recursive, m->destination, err) < 0
      || set_propagation (tree, o->propagation, m->destination, err) < 0)
    return berth_error_ret (err);
  target = berth_open_or_create_in_root (ctx->rootfd, m->destination, S_ISDIR (st.st_mode), 0755, resolve_flags_for (m),
                                         err);
  if (target < 0)
    return target;
  if (move_mount (tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return berth_error_errno (err, errno, "bind `%s` on `%s`", src, m->destination);
  return 0;
}

/* reopen the destination after mounting, to reach the new mount */
static int
reopen_dest (struct berth_mount_ctx *ctx, const struct berth_spec_mount *m, berth_error_t *err)
{
  return berth_open_in_root (ctx->rootfd, m->destination, O_PATH, resolve_flags_for (m), err);
}

static int
do_fs_mount (struct berth_mount_ctx *ctx, const struct berth_spec_mount *m, const struct berth_mount_options *o,
             berth_error_t *err)
{
  cleanup_close int target = -1;
  char path[64];
  unsigned long flags = o->flags & ~(MS_REMOUNT | MS_BIND | MS_REC);
  const char *type = m->type;

  target = berth_open_or_create_in_root (ctx->rootfd, m->destination, true, 0755, resolve_flags_for (m), err);
  if (target < 0)
    return target;
  if (mount (m->source ? m->source : type, berth_fd_path (target, path, sizeof (path)), type, flags, o->data) < 0)
    {
      int e = errno;
      /* sysfs needs a network namespace owned by our user namespace; bind the host's instead */
      if (strcmp (type, "sysfs") == 0 && (e == EPERM || e == EACCES) && ctx->in_userns)
        {
          struct berth_mount_options bo = *o;
          struct berth_spec_mount bm = *m;
          bo.recursive = true;
          bm.source = (char *) "/sys";
          return do_bind (ctx, &bm, &bo, err);
        }
      return berth_error_errno (err, e, "mount %s on `%s`", type, m->destination);
    }
  if (o->propagation)
    {
      cleanup_close int fd = reopen_dest (ctx, m, err);
      if (fd < 0)
        return fd;
      if (set_propagation (fd, o->propagation, m->destination, err) < 0)
        return berth_error_ret (err);
    }
  return 0;
}

static int
apply_one (struct berth_mount_ctx *ctx, const struct berth_spec_mount *m, berth_error_t *err)
{
  struct berth_mount_options o;
  int ret;

  if (berth_mount_options_parse (m->type, m->options, &o, err) < 0)
    return berth_error_ret (err);
  if (o.bind)
    ret = do_bind (ctx, m, &o, err);
  else if (m->type == NULL || *m->type == '\0')
    ret = berth_error_make (err, EINVAL, "no type and not a bind mount");
  else if (strcmp (m->type, "cgroup") == 0)
    ret = berth_mount_cgroup (ctx, m, &o, err);
  else
    ret = do_fs_mount (ctx, m, &o, err);
  berth_mount_options_clear (&o);
  return ret;
}

int
berth_rootfs_prepare (struct berth_mount_ctx *ctx, berth_error_t *err)
{
  const char *root = ctx->spec->root_path;
  struct stat st;

  /* nothing we mount may propagate back to the host */
  if (mount (NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
    return berth_error_errno (err, errno, "make / a slave mount");
  if (stat (root, &st) < 0)
    return berth_error_errno (err, errno, "root.path `%s`", root);
  if (!S_ISDIR (st.st_mode))
    return berth_error_make (err, ENOTDIR, "root.path `%s` is not a directory", root);
  if (mount (root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
    return berth_error_errno (err, errno, "bind root.path `%s`", root);
  if (mount (NULL, root, NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return berth_error_errno (err, errno, "make `%s` private", root);
  ctx->rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (ctx->rootfd < 0)
    return berth_error_errno (err, errno, "open root.path `%s`", root);
  return 0;
}

int
berth_mounts_apply (struct berth_mount_ctx *ctx, berth_error_t *err)
{
  size_t i;

  for (i = 0; i < ctx->spec->n_mounts; i++)
    if (apply_one (ctx, &ctx->spec->mounts[i], err) < 0)
      return berth_error_wrap (err, "mounts[%zu] (%s)", i, ctx->spec->mounts[i].destination);
  return 0;
}

bool
berth_mounts_have_dev_tmpfs (const struct berth_spec *spec)
{
  size_t i;

  for (i = 0; i < spec->n_mounts; i++)
    if (strcmp (spec->mounts[i].destination, "/dev") == 0 && spec->mounts[i].type
        && strcmp (spec->mounts[i].type, "bind") != 0)
      return true;
  return false;
}

bool
berth_mounts_have_dev_bind (const struct berth_spec *spec)
{
  size_t i;

  for (i = 0; i < spec->n_mounts; i++)
    if (strcmp (spec->mounts[i].destination, "/dev") == 0 && !berth_mounts_have_dev_tmpfs (spec))
      return true;
  return false;
}

int
berth_rootfs_pivot (struct berth_mount_ctx *ctx, berth_error_t *err)
{
  /* pivot_root(".", ".") stacks the old root on top of the new one; detach it */
  if (fchdir (ctx->rootfd) < 0)
    return berth_error_errno (err, errno, "chdir to the rootfs");
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return berth_error_errno (err, errno, "pivot_root");
  if (mount (NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return berth_error_errno (err, errno, "make the old root a slave");
  if (umount2 (".", MNT_DETACH) < 0)
    return berth_error_errno (err, errno, "detach the old root");
  if (chdir ("/") < 0)
    return berth_error_errno (err, errno, "chdir /");
  close (ctx->rootfd);
  ctx->rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (ctx->rootfd < 0)
    return berth_error_errno (err, errno, "open /");
  return 0;
}

static int
write_sysctls (struct berth_mount_ctx *ctx, berth_error_t *err)
{
  size_t i;

  for (i = 0; i < ctx->spec->lx.n_sysctl; i++)
    {
      const struct berth_spec_kv *kv = &ctx->spec->lx.sysctl[i];
      cleanup_free char *rel = xasprintf ("/proc/sys/%s", kv->key);
      cleanup_close int fd = -1;
      char *p;

      for (p = rel + 10; *p; p++)
        if (*p == '.')
          *p = '/';
      fd = berth_open_in_root (ctx->rootfd, rel, O_WRONLY, BERTH_RESOLVE_NO_SYMLINKS, err);
      if (fd < 0)
        return berth_error_wrap (err, "linux.sysctl `%s`", kv->key);
      if (write (fd, kv->value, strlen (kv->value)) < 0)
        return berth_error_errno (err, errno, "linux.sysctl: set `%s` to `%s`", kv->key, kv->value);
    }
  return 0;
}

static int
mask_path (struct berth_mount_ctx *ctx, const char *path, berth_error_t *err)
{
  cleanup_close int fd = -1;
  cleanup_close int tree = -1;
  struct stat st;
  char fdpath[64];

  fd = berth_open_in_root (ctx->rootfd, path, O_PATH | O_NOFOLLOW, BERTH_RESOLVE_NO_SYMLINKS, err);
  if (fd < 0)
    {
      if (berth_error_code (err) == ENOENT)
        {
          berth_error_release (err);
          return 0;
        }
      return berth_error_ret (err);
    }
  if (fstat (fd, &st) < 0)
    return berth_error_errno (err, errno, "stat `%s`", path);
  if (S_ISDIR (st.st_mode))
    {
      if (mount ("tmpfs", berth_fd_path (fd, fdpath, sizeof (fdpath)), "tmpfs", MS_RDONLY, "size=0k,mode=0555") < 0)
        return berth_error_errno (err, errno, "mask `%s`", path);
      return 0;
    }
  {
    /* bind our own /dev/null, checked to really be 1:3 (CVE-2025-31133) */
    cleanup_close int null = berth_open_in_root (ctx->rootfd, "/dev/null", O_PATH | O_NOFOLLOW,
                                                 BERTH_RESOLVE_NO_SYMLINKS, err);
    struct stat ns;
    if (null < 0)
      return berth_error_wrap (err, "mask `%s`", path);
    if (fstat (null, &ns) < 0 || !S_ISCHR (ns.st_mode) || ns.st_rdev != makedev (1, 3))
      return berth_error_make (err, EPERM, "mask `%s`: /dev/null is not the null device", path);
    tree = open_tree (null, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
    if (tree < 0)
      return berth_error_errno (err, errno, "mask `%s`", path);
  }
  if (move_mount (tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return berth_error_errno (err, errno, "mask `%s`", path);
  return 0;
}

static int
readonly_path (struct berth_mount_ctx *ctx, const char *path, berth_error_t *err)
{
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV
                                         | MOUNT_ATTR_NOEXEC };
  cleanup_close int fd = -1;
  cleanup_close int tree = -1;

  fd = berth_open_in_root (ctx->rootfd, path, O_PATH | O_NOFOLLOW, BERTH_RESOLVE_NO_SYMLINKS, err);
  if (fd < 0)
    {
      if (berth_error_code (err) == ENOENT)
        {
          berth_error_release (err);
          return 0;
        }
      return berth_error_ret (err);
    }
  tree = open_tree (fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
  if (tree < 0)
    return berth_error_errno (err, errno, "read-only `%s`", path);
  if (mount_setattr (tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof (attr)) < 0)
    return berth_error_errno (err, errno, "read-only `%s`", path);
  if (move_mount (tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return berth_error_errno (err, errno, "read-only `%s`", path);
  return 0;
}

int
berth_rootfs_finalize (struct berth_mount_ctx *ctx, berth_error_t *err)
{
  const struct berth_spec *spec = ctx->spec;
  size_t i;

  if (write_sysctls (ctx, err) < 0)
    return berth_error_ret (err);
  for (i = 0; spec->lx.masked_paths[i]; i++)
    if (mask_path (ctx, spec->lx.masked_paths[i], err) < 0)
      return berth_error_wrap (err, "linux.maskedPaths[%zu]", i);
  for (i = 0; spec->lx.readonly_paths[i]; i++)
    if (readonly_path (ctx, spec->lx.readonly_paths[i], err) < 0)
      return berth_error_wrap (err, "linux.readonlyPaths[%zu]", i);
  if (spec->lx.rootfs_propagation && mount (NULL, "/", NULL, spec->lx.rootfs_propagation, NULL) < 0)
    return berth_error_errno (err, errno, "linux.rootfsPropagation");
  if (spec->root_readonly)
    {
      struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
      if (mount_setattr (AT_FDCWD, "/", 0, &attr, sizeof (attr)) < 0)
        return berth_error_errno (err, errno, "make the root read-only");
    }
  return 0;
}
