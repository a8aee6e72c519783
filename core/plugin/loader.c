/* dlopen every plugin, check it against the ABI rule, initialise its driver.
 *
 * A plugin that cannot be used is refused with exactly one warning,
 * "plugin FILE refused: REASON", and loading goes on with the next file. */
#include "config.h"

#include "core/config/config.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/plugin/host.h"
#include "core/plugin/registry-internal.h"

#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Sizes as of ABI 1.0: anything smaller predates the ABI and is refused.
   These stay fixed when later minors append members. */
#define END_OF(type, member) (offsetof (type, member) + sizeof (((type *)0)->member))
#define DESCRIPTOR_SIZE_1_0 END_OF (struct berth_plugin_descriptor, reserved)
#define STORAGE_OPS_SIZE_1_0 END_OF (struct berth_storage_ops, disk_usage)
#define NETWORK_OPS_SIZE_1_0 END_OF (struct berth_network_ops, endpoint_info)
#define VOLUME_OPS_SIZE_1_0 END_OF (struct berth_volume_ops, restore)
#define LOG_OPS_SIZE_1_0 END_OF (struct berth_log_ops, read)

struct op_def
{
  const char *name;
  size_t offset;
};

#define OP(kind, type, member)                                                                                         \
  {                                                                                                                    \
    kind "." #member, offsetof (type, member)                                                                          \
  }
#define LIFE(member)                                                                                                   \
  {                                                                                                                    \
    "life." #member, offsetof (struct berth_driver_lifecycle, member)                                                  \
  }

static const struct op_def mandatory_storage[] = {
  LIFE (init),
  LIFE (shutdown),
  OP ("storage", struct berth_storage_ops, create),
  OP ("storage", struct berth_storage_ops, remove),
  OP ("storage", struct berth_storage_ops, exists),
  OP ("storage", struct berth_storage_ops, mount),
  OP ("storage", struct berth_storage_ops, unmount),
  { NULL, 0 },
};

static const struct op_def mandatory_network[] = {
  LIFE (init),
  LIFE (shutdown),
  OP ("network", struct berth_network_ops, network_create),
  OP ("network", struct berth_network_ops, network_delete),
  OP ("network", struct berth_network_ops, endpoint_create),
  OP ("network", struct berth_network_ops, endpoint_delete),
  OP ("network", struct berth_network_ops, join),
  OP ("network", struct berth_network_ops, leave),
  { NULL, 0 },
};

static const struct op_def mandatory_volume[] = {
  LIFE (init),
  LIFE (shutdown),
  OP ("volume", struct berth_volume_ops, create),
  OP ("volume", struct berth_volume_ops, remove),
  OP ("volume", struct berth_volume_ops, get),
  OP ("volume", struct berth_volume_ops, list),
  OP ("volume", struct berth_volume_ops, mount),
  OP ("volume", struct berth_volume_ops, unmount),
  { NULL, 0 },
};

static const struct op_def mandatory_log[] = {
  LIFE (init),
  LIFE (shutdown),
  OP ("log", struct berth_log_ops, open),
  OP ("log", struct berth_log_ops, write),
  OP ("log", struct berth_log_ops, close),
  { NULL, 0 },
};

struct kind_def
{
  uint32_t kind;
  size_t ops_size_1_0; /* the smallest table we accept */
  size_t ops_size;     /* the core's table */
  const struct op_def *mandatory;
};

static const struct kind_def kinds[] = {
  { BERTH_KIND_STORAGE, STORAGE_OPS_SIZE_1_0, sizeof (struct berth_storage_ops), mandatory_storage },
  { BERTH_KIND_NETWORK, NETWORK_OPS_SIZE_1_0, sizeof (struct berth_network_ops), mandatory_network },
  { BERTH_KIND_VOLUME, VOLUME_OPS_SIZE_1_0, sizeof (struct berth_volume_ops), mandatory_volume },
  { BERTH_KIND_LOG, LOG_OPS_SIZE_1_0, sizeof (struct berth_log_ops), mandatory_log },
};

static const struct kind_def *
find_kind (uint32_t kind)
{
  for (size_t i = 0; i < sizeof (kinds) / sizeof (kinds[0]); i++)
    if (kinds[i].kind == kind)
      return &kinds[i];
  return NULL;
}

static void refuse (const char *path, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
static void
refuse (const char *path, const char *fmt, ...)
{
  cleanup_free char *reason = NULL;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&reason, fmt, ap) < 0)
    oom ();
  va_end (ap);
  log_warn ("plugin %s refused: %s", path, reason);
}

static bool
valid_name (const char *s)
{
  if (s == NULL || !(islower ((unsigned char)s[0]) || isdigit ((unsigned char)s[0])))
    return false;
  for (const char *p = s; *p; p++)
    if (!islower ((unsigned char)*p) && !isdigit ((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-')
      return false;
  return strlen (s) <= 64;
}

/* 1 if the file starts with the ELF magic, 0 if not, -errno if unreadable. */
static int
is_elf (const char *path)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  unsigned char magic[4];

  if (fd < 0)
    return -errno;
  if (read (fd, magic, sizeof (magic)) != (ssize_t)sizeof (magic))
    return 0;
  return memcmp (magic, "\177ELF", 4) == 0;
}

static const char *
error_text (int r, berth_error_t *err)
{
  if (*err != NULL && berth_error_msg (err)[0] != '\0')
    return berth_error_msg (err);
  return strerror (r < 0 ? -r : EIO);
}

/* Check the descriptor; NULL and one warning when the plugin is refused. */
static struct berth_driver *
check_descriptor (struct berth_plugins *p, const char *path, const struct berth_plugin_descriptor *desc)
{
  const struct kind_def *k;
  struct berth_driver *d, *dup;
  cleanup_free char *missing = NULL;

  if (desc == NULL)
    return refuse (path, "%s() returned NULL", BERTH_PLUGIN_ENTRY), NULL;
  if (desc->abi_major != BERTH_PLUGIN_ABI_MAJOR)
    return refuse (path, "built for plugin ABI %u.%u, this berth has ABI %d.%d (major versions must match)",
                   desc->abi_major, desc->abi_minor, BERTH_PLUGIN_ABI_MAJOR, BERTH_PLUGIN_ABI_MINOR),
           NULL;
  if (desc->abi_minor > BERTH_PLUGIN_ABI_MINOR)
    return refuse (path, "built for plugin ABI %u.%u, newer than this berth's ABI %d.%d", desc->abi_major,
                   desc->abi_minor, BERTH_PLUGIN_ABI_MAJOR, BERTH_PLUGIN_ABI_MINOR),
           NULL;
  if (desc->struct_size < DESCRIPTOR_SIZE_1_0)
    return refuse (path, "descriptor struct_size %u is smaller than the ABI 1.0 descriptor (%zu bytes)",
                   desc->struct_size, (size_t)DESCRIPTOR_SIZE_1_0),
           NULL;
  k = find_kind (desc->kind);
  if (k == NULL)
    return refuse (path, "unknown driver kind %u", desc->kind), NULL;
  if (!valid_name (desc->name))
    return refuse (path, "bad %s driver name `%s` (expected [a-z0-9][a-z0-9._-]*, at most 64 characters)",
                   berth_kind_name (desc->kind), desc->name ? desc->name : "(null)"),
           NULL;
  dup = berth_plugins_find (p, desc->kind, desc->name);
  if (dup != NULL)
    return refuse (path, "duplicate %s driver `%s` (already loaded from %s)", berth_kind_name (desc->kind), desc->name,
                   dup->path),
           NULL;
  if (desc->ops == NULL)
    return refuse (path, "%s driver `%s` has no ops table", berth_kind_name (desc->kind), desc->name), NULL;
  if (desc->ops_size < k->ops_size_1_0)
    return refuse (path, "ops_size %u is smaller than the ABI 1.0 %s ops table (%zu bytes)", desc->ops_size,
                   berth_kind_name (desc->kind), k->ops_size_1_0),
           NULL;

  d = xmalloc0 (sizeof (*d));
  /* Ops newer than this core are ignored; ops older than the plugin read as NULL. */
  memcpy (&d->ops, desc->ops, desc->ops_size < k->ops_size ? desc->ops_size : k->ops_size);
  for (const struct op_def *op = k->mandatory; op->name; op++)
    {
      void *fn;
      memcpy (&fn, (const char *)&d->ops + op->offset, sizeof (fn));
      if (fn == NULL)
        {
          char *t = xasprintf ("%s%s%s", missing ? missing : "", missing ? ", " : "", op->name);
          free (missing);
          missing = t;
        }
    }
  if (missing != NULL)
    {
      free (d);
      return refuse (path, "missing mandatory op%s %s", strchr (missing, ',') ? "s" : "", missing), NULL;
    }
  d->kind = desc->kind;
  d->name = xstrdup (desc->name);
  d->version = xstrdup (desc->version ? desc->version : "");
  d->description = xstrdup (desc->description ? desc->description : "");
  d->path = xstrdup (path);
  return d;
}

/* validate → probe → init; false (and one warning) when any of them fails. */
static bool
start_driver (const struct berth_config *cfg, struct berth_driver *d)
{
  const struct berth_host_api *h = berth_host_api ();
  const struct berth_cfg *opts = berth_plugins_driver_opts (cfg, d->kind, d->name);
  cleanup_error berth_error_t err = NULL;
  int r;

  if (d->ops.life.validate != NULL && (r = d->ops.life.validate (h, opts, &err)) < 0)
    return refuse (d->path, "%s driver `%s` rejected its options: %s", berth_kind_name (d->kind), d->name,
                   error_text (r, &err)),
           false;
  d->ctx = berth_host_ctx_new (d->kind, d->name, cfg->data_root);
  if (d->ops.life.probe != NULL && (r = d->ops.life.probe (h, d->ctx, &err)) < 0)
    return refuse (d->path, "%s driver `%s` cannot run on this host: %s", berth_kind_name (d->kind), d->name,
                   error_text (r, &err)),
           false;
  r = d->ops.life.init (h, d->ctx, opts, &d->drv, &err);
  if (r < 0)
    {
      d->drv = NULL; /* nothing to shut down */
      return refuse (d->path, "%s driver `%s` failed to initialise: %s", berth_kind_name (d->kind), d->name,
                     error_text (r, &err)),
             false;
    }
  return true;
}

static void
load_file (struct berth_plugins *p, const struct berth_config *cfg, const char *path)
{
  berth_plugin_get_descriptor_fn get;
  struct berth_driver *d;
  struct stat st;
  void *handle;
  int r;

  if (stat (path, &st) < 0)
    {
      refuse (path, "%s", strerror (errno));
      return;
    }
  if (!S_ISREG (st.st_mode))
    {
      refuse (path, "not a regular file");
      return;
    }
  r = is_elf (path);
  if (r < 0)
    {
      refuse (path, "%s", strerror (-r));
      return;
    }
  if (r == 0)
    {
      refuse (path, "not an ELF shared object");
      return;
    }
  handle = dlopen (path, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL)
    {
      refuse (path, "dlopen failed: %s (check its dependencies with ldd)", dlerror ());
      return;
    }
  /* dlsym returns a data pointer; POSIX guarantees it converts to a function pointer. */
  *(void **)&get = dlsym (handle, BERTH_PLUGIN_ENTRY);
  if (get == NULL)
    {
      dlclose (handle);
      {
        refuse (path, "no `%s` symbol (not a berth plugin?)", BERTH_PLUGIN_ENTRY);
        return;
      }
    }
  d = check_descriptor (p, path, get ());
  if (d == NULL)
    {
      dlclose (handle);
      return;
    }
  d->dl_handle = handle;
  if (!start_driver (cfg, d))
    {
      berth_driver_free (d);
      return;
    }
  log_info ("loaded %s driver `%s` %s from %s", berth_kind_name (d->kind), d->name, d->version, d->path);
  berth_plugins_add (p, d);
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

static bool
has_so_suffix (const char *name)
{
  size_t n = strlen (name);
  return name[0] != '.' && n > 3 && strcmp (name + n - 3, ".so") == 0;
}

static void
load_dir (struct berth_plugins *p, const struct berth_config *cfg, const char *dir)
{
  cleanup_dir DIR *d = opendir (dir);
  cleanup_strv char **names = xmalloc0 (sizeof (char *));
  struct dirent *de;
  size_t n = 0;

  if (d == NULL)
    {
      log_warn ("plugin directory %s: %s", dir, strerror (errno));
      return;
    }
  while ((de = readdir (d)) != NULL)
    {
      if (!has_so_suffix (de->d_name))
        continue;
      names = xrealloc (names, (n + 2) * sizeof (char *));
      names[n++] = xstrdup (de->d_name);
      names[n] = NULL;
    }
  if (n > 1) /* qsort's pointer must not be NULL, even for 0 items */
    qsort (names, n, sizeof (char *), cmp_str);
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *path = xasprintf ("%s/%s", dir, names[i]);
      load_file (p, cfg, path);
    }
}

int
berth_plugins_load (const struct berth_config *cfg, struct berth_plugins **ret, berth_error_t *err)
{
  struct berth_plugins *p;

  if (cfg->data_root == NULL || cfg->data_root[0] != '/')
    return berth_error_make (err, EINVAL, "plugins: the data root must be an absolute path");
  p = xmalloc0 (sizeof (*p));
  for (char **dir = cfg->plugin_dirs; dir && *dir; dir++)
    load_dir (p, cfg, *dir);
  *ret = p;
  return 0;
}
