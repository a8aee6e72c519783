#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/container/size.h"
#include "core/lib/mem.h"

#define MAX_DEPTH 256

struct walk
{
  struct stat *links; /* files with several links, counted once */
  size_t n_links;
  int64_t total;
};

static bool
seen_before (struct walk *w, const struct stat *st)
{
  if (st->st_nlink <= 1)
    return false;
  for (size_t i = 0; i < w->n_links; i++)
    if (w->links[i].st_dev == st->st_dev && w->links[i].st_ino == st->st_ino)
      return true;
  w->links = xrealloc (w->links, (w->n_links + 1) * sizeof (*w->links));
  w->links[w->n_links++] = *st;
  return false;
}

/* what moby's change detection compares for a file */
static bool
same_as_lower (int lowerfd, const char *name, const struct stat *st)
{
  struct stat l;

  if (lowerfd < 0 || fstatat (lowerfd, name, &l, AT_SYMLINK_NOFOLLOW) < 0)
    return false;
  return l.st_mode == st->st_mode && l.st_uid == st->st_uid && l.st_gid == st->st_gid && l.st_rdev == st->st_rdev
         && l.st_size == st->st_size && l.st_mtim.tv_sec == st->st_mtim.tv_sec
         && l.st_mtim.tv_nsec == st->st_mtim.tv_nsec;
}

/* Sum the sizes of the non-directories under dirfd (takes it); with
   lowerfd >= 0, only those that differ from the same path there. */
static int
walk (struct walk *w, int dirfd, int lowerfd, unsigned depth, berth_error_t *err)
{
  DIR *d;
  struct dirent *de;
  int r = 0;

  if (depth > MAX_DEPTH)
    {
      close (dirfd);
      return berth_error_make (err, ELOOP, "directories nested too deep");
    }
  d = fdopendir (dirfd);
  if (d == NULL)
    {
      int e = errno;
      close (dirfd);
      return berth_error_errno (err, e, "open directory");
    }
  while (r == 0 && (errno = 0, de = readdir (d)) != NULL)
    {
      struct stat st;
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (fstatat (dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        {
          if (errno == ENOENT)
            continue; /* the container removed it meanwhile */
          r = berth_error_errno (err, errno, "stat %s", de->d_name);
          break;
        }
      if (S_ISDIR (st.st_mode))
        {
          int sub = openat (dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          int lsub = lowerfd >= 0 ? openat (lowerfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
          if (sub < 0)
            {
              if (lsub >= 0)
                close (lsub);
              if (errno == ENOENT)
                continue;
              r = berth_error_errno (err, errno, "open %s", de->d_name);
              break;
            }
          r = walk (w, sub, lsub, depth + 1, err);
          if (lsub >= 0)
            close (lsub);
          if (r < 0)
            berth_error_wrap (err, "%s", de->d_name);
          continue;
        }
      if (same_as_lower (lowerfd, de->d_name, &st) || seen_before (w, &st))
        continue;
      w->total += st.st_size;
    }
  if (r == 0 && errno != 0)
    r = berth_error_errno (err, errno, "read directory");
  closedir (d);
  return r;
}

static int
tree_size (const char *dir, const char *lower, int64_t *ret, berth_error_t *err)
{
  struct walk w = { 0 };
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), lfd = -1, r;

  if (fd < 0)
    return berth_error_errno (err, errno, "open %s", dir);
  if (lower != NULL)
    {
      lfd = open (lower, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (lfd < 0)
        {
          close (fd);
          return berth_error_errno (err, errno, "open %s", lower);
        }
    }
  r = walk (&w, fd, lfd, 0, err);
  if (lfd >= 0)
    close (lfd);
  free (w.links);
  if (r < 0)
    return berth_error_wrap (err, "size of %s", dir);
  *ret = w.total;
  return 0;
}

struct dir_md
{
  char *dir;
};

static int
on_metadata (void *ud, const char *key, const char *value)
{
  struct dir_md *md = ud;

  if (strcmp (key, "Dir") == 0 && md->dir == NULL)
    md->dir = xstrdup (value);
  return 0;
}

static char *
layer_dir (struct berth_driver *storage, const char *id, berth_error_t *err)
{
  struct dir_md md = { NULL };

  if (storage->ops.storage.metadata (storage->drv, id, on_metadata, &md, err) < 0)
    return NULL;
  if (md.dir == NULL)
    berth_error_make (err, ENOTSUP, "storage driver %s does not report the directory of layer %s", storage->name, id);
  return md.dir;
}

int
container_size_rw (struct berth_driver *storage, const struct container *c, int64_t *ret, berth_error_t *err)
{
  const struct berth_storage_ops *ops = &storage->ops.storage;
  const char *parent = c->image_storage != NULL && c->image_storage[0] != '\0' ? c->image_storage : NULL;
  char path[PATH_MAX];

  *ret = 0;
  if (ops->diff_size != NULL)
    {
      if (ops->diff_size (storage->drv, c->rw_layer, parent, ret, err) < 0)
        return berth_error_wrap (err, "storage driver %s: size of layer %s", storage->name, c->rw_layer);
      return 0;
    }
  if (ops->diff_dir != NULL)
    {
      if (ops->diff_dir (storage->drv, c->rw_layer, path, sizeof (path), err) < 0)
        return berth_error_wrap (err, "storage driver %s: diff dir of layer %s", storage->name, c->rw_layer);
      return tree_size (path, NULL, ret, err);
    }
  if (ops->metadata != NULL)
    {
      cleanup_free char *dir = layer_dir (storage, c->rw_layer, err);
      cleanup_free char *lower = NULL;
      if (dir == NULL)
        return berth_error_ret (err);
      if (parent != NULL && (lower = layer_dir (storage, parent, err)) == NULL)
        return berth_error_ret (err);
      return tree_size (dir, lower, ret, err);
    }
  return berth_error_make (err, ENOTSUP, "storage driver %s cannot report the size of a layer", storage->name);
}
