#include "config.h"

#include "core/lib/openat2.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "core/container/user.h"
#include "core/lib/mem.h"

#define DB_MAX (4u << 20)

void
container_user_clear (struct container_user *u)
{
  free (u->groups);
  memset (u, 0, sizeof (*u));
}

/* the whole file, or NULL when it does not exist */
static char *
read_in_root (const char *rootfs, const char *path, berth_error_t *err)
{
  struct open_how how = { .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
                          .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
  cleanup_close int root = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int fd = -1;
  char *buf = NULL;
  size_t len = 0;

  if (root < 0)
    {
      berth_error_errno (err, errno, "open the rootfs %s", rootfs);
      return NULL;
    }
  fd = berth_openat2 (root, path, &how);
  if (fd < 0)
    {
      if (errno != ENOENT)
        berth_error_errno (err, errno, "open %s in the container", path);
      return NULL;
    }
  for (;;)
    {
      ssize_t n;
      buf = xrealloc (buf, len + 65536 + 1);
      n = read (fd, buf + len, 65536);
      if (n < 0)
        {
          free (buf);
          berth_error_errno (err, errno, "read %s in the container", path);
          return NULL;
        }
      if (n == 0)
        break;
      len += (size_t) n;
      if (len > DB_MAX)
        {
          free (buf);
          berth_error_make (err, EFBIG, "%s in the container is too large", path);
          return NULL;
        }
    }
  buf[len] = '\0';
  return buf;
}

static bool
parse_id (const char *s, uint32_t *ret)
{
  char *end;
  unsigned long v;

  if (*s < '0' || *s > '9')
    return false;
  errno = 0;
  v = strtoul (s, &end, 10);
  if (errno != 0 || *end != '\0' || v > UINT32_MAX - 1)
    return false;
  *ret = (uint32_t) v;
  return true;
}

/* split one line of a colon database into at most max fields (in place) */
static size_t
split_fields (char *line, char **f, size_t max)
{
  size_t n = 0;

  f[n++] = line;
  for (char *p = line; *p && n < max; p++)
    if (*p == ':')
      {
        *p = '\0';
        f[n++] = p + 1;
      }
  return n;
}

/* passwd: name:x:uid:gid:... matching by name or uid */
static bool
find_passwd (char *db, const char *name, bool by_uid, uint32_t uid, uint32_t *ret_uid, uint32_t *ret_gid,
             char **ret_name)
{
  char *save = NULL;

  for (char *line = strtok_r (db, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *f[7];
      uint32_t u, g;
      if (split_fields (line, f, 7) < 4 || !parse_id (f[2], &u) || !parse_id (f[3], &g))
        continue;
      if (by_uid ? u == uid : strcmp (f[0], name) == 0)
        {
          *ret_uid = u;
          *ret_gid = g;
          *ret_name = xstrdup (f[0]);
          return true;
        }
    }
  return false;
}

/* group: name:x:gid:member,member */
static void
scan_groups (char *db, const char *group_name, bool *found_group, uint32_t *gid, const char *user,
             struct container_user *u)
{
  char *save = NULL;

  for (char *line = strtok_r (db, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *f[4], *msave = NULL;
      uint32_t g;
      if (split_fields (line, f, 4) < 4 || !parse_id (f[2], &g))
        continue;
      if (group_name && !*found_group && strcmp (f[0], group_name) == 0)
        {
          *gid = g;
          *found_group = true;
        }
      if (user == NULL)
        continue;
      for (char *m = strtok_r (f[3], ",", &msave); m; m = strtok_r (NULL, ",", &msave))
        if (strcmp (m, user) == 0)
          {
            u->groups = xrealloc (u->groups, (u->n_groups + 1) * sizeof (uint32_t));
            u->groups[u->n_groups++] = g;
            break;
          }
    }
}

int
container_user_resolve (const char *rootfs, const char *spec, struct container_user *ret, berth_error_t *err)
{
  cleanup_free char *user_part = NULL, *passwd = NULL, *group = NULL, *name = NULL;
  const char *group_part = NULL;
  char *colon;
  cleanup_error berth_error_t rerr = NULL;
  bool uid_numeric, have_user = false, found_group = false;
  uint32_t uid = 0, gid = 0;

  memset (ret, 0, sizeof (*ret));
  if (spec == NULL || spec[0] == '\0')
    spec = "0";
  user_part = xstrdup (spec);
  colon = strchr (user_part, ':');
  if (colon != NULL)
    {
      *colon = '\0';
      group_part = colon + 1;
    }
  uid_numeric = parse_id (user_part, &uid);
  passwd = read_in_root (rootfs, "/etc/passwd", &rerr);
  if (rerr != NULL)
    return berth_error_make (err, berth_error_code (&rerr), "%s", berth_error_msg (&rerr));
  if (passwd != NULL)
    have_user = find_passwd (passwd, user_part, uid_numeric, uid, &uid, &gid, &name);
  if (!have_user && !uid_numeric)
    return berth_error_make (err, EINVAL, "unable to find user %s: no matching entries in passwd file", user_part);
  group = read_in_root (rootfs, "/etc/group", &rerr);
  if (rerr != NULL)
    return berth_error_make (err, berth_error_code (&rerr), "%s", berth_error_msg (&rerr));
  if (group_part != NULL && group_part[0] != '\0' && parse_id (group_part, &gid))
    group_part = NULL;
  if (group != NULL)
    scan_groups (group, group_part, &found_group, &gid, name, ret);
  if (group_part != NULL && group_part[0] != '\0' && !found_group)
    {
      container_user_clear (ret);
      return berth_error_make (err, EINVAL, "unable to find group %s: no matching entries in group file", group_part);
    }
  ret->uid = uid;
  ret->gid = gid;
  return 0;
}
