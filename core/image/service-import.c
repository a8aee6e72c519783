/* `docker import`: a root filesystem tar becomes a one-layer image. */
#include "config.h"

#include "core/image/image-change.h"
#include "core/image/service.h"
#include "core/image/service-internal.h"
#include "core/lib/mem.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

char *
image_service_now (void)
{
  struct timespec ts;
  struct tm tm;
  char date[32], frac[16];
  size_t n;

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (date, sizeof (date), "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (frac, sizeof (frac), ".%09ld", ts.tv_nsec);
  n = strlen (frac);
  while (n > 1 && frac[n - 1] == '0')
    frac[--n] = '\0';
  if (n == 1)
    frac[0] = '\0';
  return xasprintf ("%s%sZ", date, frac);
}

int
image_service_import (struct image_service *svc, int tar_fd, char *const *changes, const char *message,
                      const struct image_ref *ref, char ret_id[DIGEST_BUF_SIZE], berth_error_t *err)
{
  cleanup_image_config struct image_config *cfg = xmalloc0 (sizeof (*cfg));
  struct image_change_state st = { 0 };
  struct store_layer layer;
  cleanup_free char *json = NULL;
  size_t len;
  int r;

  /* changes first: a bad one fails before the upload is spooled */
  for (size_t i = 0; changes != NULL && changes[i] != NULL; i++)
    if (image_change_apply (&cfg->config, &st, changes[i], err) < 0)
      return berth_error_wrap (err, "invalid change `%s`", changes[i]);

  image_service_pin (svc);
  r = image_service_layer_add (svc, NULL, tar_fd, NULL, NULL, &layer, err);
  if (r == 0)
    {
      cfg->created = image_service_now ();
      cfg->architecture = xstrdup (image_service_host_arch ());
      cfg->os = xstrdup ("linux");
      cfg->diff_ids = xmalloc0 (2 * sizeof (char *));
      cfg->diff_ids[0] = xstrdup (layer.diff_id);
      cfg->history = xmalloc0 (sizeof (*cfg->history));
      cfg->n_history = 1;
      cfg->history[0].created = xstrdup (cfg->created);
      cfg->history[0].comment = xstrdup (message != NULL && message[0] != '\0' ? message : "Imported from -");
      json = image_config_emit (cfg, &len);
      r = image_service_image_add (svc, json, len, NULL, layer.chain_id, ret_id, err);
    }
  if (r == 0 && ref != NULL)
    r = image_service_tag (svc, ref, ret_id, NULL, err);
  image_service_unpin (svc, r < 0);
  return r;
}
