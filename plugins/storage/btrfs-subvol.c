/* Creating, snapshotting and destroying btrfs subvolumes. */
#include "config.h"

#include "btrfs-subvol.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/btrfs.h>
#include <linux/btrfs_tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

int
btrfs_subvol_create (const struct berth_host_api *h, int dirfd, const char *name, struct berth_error **err)
{
  struct btrfs_ioctl_vol_args args;

  memset (&args, 0, sizeof (args));
  if (strlen (name) > BTRFS_PATH_NAME_MAX)
    return h->error_set (err, ENAMETOOLONG, "btrfs: subvolume name `%s` is too long", name);
  strcpy (args.name, name);
  if (ioctl (dirfd, BTRFS_IOC_SUBVOL_CREATE, &args) < 0)
    return h->error_set (err, errno, "btrfs: create subvolume `%s`: %s", name, strerror (errno));
  return 0;
}

int
btrfs_subvol_snapshot (const struct berth_host_api *h, int src_fd, int dirfd, const char *name,
                       struct berth_error **err)
{
  struct btrfs_ioctl_vol_args_v2 args;

  memset (&args, 0, sizeof (args));
  if (strlen (name) > BTRFS_SUBVOL_NAME_MAX)
    return h->error_set (err, ENAMETOOLONG, "btrfs: subvolume name `%s` is too long", name);
  args.fd = src_fd;
  strcpy (args.name, name);
  if (ioctl (dirfd, BTRFS_IOC_SNAP_CREATE_V2, &args) < 0)
    return h->error_set (err, errno, "btrfs: snapshot into `%s`: %s", name, strerror (errno));
  return 0;
}

static int destroy_at (const struct berth_host_api *h, int dirfd, const char *dir_path, const char *name,
                       struct berth_error **err);

/* Destroy the subvolumes nested anywhere below the directory fd. */
static int
destroy_nested (const struct berth_host_api *h, int fd, const char *path, struct berth_error **err)
{
  DIR *d = fdopendir (fd);
  struct dirent *de;
  int r = 0;

  if (d == NULL)
    {
      close (fd);
      return h->error_set (err, errno, "btrfs: read %s: %s", path, strerror (errno));
    }
  while (r == 0 && (de = readdir (d)) != NULL)
    {
      struct stat st;
      char *sub;
      int cfd;
      if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
        continue;
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (fstatat (fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR (st.st_mode))
        continue;
      if (asprintf (&sub, "%s/%s", path, de->d_name) < 0)
        {
          r = h->error_set (err, ENOMEM, "btrfs: out of memory");
          break;
        }
      if (st.st_ino == BTRFS_FIRST_FREE_OBJECTID)
        r = destroy_at (h, fd, path, de->d_name, err);
      else if ((cfd = openat (fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        r = h->error_set (err, errno, "btrfs: open %s: %s", sub, strerror (errno));
      else
        r = destroy_nested (h, cfd, sub, err);
      free (sub);
    }
  closedir (d);
  return r;
}

static int
destroy_at (const struct berth_host_api *h, int dirfd, const char *dir_path, const char *name, struct berth_error **err)
{
  struct btrfs_ioctl_vol_args args;
  struct stat st;
  char *path;
  int fd, r;

  if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : h->error_set (err, errno, "btrfs: stat %s/%s: %s", dir_path, name, strerror (errno));
  if (asprintf (&path, "%s/%s", dir_path, name) < 0)
    return h->error_set (err, ENOMEM, "btrfs: out of memory");
  if (!S_ISDIR (st.st_mode) || st.st_ino != BTRFS_FIRST_FREE_OBJECTID)
    {
      /* Not a subvolume (a leftover of a failed create): remove it as files,
         after the subvolumes that may be nested in it. */
      r = 0;
      if (S_ISDIR (st.st_mode))
        {
          fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          r = fd < 0 ? h->error_set (err, errno, "btrfs: open %s: %s", path, strerror (errno))
                     : destroy_nested (h, fd, path, err);
        }
      if (r == 0)
        r = h->rm_rf (path, err);
      free (path);
      return r;
    }
  fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  r = fd < 0 ? h->error_set (err, errno, "btrfs: open %s: %s", path, strerror (errno))
             : destroy_nested (h, fd, path, err);
  if (r == 0)
    {
      memset (&args, 0, sizeof (args));
      strcpy (args.name, name); /* a directory entry: at most NAME_MAX bytes */
      if (ioctl (dirfd, BTRFS_IOC_SNAP_DESTROY, &args) < 0)
        r = h->error_set (err, errno, "btrfs: destroy subvolume %s: %s", path, strerror (errno));
    }
  free (path);
  return r;
}

int
btrfs_subvol_destroy (const struct berth_host_api *h, int dirfd, const char *dir_path, const char *name,
                      struct berth_error **err)
{
  return destroy_at (h, dirfd, dir_path, name, err);
}
