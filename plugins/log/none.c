/* Log driver `none`: container output is discarded and cannot be read back
   (no BERTH_LOG_CAP_READ).  It takes no options. */
#include "config.h"

#include <berth/log.h>

#include <errno.h>
#include <stddef.h>

static int
first_key (void *ud, const char *key, const char *value)
{
  *(const char **)ud = key;
  return 1;
}

static int
none_validate (const struct berth_host_api *h, const struct berth_cfg *opts, struct berth_error **err)
{
  const char *key = NULL;

  if (h->cfg_each (opts, first_key, &key) != 0 && key != NULL)
    return h->cfg_error (err, opts, key, "none: unknown log option `%s` (the none log driver takes none)", key);
  return 0;
}

/* The driver has no state beyond the host table; drv points at it. */
static int
none_init (const struct berth_host_api *h, struct berth_host_ctx *ctx, const struct berth_cfg *opts, void **ret_drv,
           struct berth_error **err)
{
  *ret_drv = (void *)h;
  return 0;
}

static void
none_shutdown (void *drv)
{
}

static int
none_open (void *drv, const struct berth_log_info *info, void **ret_stream, struct berth_error **err)
{
  const struct berth_host_api *h = drv;
  int r = none_validate (h, info->opts, err);

  if (r < 0)
    return r;
  *ret_stream = drv; /* nothing per container */
  return 0;
}

static int
none_write (void *stream, const struct berth_log_msg *m, struct berth_error **err)
{
  return 0;
}

static int
none_close (void *stream, struct berth_error **err)
{
  return 0;
}

static const struct berth_log_ops none_ops = {
  .life = {
    .caps = 0,
    .validate = none_validate,
    .init = none_init,
    .shutdown = none_shutdown,
  },
  .open = none_open,
  .write = none_write,
  .close = none_close,
};

static const struct berth_plugin_descriptor none_descriptor
    = BERTH_PLUGIN_DESCRIPTOR_INIT (BERTH_KIND_LOG, "none", PACKAGE_VERSION, "discard container output", &none_ops);

BERTH_PLUGIN_DEFINE (none_descriptor)
