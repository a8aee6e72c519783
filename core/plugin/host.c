/* The services table every driver receives (struct berth_host_api). */
#include "config.h"

#include "core/config/tree.h"
#include "core/lib/error.h"
#include "core/lib/fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/plugin/host.h"
#include "core/plugin/registry.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

struct berth_host_ctx *
berth_host_ctx_new (uint32_t kind, const char *name, const char *data_root)
{
  struct berth_host_ctx *ctx = xmalloc0 (sizeof (*ctx));

  ctx->kind = kind;
  ctx->name = xstrdup (name);
  ctx->tag = xasprintf ("[%s/%s]", berth_kind_name (kind), name);
  ctx->state_dir = xasprintf ("%s/%s/%s", data_root, berth_kind_name (kind), name);
  pthread_mutex_init (&ctx->lock, NULL);
  return ctx;
}

void
berth_host_ctx_free (struct berth_host_ctx *ctx)
{
  if (ctx == NULL)
    return;
  pthread_mutex_destroy (&ctx->lock);
  free (ctx->name);
  free (ctx->tag);
  free (ctx->state_dir);
  free (ctx);
}

static void host_log (struct berth_host_ctx *ctx, int level, const char *fmt, ...) BERTH_PRINTF (3, 4);
static void
host_log (struct berth_host_ctx *ctx, int level, const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  va_list ap;

  if (level < BERTH_LOG_LEVEL_ERROR)
    level = BERTH_LOG_LEVEL_ERROR;
  if (level > BERTH_LOG_LEVEL_DEBUG)
    level = BERTH_LOG_LEVEL_DEBUG;
  if ((enum berth_log_level)level > berth_log_get_level ())
    return;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    oom ();
  va_end (ap);
  berth_log ((enum berth_log_level)level, "%s %s", ctx ? ctx->tag : "[plugin]", msg);
}

static int host_error_set (struct berth_error **err, int errnum, const char *fmt, ...) BERTH_PRINTF (3, 4);
static int
host_error_set (struct berth_error **err, int errnum, const char *fmt, ...)
{
  va_list ap;
  int r;

  /* Accept ENOENT as well as -ENOENT: both mean the same to a driver author. */
  if (errnum < 0)
    errnum = -errnum;
  va_start (ap, fmt);
  r = berth_error_makev (err, errnum, fmt, ap);
  va_end (ap);
  return r;
}

static int host_error_wrap (struct berth_error **err, const char *fmt, ...) BERTH_PRINTF (2, 3);
static int
host_error_wrap (struct berth_error **err, const char *fmt, ...)
{
  va_list ap;
  int r;

  va_start (ap, fmt);
  r = berth_error_wrapv (err, fmt, ap);
  va_end (ap);
  return r;
}

static int host_cfg_error (struct berth_error **err, const struct berth_cfg *c, const char *key, const char *fmt, ...)
    BERTH_PRINTF (4, 5);
static int
host_cfg_error (struct berth_error **err, const struct berth_cfg *c, const char *key, const char *fmt, ...)
{
  cleanup_free char *loc = berth_cfg_location (c, key);
  cleanup_free char *msg = NULL;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    oom ();
  va_end (ap);
  return berth_error_make (err, EINVAL, "%s%s", loc, msg);
}

static const struct berth_cfg *
host_cfg_child (const struct berth_cfg *c, const char *key)
{
  return berth_cfg_map_get (c, key);
}

static int
host_cfg_each (const struct berth_cfg *c, berth_kv_fn fn, void *ud)
{
  return berth_cfg_each (c, fn, ud);
}

static const char *
host_state_dir (struct berth_host_ctx *ctx)
{
  cleanup_error berth_error_t err = NULL;
  const char *ret = ctx->state_dir;

  pthread_mutex_lock (&ctx->lock);
  if (!ctx->state_dir_made)
    {
      if (berth_mkdir_p (ctx->state_dir, 0700, &err) < 0)
        {
          log_error ("%s cannot create its state directory: %s", ctx->tag, berth_error_msg (&err));
          ret = NULL;
        }
      else
        ctx->state_dir_made = true;
    }
  pthread_mutex_unlock (&ctx->lock);
  return ret;
}

static const char *
host_driver_name (struct berth_host_ctx *ctx)
{
  return ctx->name;
}

static int
host_mkdir_p (const char *path, uint32_t mode, struct berth_error **err)
{
  return berth_mkdir_p (path, (mode_t)mode, err);
}

static int
host_rm_rf (const char *path, struct berth_error **err)
{
  return berth_rm_rf (path, err);
}

static int
host_write_file_atomic (const char *path, const void *data, size_t len, uint32_t mode, struct berth_error **err)
{
  return berth_write_file_atomic (path, data, len, (mode_t)mode, err);
}

static const struct berth_host_api host_api = {
  .struct_size = sizeof (struct berth_host_api),
  .abi_major = BERTH_PLUGIN_ABI_MAJOR,
  .abi_minor = BERTH_PLUGIN_ABI_MINOR,
  .log = host_log,
  .error_set = host_error_set,
  .error_wrap = host_error_wrap,
  .cfg_error = host_cfg_error,
  .cfg_string = berth_cfg_string,
  .cfg_int64 = berth_cfg_int64,
  .cfg_bool = berth_cfg_bool,
  .cfg_child = host_cfg_child,
  .cfg_each = host_cfg_each,
  .state_dir = host_state_dir,
  .driver_name = host_driver_name,
  .mkdir_p = host_mkdir_p,
  .rm_rf = host_rm_rf,
  .write_file_atomic = host_write_file_atomic,
};

const struct berth_host_api *
berth_host_api (void)
{
  return &host_api;
}
