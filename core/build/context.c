/* Unpack a build context (see context.h).  Every name is made relative
   and put below the directory by hand (libarchive then refuses ".." and
   writing through symlinks), since a threaded daemon cannot chdir. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "core/build/context.h"
#include "core/build/ignore.h"
#include "core/image/digest.h"
#include "core/lib/fs.h"
#include "core/lib/mem.h"

/* the client's stat of a file (a berth CLI's session), and whether it says
   the daemon already holds that file */
static char *
client_stat (struct archive_entry *ae, bool *keep)
{
  const char *name;
  char *cstat = NULL;
  const void *value;
  size_t size;

  *keep = false;
  archive_entry_xattr_reset (ae);
  while (archive_entry_xattr_next (ae, &name, &value, &size) == ARCHIVE_OK)
    {
      if (strcmp (name, BUILD_CONTEXT_XATTR_STAT) == 0 && size > 0 && size < 200 && memchr (value, '\0', size) == NULL)
        {
          free (cstat);
          cstat = xstrndup (value, size);
        }
      else if (strcmp (name, BUILD_CONTEXT_XATTR_KEEP) == 0)
        *keep = true;
    }
  return cstat;
}

static bool
all_zero (const void *buf, size_t size)
{
  const unsigned char *p = buf;

  return size > 0 && p[0] == 0 && memcmp (p, p + 1, size - 1) == 0;
}

static void
hash_zeros (struct digest_ctx *d, uint64_t n)
{
  static const char zeros[4096];

  while (n > 0)
    {
      size_t k = n < sizeof (zeros) ? (size_t)n : sizeof (zeros);
      digest_ctx_update (d, zeros, k);
      n -= k;
    }
}

/* a file's data: written (runs of zeros left as holes) and hashed */
static int
copy_data (struct archive *a, struct archive *w, struct archive_entry *ae, struct digest_ctx *d, const char *name,
           berth_error_t *err)
{
  const void *buf;
  size_t size;
  la_int64_t off;
  uint64_t at = 0;
  int r;

  while ((r = archive_read_data_block (a, &buf, &size, &off)) == ARCHIVE_OK)
    {
      if (d != NULL)
        {
          if ((uint64_t)off > at)
            hash_zeros (d, (uint64_t)off - at);
          digest_ctx_update (d, buf, size);
          at = (uint64_t)off + size;
        }
      /* a hole instead: the file's size is set when the entry is finished */
      if (all_zero (buf, size))
        continue;
      if (archive_write_data_block (w, buf, size, off) < 0)
        return berth_error_make (err, EIO, "unpack %s of the build context: %s", name, archive_error_string (w));
    }
  if (r != ARCHIVE_EOF)
    return berth_error_make (err, EIO, "unpack %s of the build context: %s", name, archive_error_string (a));
  if (d != NULL && (uint64_t)archive_entry_size (ae) > at)
    hash_zeros (d, (uint64_t)archive_entry_size (ae) - at);
  return 0;
}

/* a kept entry of a session: the file must be the one the client last sent */
static int
check_kept (const struct build_context_extract_opts *o, const char *dir, const char *name, const char *cstat,
            berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/%s", dir, name);
  json_object *v;
  struct stat st;

  if (cstat == NULL || o->known == NULL || strcmp (name, "..") == 0 || strncmp (name, "../", 3) == 0
      || strstr (name, "/../") != NULL || (strlen (name) >= 3 && strcmp (name + strlen (name) - 3, "/..") == 0)
      || !json_object_object_get_ex (o->known, name, &v) || strcmp (json_object_get_string (v), cstat) != 0
      || lstat (path, &st) < 0 || !S_ISREG (st.st_mode))
    return berth_error_make (err, ESTALE, "build context: %s is not on the daemon %s", name, BUILD_CONTEXT_STALE_MARK);
  return 0;
}

static int
unpack (int tar_fd, const char *dir, const struct build_context_extract_opts *o, berth_error_t *err)
{
  struct archive *a = archive_read_new ();
  struct archive *w = archive_write_disk_new ();
  struct archive_entry *ae;
  int r = 0;

  archive_read_support_filter_all (a);
  archive_read_support_format_tar (a);
  archive_write_disk_set_options (w, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_NODOTDOT
                                         | ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_UNLINK);
  if (archive_read_open_fd (a, tar_fd, 64 * 1024) != ARCHIVE_OK)
    {
      r = berth_error_make (err, EINVAL, "the build context is not a tar archive: %s", archive_error_string (a));
      goto out;
    }
  for (;;)
    {
      int h = archive_read_next_header (a, &ae);
      cleanup_digest_ctx struct digest_ctx *d = NULL;
      cleanup_free char *name = NULL;
      cleanup_free char *path = NULL;
      cleanup_free char *cstat = NULL;
      const char *n0;
      bool keep = false;
      size_t nl;
      if (h == ARCHIVE_EOF)
        break;
      if (h != ARCHIVE_OK && h != ARCHIVE_WARN)
        {
          r = berth_error_make (err, EINVAL, "read the build context: %s", archive_error_string (a));
          break;
        }
      n0 = archive_entry_pathname (ae);
      while (n0 != NULL && (n0[0] == '/' || (n0[0] == '.' && n0[1] == '/')))
        n0 += n0[0] == '/' ? 1 : 2;
      name = xstrdup (n0 != NULL ? n0 : "");
      nl = strlen (name);
      while (nl > 0 && name[nl - 1] == '/')
        name[--nl] = '\0';
      if (name[0] == '\0' || strcmp (name, ".") == 0)
        continue;
      /* devices and fifos have no place in a context */
      if (archive_entry_filetype (ae) != AE_IFREG && archive_entry_filetype (ae) != AE_IFDIR
          && archive_entry_filetype (ae) != AE_IFLNK)
        continue;
      if (o->sent != NULL)
        {
          cstat = client_stat (ae, &keep);
          json_object_object_add (o->sent, name, json_object_new_string (cstat != NULL ? cstat : ""));
          /* directories the tar holds only implicitly (an exception below
             an excluded one) stay too */
          for (char *sl = strchr (name, '/'); sl != NULL; sl = strchr (sl + 1, '/'))
            {
              *sl = '\0';
              if (!json_object_object_get_ex (o->sent, name, NULL))
                json_object_object_add (o->sent, name, json_object_new_string (""));
              *sl = '/';
            }
          if (keep && archive_entry_filetype (ae) == AE_IFREG)
            {
              if (check_kept (o, dir, name, cstat, err) < 0)
                {
                  r = -1;
                  break;
                }
              continue;
            }
        }
      archive_entry_xattr_clear (ae);
      path = xasprintf ("%s/%s", dir, name);
      if (o->sent != NULL && archive_entry_filetype (ae) != AE_IFDIR)
        {
          /* a session's directory may have become something else */
          struct stat st;
          if (lstat (path, &st) == 0 && S_ISDIR (st.st_mode) && berth_rm_rf (path, err) < 0)
            {
              r = berth_error_ret (err);
              break;
            }
        }
      archive_entry_set_pathname (ae, path);
      if (archive_entry_hardlink (ae) != NULL)
        {
          const char *t = archive_entry_hardlink (ae);
          cleanup_free char *tp = NULL;
          while (t[0] == '/' || (t[0] == '.' && t[1] == '/'))
            t += t[0] == '/' ? 1 : 2;
          tp = xasprintf ("%s/%s", dir, t);
          archive_entry_set_hardlink (ae, tp);
        }
      if (archive_write_header (w, ae) != ARCHIVE_OK)
        {
          r = berth_error_make (err, EINVAL, "unpack %s of the build context: %s", name, archive_error_string (w));
          break;
        }
      if (o->digests != NULL && archive_entry_filetype (ae) == AE_IFREG && archive_entry_hardlink (ae) == NULL
          && (d = digest_ctx_new (err)) == NULL)
        {
          r = berth_error_ret (err);
          break;
        }
      if (archive_entry_size (ae) > 0 && copy_data (a, w, ae, d, name, err) < 0)
        {
          r = berth_error_ret (err);
          break;
        }
      if (archive_write_finish_entry (w) != ARCHIVE_OK)
        {
          r = berth_error_make (err, EIO, "unpack %s of the build context: %s", name, archive_error_string (w));
          break;
        }
      if (d != NULL)
        {
          /* the stat after the times were set: what a COPY will see */
          char digest[DIGEST_BUF_SIZE];
          struct stat st;
          if (digest_ctx_final (d, digest, err) < 0)
            {
              r = berth_error_ret (err);
              break;
            }
          if (lstat (path, &st) == 0 && S_ISREG (st.st_mode) && st.st_size == archive_entry_size (ae))
            build_file_digests_put (o->digests, &st, digest);
        }
    }
out:
  archive_write_free (w);
  archive_read_free (a);
  return r;
}

/* a session: remove what the last tar did not list */
static int
remove_unlisted (json_object *sent, int dir_fd, const char *rel, int depth, berth_error_t *err)
{
  int fd = openat (dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d;
  struct dirent *de;
  int r = 0;

  if (depth > 512)
    return berth_error_make (err, ELOOP, "the build context is nested too deep");
  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return berth_error_errno (err, errno, "read the build context");
    }
  while (r == 0 && (de = readdir (d)) != NULL)
    {
      cleanup_free char *path = NULL;
      struct stat st;

      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      path = rel[0] != '\0' ? xasprintf ("%s/%s", rel, de->d_name) : xstrdup (de->d_name);
      if (fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      if (json_object_object_get_ex (sent, path, NULL))
        {
          if (S_ISDIR (st.st_mode))
            {
              int sub = openat (dirfd (d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
              if (sub < 0)
                r = berth_error_errno (err, errno, "open %s", path);
              else
                {
                  r = remove_unlisted (sent, sub, path, depth + 1, err);
                  close (sub);
                }
            }
          continue;
        }
      if (S_ISDIR (st.st_mode))
        {
          cleanup_free char *self = xasprintf ("/proc/self/fd/%d", dirfd (d));
          char real[4096];
          ssize_t n = readlink (self, real, sizeof (real) - 1);
          if (n > 0)
            {
              cleanup_free char *p = NULL;
              real[n] = '\0';
              p = xasprintf ("%s/%s", real, de->d_name);
              r = berth_rm_rf (p, err);
            }
        }
      else if (unlinkat (dirfd (d), de->d_name, 0) < 0 && errno != ENOENT)
        r = berth_error_errno (err, errno, "remove %s of the build context", path);
    }
  closedir (d);
  return r;
}

/* remove what ig excludes below dir/rel; true when something stays */
static int
prune (const struct build_ignore *ig, int dir_fd, const char *rel, const char *dockerfile, berth_error_t *err)
{
  int fd = openat (dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d;
  struct dirent *de;

  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return berth_error_errno (err, errno, "read the build context");
    }
  while ((de = readdir (d)) != NULL)
    {
      cleanup_free char *path = NULL;
      bool excluded;
      struct stat st;

      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      path = rel[0] != '\0' ? xasprintf ("%s/%s", rel, de->d_name) : xstrdup (de->d_name);
      excluded = build_ignore_excluded (ig, path) && strcmp (path, dockerfile) != 0
                 && strcmp (path, ".dockerignore") != 0;
      if (fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      if (S_ISDIR (st.st_mode) && (!excluded || build_ignore_has_exceptions (ig)))
        {
          int sub = openat (dirfd (d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (sub < 0 || prune (ig, sub, path, dockerfile, err) < 0)
            {
              if (sub >= 0)
                close (sub);
              closedir (d);
              return sub < 0 ? berth_error_errno (err, errno, "open %s", path) : berth_error_ret (err);
            }
          close (sub);
          if (excluded)
            unlinkat (dirfd (d), de->d_name, AT_REMOVEDIR); /* kept when an exception left something */
          continue;
        }
      if (!excluded)
        continue;
      if (S_ISDIR (st.st_mode))
        {
          cleanup_free char *self = xasprintf ("/proc/self/fd/%d", dirfd (d));
          char real[4096];
          ssize_t n = readlink (self, real, sizeof (real) - 1);
          if (n > 0)
            {
              cleanup_free char *p = NULL;
              real[n] = '\0';
              p = xasprintf ("%s/%s", real, de->d_name);
              if (berth_rm_rf (p, err) < 0)
                {
                  closedir (d);
                  return berth_error_ret (err);
                }
            }
        }
      else
        unlinkat (dirfd (d), de->d_name, 0);
    }
  closedir (d);
  return 0;
}

int
build_context_extract (int tar_fd, const char *dir, const struct build_context_extract_opts *o, berth_error_t *err)
{
  cleanup_free char *ignore_path = xasprintf ("%s/.dockerignore", dir);
  cleanup_free char *text = NULL;
  size_t len = 0;
  struct build_ignore *ig = NULL;
  cleanup_close int dfd = -1;
  int r;

  if (unpack (tar_fd, dir, o, err) < 0)
    return berth_error_ret (err);
  dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return berth_error_errno (err, errno, "open %s", dir);
  if (o->sent != NULL && remove_unlisted (o->sent, dfd, "", 0, err) < 0)
    return berth_error_ret (err);
  if (access (ignore_path, F_OK) < 0)
    return 0;
  if (berth_read_file (ignore_path, 1u << 20, &text, &len, err) < 0)
    return berth_error_wrap (err, ".dockerignore");
  if (build_ignore_parse (text, len, &ig, err) < 0)
    return berth_error_wrap (err, ".dockerignore");
  r = prune (ig, dfd, "", o->dockerfile != NULL && o->dockerfile[0] != '\0' ? o->dockerfile : "Dockerfile", err);
  build_ignore_free (ig);
  return r;
}
