/* Reading and writing the per-layer record of the overlay driver. */
#include "config.h"

#include "overlay-layer.h"

#include "driver-root.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define RECORD_MAX (1 << 20) /* about 70000 layers deep: far past any real chain */

bool
ovl_valid_id (const char *id)
{
  return driver_valid_id (id) && strcmp (id, OVL_LINK_DIR) != 0;
}

static bool
valid_link (const char *s)
{
  if (strlen (s) != OVL_LINK_LEN)
    return false;
  for (; *s; s++)
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
      return false;
  return true;
}

static bool
valid_lower (const char *s)
{
  /* LINK(:LINK)* */
  for (;;)
    {
      const char *colon = strchr (s, ':');
      size_t n = colon ? (size_t)(colon - s) : strlen (s);
      char one[OVL_LINK_LEN + 1];
      if (n != OVL_LINK_LEN)
        return false;
      memcpy (one, s, n);
      one[n] = '\0';
      if (!valid_link (one))
        return false;
      if (colon == NULL)
        return true;
      s = colon + 1;
    }
}

void
ovl_layer_clear (struct ovl_layer *l)
{
  free (l->parent);
  free (l->lower);
  memset (l, 0, sizeof (*l));
}

/* The whole file, NUL-terminated, or NULL with errno set. */
static char *
slurp (int dirfd, const char *path)
{
  int fd = openat (dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  char *buf = NULL;
  size_t len = 0;
  int e = 0;

  if (fd < 0)
    return NULL;
  if (fstat (fd, &st) < 0)
    e = errno;
  else if (st.st_size > RECORD_MAX)
    e = EFBIG;
  else if ((buf = malloc ((size_t)st.st_size + 1)) == NULL)
    e = ENOMEM;
  while (e == 0 && len < (size_t)st.st_size)
    {
      ssize_t n = read (fd, buf + len, (size_t)st.st_size - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        e = errno;
      if (n <= 0)
        break;
      len += (size_t)n;
    }
  close (fd);
  if (e != 0)
    {
      free (buf);
      errno = e;
      return NULL;
    }
  buf[len] = '\0';
  return buf;
}

int
ovl_layer_read (const struct berth_host_api *h, int root_fd, const char *id, struct ovl_layer *ret,
                struct berth_error **err)
{
  char path[160];
  char *text, *line, *save = NULL;
  int r = 0;

  memset (ret, 0, sizeof (*ret));
  snprintf (path, sizeof (path), "%s/layer", id);
  text = slurp (root_fd, path);
  if (text == NULL)
    {
      int e = errno;
      if (e == ENOENT || e == ENOTDIR)
        return -ENOENT;
      return h->error_set (err, e, "overlay: read the record of layer `%s`: %s", id, strerror (e));
    }
  for (line = strtok_r (text, "\n", &save); line && r == 0; line = strtok_r (NULL, "\n", &save))
    {
      char *eq = strchr (line, '=');
      const char *key = line, *value;
      if (eq == NULL)
        {
          r = -EINVAL;
          break;
        }
      *eq = '\0';
      value = eq + 1;
      if (strcmp (key, "link") == 0 && valid_link (value))
        memcpy (ret->link, value, OVL_LINK_LEN + 1);
      else if (strcmp (key, "parent") == 0 && ovl_valid_id (value) && ret->parent == NULL)
        r = (ret->parent = strdup (value)) ? 0 : -ENOMEM;
      else if (strcmp (key, "lower") == 0 && valid_lower (value) && ret->lower == NULL)
        r = (ret->lower = strdup (value)) ? 0 : -ENOMEM;
      else if (strcmp (key, "rw") == 0 && strcmp (value, "1") == 0)
        ret->rw = true;
      else
        r = -EINVAL;
    }
  free (text);
  if (r == 0 && (ret->link[0] == '\0' || (ret->parent == NULL) != (ret->lower == NULL)))
    r = -EINVAL;
  if (r < 0)
    {
      ovl_layer_clear (ret);
      return r == -ENOMEM ? h->error_set (err, ENOMEM, "overlay: out of memory")
                          : h->error_set (err, EUCLEAN, "overlay: the record %s of layer `%s` is corrupt", path, id);
    }
  return 0;
}

int
ovl_layer_write (const struct berth_host_api *h, const char *dir, const struct ovl_layer *l, struct berth_error **err)
{
  char *text = NULL, *path = NULL;
  int r, n;

  n = asprintf (&text, "link=%s\n%s%s%s%s%s%s%s", l->link, l->parent ? "parent=" : "", l->parent ? l->parent : "",
                l->parent ? "\n" : "", l->lower ? "lower=" : "", l->lower ? l->lower : "", l->lower ? "\n" : "",
                l->rw ? "rw=1\n" : "");
  if (n < 0 || asprintf (&path, "%s/layer", dir) < 0)
    {
      free (text);
      return h->error_set (err, ENOMEM, "overlay: out of memory");
    }
  r = h->write_file_atomic (path, text, (size_t)n, 0600, err);
  free (text);
  free (path);
  return r;
}

int
ovl_new_link_name (char buf[OVL_LINK_LEN + 1])
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  unsigned char rnd[OVL_LINK_LEN];

  if (getrandom (rnd, sizeof (rnd), 0) != (ssize_t)sizeof (rnd))
    return -errno;
  for (size_t i = 0; i < OVL_LINK_LEN; i++)
    buf[i] = alphabet[rnd[i] % 36];
  buf[OVL_LINK_LEN] = '\0';
  return 0;
}
