/* Build steps as images (see commit.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

int
build_commit (struct image_service *svc, const char *parent, struct image_config *cfg, const char *created_by,
              int tar_fd, char ret_id[DIGEST_BUF_SIZE], berth_error_t *err)
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
      r = image_service_layer_add (svc, top[0] != '\0' ? top : NULL, tar_fd, NULL, NULL, &layer, err);
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
