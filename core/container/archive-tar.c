#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "core/container/archive-tar.h"
#include "core/lib/mem.h"
#include "core/lib/pseudo-fs.h"

#define BUF_SIZE (128 * 1024)
#define CAP_XATTR "security.capability"

/* first path of each multiply-linked inode: an open-addressing table */
struct link_slot
{
  dev_t dev;
  ino_t ino;
  char *path; /* NULL: free slot */
};

struct tar_ctx
{
  struct archive *a;
  int out_fd;
  uint64_t written;
  unsigned flags;
  berth_error_t cb_err;
  struct link_slot *links;
  size_t links_cap, links_n;
  char *buf;
};

static la_ssize_t
out_write (struct archive *a, void *ud, const void *buf, size_t len)
{
  struct tar_ctx *c = ud;
  const char *p = buf;
  size_t left = len;

  while (left > 0)
    {
      ssize_t n = write (c->out_fd, p, left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          berth_error_errno (&c->cb_err, errno, "write the tar stream");
          archive_set_error (a, errno, "write");
          return -1;
        }
      p += n;
      left -= (size_t)n;
    }
  c->written += len;
  return (la_ssize_t)len;
}

static int
tar_fail (struct tar_ctx *c, const char *what, berth_error_t *err)
{
  if (c->cb_err)
    {
      int r = berth_error_make (err, berth_error_code (&c->cb_err), "%s", berth_error_msg (&c->cb_err));
      berth_error_release (&c->cb_err);
      return r;
    }
  return berth_error_make (err, EIO, "%s: %s", what,
                           archive_error_string (c->a) ? archive_error_string (c->a) : "tar writer failed");
}

/* ---- hard links ---- */

static size_t
link_hash (dev_t dev, ino_t ino, size_t cap)
{
  uint64_t h = (uint64_t)ino * 0x9E3779B97F4A7C15ull ^ (uint64_t)dev;
  return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

static struct link_slot *
link_find (struct tar_ctx *c, dev_t dev, ino_t ino)
{
  size_t i;

  if (c->links_cap == 0)
    return NULL;
  for (i = link_hash (dev, ino, c->links_cap); c->links[i].path != NULL; i = (i + 1) & (c->links_cap - 1))
    if (c->links[i].dev == dev && c->links[i].ino == ino)
      return &c->links[i];
  return NULL;
}

static void
link_add (struct tar_ctx *c, dev_t dev, ino_t ino, const char *path)
{
  size_t i;

  if (2 * (c->links_n + 1) > c->links_cap)
    {
      struct link_slot *old = c->links;
      size_t old_cap = c->links_cap;
      c->links_cap = old_cap ? old_cap * 2 : 64;
      c->links = xmalloc0 (c->links_cap * sizeof (*c->links));
      for (i = 0; i < old_cap; i++)
        if (old[i].path != NULL)
          {
            size_t j = link_hash (old[i].dev, old[i].ino, c->links_cap);
            while (c->links[j].path != NULL)
              j = (j + 1) & (c->links_cap - 1);
            c->links[j] = old[i];
          }
      free (old);
    }
  for (i = link_hash (dev, ino, c->links_cap); c->links[i].path != NULL; i = (i + 1) & (c->links_cap - 1))
    ;
  c->links[i].dev = dev;
  c->links[i].ino = ino;
  c->links[i].path = xstrdup (path);
  c->links_n++;
}

/* ---- entries ---- */

static void
set_common (struct tar_ctx *c, struct archive_entry *e, const char *rel, const struct stat *st)
{
  archive_entry_set_pathname (e, rel);
  archive_entry_set_mode (e, st->st_mode);
  if (c->flags & ARCHIVE_TAR_ROOT_OWNER)
    {
      archive_entry_set_uid (e, 0);
      archive_entry_set_gid (e, 0);
    }
  else
    {
      archive_entry_set_uid (e, st->st_uid);
      archive_entry_set_gid (e, st->st_gid);
    }
  archive_entry_set_mtime (e, st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
}

static int
write_header (struct tar_ctx *c, struct archive_entry *e, const char *rel, berth_error_t *err)
{
  if (archive_write_header (c->a, e) < ARCHIVE_WARN)
    return tar_fail (c, rel, err);
  return 0;
}

static int
copy_data (struct tar_ctx *c, int fd, off_t size, const char *rel, berth_error_t *err)
{
  off_t left = size;

  /* a file that shrinks meanwhile is padded with zeros by the writer; one
     that grows is cut at the size in its header */
  while (left > 0)
    {
      ssize_t n = read (fd, c->buf, left < BUF_SIZE ? (size_t)left : BUF_SIZE);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return berth_error_errno (err, errno, "read `%s`", rel);
      if (n == 0)
        break;
      if (archive_write_data (c->a, c->buf, (size_t)n) != n)
        return tar_fail (c, rel, err);
      left -= n;
    }
  return 0;
}

static int
emit_regular (struct tar_ctx *c, int parent_fd, const char *name, const char *rel, const struct stat *lst,
              berth_error_t *err)
{
  cleanup_close int fd = -1;
  struct archive_entry *e;
  struct link_slot *seen;
  struct stat st;
  char cap[256];
  ssize_t cap_len;
  int r;

  if (lst->st_nlink > 1 && (seen = link_find (c, lst->st_dev, lst->st_ino)) != NULL)
    {
      e = archive_entry_new ();
      set_common (c, e, rel, lst);
      archive_entry_set_hardlink (e, seen->path);
      archive_entry_set_size (e, 0);
      r = write_header (c, e, rel, err);
      archive_entry_free (e);
      return r;
    }
  /* O_NONBLOCK: if the name became a fifo since the lstat, do not hang on it */
  fd = openat (parent_fd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return berth_error_errno (err, errno, "open `%s`", rel);
  if (fstat (fd, &st) < 0)
    return berth_error_errno (err, errno, "stat `%s`", rel);
  if (!S_ISREG (st.st_mode) || st.st_ino != lst->st_ino || st.st_dev != lst->st_dev)
    return berth_error_make (err, EAGAIN, "`%s` changed while being archived", rel);
  e = archive_entry_new ();
  set_common (c, e, rel, &st);
  archive_entry_set_size (e, st.st_size);
  cap_len = fgetxattr (fd, CAP_XATTR, cap, sizeof (cap));
  if (cap_len > 0)
    archive_entry_xattr_add_entry (e, CAP_XATTR, cap, (size_t)cap_len);
  r = write_header (c, e, rel, err);
  archive_entry_free (e);
  if (r < 0 || copy_data (c, fd, st.st_size, rel, err) < 0)
    return berth_error_ret (err);
  if (st.st_nlink > 1)
    link_add (c, st.st_dev, st.st_ino, rel);
  return 0;
}

static int emit (struct tar_ctx *c, int parent_fd, const char *name, const char *rel, dev_t parent_dev,
                 berth_error_t *err);

static int
emit_dir (struct tar_ctx *c, int parent_fd, const char *name, const char *rel, const struct stat *st, dev_t parent_dev,
          berth_error_t *err)
{
  struct archive_entry *e = archive_entry_new ();
  int fd, r;
  DIR *d;
  struct dirent *de;

  set_common (c, e, rel, st);
  r = write_header (c, e, rel, err);
  archive_entry_free (e);
  if (r < 0)
    return r;
  fd = openat (parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return berth_error_errno (err, errno, "open `%s`", rel);
  /* a mount point: kernel filesystems are shown as empty directories */
  if ((c->flags & ARCHIVE_TAR_SKIP_PSEUDO_FS) && st->st_dev != parent_dev && berth_fd_on_pseudo_fs (fd))
    {
      close (fd);
      return 0;
    }
  d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return berth_error_errno (err, errno, "open `%s`", rel);
    }
  r = 0;
  while (r == 0)
    {
      cleanup_free char *child = NULL;
      errno = 0;
      de = readdir (d);
      if (de == NULL)
        {
          if (errno != 0)
            r = berth_error_errno (err, errno, "read directory `%s`", rel);
          break;
        }
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      child = strcmp (rel, "/") == 0 ? xasprintf ("/%s", de->d_name) : xasprintf ("%s/%s", rel, de->d_name);
      r = emit (c, dirfd (d), de->d_name, child, st->st_dev, err);
    }
  closedir (d);
  return r;
}

static int
emit (struct tar_ctx *c, int parent_fd, const char *name, const char *rel, dev_t parent_dev, berth_error_t *err)
{
  struct archive_entry *e;
  struct stat st;
  int r;

  if (fstatat (parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      if (errno == ENOENT)
        return 0; /* removed meanwhile */
      return berth_error_errno (err, errno, "stat `%s`", rel);
    }
  if (S_ISDIR (st.st_mode))
    return emit_dir (c, parent_fd, name, rel, &st, parent_dev, err);
  if (S_ISREG (st.st_mode))
    {
      /* a file bind-mounted from a kernel filesystem */
      if ((c->flags & ARCHIVE_TAR_SKIP_PSEUDO_FS) && st.st_dev != parent_dev)
        {
          cleanup_close int pfd = openat (parent_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
          if (pfd < 0 || berth_fd_on_pseudo_fs (pfd))
            return 0;
        }
      return emit_regular (c, parent_fd, name, rel, &st, err);
    }
  if (S_ISSOCK (st.st_mode))
    return 0;
  e = archive_entry_new ();
  set_common (c, e, rel, &st);
  if (S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode))
    archive_entry_set_rdev (e, st.st_rdev);
  if (S_ISLNK (st.st_mode))
    {
      char target[PATH_MAX];
      ssize_t n = readlinkat (parent_fd, name, target, sizeof (target) - 1);
      if (n < 0)
        {
          archive_entry_free (e);
          return berth_error_errno (err, errno, "read link `%s`", rel);
        }
      target[n] = '\0';
      archive_entry_set_symlink (e, target);
    }
  r = write_header (c, e, rel, err);
  archive_entry_free (e);
  return r;
}

int
archive_tar_write (int dir_fd, const char *name, const char *as, unsigned flags, int out_fd, uint64_t *ret_bytes,
                   berth_error_t *err)
{
  struct tar_ctx c = { .out_fd = out_fd, .flags = flags };
  struct stat top;
  int r = -1;

  if (fstatat (dir_fd, name, &top, AT_SYMLINK_NOFOLLOW) < 0)
    return berth_error_errno (err, errno, "stat `%s`", as);
  if ((flags & ARCHIVE_TAR_SKIP_PSEUDO_FS) && !S_ISDIR (top.st_mode))
    {
      cleanup_close int pfd = openat (dir_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (pfd < 0)
        return berth_error_errno (err, errno, "open `%s`", as);
      if (berth_fd_on_pseudo_fs (pfd))
        return berth_error_make (err, EINVAL,
                                 "`%s` is on a kernel filesystem (proc, sysfs, cgroup, ...) and cannot be copied", as);
    }
  c.buf = xmalloc (BUF_SIZE);
  c.a = archive_write_new ();
  if (c.a == NULL)
    oom ();
  archive_write_set_format_pax_restricted (c.a);
  /* end with the two zero blocks, no padding to a 10 KiB record */
  archive_write_set_bytes_per_block (c.a, 512);
  archive_write_set_bytes_in_last_block (c.a, 1);
  if (archive_write_open (c.a, &c, NULL, out_write, NULL) != ARCHIVE_OK)
    {
      r = tar_fail (&c, "open the tar writer", err);
      goto out;
    }
  /* the top's own device stands for its parent: a top directory on a
     kernel filesystem is still archived empty */
  r = emit (&c, dir_fd, name, as, (flags & ARCHIVE_TAR_SKIP_PSEUDO_FS) ? (dev_t)-1 : top.st_dev, err);
  if (r == 0 && archive_write_close (c.a) != ARCHIVE_OK)
    r = tar_fail (&c, "finish the tar", err);
out:
  if (ret_bytes != NULL)
    *ret_bytes = c.written;
  archive_write_free (c.a);
  berth_error_release (&c.cb_err);
  for (size_t i = 0; i < c.links_cap; i++)
    free (c.links[i].path);
  free (c.links);
  free (c.buf);
  return r;
}
