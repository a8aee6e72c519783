#include "config.h"

#include "core/image/layer-apply.h"
#include "core/image/in-root.h"
#include "core/image/path-set.h"
#include "core/lib/pseudo-fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define BUF_SIZE (128 * 1024)
#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_META_PREFIX ".wh..wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"
#define OVERLAY_OPAQUE_XATTR "trusted.overlay.opaque"

struct dir_time
{
  char *path;
  struct timespec ts[2];
};

struct apply_ctx
{
  int root_fd;
  int in_fd;
  bool overlay;
  unsigned flags;
  uid_t uid, gid;    /* LAYER_APPLY_OWNER */
  char *rebase_from; /* cleaned; NULL = no rebase */
  char *rebase_to;
  uint64_t max_uncompressed;
  struct archive *outer;
  struct archive *inner;
  struct digest_ctx *cdigest;
  struct digest_ctx *udigest;
  bool hash;      /* digests wanted (neither PLAIN nor VERIFIED) */
  bool identity;  /* no compression: the compressed digest is the diff id */
  char *dir_path; /* the last parent directory resolved, and its fd: entries */
  int dir_fd;     /* come grouped by directory (see cached_dir) */
  bool direct;    /* an uncompressed tar in a regular file, read without the
                     decompression layer (see open_direct) */
  off_t in_base;  /* in_fd's offset where the tar starts */
  char *cbuf;
  char *ubuf;
  berth_error_t cb_err;       /* an error raised inside a libarchive callback */
  struct path_set *added;     /* entries written by this layer */
  struct path_set *ancestors; /* their parent directories */
  struct dir_time *dirs;
  size_t n_dirs, cap_dirs;
  uint64_t content_size;
  uint64_t entries;
  uint64_t in_bytes;  /* read from in_fd */
  uint64_t tar_bytes; /* uncompressed */
};

/* ---- reading: fd -> (compressed hash) -> decompress -> (uncompressed hash) -> tar ---- */

static la_ssize_t
outer_read (struct archive *a, void *ud, const void **buf)
{
  struct apply_ctx *c = ud;

  for (;;)
    {
      ssize_t n = read (c->in_fd, c->cbuf, BUF_SIZE);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          berth_error_errno (&c->cb_err, errno, "read layer stream");
          archive_set_error (a, errno, "read layer stream");
          return -1;
        }
      if (c->hash && !c->identity)
        digest_ctx_update (c->cdigest, c->cbuf, (size_t)n);
      c->in_bytes += (uint64_t)n;
      *buf = c->cbuf;
      return n;
    }
}

static la_ssize_t
inner_read (struct archive *a, void *ud, const void **buf)
{
  struct apply_ctx *c = ud;
  la_ssize_t n = archive_read_data (c->outer, c->ubuf, BUF_SIZE);

  if (n < 0)
    {
      berth_error_make (&c->cb_err, EINVAL, "decompress layer: %s", archive_error_string (c->outer));
      archive_set_error (a, EINVAL, "decompress layer");
      return -1;
    }
  if (c->max_uncompressed && c->tar_bytes + (uint64_t)n > c->max_uncompressed)
    {
      berth_error_make (&c->cb_err, EFBIG,
                        "layer is larger than the limit of %llu bytes uncompressed (decompression bomb?)",
                        (unsigned long long)c->max_uncompressed);
      archive_set_error (a, EFBIG, "size limit");
      return -1;
    }
  /* cp has no use for the digests, a verified layer has them: skip the hashing */
  if (c->hash)
    digest_ctx_update (c->udigest, c->ubuf, (size_t)n);
  c->tar_bytes += (uint64_t)n;
  *buf = c->ubuf;
  return n;
}

static int
archive_fail (struct apply_ctx *c, struct archive *a, const char *what, berth_error_t *err)
{
  if (c->cb_err)
    {
      int r = berth_error_make (err, berth_error_code (&c->cb_err), "%s", berth_error_msg (&c->cb_err));
      berth_error_release (&c->cb_err);
      return r;
    }
  return berth_error_make (err, EINVAL, "%s: %s", what,
                           archive_error_string (a) ? archive_error_string (a) : "unknown libarchive error");
}

static int
open_archives (struct apply_ctx *c, berth_error_t *err)
{
  struct archive_entry *raw;
  int r;

  c->outer = archive_read_new ();
  c->inner = archive_read_new ();
  if (c->outer == NULL || c->inner == NULL)
    oom ();
  /* only in-process decompressors: never a helper program (SECURITY.md design rule 5) */
  archive_read_support_filter_gzip (c->outer);
  archive_read_support_filter_zstd (c->outer);
  archive_read_support_filter_xz (c->outer);
  /* without libbz2 linked in, libarchive would run an external bzip2 */
  if (archive_bzlib_version () != NULL)
    archive_read_support_filter_bzip2 (c->outer);
  archive_read_support_format_raw (c->outer);
  r = archive_read_open (c->outer, c, NULL, outer_read, NULL);
  if (r == ARCHIVE_OK)
    r = archive_read_next_header (c->outer, &raw);
  if ((r == ARCHIVE_EOF || r < ARCHIVE_WARN) && c->cb_err == NULL && c->in_bytes == 0)
    return berth_error_make (err, EINVAL, "layer is empty (no data)");
  if (r == ARCHIVE_EOF)
    return berth_error_make (err, EINVAL, "layer is empty");
  if (r < ARCHIVE_WARN)
    return archive_fail (c, c->outer, "open layer", err);
  /* an uncompressed layer: one hash, not the same bytes twice */
  c->identity = archive_filter_code (c->outer, 0) == ARCHIVE_FILTER_NONE;
  archive_read_support_format_tar (c->inner);
  if (archive_read_open (c->inner, c, NULL, inner_read, NULL) != ARCHIVE_OK)
    return archive_fail (c, c->inner, "read layer tar", err);
  return 0;
}

/* ---- direct: an uncompressed layer tar in a regular file ---- */

static la_ssize_t
direct_read (struct archive *a, void *ud, const void **buf)
{
  struct apply_ctx *c = ud;

  for (;;)
    {
      ssize_t n = read (c->in_fd, c->cbuf, BUF_SIZE);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          berth_error_errno (&c->cb_err, errno, "read layer tar");
          archive_set_error (a, errno, "read layer tar");
          return -1;
        }
      c->in_bytes += (uint64_t)n;
      if (c->max_uncompressed && c->in_bytes > c->max_uncompressed)
        {
          berth_error_make (&c->cb_err, EFBIG,
                            "layer is larger than the limit of %llu bytes uncompressed (decompression bomb?)",
                            (unsigned long long)c->max_uncompressed);
          archive_set_error (a, EFBIG, "size limit");
          return -1;
        }
      if (c->hash)
        digest_ctx_update (c->udigest, c->cbuf, (size_t)n);
      c->tar_bytes = c->in_bytes;
      *buf = c->cbuf;
      return n;
    }
}

/* without hashing, file bodies are skipped over, never read (write_file_direct copies them) */
static la_int64_t
direct_skip (struct archive *a, void *ud, la_int64_t request)
{
  struct apply_ctx *c = ud;

  (void)a;
  if (request <= 0 || lseek (c->in_fd, (off_t)request, SEEK_CUR) < 0)
    return 0; /* libarchive then reads instead */
  c->in_bytes += (uint64_t)request;
  c->tar_bytes = c->in_bytes;
  return request;
}

static bool
compressed_magic (const unsigned char *p, size_t len)
{
  static const unsigned char gz[] = { 0x1f, 0x8b }, zst[] = { 0x28, 0xb5, 0x2f, 0xfd },
                             xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };

  return (len >= sizeof (gz) && memcmp (p, gz, sizeof (gz)) == 0)
         || (len >= sizeof (zst) && memcmp (p, zst, sizeof (zst)) == 0)
         || (len >= sizeof (xz) && memcmp (p, xz, sizeof (xz)) == 0) || (len >= 3 && memcmp (p, "BZh", 3) == 0);
}

/* 1 when the layer can be read directly: in_fd a regular file holding an
   uncompressed tar.  The tar is then parsed from the fd, with no
   decompression layer copying it in between, and hashed once (the diff id is
   the compressed digest).  With no hashing wanted (LAYER_APPLY_VERIFIED) each
   file's body is not even read: copy_file_range copies it from its offset in
   the tar, in the kernel. */
static int
open_direct (struct apply_ctx *c, berth_error_t *err)
{
  unsigned char head[8];
  struct stat st;
  ssize_t n;

  if (fstat (c->in_fd, &st) < 0 || !S_ISREG (st.st_mode))
    return 0;
  c->in_base = lseek (c->in_fd, 0, SEEK_CUR);
  if (c->in_base < 0)
    return 0;
  n = pread (c->in_fd, head, sizeof (head), c->in_base);
  if (n <= 0 || compressed_magic (head, (size_t)n))
    return 0;
  if (c->max_uncompressed && (uint64_t)(st.st_size - c->in_base) > c->max_uncompressed)
    return berth_error_make (err, EFBIG,
                             "layer is larger than the limit of %llu bytes uncompressed (decompression bomb?)",
                             (unsigned long long)c->max_uncompressed);
  c->inner = archive_read_new ();
  if (c->inner == NULL)
    oom ();
  archive_read_support_format_tar (c->inner);
  /* hashing needs every byte read, so no skipping then */
  if (archive_read_open2 (c->inner, c, NULL, direct_read, c->hash ? NULL : direct_skip, NULL) != ARCHIVE_OK)
    return archive_fail (c, c->inner, "read layer tar", err);
  c->direct = true;
  c->identity = true;
  return 1;
}

/* ---- paths ---- */

/* "./a//b/" -> "a/b"; "/abs" -> "abs"; ".." anywhere is refused */
static int
clean_path (const char *name, char **ret, berth_error_t *err)
{
  cleanup_free char *copy = xstrdup (name);
  cleanup_free char *out = xmalloc (strlen (name) + 1);
  char *save = NULL, *comp;
  size_t len = 0;

  if (strlen (name) >= PATH_MAX)
    return berth_error_make (err, ENAMETOOLONG, "path is longer than %d bytes", PATH_MAX);
  for (comp = strtok_r (copy, "/", &save); comp; comp = strtok_r (NULL, "/", &save))
    {
      if (strcmp (comp, ".") == 0)
        continue;
      if (strcmp (comp, "..") == 0)
        return berth_error_make (err, EPERM, "path has a `..` component (escapes the layer)");
      if (strlen (comp) > NAME_MAX)
        return berth_error_make (err, ENAMETOOLONG, "path component is longer than %d bytes", NAME_MAX);
      if (len)
        out[len++] = '/';
      memcpy (out + len, comp, strlen (comp));
      len += strlen (comp);
    }
  out[len] = '\0';
  *ret = steal_pointer (&out);
  return 0;
}

/* "a/b/c" -> dir "a/b", base "c"; "c" -> dir "", base "c" */
static void
split_path (const char *path, char **ret_dir, char **ret_base)
{
  const char *slash = strrchr (path, '/');

  if (slash == NULL)
    {
      *ret_dir = xstrdup ("");
      *ret_base = xstrdup (path);
      return;
    }
  *ret_dir = xstrndup (path, (size_t)(slash - path));
  *ret_base = xstrdup (slash + 1);
}

static char *
join_path (const char *dir, const char *base)
{
  return *dir ? xasprintf ("%s/%s", dir, base) : xstrdup (base);
}

/* opts->rebase_from/rebase_to on a cleaned path */
static void
rebase_path (struct apply_ctx *c, char **path)
{
  const char *from = c->rebase_from;
  size_t n;
  char *out;

  if (from == NULL)
    return;
  n = strlen (from);
  if (n == 0)
    out = **path ? join_path (c->rebase_to, *path) : xstrdup (c->rebase_to);
  else if (strncmp (*path, from, n) == 0 && ((*path)[n] == '\0' || (*path)[n] == '/'))
    out = *c->rebase_to ? xasprintf ("%s%s", c->rebase_to, *path + n) : xstrdup (*path + n + ((*path)[n] == '/'));
  else
    return;
  free (*path);
  *path = out;
}

static void
mark_added (struct apply_ctx *c, const char *path)
{
  cleanup_free char *p = xstrdup (path);
  char *slash;

  path_set_add (c->added, path);
  while ((slash = strrchr (p, '/')) != NULL)
    {
      *slash = '\0';
      if (!path_set_add (c->ancestors, p))
        break;
    }
}

/* ---- parent directories ---- */

static void
forget_dir (struct apply_ctx *c)
{
  free (c->dir_path);
  c->dir_path = NULL;
  if (c->dir_fd >= 0)
    close (c->dir_fd);
  c->dir_fd = -1;
}

/* The fd of dir (resolved in the root, created when missing), borrowed:
   valid until the next call or forget_dir.  Entries of one directory come
   together in a tar, so the last resolution is kept; it stays right until
   something that exists is removed or replaced (only that can change what a
   path resolves to), and every removal drops it (remove_at). */
static int
cached_dir (struct apply_ctx *c, const char *dir, berth_error_t *err)
{
  int fd;

  if (c->dir_path != NULL && strcmp (c->dir_path, dir) == 0)
    return c->dir_fd;
  forget_dir (c);
  fd = in_root_open_dir (c->root_fd, dir, true, 0755, err);
  if (fd < 0)
    return fd;
  c->dir_path = xstrdup (dir);
  c->dir_fd = fd;
  return fd;
}

/* in_root_remove_at, and the cached resolution is no longer trusted (its fd
   stays open until the next cached_dir: dfd may be it, and the directory
   itself is still there) */
static int
remove_at (struct apply_ctx *c, int dfd, const char *name, berth_error_t *err)
{
  free (c->dir_path);
  c->dir_path = NULL;
  return in_root_remove_at (dfd, name, err);
}

/* ---- whiteouts ---- */

static int
apply_whiteout (struct apply_ctx *c, const char *dir, const char *name, struct archive_entry *e, berth_error_t *err)
{
  cleanup_free char *path = join_path (dir, name);
  cleanup_close int dfd = -1;

  if (*name == '\0' || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return berth_error_make (err, EPERM, "whiteout of `%s` is not allowed", *name ? name : "(empty name)");
  /* whiteouts only hide lower layers, never this layer's own entries */
  if (path_set_has (c->added, path) || path_set_has (c->ancestors, path))
    return 0;
  if (!c->overlay)
    {
      berth_error_t lerr = NULL;
      dfd = in_root_open_dir (c->root_fd, dir, false, 0, &lerr);
      if (dfd < 0)
        {
          int code = berth_error_code (&lerr);
          if (code == ENOENT || code == ENOTDIR)
            {
              berth_error_release (&lerr);
              return 0; /* nothing there to hide */
            }
          berth_error_make (err, code, "%s", berth_error_msg (&lerr));
          berth_error_release (&lerr);
          return berth_error_ret (err);
        }
      return remove_at (c, dfd, name, err);
    }
  dfd = in_root_open_dir (c->root_fd, dir, true, 0755, err);
  if (dfd < 0)
    return berth_error_ret (err);
  if (remove_at (c, dfd, name, err) < 0)
    return berth_error_ret (err);
  if (mknodat (dfd, name, S_IFCHR | 0, makedev (0, 0)) < 0)
    return berth_error_errno (err, errno, "create overlay whiteout");
  if (fchownat (dfd, name, (uid_t)archive_entry_uid (e), (gid_t)archive_entry_gid (e), AT_SYMLINK_NOFOLLOW) < 0)
    return berth_error_errno (err, errno, "chown overlay whiteout");
  return 0;
}

/* Flatten mode: drop what lower layers put below dir, keeping this layer's
   own entries (the opaque marker may come after them in the tar). */
static int
clear_opaque (struct apply_ctx *c, int dfd, const char *dir, berth_error_t *err)
{
  cleanup_close int rfd = openat (dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d;
  struct dirent *de;
  int r = 0;

  if (rfd < 0)
    return berth_error_errno (err, errno, "open `%s`", *dir ? dir : "/");
  d = fdopendir (rfd);
  if (d == NULL)
    return berth_error_errno (err, errno, "open `%s`", *dir ? dir : "/");
  rfd = -1;
  while (r == 0 && (de = readdir (d)) != NULL)
    {
      cleanup_free char *child = NULL;
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      child = join_path (dir, de->d_name);
      if (path_set_has (c->added, child) || path_set_has (c->ancestors, child))
        {
          struct stat st;
          cleanup_close int cfd = -1;
          if (fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR (st.st_mode))
            continue;
          cfd = openat (dirfd (d), de->d_name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (cfd < 0)
            r = berth_error_errno (err, errno, "open `%s`", child);
          else
            r = clear_opaque (c, cfd, child, err);
          continue;
        }
      r = remove_at (c, dirfd (d), de->d_name, err);
    }
  closedir (d);
  return r;
}

static int
apply_opaque (struct apply_ctx *c, const char *dir, berth_error_t *err)
{
  cleanup_close int dfd = in_root_open_dir (c->root_fd, dir, true, 0755, err);
  cleanup_close int rfd = -1;

  if (dfd < 0)
    return berth_error_ret (err);
  if (!c->overlay)
    return clear_opaque (c, dfd, dir, err);
  rfd = openat (dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rfd < 0)
    return berth_error_errno (err, errno, "open opaque directory");
  if (fsetxattr (rfd, OVERLAY_OPAQUE_XATTR, "y", 1, 0) < 0)
    return berth_error_errno (err, errno, "set %s", OVERLAY_OPAQUE_XATTR);
  return 0;
}

/* ---- metadata ---- */

static bool
xattr_allowed (const char *name)
{
  /* overlayfs interprets these: a layer must not forge redirects, metacopy
     or opaque markers of its own */
  return strncmp (name, "trusted.overlay.", 16) != 0 && strncmp (name, "user.overlay.", 13) != 0;
}

static int
set_xattrs (struct apply_ctx *c, struct archive_entry *e, int fd, int dfd, const char *base, berth_error_t *err)
{
  const char *name;
  const void *value;
  size_t size;

  archive_entry_xattr_reset (e);
  while (archive_entry_xattr_next (e, &name, &value, &size) == ARCHIVE_OK)
    {
      int r;
      if (!xattr_allowed (name))
        {
          log_debug ("layer: skipping xattr %s", name);
          continue;
        }
      if (fd >= 0)
        r = fsetxattr (fd, name, value, size, 0);
      else
        {
          /* no fd for devices, fifos or symlinks: go through the parent's
             fd (already resolved in the root), never following base */
          cleanup_free char *p = xasprintf ("/proc/self/fd/%d/%s", dfd, base);
          r = lsetxattr (p, name, value, size, 0);
        }
      if (r < 0)
        {
          /* cp, as moby's Untar: what this filesystem or user cannot set is skipped */
          if (errno == ENOTSUP || (errno == EPERM && (c->flags & LAYER_APPLY_PLAIN))
              || (errno == EPERM && strncmp (name, "security.", 9) == 0 && strcmp (name, "security.capability") != 0))
            {
              log_debug ("layer: xattr %s not supported here, skipped", name);
              continue;
            }
          return berth_error_errno (err, errno, "set xattr %s", name);
        }
    }
  return 0;
}

static void
entry_times (struct archive_entry *e, struct timespec ts[2])
{
  ts[1].tv_sec = archive_entry_mtime (e);
  ts[1].tv_nsec = archive_entry_mtime_nsec (e);
  if (archive_entry_atime_is_set (e))
    {
      ts[0].tv_sec = archive_entry_atime (e);
      ts[0].tv_nsec = archive_entry_atime_nsec (e);
    }
  else
    ts[0] = ts[1];
}

static int
entry_owner (struct apply_ctx *c, struct archive_entry *e, uid_t *uid, gid_t *gid, berth_error_t *err)
{
  la_int64_t u = archive_entry_uid (e), g = archive_entry_gid (e);

  if (c->flags & LAYER_APPLY_OWNER)
    {
      *uid = c->uid;
      *gid = c->gid;
      return 0;
    }

  /* (uid_t) -1 would mean "leave unchanged" to chown */
  if (u < 0 || u >= (la_int64_t)UINT32_MAX || g < 0 || g >= (la_int64_t)UINT32_MAX)
    return berth_error_make (err, EINVAL, "invalid owner %lld:%lld", (long long)u, (long long)g);
  *uid = (uid_t)u;
  *gid = (gid_t)g;
  return 0;
}

/* chown before chmod (chown clears setuid) and before xattrs (it clears
   security.capability); times last. */
static int
set_metadata_fd (struct apply_ctx *c, struct archive_entry *e, int fd, berth_error_t *err)
{
  struct timespec ts[2];
  uid_t uid;
  gid_t gid;

  if (entry_owner (c, e, &uid, &gid, err) < 0)
    return berth_error_ret (err);
  if (!(c->flags & LAYER_APPLY_NO_CHOWN) && fchown (fd, uid, gid) < 0)
    return berth_error_errno (err, errno, "chown");
  if (fchmod (fd, archive_entry_perm (e) & 07777) < 0)
    return berth_error_errno (err, errno, "chmod");
  if (set_xattrs (c, e, fd, -1, NULL, err) < 0)
    return berth_error_ret (err);
  entry_times (e, ts);
  if (futimens (fd, ts) < 0)
    return berth_error_errno (err, errno, "set times");
  return 0;
}

static int
set_metadata_at (struct apply_ctx *c, struct archive_entry *e, int dfd, const char *base, bool is_symlink,
                 berth_error_t *err)
{
  struct timespec ts[2];
  uid_t uid;
  gid_t gid;

  if (entry_owner (c, e, &uid, &gid, err) < 0)
    return berth_error_ret (err);
  if (!(c->flags & LAYER_APPLY_NO_CHOWN) && fchownat (dfd, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
    return berth_error_errno (err, errno, "chown");
  /* glibc's fchmodat with AT_SYMLINK_NOFOLLOW refuses symlinks (their mode
     is meaningless) instead of following them */
  if (!is_symlink && fchmodat (dfd, base, archive_entry_perm (e) & 07777, AT_SYMLINK_NOFOLLOW) < 0)
    return berth_error_errno (err, errno, "chmod");
  if (set_xattrs (c, e, -1, dfd, base, err) < 0)
    return berth_error_ret (err);
  entry_times (e, ts);
  if (utimensat (dfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
    return berth_error_errno (err, errno, "set times");
  return 0;
}

/* ---- entries ---- */

static int
write_file_data (struct apply_ctx *c, struct archive_entry *e, int fd, berth_error_t *err)
{
  const void *buf;
  size_t size;
  la_int64_t offset, total = archive_entry_size (e), end = 0;
  int r;

  while ((r = archive_read_data_block (c->inner, &buf, &size, &offset)) == ARCHIVE_OK)
    {
      const char *p = buf;
      while (size > 0)
        {
          ssize_t n = pwrite (fd, p, size, offset);
          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            return berth_error_errno (err, errno, "write");
          p += n;
          size -= (size_t)n;
          offset += n;
        }
      if (offset > end)
        end = offset;
    }
  if (r != ARCHIVE_EOF)
    return archive_fail (c, c->inner, "read file data", err);
  /* sparse files: holes at the end are not data blocks */
  if (total > end && ftruncate (fd, total) < 0)
    return berth_error_errno (err, errno, "truncate");
  c->content_size += (uint64_t)(total > 0 ? total : 0);
  return 0;
}

/* direct mode: the body of a plain (not sparse) entry lies in in_fd right
   after its header */
static int
write_file_direct (struct apply_ctx *c, struct archive_entry *e, int fd, berth_error_t *err)
{
  la_int64_t total = archive_entry_size (e);
  loff_t off = (loff_t)c->in_base + (loff_t)archive_filter_bytes (c->inner, 0);
  uint64_t left = total > 0 ? (uint64_t)total : 0;
  bool fallback = false;

  while (left > 0)
    {
      ssize_t n = -1;
      if (!fallback)
        {
          n = copy_file_range (c->in_fd, &off, fd, NULL, left, 0);
          if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP))
            {
              fallback = true;
              continue;
            }
        }
      else
        {
          char *buf = c->ubuf;
          ssize_t m = pread (c->in_fd, buf, left < BUF_SIZE ? (size_t)left : BUF_SIZE, off);
          n = m;
          if (m > 0)
            {
              const char *p = buf;
              ssize_t done = 0;
              while (done < m)
                {
                  ssize_t w = write (fd, p + done, (size_t)(m - done));
                  if (w < 0 && errno == EINTR)
                    continue;
                  if (w < 0)
                    return berth_error_errno (err, errno, "write");
                  done += w;
                }
              off += m;
            }
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return berth_error_errno (err, errno, "copy file data");
      if (n == 0)
        return berth_error_make (err, EINVAL, "layer tar is truncated");
      left -= (uint64_t)n;
    }
  if (archive_read_data_skip (c->inner) != ARCHIVE_OK)
    return archive_fail (c, c->inner, "read layer tar", err);
  c->content_size += (uint64_t)(total > 0 ? total : 0);
  return 0;
}

static int
defer_dir_time (struct apply_ctx *c, struct archive_entry *e, const char *path)
{
  if (c->n_dirs == c->cap_dirs)
    {
      c->cap_dirs = c->cap_dirs ? c->cap_dirs * 2 : 64;
      c->dirs = xrealloc (c->dirs, c->cap_dirs * sizeof (*c->dirs));
    }
  c->dirs[c->n_dirs].path = xstrdup (path);
  entry_times (e, c->dirs[c->n_dirs].ts);
  c->n_dirs++;
  return 0;
}

static int
apply_hardlink (struct apply_ctx *c, const char *link, int dfd, const char *base, const char *path, berth_error_t *err)
{
  cleanup_free char *target = NULL;
  cleanup_free char *tdir = NULL;
  cleanup_free char *tbase = NULL;
  cleanup_close int tdfd = -1;
  struct stat st;

  if (clean_path (link, &target, err) < 0)
    return berth_error_wrap (err, "hard link target `%s`", link);
  rebase_path (c, &target);
  if (*target == '\0')
    return berth_error_make (err, EPERM, "hard link to the layer root");
  if (strcmp (target, path) == 0)
    return berth_error_make (err, EINVAL, "hard link to itself");
  split_path (target, &tdir, &tbase);
  tdfd = in_root_open_dir (c->root_fd, tdir, false, 0, err);
  if (tdfd < 0)
    return berth_error_wrap (err, "hard link target `%s`", link);
  if (fstatat (tdfd, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return berth_error_errno (err, errno, "hard link target `%s`", link);
  if (S_ISDIR (st.st_mode))
    return berth_error_make (err, EPERM, "hard link target `%s` is a directory", link);
  /* flags 0: a symlink target is linked itself, never followed; the new
     link gets no metadata of its own (CVE-2021-32760) */
  if (linkat (tdfd, tbase, dfd, base, 0) < 0)
    return berth_error_errno (err, errno, "hard link to `%s`", link);
  return 0;
}

static int
apply_entry (struct apply_ctx *c, struct archive_entry *e, const char *name, berth_error_t *err)
{
  cleanup_free char *path = NULL;
  cleanup_free char *dir = NULL;
  cleanup_free char *base = NULL;
  cleanup_close int file_fd = -1;
  const char *hardlink = archive_entry_hardlink (e);
  mode_t type = archive_entry_filetype (e);
  struct stat st;
  bool exists = false, made_dir = false;
  int dfd;

  if (clean_path (name, &path, err) < 0)
    return berth_error_ret (err);
  rebase_path (c, &path);
  if (*path == '\0')
    return 0; /* the layer root itself: the target's own metadata stays */
  split_path (path, &dir, &base);
  /* names starting ".wh." are never real files: below such a directory
     (AUFS ".wh..wh.plnk/...") is metadata only */
  if (!(c->flags & LAYER_APPLY_PLAIN)
      && (strncmp (dir, WHITEOUT_PREFIX, strlen (WHITEOUT_PREFIX)) == 0 || strstr (dir, "/" WHITEOUT_PREFIX) != NULL))
    return 0;

  if (!(c->flags & LAYER_APPLY_PLAIN) && strncmp (base, WHITEOUT_PREFIX, strlen (WHITEOUT_PREFIX)) == 0)
    {
      if (strcmp (base, WHITEOUT_OPAQUE) == 0)
        return apply_opaque (c, dir, err);
      if (strncmp (base, WHITEOUT_META_PREFIX, strlen (WHITEOUT_META_PREFIX)) == 0)
        return 0; /* AUFS metadata (.wh..wh.plnk etc.) */
      return apply_whiteout (c, dir, base + strlen (WHITEOUT_PREFIX), e, err);
    }

  dfd = cached_dir (c, dir, err);
  if (dfd < 0)
    return berth_error_ret (err);
  if ((c->flags & LAYER_APPLY_NO_PSEUDO_FS) && berth_fd_on_pseudo_fs (dfd))
    return berth_error_make (err, EPERM, "`%s` is on a kernel filesystem (proc, sysfs, cgroup, ...)",
                             *dir ? dir : "/");
  /* the common case, a name not taken yet: create it straight away (the
     create never follows or replaces anything), no stat first */
  if (hardlink == NULL && type == AE_IFREG)
    {
      file_fd = openat (dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (file_fd < 0 && errno != EEXIST)
        return berth_error_errno (err, errno, "create file");
    }
  else if (hardlink == NULL && type == AE_IFDIR)
    {
      made_dir = mkdirat (dfd, base, 0700) == 0;
      if (!made_dir && errno != EEXIST)
        return berth_error_errno (err, errno, "mkdir");
    }
  if (file_fd < 0 && !made_dir)
    {
      exists = fstatat (dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0;
      if (!exists && errno != ENOENT)
        return berth_error_errno (err, errno, "stat");
    }
  if (exists && (c->flags & LAYER_APPLY_NO_DIR_REPLACE) && S_ISDIR (st.st_mode) != (type == AE_IFDIR && !hardlink))
    return berth_error_make (err, EEXIST, S_ISDIR (st.st_mode) ? "cannot overwrite directory `%s` with non-directory"
                                                              : "cannot overwrite non-directory `%s` with directory",
                             path);
  /* replace whatever is there, except a directory by a directory (merge) */
  if (exists && !(S_ISDIR (st.st_mode) && type == AE_IFDIR && hardlink == NULL))
    if (remove_at (c, dfd, base, err) < 0)
      return berth_error_ret (err);

  if (hardlink)
    {
      if (apply_hardlink (c, hardlink, dfd, base, path, err) < 0)
        return berth_error_ret (err);
    }
  else
    switch (type)
      {
      case AE_IFDIR:
        {
          cleanup_close int fd = -1;
          if (!made_dir && !(exists && S_ISDIR (st.st_mode)) && mkdirat (dfd, base, 0700) < 0)
            return berth_error_errno (err, errno, "mkdir");
          fd = openat (dfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (fd < 0)
            return berth_error_errno (err, errno, "open directory");
          if (set_metadata_fd (c, e, fd, err) < 0)
            return berth_error_ret (err);
          defer_dir_time (c, e, path);
          break;
        }
      case AE_IFREG:
        {
          /* sparse entries' bodies are not one run of bytes in the tar */
          bool copy = c->direct && !c->hash && archive_entry_sparse_count (e) == 0;
          if (file_fd < 0)
            file_fd = openat (dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
          if (file_fd < 0)
            return berth_error_errno (err, errno, "create file");
          if ((copy ? write_file_direct (c, e, file_fd, err) : write_file_data (c, e, file_fd, err)) < 0
              || set_metadata_fd (c, e, file_fd, err) < 0)
            return berth_error_ret (err);
          break;
        }
      case AE_IFLNK:
        {
          const char *target = archive_entry_symlink (e);
          if (target == NULL || *target == '\0')
            return berth_error_make (err, EINVAL, "symlink without a target");
          if (symlinkat (target, dfd, base) < 0)
            return berth_error_errno (err, errno, "symlink");
          if (set_metadata_at (c, e, dfd, base, true, err) < 0)
            return berth_error_ret (err);
          break;
        }
      case AE_IFCHR:
      case AE_IFBLK:
      case AE_IFIFO:
        if (mknodat (dfd, base, type | 0600, type == AE_IFIFO ? 0 : archive_entry_rdev (e)) < 0)
          return berth_error_errno (err, errno, "mknod");
        if (set_metadata_at (c, e, dfd, base, false, err) < 0)
          return berth_error_ret (err);
        break;
      default:
        return berth_error_make (err, ENOTSUP, "unsupported entry type 0%o", (unsigned)type);
      }
  mark_added (c, path);
  return 0;
}

static int
apply_dir_times (struct apply_ctx *c, berth_error_t *err)
{
  size_t i;

  for (i = c->n_dirs; i > 0; i--)
    {
      struct dir_time *d = &c->dirs[i - 1];
      cleanup_free char *dir = NULL;
      cleanup_free char *base = NULL;
      cleanup_close int dfd = -1;
      split_path (d->path, &dir, &base);
      dfd = in_root_open_dir (c->root_fd, dir, false, 0, err);
      struct stat st;
      if (dfd < 0)
        return berth_error_wrap (err, "layer entry `%s`", d->path);
      /* a later entry may have replaced the directory: only touch a directory */
      if (fstatat (dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR (st.st_mode))
        continue;
      if (utimensat (dfd, base, d->ts, AT_SYMLINK_NOFOLLOW) < 0)
        return berth_error_errno (err, errno, "layer entry `%s`: set times", d->path);
    }
  return 0;
}

static void
ctx_release (struct apply_ctx *c)
{
  size_t i;

  if (c->inner)
    archive_read_free (c->inner);
  if (c->outer)
    archive_read_free (c->outer);
  digest_ctx_free (c->cdigest);
  digest_ctx_free (c->udigest);
  free (c->cbuf);
  free (c->ubuf);
  berth_error_release (&c->cb_err);
  free (c->rebase_from);
  free (c->rebase_to);
  path_set_free (c->added);
  path_set_free (c->ancestors);
  forget_dir (c);
  for (i = 0; i < c->n_dirs; i++)
    free (c->dirs[i].path);
  free (c->dirs);
}

/* Hash what the tar reader left unread (padding after the end-of-archive
   blocks) so the diff id covers the whole stream, then the compressed tail. */
static int
drain (struct apply_ctx *c, berth_error_t *err)
{
  const void *buf;
  la_ssize_t n;

  while ((n = inner_read (c->inner, c, &buf)) > 0)
    ;
  if (n < 0)
    return archive_fail (c, c->inner, "read layer", err);
  for (;;)
    {
      ssize_t m = read (c->in_fd, c->cbuf, BUF_SIZE);
      if (m < 0 && errno == EINTR)
        continue;
      if (m < 0)
        return berth_error_errno (err, errno, "read layer stream");
      if (m == 0)
        break;
      if (c->hash && !c->identity)
        digest_ctx_update (c->cdigest, c->cbuf, (size_t)m);
      c->in_bytes += (uint64_t)m;
    }
  return 0;
}

/* direct mode: hash the rest of the file (padding after the end blocks) */
static int
drain_direct (struct apply_ctx *c, berth_error_t *err)
{
  const void *buf;
  la_ssize_t n;

  while ((n = direct_read (c->inner, c, &buf)) > 0)
    ;
  if (n < 0)
    return archive_fail (c, c->inner, "read layer", err);
  return 0;
}

int
layer_apply_at (int tar_fd, int target_dirfd, const struct layer_apply_opts *opts, struct layer_apply_result *result,
                berth_error_t *err)
{
  struct apply_ctx c = { 0 };
  struct layer_apply_result res = { 0 };
  struct archive_entry *e;
  int r;

  c.root_fd = target_dirfd;
  c.in_fd = tar_fd;
  c.overlay = opts && (opts->flags & LAYER_APPLY_OVERLAY) && !(opts->flags & LAYER_APPLY_PLAIN);
  c.flags = opts ? opts->flags : 0;
  c.uid = opts ? opts->uid : 0;
  c.gid = opts ? opts->gid : 0;
  if (opts && opts->rebase_from != NULL && opts->rebase_to != NULL)
    {
      if ((r = clean_path (opts->rebase_from, &c.rebase_from, err)) < 0
          || (r = clean_path (opts->rebase_to, &c.rebase_to, err)) < 0)
        {
          berth_error_wrap (err, "rebase `%s` to `%s`", opts->rebase_from, opts->rebase_to);
          goto out;
        }
    }
  c.max_uncompressed = opts ? opts->max_uncompressed : 0;
  c.hash = !(c.flags & (LAYER_APPLY_PLAIN | LAYER_APPLY_VERIFIED));
  c.dir_fd = -1;
  c.cbuf = xmalloc (BUF_SIZE);
  c.ubuf = xmalloc (BUF_SIZE);
  c.added = path_set_new ();
  c.ancestors = path_set_new ();
  c.cdigest = digest_ctx_new (err);
  c.udigest = c.cdigest ? digest_ctx_new (err) : NULL;
  if (c.udigest == NULL)
    {
      r = berth_error_ret (err);
      goto out;
    }
  if ((r = open_direct (&c, err)) < 0 || (r == 0 && (r = open_archives (&c, err)) < 0))
    goto out;
  for (;;)
    {
      const char *name;
      r = archive_read_next_header (c.inner, &e);
      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        {
          r = archive_fail (&c, c.inner, "read layer tar", err);
          goto out;
        }
      name = archive_entry_pathname (e);
      if (name == NULL)
        name = archive_entry_pathname_utf8 (e);
      if (name == NULL)
        {
          r = berth_error_make (err, EINVAL, "layer entry %llu has no usable name", (unsigned long long)c.entries);
          goto out;
        }
      c.entries++;
      if ((r = apply_entry (&c, e, name, err)) < 0)
        {
          berth_error_wrap (err, "layer entry `%s`", name);
          goto out;
        }
    }
  if ((!c.direct && (r = drain (&c, err)) < 0) || (c.direct && c.hash && (r = drain_direct (&c, err)) < 0)
      || (r = apply_dir_times (&c, err)) < 0)
    goto out;
  res.uncompressed_size = c.tar_bytes;
  res.compressed_size = c.in_bytes;
  res.content_size = c.content_size;
  res.entries = c.entries;
  if (c.hash)
    {
      if ((r = digest_ctx_final (c.udigest, res.diff_id, err)) < 0)
        goto out;
      if (c.identity)
        memcpy (res.compressed_digest, res.diff_id, DIGEST_BUF_SIZE);
      else if ((r = digest_ctx_final (c.cdigest, res.compressed_digest, err)) < 0)
        goto out;
    }
  if (c.hash && opts && opts->expected_diff_id && strcmp (opts->expected_diff_id, res.diff_id) != 0)
    {
      r = berth_error_make (err, EILSEQ, "layer diff id mismatch: expected %s, got %s", opts->expected_diff_id,
                            res.diff_id);
      goto out;
    }
  if (c.hash && opts && opts->expected_compressed && strcmp (opts->expected_compressed, res.compressed_digest) != 0)
    {
      r = berth_error_make (err, EILSEQ, "layer digest mismatch: expected %s, got %s", opts->expected_compressed,
                            res.compressed_digest);
      goto out;
    }
  if (result)
    *result = res;
  r = 0;
out:
  ctx_release (&c);
  return r;
}

int
layer_apply (int tar_fd, const char *target_dir, const struct layer_apply_opts *opts, struct layer_apply_result *result,
             berth_error_t *err)
{
  cleanup_close int fd = open (target_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return berth_error_errno (err, errno, "open layer target `%s`", target_dir);
  return layer_apply_at (tar_fd, fd, opts, result, err);
}
