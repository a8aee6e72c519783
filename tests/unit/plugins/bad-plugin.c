/* One source, many purpose-made plugins for the loader tests: each module is
 * built with one -D flag choosing its defect (or none: TEST_GOOD).  Without
 * a defect it is a working log driver that keeps a line count. */
#include "config.h"

#include <berth/log.h>
#include <berth/storage.h>

#include <errno.h>
#include <stdlib.h>

#ifndef PLUGIN_NAME
#error "PLUGIN_NAME must be defined"
#endif

struct counter
{
  long lines;
};

static int
t_init (const struct berth_host_api *h, struct berth_host_ctx *ctx, const struct berth_cfg *opts, void **ret_drv,
        struct berth_error **err)
{
#ifdef BAD_INIT
  return h->error_set (err, EIO, "init failed on purpose");
#else
  struct counter *c = calloc (1, sizeof (*c));
  if (c == NULL)
    return h->error_set (err, ENOMEM, "out of memory");
  *ret_drv = c;
  return 0;
#endif
}

static void
t_shutdown (void *drv)
{
  free (drv);
}

#ifdef BAD_VALIDATE
static int
t_validate (const struct berth_host_api *h, const struct berth_cfg *opts, struct berth_error **err)
{
  return h->error_set (err, EINVAL, "option `colour` is not known");
}
#endif

#ifdef BAD_PROBE
static int
t_probe (const struct berth_host_api *h, struct berth_host_ctx *ctx, struct berth_error **err)
{
  return h->error_set (err, ENOTSUP, "needs a kernel with unicorn support");
}
#endif

static int
t_open (void *drv, const struct berth_log_info *info, void **ret_stream, struct berth_error **err)
{
  *ret_stream = drv;
  return 0;
}

__attribute__ ((unused)) static int
t_write (void *stream, const struct berth_log_msg *m, struct berth_error **err)
{
  ((struct counter *)stream)->lines++;
  return 0;
}

static int
t_close (void *stream, struct berth_error **err)
{
  return 0;
}

#ifdef BAD_UNDEFINED
/* Never defined anywhere: RTLD_NOW must fail. */
extern int berth_test_symbol_that_does_not_exist (void);
#endif

static const struct berth_log_ops t_ops = {
  .life = {
#ifdef BAD_VALIDATE
    .validate = t_validate,
#endif
#ifdef BAD_PROBE
    .probe = t_probe,
#endif
    .init = t_init,
    .shutdown = t_shutdown,
  },
  .open = t_open,
#ifndef BAD_MISSING_OP
  .write = t_write,
#endif
  .close = t_close,
};

#ifdef BAD_UNKNOWN_KIND
#define KIND 99u
#else
#define KIND BERTH_KIND_LOG
#endif

__attribute__ ((unused)) static const struct berth_plugin_descriptor t_desc = {
  .abi_major = BERTH_PLUGIN_ABI_MAJOR,
  .abi_minor = BERTH_PLUGIN_ABI_MINOR,
  .struct_size = sizeof (struct berth_plugin_descriptor),
  .kind = KIND,
  .name = PLUGIN_NAME,
  .version = "0.0.1",
  .description = "loader test plugin",
  .ops = &t_ops,
  .ops_size = sizeof (t_ops),
};

#ifdef BAD_NO_SYMBOL
/* Exports something, but not the descriptor function. */
BERTH_PLUGIN_EXPORT const struct berth_plugin_descriptor *not_the_entry_point (void);
const struct berth_plugin_descriptor *
not_the_entry_point (void)
{
  return &t_desc;
}
#else
BERTH_PLUGIN_EXPORT const struct berth_plugin_descriptor *berth_plugin_get_descriptor (void);
const struct berth_plugin_descriptor *
berth_plugin_get_descriptor (void)
{
#if defined(BAD_NULL_DESCRIPTOR)
  return NULL;
#elif defined(BAD_UNDEFINED)
  return berth_test_symbol_that_does_not_exist () ? &t_desc : NULL;
#else
  /* The descriptor is static const; patch a copy for the version/size defects. */
  static struct berth_plugin_descriptor d;
  d = t_desc;
#if defined(BAD_ABI_MAJOR)
  d.abi_major = BERTH_PLUGIN_ABI_MAJOR + 1;
#elif defined(BAD_ABI_MINOR)
  d.abi_minor = BERTH_PLUGIN_ABI_MINOR + 7;
#elif defined(BAD_STRUCT_SIZE)
  d.struct_size = 16;
#elif defined(BAD_OPS_SIZE)
  d.ops_size = 24;
#endif
  return &d;
#endif
}
#endif
