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
#include "core/lib/fs.h"
#include "core/lib/mem.h"

static int
unpack (int tar_fd, const char *dir, berth_error_t *err)
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
      cleanup_free char *name = NULL;
      cleanup_free char *path = NULL;
      const char *n0;
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
      if (name[0] == '\0' || strcmp (name, ".") == 0)
        continue;
      /* devices and fifos have no place in a context */
      if (archive_entry_filetype (ae) != AE_IFREG && archive_entry_filetype (ae) != AE_IFDIR
          && archive_entry_filetype (ae) != AE_IFLNK)
        continue;
      path = xasprintf ("%s/%s", dir, name);
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
      if (archive_entry_size (ae) > 0)
        {
          const void *buf;
          size_t size;
          la_int64_t off;
          int d;
          while ((d = archive_read_data_block (a, &buf, &size, &off)) == ARCHIVE_OK)
            if (archive_write_data_block (w, buf, size, off) < 0)
              break;
          if (d != ARCHIVE_EOF)
            {
              r = berth_error_make (err, EIO, "unpack %s of the build context: %s", name,
                                    d != ARCHIVE_OK ? archive_error_string (a) : archive_error_string (w));
              break;
            }
        }
      if (archive_write_finish_entry (w) != ARCHIVE_OK)
        {
          r = berth_error_make (err, EIO, "unpack %s of the build context: %s", name, archive_error_string (w));
          break;
        }
    }
out:
  archive_write_free (w);
  archive_read_free (a);
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
build_context_extract (int tar_fd, const char *dir, const char *dockerfile, berth_error_t *err)
{
  cleanup_free char *ignore_path = xasprintf ("%s/.dockerignore", dir);
  cleanup_free char *text = NULL;
  size_t len = 0;
  struct build_ignore *ig = NULL;
  cleanup_close int dfd = -1;
  int r;

  if (unpack (tar_fd, dir, err) < 0)
    return berth_error_ret (err);
  if (access (ignore_path, F_OK) < 0)
    return 0;
  if (berth_read_file (ignore_path, 1u << 20, &text, &len, err) < 0)
    return berth_error_wrap (err, ".dockerignore");
  if (build_ignore_parse (text, len, &ig, err) < 0)
    return berth_error_wrap (err, ".dockerignore");
  dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    r = berth_error_errno (err, errno, "open %s", dir);
  else
    r = prune (ig, dfd, "", dockerfile, err);
  build_ignore_free (ig);
  return r;
}
