/* overlayfs mounts: mount(2) for short option strings, the mount API for
   stacks too deep for one page of options; stale mount sweep. */
#include "config.h"

#include "overlay-mount.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* Options that keep an upper dir self-contained, so that walking it gives
   the layer's diff: no redirects or metacopy-only files pointing into the
   lower layers, no inode index tying it to them. */
static const char *const fixed_options[][2] = {
  { "index", "off" },
  { "redirect_dir", "off" },
  { "metacopy", "off" },
};

#define N_FIXED (sizeof (fixed_options) / sizeof (fixed_options[0]))

/* Characters mount(2)'s option string cannot carry unescaped. */
static bool
plain_path (const char *p)
{
  return strpbrk (p, ",:\\") == NULL;
}

/* The mount(2) option string, or NULL if it cannot be one (too long for the
   page the kernel copies, or a path needing escapes). */
static char *
classic_options (const struct ovl_mount_spec *s)
{
  long page = sysconf (_SC_PAGESIZE);
  size_t len = 0, off = 0;
  char *buf;

  for (size_t i = 0; i < s->n_lower; i++)
    {
      if (!plain_path (s->lower[i]))
        return NULL;
      len += strlen (s->lower[i]) + 1;
    }
  if (s->upper && (!plain_path (s->upper) || !plain_path (s->work)))
    return NULL;
  len += sizeof ("lowerdir=") + (s->upper ? strlen (s->upper) + strlen (s->work) + 20 : 0);
  for (size_t i = 0; i < N_FIXED; i++)
    len += strlen (fixed_options[i][0]) + strlen (fixed_options[i][1]) + 2;
  if (page <= 0 || len >= (size_t)page)
    return NULL;
  buf = malloc (len + 1);
  if (buf == NULL)
    return NULL;
  off += (size_t)sprintf (buf + off, "lowerdir=");
  for (size_t i = 0; i < s->n_lower; i++)
    off += (size_t)sprintf (buf + off, "%s%s", i ? ":" : "", s->lower[i]);
  if (s->upper)
    off += (size_t)sprintf (buf + off, ",upperdir=%s,workdir=%s", s->upper, s->work);
  for (size_t i = 0; i < N_FIXED; i++)
    off += (size_t)sprintf (buf + off, ",%s=%s", fixed_options[i][0], fixed_options[i][1]);
  return buf;
}

static int
classic_mount (const struct berth_host_api *h, const struct ovl_mount_spec *s, const char *opts, const char *target,
               struct berth_error **err)
{
  if (mount ("overlay", target, "overlay", s->read_only ? MS_RDONLY : 0, opts) < 0)
    return h->error_set (err, errno, "overlay: mount on %s (%s): %s", target, opts, strerror (errno));
  return 0;
}

/* The kernel's messages about a failed fs context ("e overlayfs: ..."), joined. */
static void
context_messages (int fsfd, char *out, size_t len)
{
  char line[512];
  size_t off = 0;
  ssize_t n;

  out[0] = '\0';
  while (off + 1 < len && (n = read (fsfd, line, sizeof (line) - 1)) > 0)
    {
      line[n] = '\0';
      off += (size_t)snprintf (out + off, len - off, "%s%s", off ? "; " : "",
                               n > 2 && line[1] == ' ' ? line + 2 : line);
    }
}

static int
api_fail (const struct berth_host_api *h, int fsfd, int e, const char *what, const char *target,
          struct berth_error **err)
{
  char msg[1024];

  context_messages (fsfd, msg, sizeof (msg));
  return h->error_set (err, e, "overlay: mount on %s: %s: %s%s%s", target, what, strerror (e), msg[0] ? ": " : "", msg);
}

/* fsconfig takes strings of at most 256 bytes: a longer path goes as an fd
   (Linux 6.13+), or as the short /proc/self/fd/N name of that fd. */
#define FSCONFIG_STRING_MAX 256

static int
set_dir (int fsfd, const char *key, const char *path)
{
  char proc[64];
  int fd, r;

  if (strlen (path) < FSCONFIG_STRING_MAX)
    return fsconfig (fsfd, FSCONFIG_SET_STRING, key, path, 0);
  fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  r = fsconfig (fsfd, FSCONFIG_SET_FD, key, NULL, fd);
  if (r < 0 && errno == EINVAL)
    {
      snprintf (proc, sizeof (proc), "/proc/self/fd/%d", fd);
      r = fsconfig (fsfd, FSCONFIG_SET_STRING, key, proc, 0);
    }
  /* The layer is resolved by now: the kernel holds its own reference. */
  {
    int e = errno;
    close (fd);
    errno = e;
  }
  return r;
}

static int
api_mount (const struct berth_host_api *h, const struct ovl_mount_spec *s, const char *target, struct berth_error **err)
{
  int fsfd = fsopen ("overlay", FSOPEN_CLOEXEC);
  int mfd = -1, r = 0;

  if (fsfd < 0 && errno == ENOSYS)
    return -ENOSYS; /* before Linux 5.2, or valgrind */
  if (fsfd < 0)
    return h->error_set (err, errno, "overlay: mount on %s: fsopen: %s", target, strerror (errno));
  if (fsconfig (fsfd, FSCONFIG_SET_STRING, "source", "overlay", 0) < 0)
    r = api_fail (h, fsfd, errno, "source", target, err);
  for (size_t i = 0; r == 0 && i < s->n_lower; i++)
    if (set_dir (fsfd, "lowerdir+", s->lower[i]) < 0)
      {
        if (errno == EINVAL && i == 0)
          r = -ENOSYS; /* no lowerdir+: before Linux 6.8 */
        else
          r = api_fail (h, fsfd, errno, s->lower[i], target, err);
      }
  if (r == 0 && s->upper && set_dir (fsfd, "upperdir", s->upper) < 0)
    r = api_fail (h, fsfd, errno, s->upper, target, err);
  if (r == 0 && s->upper && set_dir (fsfd, "workdir", s->work) < 0)
    r = api_fail (h, fsfd, errno, s->work, target, err);
  for (size_t i = 0; r == 0 && i < N_FIXED; i++)
    if (fsconfig (fsfd, FSCONFIG_SET_STRING, fixed_options[i][0], fixed_options[i][1], 0) < 0)
      r = api_fail (h, fsfd, errno, fixed_options[i][0], target, err);
  if (r == 0 && s->read_only && fsconfig (fsfd, FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0)
    r = api_fail (h, fsfd, errno, "ro", target, err);
  if (r == 0 && fsconfig (fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    r = api_fail (h, fsfd, errno, "create", target, err);
  if (r == 0 && (mfd = fsmount (fsfd, FSMOUNT_CLOEXEC, s->read_only ? MOUNT_ATTR_RDONLY : 0)) < 0)
    r = api_fail (h, fsfd, errno, "fsmount", target, err);
  if (r == 0 && move_mount (mfd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    r = h->error_set (err, errno, "overlay: mount on %s: move_mount: %s", target, strerror (errno));
  if (mfd >= 0)
    close (mfd);
  close (fsfd);
  return r;
}

/* Without the mount API: every dir by the short name of an O_PATH fd,
   /proc/self/fd/N, which fits a page up to about 200 layers. */
static int
fd_mount (const struct berth_host_api *h, const struct ovl_mount_spec *s, const char *target, struct berth_error **err)
{
  size_t n = s->n_lower + 2, opened = 0;
  char (*names)[32] = calloc (n, sizeof (*names));
  const char **lower = calloc (n, sizeof (char *));
  int *fds = calloc (n, sizeof (int));
  struct ovl_mount_spec short_spec = *s;
  char *opts = NULL;
  int r = 0;

  if (names == NULL || lower == NULL || fds == NULL)
    r = h->error_set (err, ENOMEM, "overlay: out of memory");
  for (size_t i = 0; r == 0 && i < n; i++)
    {
      const char *path = i < s->n_lower ? s->lower[i] : i == s->n_lower ? s->upper : s->work;
      if (path == NULL)
        continue;
      fds[opened] = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (fds[opened] < 0)
        {
          r = h->error_set (err, errno, "overlay: open %s: %s", path, strerror (errno));
          break;
        }
      snprintf (names[i], sizeof (names[i]), "/proc/self/fd/%d", fds[opened++]);
      lower[i] = names[i];
    }
  if (r == 0)
    {
      short_spec.lower = lower;
      short_spec.upper = s->upper ? lower[s->n_lower] : NULL;
      short_spec.work = s->upper ? lower[s->n_lower + 1] : NULL;
      opts = classic_options (&short_spec);
      if (opts == NULL)
        r = h->error_set (err, ENAMETOOLONG,
                          "overlay: mount on %s: %zu layers do not fit one page of mount options, and this kernel "
                          "has no lowerdir+ to add them one by one (Linux 6.8)",
                          target, s->n_lower);
    }
  if (r == 0)
    r = classic_mount (h, s, opts, target, err);
  while (opened > 0)
    close (fds[--opened]);
  free (opts);
  free (fds);
  free (lower);
  free (names);
  return r;
}

int
ovl_mount (const struct berth_host_api *h, const struct ovl_mount_spec *s, const char *target, struct berth_error **err)
{
  char *opts = classic_options (s);
  int r;

  if (opts != NULL)
    {
      r = classic_mount (h, s, opts, target, err);
      free (opts);
      return r;
    }
  r = api_mount (h, s, target, err);
  if (r == -ENOSYS)
    r = fd_mount (h, s, target, err);
  return r;
}

int
ovl_is_mount_point (const char *path)
{
  struct statx stx, parent;
  char *up;
  int r;

  if (statx (AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) < 0)
    return -errno;
  if (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
    return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
  /* Before Linux 5.8: an overlay mount always has a device of its own. */
  if (asprintf (&up, "%s/..", path) < 0)
    return -ENOMEM;
  r = statx (AT_FDCWD, up, 0, STATX_BASIC_STATS, &parent);
  free (up);
  if (r < 0)
    return -errno;
  return stx.stx_dev_major != parent.stx_dev_major || stx.stx_dev_minor != parent.stx_dev_minor;
}

/* Undo mountinfo's octal escapes (\040 for a space...) in place. */
static void
unescape (char *s)
{
  char *w = s;

  for (; *s; s++)
    {
      if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7')
        {
          *w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
          s += 3;
        }
      else
        *w++ = *s;
    }
  *w = '\0';
}

int
ovl_unmount_below (const struct berth_host_api *h, struct berth_host_ctx *ctx, const char *dir,
                   struct berth_error **err)
{
  FILE *f = fopen ("/proc/self/mountinfo", "re");
  size_t dlen = strlen (dir), n = 0;
  char **points = NULL;
  char *line = NULL;
  size_t cap = 0;
  int r = 0, count = 0;

  if (f == NULL)
    return h->error_set (err, errno, "overlay: read /proc/self/mountinfo: %s", strerror (errno));
  while (r == 0 && getline (&line, &cap, f) > 0)
    {
      /* id parent major:minor root MOUNT-POINT ... */
      char *save = NULL, *point = NULL, *tok = strtok_r (line, " ", &save);
      for (int i = 0; tok && i < 4; i++)
        point = tok = strtok_r (NULL, " ", &save);
      if (point == NULL)
        continue;
      unescape (point);
      if (strncmp (point, dir, dlen) != 0 || point[dlen] != '/')
        continue;
      /* Only what sits in a .tmp-/.rm-/.probe- leftover: a layer's merged
         mount may be the root of a container that outlived the daemon (live
         restore); the core unmounts those of containers that are gone. */
      if (point[dlen + 1] != '.')
        continue;
      {
        char **v = realloc (points, (n + 1) * sizeof (char *));
        if (v == NULL || (v[n] = strdup (point)) == NULL)
          r = h->error_set (err, ENOMEM, "overlay: out of memory");
        if (v != NULL)
          points = v;
        if (r == 0)
          n++;
      }
    }
  free (line);
  fclose (f);
  /* mountinfo lists parents before children: undo in reverse. */
  for (size_t i = n; i > 0; i--)
    {
      if (r == 0)
        {
          if (umount2 (points[i - 1], MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
            {
              h->log (ctx, BERTH_LOG_LEVEL_INFO, "unmounted %s, left mounted by an earlier run", points[i - 1]);
              count++;
            }
          else if (errno != EINVAL && errno != ENOENT)
            r = h->error_set (err, errno, "overlay: unmount stale %s: %s", points[i - 1], strerror (errno));
        }
      free (points[i - 1]);
    }
  free (points);
  return r < 0 ? r : count;
}
