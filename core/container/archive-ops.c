/* The cp operations: stat, tar out, extract in (see archive.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "core/container/archive-internal.h"
#include "core/container/archive-tar.h"
#include "core/container/manager-internal.h"
#include "core/container/user.h"
#include "core/image/in-root.h"
#include "core/image/layer-apply.h"
#include "core/lib/mem.h"
#include "core/lib/pseudo-fs.h"

/* Go's os.FileMode */
#define GO_MODE_DIR (1u << 31)
#define GO_MODE_SYMLINK (1u << 27)
#define GO_MODE_DEVICE (1u << 26)
#define GO_MODE_NAMED_PIPE (1u << 25)
#define GO_MODE_SOCKET (1u << 24)
#define GO_MODE_SETUID (1u << 23)
#define GO_MODE_SETGID (1u << 22)
#define GO_MODE_CHAR_DEVICE (1u << 21)
#define GO_MODE_STICKY (1u << 20)

static uint32_t
go_file_mode (mode_t m)
{
  uint32_t g = m & 0777;

  if (S_ISDIR (m))
    g |= GO_MODE_DIR;
  else if (S_ISLNK (m))
    g |= GO_MODE_SYMLINK;
  else if (S_ISBLK (m))
    g |= GO_MODE_DEVICE;
  else if (S_ISCHR (m))
    g |= GO_MODE_DEVICE | GO_MODE_CHAR_DEVICE;
  else if (S_ISFIFO (m))
    g |= GO_MODE_NAMED_PIPE;
  else if (S_ISSOCK (m))
    g |= GO_MODE_SOCKET;
  if (m & S_ISUID)
    g |= GO_MODE_SETUID;
  if (m & S_ISGID)
    g |= GO_MODE_SETGID;
  if (m & S_ISVTX)
    g |= GO_MODE_STICKY;
  return g;
}

void
container_path_stat_clear (struct container_path_stat *st)
{
  free (st->name);
  free (st->link_target);
  st->name = st->link_target = NULL;
}

/* Go's RFC3339Nano: fraction without trailing zeros */
static char *
go_time (const struct timespec *ts)
{
  struct tm tm;
  char date[32], frac[32] = "";
  time_t t = ts->tv_sec;

  gmtime_r (&t, &tm);
  strftime (date, sizeof (date), "%Y-%m-%dT%H:%M:%S", &tm);
  if (ts->tv_nsec > 0)
    {
      size_t n;
      snprintf (frac, sizeof (frac), ".%09ld", ts->tv_nsec);
      n = strlen (frac);
      while (frac[n - 1] == '0')
        frac[--n] = '\0';
    }
  return xasprintf ("%s%sZ", date, frac);
}

json_object *
container_path_stat_json (const struct container_path_stat *st)
{
  json_object *o = json_object_new_object ();
  cleanup_free char *mtime = go_time (&st->mtime);

  json_object_object_add (o, "name", json_object_new_string (st->name ? st->name : ""));
  json_object_object_add (o, "size", json_object_new_int64 (st->size));
  json_object_object_add (o, "mode", json_object_new_int64 (st->mode));
  json_object_object_add (o, "mtime", json_object_new_string (mtime));
  json_object_object_add (o, "linkTarget", json_object_new_string (st->link_target ? st->link_target : ""));
  return o;
}

/* moby's containerFileNotFound for what is missing; the rest as it is */
static int
resolve_error (const char *what, const char *path, berth_error_t *err)
{
  int code = berth_error_code (err);

  if (code == ENOENT || code == ENOTDIR)
    {
      berth_error_release (err);
      return berth_error_make (err, ENOENT, "Could not find the file %s in container %s", path, what);
    }
  if (code != EINVAL)
    {
      cleanup_free char *msg = xstrdup (berth_error_msg (err));
      berth_error_release (err);
      return berth_error_make (err, code == ELOOP ? EINVAL : code, "%s", msg);
    }
  return berth_error_ret (err);
}

static int
open_target (struct archive_fs *fs, const char *what, const char *path, struct archive_target *t,
             struct container_path_stat *st, berth_error_t *err)
{
  if (path == NULL || path[0] == '\0')
    return berth_error_make (err, EINVAL, "path is required");
  if (archive_target_resolve (fs->root_fd, path, t, err) < 0)
    return resolve_error (what, path, err);
  memset (st, 0, sizeof (*st));
  st->name = xstrdup (t->as);
  st->size = t->st.st_size;
  st->mode = go_file_mode (t->st.st_mode);
  st->mtime = t->st.st_mtim;
  st->link_target = S_ISLNK (t->st.st_mode) ? archive_link_target (fs->root_fd, t->abs) : xstrdup ("");
  return 0;
}

int
container_archive_stat (struct container_manager *m, struct container *c, const char *what, const char *path,
                        struct container_path_stat *ret, berth_error_t *err)
{
  struct archive_fs fs;
  struct archive_target t = { .parent_fd = -1 };
  int r;

  memset (ret, 0, sizeof (*ret));
  if (archive_fs_open (m, c, &fs, err) < 0)
    return berth_error_ret (err);
  r = open_target (&fs, what, path, &t, ret, err);
  archive_target_clear (&t);
  archive_fs_close (m, c, &fs);
  return r;
}

int
container_archive_get (struct container_manager *m, struct container *c, const char *what, const char *path,
                       container_archive_begin_fn begin, void *ud, berth_error_t *err)
{
  struct archive_fs fs;
  struct archive_target t = { .parent_fd = -1 };
  struct container_path_stat st = { 0 };
  int r, out_fd;

  if (archive_fs_open (m, c, &fs, err) < 0)
    return berth_error_ret (err);
  r = open_target (&fs, what, path, &t, &st, err);
  if (r == 0 && !S_ISDIR (t.st.st_mode))
    {
      /* refused before the headers go out; archive_tar_write checks again */
      cleanup_close int pfd = openat (t.parent_fd, t.base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (pfd < 0)
        r = berth_error_errno (err, errno, "open %s", t.abs);
      else if (berth_fd_on_pseudo_fs (pfd))
        r = berth_error_make (err, EINVAL, "%s is on a kernel filesystem (proc, sysfs, cgroup, ...): not copied",
                              t.abs);
    }
  if (r == 0)
    {
      out_fd = begin (ud, &st, err);
      r = out_fd < 0 ? -1 : 0;
    }
  if (r == 0)
    {
      pthread_mutex_lock (&m->lock);
      manager_event (m, c, "archive-path", NULL);
      pthread_mutex_unlock (&m->lock);
      r = archive_tar_write (t.parent_fd, t.base, t.as, ARCHIVE_TAR_SKIP_PSEUDO_FS, out_fd, NULL, err);
    }
  container_path_stat_clear (&st);
  archive_target_clear (&t);
  archive_fs_close (m, c, &fs);
  return r;
}

/* ---- extract ---- */

static int
check_writable (const struct archive_fs *fs, int dfd, const char *abs, berth_error_t *err)
{
  struct statvfs sv;
  struct stat st;

  if (fstat (dfd, &st) < 0 || fstatvfs (dfd, &sv) < 0)
    return berth_error_errno (err, errno, "stat %s", abs);
  if (berth_fd_on_pseudo_fs (dfd))
    return berth_error_make (err, EINVAL, "extraction point %s is on a kernel filesystem (proc, sysfs, cgroup, ...)",
                             abs);
  /* a stopped container's layer is writable here, but not to the container */
  if ((!fs->live && fs->readonly_rootfs)
      || ((sv.f_flag & ST_RDONLY) && fs->readonly_rootfs && st.st_dev == fs->root_dev))
    return berth_error_make (err, EPERM, "container rootfs is marked read-only");
  if (sv.f_flag & ST_RDONLY)
    return berth_error_make (err, EPERM, "mounted volume is marked read-only");
  return 0;
}

/* Config.User's ids, read from the container's own /etc/passwd and
   /etc/group inside its root (never through NSS) */
static int
config_owner (struct container *c, const struct archive_fs *fs, struct layer_apply_opts *o, berth_error_t *err)
{
  const char *user = json_object_get_string (json_object_object_get (c->config, "User"));
  char root[64];
  struct container_user u = { 0 };

  if (user == NULL || user[0] == '\0')
    return 0; /* moby: the archive's own owners */
  snprintf (root, sizeof (root), "/proc/self/fd/%d", fs->root_fd);
  if (container_user_resolve (root, user, &u, err) < 0)
    return berth_error_wrap (err, "copyUIDGID");
  o->flags |= LAYER_APPLY_OWNER;
  o->uid = u.uid;
  o->gid = u.gid;
  container_user_clear (&u);
  return 0;
}

/* An extraction that failed on the archive's content is the client's
   error; read-only and resource failures are not. */
static int
extract_error (berth_error_t *err)
{
  int code = berth_error_code (err);
  cleanup_free char *msg = xstrdup (berth_error_msg (err));

  berth_error_release (err);
  if (code == EROFS)
    return berth_error_make (err, EPERM, "%s", msg);
  if (code == ENOSPC || code == EDQUOT || code == EIO || code == ENOMEM || code == EMFILE || code == ENFILE)
    return berth_error_make (err, code, "%s", msg);
  return berth_error_make (err, EINVAL, "%s", msg);
}

int
container_archive_extract (struct container_manager *m, struct container *c, const char *what, const char *dir,
                           int tar_fd, const struct container_extract_opts *o, berth_error_t *err)
{
  struct layer_apply_opts ao = { .flags = LAYER_APPLY_PLAIN | LAYER_APPLY_NO_PSEUDO_FS };
  struct archive_fs fs;
  cleanup_free char *abs = NULL;
  cleanup_close int dfd = -1;
  int r = -1;

  if (dir == NULL || dir[0] == '\0')
    return berth_error_make (err, EINVAL, "path is required");
  if (archive_fs_open (m, c, &fs, err) < 0)
    return berth_error_ret (err);
  abs = archive_clean_path (dir);
  /* the directory with every symlink followed, the last one too (moby:
     EvalSymlinks), inside the root */
  dfd = in_root_open_dir (fs.root_fd, abs, false, 0, err);
  if (dfd < 0)
    {
      if (berth_error_code (err) == ENOTDIR)
        {
          berth_error_release (err);
          berth_error_make (err, EINVAL, "extraction point is not a directory");
        }
      else
        resolve_error (what, dir, err);
      goto out;
    }
  if (check_writable (&fs, dfd, abs, err) < 0)
    goto out;
  if (o != NULL && o->no_overwrite_dir_non_dir)
    ao.flags |= LAYER_APPLY_NO_DIR_REPLACE;
  if (o != NULL && o->copy_uid_gid && config_owner (c, &fs, &ao, err) < 0)
    goto out;
  if (layer_apply_at (tar_fd, dfd, &ao, NULL, err) < 0)
    {
      extract_error (err);
      goto out;
    }
  pthread_mutex_lock (&m->lock);
  manager_event (m, c, "extract-to-dir", NULL);
  pthread_mutex_unlock (&m->lock);
  r = 0;
out:
  archive_fs_close (m, c, &fs);
  return r;
}
