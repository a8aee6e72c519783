/* The state directory shared by the directory-per-layer storage drivers. */
#include "config.h"

#include "driver-root.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
note_first_key (void *ud, const char *key, const char *value)
{
  *(const char **)ud = key;
  return 1;
}

int
driver_root_no_options (const struct berth_host_api *h, const struct berth_cfg *opts, const char *driver,
                        struct berth_error **err)
{
  const char *key = NULL;

  if (h->cfg_each (opts, note_first_key, &key) != 0 && key != NULL)
    return h->cfg_error (err, opts, key, "%s: unknown storage option `%s` (%s takes none)", driver, key, driver);
  return 0;
}

int
driver_root_open (struct driver_root *r, const struct berth_host_api *h, struct berth_host_ctx *ctx, const char *driver,
                  struct berth_error **err)
{
  const char *dir = h->state_dir (ctx);

  *r = (struct driver_root){ .h = h, .ctx = ctx, .driver = driver, .fd = -1 };
  if (dir == NULL)
    return h->error_set (err, EIO, "%s: no state directory", driver);
  r->path = strdup (dir);
  if (r->path == NULL)
    return h->error_set (err, ENOMEM, "%s: out of memory", driver);
  r->fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (r->fd < 0)
    {
      int e = errno;
      driver_root_close (r);
      return h->error_set (err, e, "%s: open %s: %s", driver, dir, strerror (e));
    }
  return 0;
}

void
driver_root_close (struct driver_root *r)
{
  if (r->fd >= 0)
    close (r->fd);
  r->fd = -1;
  free (r->path);
  r->path = NULL;
}

bool
driver_valid_id (const char *id)
{
  size_t n = id ? strlen (id) : 0;

  if (n == 0 || n > 128 || id[0] == '.' || id[0] == '-')
    return false;
  for (const char *p = id; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '.'
          || *p == '-'))
      return false;
  return true;
}

bool
driver_root_valid_id (const struct driver_root *r, const char *id)
{
  return driver_valid_id (id) && (r->reserved == NULL || strcmp (id, r->reserved) != 0);
}

int
driver_root_check_id (const struct driver_root *r, const char *id, struct berth_error **err)
{
  if (!driver_root_valid_id (r, id))
    return r->h->error_set (err, EINVAL, "%s: invalid layer id `%s`", r->driver, id ? id : "(null)");
  return 0;
}

int
driver_root_check_create (const struct driver_root *r, const char *id, const char *parent,
                          const struct berth_layer_opts *o, struct berth_error **err)
{
  if (driver_root_check_id (r, id, err) < 0 || (parent != NULL && driver_root_check_id (r, parent, err) < 0))
    return -EINVAL;
  if (o != NULL && o->quota_bytes > 0)
    return r->h->error_set (err, ENOTSUP, "%s: layer size quotas are not supported", r->driver);
  return 0;
}

int
driver_root_layer_exists (const struct driver_root *r, const char *id)
{
  struct stat st;

  if (fstatat (r->fd, id, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : -errno;
  return S_ISDIR (st.st_mode) ? 1 : 0;
}

int
driver_root_require_layer (const struct driver_root *r, const char *id, struct berth_error **err)
{
  int e;

  if (driver_root_check_id (r, id, err) < 0)
    return -EINVAL;
  e = driver_root_layer_exists (r, id);
  if (e <= 0)
    return r->h->error_set (err, e == 0 ? ENOENT : -e, "%s: layer `%s` does not exist", r->driver, id);
  return 0;
}

int
driver_root_require_absent (const struct driver_root *r, const char *id, struct berth_error **err)
{
  int e = driver_root_layer_exists (r, id);

  if (e > 0)
    return r->h->error_set (err, EEXIST, "%s: layer `%s` already exists", r->driver, id);
  if (e < 0)
    return r->h->error_set (err, -e, "%s: stat layer `%s`: %s", r->driver, id, strerror (-e));
  return 0;
}

int
driver_root_layer_path (const struct driver_root *r, char *buf, size_t len, const char *id, const char *sub,
                        struct berth_error **err)
{
  if ((size_t)snprintf (buf, len, "%s/%s%s%s", r->path, id, sub ? "/" : "", sub ? sub : "") >= len)
    return r->h->error_set (err, ENAMETOOLONG, "%s: the path of layer `%s` is too long", r->driver, id);
  return 0;
}

int
driver_root_remove (const struct driver_root *r, const char *name, struct berth_error **err)
{
  char path[4096];

  if ((size_t)snprintf (path, sizeof (path), "%s/%s", r->path, name) >= sizeof (path))
    return r->h->error_set (err, ENAMETOOLONG, "%s: path too long", r->driver);
  return r->h->rm_rf (path, err);
}

int
driver_root_each (const struct driver_root *r, int (*fn) (void *ud, const char *name, struct berth_error **err),
                  void *ud, struct berth_error **err)
{
  int fd = openat (r->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *de;
  int ret = 0;

  if (d == NULL)
    {
      int e = errno;
      if (fd >= 0)
        close (fd);
      return r->h->error_set (err, e, "%s: read %s: %s", r->driver, r->path, strerror (e));
    }
  while (ret == 0 && (de = readdir (d)) != NULL)
    ret = fn (ud, de->d_name, err);
  closedir (d);
  return ret;
}

bool
driver_root_is_leftover (const char *name)
{
  return strncmp (name, ".tmp-", 5) == 0 || strncmp (name, ".rm-", 4) == 0;
}

struct list_walk
{
  const struct driver_root *r;
  berth_str_fn emit;
  void *ud;
};

static int
list_one (void *ud, const char *name, struct berth_error **err)
{
  struct list_walk *w = ud;

  if (!driver_root_valid_id (w->r, name) || driver_root_layer_exists (w->r, name) <= 0)
    return 0;
  return w->emit (w->ud, name);
}

int
driver_root_list (const struct driver_root *r, berth_str_fn emit, void *ud, struct berth_error **err)
{
  struct list_walk w = { .r = r, .emit = emit, .ud = ud };

  return driver_root_each (r, list_one, &w, err);
}
