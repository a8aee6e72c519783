#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "core/lib/mem.h"
#include "core/volume/tree.h"

#define MAX_DEPTH 512

struct seen_inode
{
  dev_t dev;
  ino_t ino;
  char *path; /* relative to the destination root */
};

struct copy_ctx
{
  int dst_root;
  struct seen_inode *seen;
  size_t n_seen;
};

static int
copy_xattrs (int src, int dst, const char *what, berth_error_t *err)
{
  cleanup_free char *names = NULL;
  ssize_t len = flistxattr (src, NULL, 0);

  if (len <= 0)
    return 0; /* none, or a filesystem without them */
  names = xmalloc ((size_t) len);
  len = flistxattr (src, names, (size_t) len);
  for (ssize_t off = 0; len > 0 && off < len; off += (ssize_t) strlen (names + off) + 1)
    {
      const char *name = names + off;
      cleanup_free char *value = NULL;
      ssize_t vlen = fgetxattr (src, name, NULL, 0);
      if (vlen < 0)
        continue;
      value = xmalloc ((size_t) vlen + 1);
      vlen = fgetxattr (src, name, value, (size_t) vlen);
      if (vlen < 0)
        continue;
      if (fsetxattr (dst, name, value, (size_t) vlen, 0) < 0 && errno != ENOTSUP && errno != EPERM)
        return berth_error_errno (err, errno, "copy extended attribute %s of %s", name, what);
    }
  return 0;
}

/* owner, then mode (chown clears set-id bits), xattrs, times */
static int
copy_meta_fd (int src, int dst, const struct stat *st, const char *what, berth_error_t *err)
{
  struct timespec times[2] = { st->st_atim, st->st_mtim };

  if (fchown (dst, st->st_uid, st->st_gid) < 0)
    return berth_error_errno (err, errno, "chown %s", what);
  if (fchmod (dst, st->st_mode & 07777) < 0)
    return berth_error_errno (err, errno, "chmod %s", what);
  if (copy_xattrs (src, dst, what, err) < 0)
    return berth_error_ret (err);
  if (futimens (dst, times) < 0)
    return berth_error_errno (err, errno, "set the times of %s", what);
  return 0;
}

static int
copy_data (int src, int dst, const char *what, berth_error_t *err)
{
  char buf[65536];

  for (;;)
    {
      ssize_t n = copy_file_range (src, NULL, dst, NULL, 1 << 30, 0);
      if (n == 0)
        return 0;
      if (n > 0)
        continue;
      if (errno == EINTR)
        continue;
      if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
        return berth_error_errno (err, errno, "copy %s", what);
      break;
    }
  for (;;)
    {
      ssize_t n = read (src, buf, sizeof (buf));
      if (n == 0)
        return 0;
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return berth_error_errno (err, errno, "read %s", what);
      for (ssize_t off = 0; off < n;)
        {
          ssize_t w = write (dst, buf + off, (size_t) (n - off));
          if (w < 0 && errno == EINTR)
            continue;
          if (w < 0)
            return berth_error_errno (err, errno, "write %s", what);
          off += w;
        }
    }
}

static const char *
seen_path (struct copy_ctx *ctx, const struct stat *st)
{
  for (size_t i = 0; i < ctx->n_seen; i++)
    if (ctx->seen[i].dev == st->st_dev && ctx->seen[i].ino == st->st_ino)
      return ctx->seen[i].path;
  return NULL;
}

static void
remember (struct copy_ctx *ctx, const struct stat *st, const char *rel)
{
  ctx->seen = xrealloc (ctx->seen, (ctx->n_seen + 1) * sizeof (*ctx->seen));
  ctx->seen[ctx->n_seen].dev = st->st_dev;
  ctx->seen[ctx->n_seen].ino = st->st_ino;
  ctx->seen[ctx->n_seen].path = xstrdup (rel);
  ctx->n_seen++;
}

static int copy_dir (struct copy_ctx *ctx, int src, int dst, const char *rel, int depth, berth_error_t *err);

static int
copy_file (struct copy_ctx *ctx, int src_dir, int dst_dir, const char *name, const struct stat *st, const char *rel,
           berth_error_t *err)
{
  cleanup_close int in = -1, out = -1;
  const char *link = st->st_nlink > 1 ? seen_path (ctx, st) : NULL;

  if (link != NULL)
    {
      if (linkat (ctx->dst_root, link, dst_dir, name, 0) < 0)
        return berth_error_errno (err, errno, "link %s to %s", rel, link);
      return 0;
    }
  in = openat (src_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if (in < 0)
    return berth_error_errno (err, errno, "open %s", rel);
  out = openat (dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (out < 0)
    return berth_error_errno (err, errno, "create %s", rel);
  if (copy_data (in, out, rel, err) < 0 || copy_meta_fd (in, out, st, rel, err) < 0)
    return berth_error_ret (err);
  if (st->st_nlink > 1)
    remember (ctx, st, rel);
  return 0;
}

static int
copy_special (int src_dir, int dst_dir, const char *name, const struct stat *st, const char *rel, berth_error_t *err)
{
  struct timespec times[2] = { st->st_atim, st->st_mtim };

  if (S_ISLNK (st->st_mode))
    {
      char target[PATH_MAX + 1];
      ssize_t n = readlinkat (src_dir, name, target, sizeof (target) - 1);
      if (n < 0)
        return berth_error_errno (err, errno, "read link %s", rel);
      target[n] = '\0';
      if (symlinkat (target, dst_dir, name) < 0)
        return berth_error_errno (err, errno, "create link %s", rel);
    }
  else if (mknodat (dst_dir, name, st->st_mode & ~07777, st->st_rdev) < 0)
    return berth_error_errno (err, errno, "create %s", rel);
  if (fchownat (dst_dir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
    return berth_error_errno (err, errno, "chown %s", rel);
  if (!S_ISLNK (st->st_mode) && fchmodat (dst_dir, name, st->st_mode & 07777, AT_SYMLINK_NOFOLLOW) < 0)
    return berth_error_errno (err, errno, "chmod %s", rel);
  if (utimensat (dst_dir, name, times, AT_SYMLINK_NOFOLLOW) < 0)
    return berth_error_errno (err, errno, "set the times of %s", rel);
  return 0;
}

static int
copy_entry (struct copy_ctx *ctx, int src, int dst, const char *name, const char *rel, int depth, berth_error_t *err)
{
  struct stat st;

  if (fstatat (src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return berth_error_errno (err, errno, "stat %s", rel);
  if (S_ISDIR (st.st_mode))
    {
      cleanup_close int sub_src = -1, sub_dst = -1;
      if (mkdirat (dst, name, 0700) < 0)
        return berth_error_errno (err, errno, "create %s", rel);
      sub_src = openat (src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub_src < 0)
        return berth_error_errno (err, errno, "open %s", rel);
      sub_dst = openat (dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub_dst < 0)
        return berth_error_errno (err, errno, "open %s", rel);
      if (copy_dir (ctx, sub_src, sub_dst, rel, depth + 1, err) < 0)
        return berth_error_ret (err);
      return copy_meta_fd (sub_src, sub_dst, &st, rel, err);
    }
  if (S_ISREG (st.st_mode))
    return copy_file (ctx, src, dst, name, &st, rel, err);
  return copy_special (src, dst, name, &st, rel, err);
}

static int
copy_dir (struct copy_ctx *ctx, int src, int dst, const char *rel, int depth, berth_error_t *err)
{
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  int fd;

  if (depth > MAX_DEPTH)
    return berth_error_make (err, ELOOP, "%s: directories nested deeper than %d", rel, MAX_DEPTH);
  fd = openat (src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      int e = errno;
      if (fd >= 0)
        close (fd);
      return berth_error_errno (err, e, "read %s", rel[0] ? rel : "/");
    }
  while ((errno = 0, de = readdir (d)) != NULL)
    {
      cleanup_free char *sub = NULL;
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      sub = rel[0] ? xasprintf ("%s/%s", rel, de->d_name) : xstrdup (de->d_name);
      if (copy_entry (ctx, src, dst, de->d_name, sub, depth, err) < 0)
        return berth_error_ret (err);
    }
  if (errno != 0)
    return berth_error_errno (err, errno, "read %s", rel[0] ? rel : "/");
  return 0;
}

int
tree_copy (int src_fd, int dst_fd, berth_error_t *err)
{
  struct copy_ctx ctx = { .dst_root = dst_fd };
  struct stat st;
  int r;

  if (fstat (src_fd, &st) < 0)
    return berth_error_errno (err, errno, "stat the source directory");
  r = copy_dir (&ctx, src_fd, dst_fd, "", 0, err);
  if (r == 0)
    r = copy_meta_fd (src_fd, dst_fd, &st, "the volume", err);
  for (size_t i = 0; i < ctx.n_seen; i++)
    free (ctx.seen[i].path);
  free (ctx.seen);
  return r;
}

bool
tree_dir_empty (int fd)
{
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  int dup_fd = openat (fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (dup_fd < 0 || (d = fdopendir (dup_fd)) == NULL)
    {
      if (dup_fd >= 0)
        close (dup_fd);
      return false;
    }
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      return false;
  return true;
}

static __thread int64_t usage_total;

static int
add_usage (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void) path;
  (void) flag;
  (void) ftw;
  usage_total += (int64_t) st->st_blocks * 512;
  return 0;
}

int64_t
tree_disk_usage (const char *path)
{
  usage_total = 0;
  if (nftw (path, add_usage, 64, FTW_PHYS | FTW_MOUNT) < 0)
    return 0;
  return usage_total;
}
