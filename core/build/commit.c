/* Build steps as images (see commit.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/build/commit.h"
#include "core/container/container.h"
#include "core/lib/mem.h"

/* sha256 of 1024 zero bytes: a tar without entries */
#define EMPTY_TAR_DIFF_ID "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"

struct image_config *
build_scratch_config (void)
{
  struct image_config *c = xmalloc0 (sizeof (*c));

  c->architecture = xstrdup (image_service_host_arch ());
  c->os = xstrdup ("linux");
  c->diff_ids = xmalloc0 (sizeof (char *));
  return c;
}

/* A diff tar in a scratch file becomes the layer's kept tar by a hard link
   (image_service_layer_adopt) after one read to hash it (or none when its
   writer hashed it: known_digest), instead of a second 50 MB copy through
   the spool; anything else is spooled. */
static int
layer_add (struct image_service *svc, const char *parent, int tar_fd, const char *known_digest, uint64_t known_size,
           struct store_layer *ret, berth_error_t *err)
{
  struct image_spooled_layer sp;
  char digest[DIGEST_BUF_SIZE];
  cleanup_free char *fdp = NULL, *path = NULL;
  uint64_t size = 0;
  struct stat st;
  unsigned char rnd[8];
  int r;

  if (fstat (tar_fd, &st) < 0 || !S_ISREG (st.st_mode) || lseek (tar_fd, 0, SEEK_CUR) != 0
      || getrandom (rnd, sizeof (rnd), 0) != (ssize_t)sizeof (rnd))
    return image_service_layer_add (svc, parent, tar_fd, NULL, NULL, ret, err);
  if (known_digest != NULL && (uint64_t)st.st_size == known_size)
    {
      snprintf (digest, sizeof (digest), "%s", known_digest);
      size = known_size;
    }
  else if (digest_fd (tar_fd, digest, &size, err) < 0)
    return berth_error_ret (err);
  fdp = xasprintf ("/proc/self/fd/%d", tar_fd);
  path = xasprintf ("%s/build-layer-%02x%02x%02x%02x%02x%02x%02x%02x.tar", image_service_tmp_dir (svc), rnd[0], rnd[1],
                    rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
  if (linkat (AT_FDCWD, fdp, AT_FDCWD, path, AT_SYMLINK_FOLLOW) < 0)
    {
      /* not a nameless scratch file (or no link possible): copy it */
      if (lseek (tar_fd, 0, SEEK_SET) < 0)
        return berth_error_errno (err, errno, "rewind the layer diff");
      return image_service_layer_add (svc, parent, tar_fd, NULL, NULL, ret, err);
    }
  r = image_service_layer_adopt (svc, path, digest, size, NULL, NULL, &sp, err);
  if (r == 0)
    r = image_service_layer_add_spooled (svc, parent, &sp, ret, err);
  unlink (path);
  return r;
}

int
build_commit (struct image_service *svc, const char *parent, struct image_config *cfg, const char *created_by,
              int tar_fd, char ret_id[DIGEST_BUF_SIZE], berth_error_t *err)
{
  return build_commit_hashed (svc, parent, cfg, created_by, tar_fd, NULL, 0, ret_id, err);
}

int
build_commit_hashed (struct image_service *svc, const char *parent, struct image_config *cfg, const char *created_by,
                     int tar_fd, const char *tar_digest, uint64_t tar_size, char ret_id[DIGEST_BUF_SIZE],
                     berth_error_t *err)
{
  cleanup_store_image struct store_image *pimg = NULL;
  struct store_layer layer;
  struct image_history *h;
  cleanup_free char *json = NULL;
  char top[DIGEST_BUF_SIZE] = "";
  bool empty = true;
  size_t len, n;
  int r = 0;

  image_service_pin (svc);
  if (parent[0] != '\0')
    {
      r = store_image_get (image_service_store (svc), parent, &pimg, err);
      if (r == 0)
        snprintf (top, sizeof (top), "%s", pimg->top_layer);
    }
  if (r == 0 && tar_fd >= 0)
    {
      r = layer_add (svc, top[0] != '\0' ? top : NULL, tar_fd, tar_digest, tar_size, &layer, err);
      if (r == 0 && strcmp (layer.diff_id, EMPTY_TAR_DIFF_ID) != 0)
        {
          empty = false;
          snprintf (top, sizeof (top), "%s", layer.chain_id);
        }
    }
  if (r < 0)
    {
      image_service_unpin (svc, true);
      return berth_error_wrap (err, "commit the build step");
    }
  free (cfg->created);
  cfg->created = container_now_rfc3339 (NULL);
  if (!empty)
    {
      n = 0;
      while (cfg->diff_ids != NULL && cfg->diff_ids[n] != NULL)
        n++;
      cfg->diff_ids = xrealloc (cfg->diff_ids, (n + 2) * sizeof (char *));
      cfg->diff_ids[n] = xstrdup (layer.diff_id);
      cfg->diff_ids[n + 1] = NULL;
    }
  cfg->history = xrealloc (cfg->history, (cfg->n_history + 1) * sizeof (*cfg->history));
  h = &cfg->history[cfg->n_history++];
  memset (h, 0, sizeof (*h));
  h->created = xstrdup (cfg->created);
  h->created_by = xstrdup (created_by);
  h->empty_layer = empty;
  json = image_config_emit (cfg, &len);
  r = image_service_image_add (svc, json, len, NULL, top[0] != '\0' ? top : NULL, ret_id, err);
  if (r == 0 && parent[0] != '\0')
    r = store_image_set_parent (image_service_store (svc), ret_id, parent, err);
  image_service_unpin (svc, r < 0 || (tar_fd >= 0 && empty));
  if (r < 0)
    return berth_error_wrap (err, "commit the build step");
  return 0;
}
