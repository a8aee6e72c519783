/* berth plugin ABI: descriptor, versioning rule, host services.
 *
 * A plugin is a shared object that exports exactly one symbol,
 * berth_plugin_get_descriptor, returning a pointer to a static descriptor.
 * Everything the plugin needs from the daemon comes through the host
 * services table handed to its init op; it never links against the daemon.
 *
 * Versioning rule: the daemon accepts a plugin iff its abi_major equals
 * BERTH_PLUGIN_ABI_MAJOR and its abi_minor is <= BERTH_PLUGIN_ABI_MINOR.
 * A minor bump may only append (ops at the end of an ops table, entries at the
 * end of the host table, fields at the end of a sized struct, flag bits,
 * kinds).  Anything else is a major bump.
 *
 * ABI changelog:
 *   1.0  first version.
 *   1.1  berth_network_ops.leave_gone.
 */
#ifndef BERTH_PLUGIN_H
#define BERTH_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BERTH_PLUGIN_ABI_MAJOR 1
#define BERTH_PLUGIN_ABI_MINOR 1
#define BERTH_PLUGIN_ENTRY "berth_plugin_get_descriptor"

#define BERTH_PLUGIN_EXPORT __attribute__ ((visibility ("default")))
#define BERTH_PRINTF(a, b) __attribute__ ((format (printf, a, b)))

/* Driver kinds (uint32_t in every ABI struct; never a bare enum). */
#define BERTH_KIND_STORAGE 1u
#define BERTH_KIND_NETWORK 2u
#define BERTH_KIND_VOLUME 3u
#define BERTH_KIND_LOG 4u

/* Log levels for host->log. */
#define BERTH_LOG_LEVEL_ERROR 0
#define BERTH_LOG_LEVEL_WARN 1
#define BERTH_LOG_LEVEL_INFO 2
#define BERTH_LOG_LEVEL_DEBUG 3

struct berth_error;    /* opaque; created and freed by the host only */
struct berth_host_ctx; /* opaque per-driver context (name, state dir, log tag) */
struct berth_cfg;      /* read-only view of a YAML subtree (the driver's options) */
struct berth_host_api;

/* Iteration callbacks: a non-zero return stops the iteration and is returned. */
typedef int (*berth_kv_fn) (void *ud, const char *key, const char *value);
typedef int (*berth_str_fn) (void *ud, const char *s);

/* Every fallible op returns 0 on success, or a negative errno after calling
   host->error_set (which returns -errnum, so "return h->error_set (...)" works).
   Inputs are borrowed for the duration of the call. */

/* First member of every ops table. */
struct berth_driver_lifecycle
{
  uint32_t caps;     /* BERTH_<KIND>_CAP_* flags */
  uint32_t reserved;
  /* optional, pure: check driver options without touching the system */
  int (*validate) (const struct berth_host_api *h, const struct berth_cfg *opts, struct berth_error **err);
  /* optional: -ENOTSUP with a reason when the host cannot run this driver */
  int (*probe) (const struct berth_host_api *h, struct berth_host_ctx *ctx, struct berth_error **err);
  /* mandatory: create the driver instance */
  int (*init) (const struct berth_host_api *h, struct berth_host_ctx *ctx, const struct berth_cfg *opts, void **ret_drv,
               struct berth_error **err);
  /* mandatory: release everything init created */
  void (*shutdown) (void *drv);
  /* optional: diagnostics as key/value pairs (docker info's DriverStatus) */
  int (*status) (void *drv, berth_kv_fn emit, void *ud);
};

/* The one exported descriptor.  The first two fields are frozen forever. */
struct berth_plugin_descriptor
{
  uint32_t abi_major;
  uint32_t abi_minor;
  uint32_t struct_size; /* sizeof (struct berth_plugin_descriptor) as compiled */
  uint32_t kind;        /* BERTH_KIND_* */
  const char *name;     /* [a-z0-9][a-z0-9._-]*, unique per kind, e.g. "overlay" */
  const char *version;  /* the plugin's own version string */
  const char *description;
  const void *ops;   /* struct berth_storage_ops, berth_network_ops, ... */
  uint32_t ops_size; /* sizeof (*ops) as compiled by the plugin */
  uint32_t reserved;
};

typedef const struct berth_plugin_descriptor *(*berth_plugin_get_descriptor_fn) (void);

/* Define the descriptor symbol.  The function must be pure: no allocation, no I/O. */
#define BERTH_PLUGIN_DEFINE(desc)                                                                                      \
  BERTH_PLUGIN_EXPORT const struct berth_plugin_descriptor *berth_plugin_get_descriptor (void);                      \
  const struct berth_plugin_descriptor *berth_plugin_get_descriptor (void) { return &(desc); }

/* Fill the fixed part of a descriptor. */
#define BERTH_PLUGIN_DESCRIPTOR_INIT(kind_, name_, version_, description_, ops_)                                      \
  {                                                                                                                    \
    .abi_major = BERTH_PLUGIN_ABI_MAJOR, .abi_minor = BERTH_PLUGIN_ABI_MINOR,                                          \
    .struct_size = sizeof (struct berth_plugin_descriptor), .kind = (kind_), .name = (name_), .version = (version_),   \
    .description = (description_), .ops = (ops_), .ops_size = sizeof (*(ops_)), .reserved = 0                          \
  }

/* Services the host gives every driver.  Check struct_size before calling an
   entry added after 1.0. */
struct berth_host_api
{
  uint32_t struct_size;
  uint32_t abi_major, abi_minor, reserved;

  /* diagnostics */
  void (*log) (struct berth_host_ctx *ctx, int level, const char *fmt, ...) BERTH_PRINTF (3, 4);
  int (*error_set) (struct berth_error **err, int errnum, const char *fmt, ...) BERTH_PRINTF (3, 4);
  /* prefix an existing error with context: "context: original" */
  int (*error_wrap) (struct berth_error **err, const char *fmt, ...) BERTH_PRINTF (2, 3);
  /* an error about one option, prefixed with "file:line: " of that key */
  int (*cfg_error) (struct berth_error **err, const struct berth_cfg *c, const char *key, const char *fmt, ...)
      BERTH_PRINTF (4, 5);

  /* configuration: borrowed, valid until shutdown; c may be NULL (no options) */
  const char *(*cfg_string) (const struct berth_cfg *c, const char *key, const char *dflt);
  int (*cfg_int64) (const struct berth_cfg *c, const char *key, int64_t dflt, int64_t *ret, struct berth_error **err);
  int (*cfg_bool) (const struct berth_cfg *c, const char *key, int dflt, int *ret, struct berth_error **err);
  const struct berth_cfg *(*cfg_child) (const struct berth_cfg *c, const char *key);
  /* scalar values are passed as value; maps and sequences pass NULL */
  int (*cfg_each) (const struct berth_cfg *c, berth_kv_fn fn, void *ud);

  /* per-driver state, <data-root>/<kind>/<name> (created on first call) */
  const char *(*state_dir) (struct berth_host_ctx *ctx);
  const char *(*driver_name) (struct berth_host_ctx *ctx);

  /* security-sensitive helpers drivers should not each re-implement */
  int (*mkdir_p) (const char *path, uint32_t mode, struct berth_error **err);
  int (*rm_rf) (const char *path, struct berth_error **err);
  /* write a file atomically: temp file, fsync, rename, fsync the directory */
  int (*write_file_atomic) (const char *path, const void *data, size_t len, uint32_t mode, struct berth_error **err);
  /* 1.1+: append only */
};

#define BERTH_HOST_HAS(h, member)                                                                                      \
  ((h)->struct_size >= offsetof (struct berth_host_api, member) + sizeof ((h)->member) && (h)->member != NULL)

#ifdef __cplusplus
}
#endif
#endif
