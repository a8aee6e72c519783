/* Exact tree copy and disk usage for the vfs storage driver.  Nothing here
   follows a symlink: every lookup is relative to a directory fd with
   O_NOFOLLOW / AT_SYMLINK_NOFOLLOW, so a layer cannot make us touch files
   outside it. */
#include "config.h"

#include "vfs-tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Inodes seen with st_nlink > 1: (dev, ino) -> path of the first copy. */
struct inode_entry
{
  dev_t dev;
  ino_t ino;
  char *path; /* relative to the destination root; NULL for usage walks */
  bool used;
};

struct inode_set
{
  struct inode_entry *slots;
  size_t cap, n;
};

static size_t
inode_hash (dev_t dev, ino_t ino)
{
  uint64_t x = (uint64_t)ino * 0x9E3779B97F4A7C15ull ^ (uint64_t)dev;
  return (size_t)(x ^ (x >> 29));
}

static struct inode_entry *
inode_find (struct inode_set *s, dev_t dev, ino_t ino)
{
  if (s->cap == 0)
    return NULL;
  for (size_t i = inode_hash (dev, ino) & (s->cap - 1);; i = (i + 1) & (s->cap - 1))
    {
      struct inode_entry *e = &s->slots[i];
      if (!e->used)
        return NULL;
      if (e->dev == dev && e->ino == ino)
        return e;
    }
}

static int
inode_add (struct inode_set *s, dev_t dev, ino_t ino, char *path)
{
  if ((s->n + 1) * 2 > s->cap)
    {
      size_t ncap = s->cap ? s->cap * 2 : 64;
      struct inode_entry *old = s->slots;
      size_t ocap = s->cap;
      s->slots = calloc (ncap, sizeof (*s->slots));
      if (s->slots == NULL)
        {
          s->slots = old;
          return -ENOMEM;
        }
      s->cap = ncap;
      s->n = 0;
      for (size_t i = 0; i < ocap; i++)
        if (old[i].used)
          inode_add (s, old[i].dev, old[i].ino, old[i].path);
      free (old);
    }
  for (size_t i = inode_hash (dev, ino) & (s->cap - 1);; i = (i + 1) & (s->cap - 1))
    {
      struct inode_entry *e = &s->slots[i];
      if (!e->used)
        {
          e->used = true;
          e->dev = dev;
          e->ino = ino;
          e->path = path;
          s->n++;
          return 0;
        }
    }
}

static void
inode_set_free (struct inode_set *s)
{
  for (size_t i = 0; i < s->cap; i++)
    free (s->slots[i].path);
  free (s->slots);
}

struct copy
{
  const struct berth_host_api *h;
  struct berth_error **err;
  int dst_root;
  struct inode_set links;
};

static char *
join_rel (const char *rel, const char *name)
{
  char *p;
  if (rel == NULL)
    return strdup (name);
  if (asprintf (&p, "%s/%s", rel, name) < 0)
    return NULL;
  return p;
}

static int
fail (struct copy *cp, int errnum, const char *what, const char *rel)
{
  return cp->h->error_set (cp->err, errnum, "vfs: %s `%s`: %s", what, rel ? rel : ".", strerror (errnum));
}

/* Copy extended attributes.  With an fd pair the f* calls are used; for
   symlinks and special files (which must not be opened) the l* calls go
   through /proc/self/fd/<dir>/<name>, which does not follow the last component. */
static int
copy_xattrs (struct copy *cp, int sfd, const char *spath, int dfd, const char *dpath, const char *rel)
{
  char *names = NULL, *value = NULL;
  ssize_t len;
  int ret = 0;

  len = sfd >= 0 ? flistxattr (sfd, NULL, 0) : llistxattr (spath, NULL, 0);
  if (len < 0 && (errno == ENOTSUP || errno == ENOSYS))
    return 0;
  if (len < 0)
    return fail (cp, errno, "list xattrs of", rel);
  if (len == 0)
    return 0;
  names = malloc ((size_t)len);
  if (names == NULL)
    return fail (cp, ENOMEM, "list xattrs of", rel);
  len = sfd >= 0 ? flistxattr (sfd, names, (size_t)len) : llistxattr (spath, names, (size_t)len);
  if (len < 0)
    {
      ret = fail (cp, errno, "list xattrs of", rel);
      goto out;
    }
  for (char *n = names; n < names + len; n += strlen (n) + 1)
    {
      ssize_t vlen = sfd >= 0 ? fgetxattr (sfd, n, NULL, 0) : lgetxattr (spath, n, NULL, 0);
      char *v;
      int r;

      if (vlen < 0)
        {
          ret = fail (cp, errno, "read xattrs of", rel);
          goto out;
        }
      v = realloc (value, (size_t)vlen + 1);
      if (v == NULL)
        {
          ret = fail (cp, ENOMEM, "read xattrs of", rel);
          goto out;
        }
      value = v;
      vlen = sfd >= 0 ? fgetxattr (sfd, n, value, (size_t)vlen) : lgetxattr (spath, n, value, (size_t)vlen);
      if (vlen < 0)
        {
          ret = fail (cp, errno, "read xattrs of", rel);
          goto out;
        }
      r = dfd >= 0 ? fsetxattr (dfd, n, value, (size_t)vlen, 0) : lsetxattr (dpath, n, value, (size_t)vlen, 0);
      if (r < 0)
        {
          ret = cp->h->error_set (cp->err, errno, "vfs: set xattr %s on `%s`: %s", n, rel ? rel : ".",
                                  strerror (errno));
          goto out;
        }
    }
out:
  free (names);
  free (value);
  return ret;
}

/* Owner, then mode (chown clears setuid), then xattrs (chown clears
   security.capability), then times (everything before changes ctime only). */
static int
copy_meta_fd (struct copy *cp, int sfd, int dfd, const struct stat *st, const char *rel)
{
  struct timespec ts[2] = { st->st_atim, st->st_mtim };

  if (fchown (dfd, st->st_uid, st->st_gid) < 0)
    return fail (cp, errno, "chown", rel);
  if (fchmod (dfd, st->st_mode & 07777) < 0)
    return fail (cp, errno, "chmod", rel);
  if (copy_xattrs (cp, sfd, NULL, dfd, NULL, rel) < 0)
    return -1;
  if (futimens (dfd, ts) < 0)
    return fail (cp, errno, "set times of", rel);
  return 0;
}

static int
copy_meta_at (struct copy *cp, int sdir, int ddir, const char *name, const struct stat *st, const char *rel)
{
  struct timespec ts[2] = { st->st_atim, st->st_mtim };
  char spath[64 + NAME_MAX], dpath[64 + NAME_MAX];

  if (fchownat (ddir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
    return fail (cp, errno, "chown", rel);
  /* Symlink modes are meaningless (and cannot be changed) on Linux. */
  if (!S_ISLNK (st->st_mode) && fchmodat (ddir, name, st->st_mode & 07777, 0) < 0)
    return fail (cp, errno, "chmod", rel);
  snprintf (spath, sizeof (spath), "/proc/self/fd/%d/%s", sdir, name);
  snprintf (dpath, sizeof (dpath), "/proc/self/fd/%d/%s", ddir, name);
  if (copy_xattrs (cp, -1, spath, -1, dpath, rel) < 0)
    return -1;
  if (utimensat (ddir, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
    return fail (cp, errno, "set times of", rel);
  return 0;
}

static int
copy_data (struct copy *cp, int sfd, int dfd, const char *rel)
{
  char buf[65536];
  bool use_cfr = true;

  for (;;)
    {
      ssize_t n;
      if (use_cfr)
        {
          n = copy_file_range (sfd, NULL, dfd, NULL, 1 << 30, 0);
          if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP))
            {
              use_cfr = false;
              continue;
            }
        }
      else
        n = read (sfd, buf, sizeof (buf));
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return fail (cp, errno, "copy", rel);
      if (n == 0)
        return 0;
      if (!use_cfr)
        {
          for (ssize_t off = 0; off < n;)
            {
              ssize_t w = write (dfd, buf + off, (size_t)(n - off));
              if (w < 0 && errno == EINTR)
                continue;
              if (w < 0)
                return fail (cp, errno, "write", rel);
              off += w;
            }
        }
    }
}

static int copy_dir_contents (struct copy *cp, int sdir, int ddir, const char *rel);

static int
copy_regular (struct copy *cp, int sdir, int ddir, const char *name, const struct stat *st, const char *rel)
{
  int sfd, dfd, ret;

  sfd = openat (sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if (sfd < 0)
    return fail (cp, errno, "open", rel);
  dfd = openat (ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (dfd < 0)
    {
      ret = fail (cp, errno, "create", rel);
      close (sfd);
      return ret;
    }
  ret = copy_data (cp, sfd, dfd, rel);
  if (ret == 0)
    ret = copy_meta_fd (cp, sfd, dfd, st, rel);
  close (sfd);
  close (dfd);
  return ret;
}

static int
copy_directory (struct copy *cp, int sdir, int ddir, const char *name, const struct stat *st, const char *rel)
{
  int sfd, dfd, ret;

  if (mkdirat (ddir, name, 0700) < 0)
    return fail (cp, errno, "mkdir", rel);
  sfd = openat (sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (sfd < 0)
    return fail (cp, errno, "open", rel);
  dfd = openat (ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0)
    {
      ret = fail (cp, errno, "open", rel);
      close (sfd);
      return ret;
    }
  ret = copy_dir_contents (cp, sfd, dfd, rel);
  /* After the children: creating them changed the directory's mtime. */
  if (ret == 0)
    ret = copy_meta_fd (cp, sfd, dfd, st, rel);
  close (sfd);
  close (dfd);
  return ret;
}

static int
copy_symlink (struct copy *cp, int sdir, int ddir, const char *name, const struct stat *st, const char *rel)
{
  size_t cap = (size_t)st->st_size + 1;
  char *target;
  ssize_t n;
  int ret;

  if (cap < 2)
    cap = PATH_MAX;
  target = malloc (cap);
  if (target == NULL)
    return fail (cp, ENOMEM, "read link", rel);
  n = readlinkat (sdir, name, target, cap);
  if (n < 0 || (size_t)n >= cap)
    {
      ret = fail (cp, n < 0 ? errno : ENAMETOOLONG, "read link", rel);
      free (target);
      return ret;
    }
  target[n] = '\0';
  ret = symlinkat (target, ddir, name) < 0 ? fail (cp, errno, "symlink", rel) : 0;
  free (target);
  if (ret == 0)
    ret = copy_meta_at (cp, sdir, ddir, name, st, rel);
  return ret;
}

static int
copy_special (struct copy *cp, int sdir, int ddir, const char *name, const struct stat *st, const char *rel)
{
  if (mknodat (ddir, name, (st->st_mode & S_IFMT) | 0600, st->st_rdev) < 0)
    return fail (cp, errno, "mknod", rel);
  return copy_meta_at (cp, sdir, ddir, name, st, rel);
}

static int
copy_entry (struct copy *cp, int sdir, int ddir, const char *name, const char *rel)
{
  struct stat st;
  struct inode_entry *seen;
  int ret;

  if (fstatat (sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return fail (cp, errno, "stat", rel);
  if (!S_ISDIR (st.st_mode) && st.st_nlink > 1)
    {
      seen = inode_find (&cp->links, st.st_dev, st.st_ino);
      if (seen != NULL)
        {
          if (linkat (cp->dst_root, seen->path, ddir, name, 0) < 0)
            return fail (cp, errno, "link", rel);
          return 0;
        }
    }
  switch (st.st_mode & S_IFMT)
    {
    case S_IFREG:
      ret = copy_regular (cp, sdir, ddir, name, &st, rel);
      break;
    case S_IFDIR:
      ret = copy_directory (cp, sdir, ddir, name, &st, rel);
      break;
    case S_IFLNK:
      ret = copy_symlink (cp, sdir, ddir, name, &st, rel);
      break;
    case S_IFCHR:
    case S_IFBLK:
    case S_IFIFO:
    case S_IFSOCK:
      ret = copy_special (cp, sdir, ddir, name, &st, rel);
      break;
    default:
      return fail (cp, EINVAL, "unknown file type of", rel);
    }
  if (ret == 0 && !S_ISDIR (st.st_mode) && st.st_nlink > 1)
    {
      char *copy = strdup (rel);
      if (copy == NULL || inode_add (&cp->links, st.st_dev, st.st_ino, copy) < 0)
        {
          free (copy);
          return fail (cp, ENOMEM, "remember hard link", rel);
        }
    }
  return ret;
}

static int
copy_dir_contents (struct copy *cp, int sdir, int ddir, const char *rel)
{
  int fd = dup (sdir);
  DIR *d;
  struct dirent *de;
  int ret = 0;

  if (fd < 0)
    return fail (cp, errno, "dup", rel);
  d = fdopendir (fd);
  if (d == NULL)
    {
      ret = fail (cp, errno, "read directory", rel);
      close (fd);
      return ret;
    }
  while (ret == 0)
    {
      char *child;
      errno = 0;
      de = readdir (d);
      if (de == NULL)
        {
          if (errno != 0)
            ret = fail (cp, errno, "read directory", rel);
          break;
        }
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      child = join_rel (rel, de->d_name);
      if (child == NULL)
        {
          ret = fail (cp, ENOMEM, "copy", rel);
          break;
        }
      ret = copy_entry (cp, sdir, ddir, de->d_name, child);
      free (child);
    }
  closedir (d);
  return ret;
}

int
vfs_copy_tree (const struct berth_host_api *h, int src_dirfd, int dst_dirfd, struct berth_error **err)
{
  struct copy cp = { .h = h, .err = err, .dst_root = dst_dirfd };
  struct stat st;
  int ret;

  if (fstat (src_dirfd, &st) < 0)
    return h->error_set (err, errno, "vfs: stat the parent layer: %s", strerror (errno));
  ret = copy_dir_contents (&cp, src_dirfd, dst_dirfd, NULL);
  if (ret == 0)
    ret = copy_meta_fd (&cp, src_dirfd, dst_dirfd, &st, NULL);
  inode_set_free (&cp.links);
  return ret;
}

static int
usage_dir (const struct berth_host_api *h, int dirfd, struct inode_set *seen, int64_t *total, struct berth_error **err)
{
  int fd = dup (dirfd);
  DIR *d;
  struct dirent *de;
  int ret = 0;

  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      ret = h->error_set (err, errno, "vfs: read directory: %s", strerror (errno));
      if (fd >= 0)
        close (fd);
      return ret;
    }
  while (ret == 0 && (de = readdir (d)) != NULL)
    {
      struct stat st;
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (fstatat (dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        {
          ret = h->error_set (err, errno, "vfs: stat `%s`: %s", de->d_name, strerror (errno));
          break;
        }
      if (!S_ISDIR (st.st_mode) && st.st_nlink > 1)
        {
          if (inode_find (seen, st.st_dev, st.st_ino))
            continue;
          if (inode_add (seen, st.st_dev, st.st_ino, NULL) < 0)
            {
              ret = h->error_set (err, ENOMEM, "vfs: out of memory");
              break;
            }
        }
      *total += (int64_t)st.st_blocks * 512;
      if (S_ISDIR (st.st_mode))
        {
          int sub = openat (dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (sub < 0)
            {
              ret = h->error_set (err, errno, "vfs: open `%s`: %s", de->d_name, strerror (errno));
              break;
            }
          ret = usage_dir (h, sub, seen, total, err);
          close (sub);
        }
    }
  closedir (d);
  return ret;
}

int
vfs_tree_usage (const struct berth_host_api *h, int dirfd, int64_t *ret_bytes, struct berth_error **err)
{
  struct inode_set seen = { 0 };
  struct stat st;
  int64_t total = 0;
  int ret;

  if (fstat (dirfd, &st) < 0)
    return h->error_set (err, errno, "vfs: stat: %s", strerror (errno));
  total = (int64_t)st.st_blocks * 512;
  ret = usage_dir (h, dirfd, &seen, &total, err);
  inode_set_free (&seen);
  if (ret == 0)
    *ret_bytes = total;
  return ret;
}
