/* Can overlay run on the filesystem holding its state directory?  Answered
   by doing what the driver and the core's overlay-mode layer apply will do,
   in a scratch directory: mount with an upper dir, delete a lower file (a
   0/0 whiteout must appear in the upper dir), replace a lower directory (the
   new one must be marked opaque with a trusted.overlay xattr), unmount. */
#include "config.h"

#include "fs-name.h"
#include "overlay-mount.h"
#include "overlay-probe.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define PROBE_PREFIX ".probe-"

/* 1 if readdir of dir reports `name` with a real file type, 0 if DT_UNKNOWN. */
static int
reports_d_type (const char *dir, const char *name)
{
  DIR *d = opendir (dir);
  struct dirent *de;
  int r = -ENOENT;

  if (d == NULL)
    return -errno;
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, name) == 0)
      {
        r = de->d_type != DT_UNKNOWN;
        break;
      }
  closedir (d);
  return r;
}

/* base/sub into buf (PATH_MAX); ovl_probe_dir keeps base short enough. */
static void
sub_path (char buf[4096], const char *base, const char *sub)
{
  if ((size_t)snprintf (buf, 4096, "%s/%s", base, sub) >= 4096)
    buf[0] = '\0';
}

static int
check_in (const struct berth_host_api *h, const char *scratch, const char *fs, struct berth_error **err)
{
  char lower[4096], upper[4096], work[4096], merged[4096], p[4096];
  const char *lowers[1] = { lower };
  struct ovl_mount_spec spec = { .lower = lowers, .n_lower = 1, .upper = upper, .work = work };
  char value[8];
  struct stat st;
  int r, fd;

  sub_path (lower, scratch, "lower");
  sub_path (upper, scratch, "upper");
  sub_path (work, scratch, "work");
  sub_path (merged, scratch, "merged");
  if (mkdir (lower, 0700) < 0 || mkdir (upper, 0700) < 0 || mkdir (work, 0700) < 0 || mkdir (merged, 0700) < 0)
    return h->error_set (err, errno, "create scratch directories in %s: %s", scratch, strerror (errno));
  sub_path (p, lower, "file");
  fd = open (p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return h->error_set (err, errno, "create %s: %s", p, strerror (errno));
  close (fd);
  sub_path (p, lower, "dir");
  if (mkdir (p, 0700) < 0)
    return h->error_set (err, errno, "create %s: %s", p, strerror (errno));
  r = reports_d_type (lower, "dir");
  if (r < 0)
    return h->error_set (err, -r, "read %s: %s", lower, strerror (-r));
  if (r == 0)
    return h->error_set (err, ENOTSUP,
                         "%s (%s) does not report file types in directory entries (d_type); "
                         "on xfs, format with ftype=1",
                         scratch, fs);

  r = ovl_mount (h, &spec, merged, err);
  if (r < 0)
    return r;
  sub_path (p, merged, "file");
  if (unlink (p) < 0)
    r = h->error_set (err, errno, "delete a lower file through the mount: %s", strerror (errno));
  sub_path (p, merged, "dir");
  if (r == 0 && (rmdir (p) < 0 || mkdir (p, 0700) < 0))
    r = h->error_set (err, errno, "replace a lower directory through the mount: %s", strerror (errno));
  if (umount2 (merged, MNT_DETACH) < 0 && r == 0)
    r = h->error_set (err, errno, "unmount %s: %s", merged, strerror (errno));
  if (r < 0)
    return r;

  sub_path (p, upper, "file");
  if (lstat (p, &st) < 0 || !S_ISCHR (st.st_mode) || st.st_rdev != makedev (0, 0))
    return h->error_set (err, ENOTSUP, "deleting a lower file left no 0/0 whiteout in the upper directory");
  sub_path (p, upper, "dir");
  errno = 0;
  if (lgetxattr (p, "trusted.overlay.opaque", value, sizeof (value)) != 1 || value[0] != 'y')
    return h->error_set (err, ENOTSUP, "a replaced directory was not marked opaque (trusted.* xattrs: %s)",
                         errno ? strerror (errno) : "wrong value");
  return 0;
}

int
ovl_probe_dir (const struct berth_host_api *h, const char *state_dir, struct berth_error **err)
{
  char scratch[4096];
  struct statfs sfs;
  const char *fs;
  int r;

  if (statfs (state_dir, &sfs) < 0)
    return h->error_set (err, errno, "overlay: statfs %s: %s", state_dir, strerror (errno));
  fs = storage_fs_name ((long)sfs.f_type);
  if (sfs.f_type == OVERLAYFS_SUPER_MAGIC)
    return h->error_set (err, ENOTSUP,
                         "overlay: %s is on overlayfs (berthd running in a container?), which cannot hold an "
                         "overlay upper directory; put the data root on another filesystem, e.g. a volume",
                         state_dir);
  if ((size_t)snprintf (scratch, sizeof (scratch), "%s/%sXXXXXX", state_dir, PROBE_PREFIX) >= sizeof (scratch) - 64)
    return h->error_set (err, ENAMETOOLONG, "overlay: the state directory path is too long");
  if (mkdtemp (scratch) == NULL)
    return h->error_set (err, errno, "overlay: create a scratch directory in %s: %s", state_dir, strerror (errno));
  r = check_in (h, scratch, fs, err);
  {
    char merged[4200];
    sub_path (merged, scratch, "merged");
    umount2 (merged, MNT_DETACH); /* in case check_in stopped half-way; EINVAL when not mounted */
  }
  if (r < 0)
    {
      h->error_wrap (err, "overlay cannot run on %s (%s)", state_dir, fs);
      h->rm_rf (scratch, NULL);
      return -ENOTSUP;
    }
  return h->rm_rf (scratch, err);
}

bool
ovl_is_probe_leftover (const char *name)
{
  return strncmp (name, PROBE_PREFIX, strlen (PROBE_PREFIX)) == 0;
}
