/* berth.yaml schema: every key, its type and its value check. */
#include <config.h> /* the autoconf header: "config.h" would find core/config/config.h */

#include "core/config/schema.h"
#include "core/lib/cidr.h"
#include "core/lib/mem.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

enum key_type
{
  T_ABS_PATH,
  T_GROUP,
  T_STORAGE_DRIVER,
  T_DRIVER,
  T_LOG_LEVEL,
  T_LOG_TARGET,
  T_HOST_LIST,
  T_PATH_LIST,
  T_OPTS_MAP,      /* any tree, handed to a driver */
  T_STRING_MAP,    /* a map of strings */
  T_SIZE,          /* bytes: 1024, 512k, 10m, 2g, 1t (binary units); 0 = no limit */
  T_REGISTRY_LIST, /* host[:port] or CIDR entries (core/registry/tls.h); not overridable */
  T_COUNT,         /* an int from 1 to MAX_COUNT */
  T_URL_LIST,      /* http[s]://host[:port] entries; not overridable */
  T_BOOL,          /* true or false */
};

struct key_def
{
  const char *key;
  enum key_type type;
  size_t offset; /* of the field in struct berth_config */
};

#define F(field) offsetof (struct berth_config, field)

static const struct key_def keys[] = {
  { "data-root", T_ABS_PATH, F (data_root) },
  { "exec-root", T_ABS_PATH, F (exec_root) },
  { "pidfile", T_ABS_PATH, F (pidfile) },
  { "hosts", T_HOST_LIST, F (hosts) },
  { "socket-group", T_GROUP, F (socket_group) },
  { "plugin-dirs", T_PATH_LIST, F (plugin_dirs) },
  { "storage-driver", T_STORAGE_DRIVER, F (storage_driver) },
  { "storage-opts", T_OPTS_MAP, F (storage_opts) },
  { "log-driver", T_DRIVER, F (log_driver) },
  { "log-opts", T_STRING_MAP, F (log_opts) },
  { "network-opts", T_STRING_MAP, F (network_opts) },
  { "log-level", T_LOG_LEVEL, F (log_level) },
  { "log-target", T_LOG_TARGET, F (log_target) },
  { "max-layer-size", T_SIZE, F (max_layer_size) },
  { "insecure-registries", T_REGISTRY_LIST, F (insecure_registries) },
  { "registry-certs-dir", T_ABS_PATH, F (registry_certs_dir) },
  { "max-concurrent-downloads", T_COUNT, F (max_concurrent_downloads) },
  { "max-concurrent-uploads", T_COUNT, F (max_concurrent_uploads) },
  { "registry-mirrors", T_URL_LIST, F (registry_mirrors) },
  { "tls", T_BOOL, F (tls) },
  { "tlsverify", T_BOOL, F (tls_verify) },
  { "tlscacert", T_ABS_PATH, F (tls_ca) },
  { "tlscert", T_ABS_PATH, F (tls_cert) },
  { "tlskey", T_ABS_PATH, F (tls_key) },
};

/* "10m" -> 10485760; -1 when malformed or too large */
static int
parse_size (const char *v, uint64_t *ret)
{
  static const char units[] = "bkmgt";
  unsigned long long n;
  const char *u;
  char *end;

  if (!isdigit ((unsigned char)v[0]))
    return -1;
  errno = 0;
  n = strtoull (v, &end, 10);
  if (errno != 0)
    return -1;
  if (*end != '\0')
    {
      u = strchr (units, tolower ((unsigned char)*end));
      if (u == NULL || end[1] != '\0')
        return -1;
      for (long i = 0; i < u - units; i++)
        {
          if (n > UINT64_MAX / 1024)
            return -1;
          n *= 1024;
        }
    }
  *ret = n;
  return 0;
}

/* an insecure-registries entry: "host[:port]" or a CIDR range */
static char *
check_registry_entry (const char *v)
{
  struct berth_cidr cidr;

  if (v[0] == '\0')
    return xstrdup ("is empty");
  if (strstr (v, "://") != NULL)
    return xasprintf ("must be host[:port] or a CIDR range without a scheme, not `%s`", v);
  if (strchr (v, '/') != NULL)
    return berth_cidr_parse (v, &cidr) ? NULL : xasprintf ("`%s` is not a valid CIDR range (e.g. 10.0.0.0/8)", v);
  for (const char *p = v; *p; p++)
    if (!isalnum ((unsigned char)*p) && strchr (".-_:[]", *p) == NULL)
      return xasprintf ("must be host[:port] or a CIDR range, not `%s`", v);
  return NULL;
}

#define MAX_COUNT 64

/* a T_COUNT value; -1 when not one */
static int
parse_count (const char *v)
{
  char *end;
  long n;

  if (!isdigit ((unsigned char)v[0]))
    return -1;
  errno = 0;
  n = strtol (v, &end, 10);
  return *end != '\0' || errno != 0 || n < 1 || n > MAX_COUNT ? -1 : (int)n;
}

/* a registry-mirrors entry: http[s]://host[:port], an optional final / */
static char *
check_url_entry (const char *v)
{
  const char *host = strncmp (v, "https://", 8) == 0 ? v + 8 : strncmp (v, "http://", 7) == 0 ? v + 7 : NULL;
  size_t n;

  if (host == NULL)
    return xasprintf ("must be a URL http://HOST[:PORT] or https://HOST[:PORT], not `%s`", v);
  n = strcspn (host, "/");
  if (n == 0 || (host[n] == '/' && host[n + 1] != '\0'))
    return xasprintf ("must be a URL http://HOST[:PORT] or https://HOST[:PORT] without a path, not `%s`", v);
  for (size_t i = 0; i < n; i++)
    if (!isalnum ((unsigned char)host[i]) && strchr (".-_:[]", host[i]) == NULL)
      return xasprintf ("has a bad host name: `%s`", v);
  return NULL;
}

static const struct key_def *
find_key (const char *key)
{
  for (size_t i = 0; i < sizeof (keys) / sizeof (keys[0]); i++)
    if (strcmp (keys[i].key, key) == 0)
      return &keys[i];
  return NULL;
}

static bool
is_list_type (enum key_type t)
{
  return t == T_HOST_LIST || t == T_PATH_LIST || t == T_REGISTRY_LIST || t == T_URL_LIST;
}

static bool
is_map_type (enum key_type t)
{
  return t == T_OPTS_MAP || t == T_STRING_MAP;
}

static char *
check_host_reason (const char *url)
{
  if (strncmp (url, "unix://", 7) == 0)
    {
      const char *path = url + 7;
      if (path[0] != '/')
        return xasprintf ("`%s`: the socket path must be absolute (unix:///path)", url);
      if (strlen (path) >= sizeof (((struct sockaddr_un *)NULL)->sun_path))
        return xasprintf ("`%s`: the socket path is longer than %zu bytes", url,
                          sizeof (((struct sockaddr_un *)NULL)->sun_path) - 1);
      return NULL;
    }
  if (strncmp (url, "tcp://", 6) == 0)
    {
      const char *host = url + 6, *colon, *p;
      long port;
      char *end;

      if (host[0] == '[')
        {
          const char *close = strchr (host, ']');
          if (close == NULL || close == host + 1)
            return xasprintf ("`%s`: bad IPv6 address (expected tcp://[addr]:port)", url);
          for (p = host + 1; p < close; p++)
            if (!isxdigit ((unsigned char)*p) && *p != ':' && *p != '.')
              return xasprintf ("`%s`: bad IPv6 address (expected tcp://[addr]:port)", url);
          colon = close + 1;
          if (*colon != ':')
            return xasprintf ("`%s`: no port (expected tcp://host:port)", url);
        }
      else
        {
          colon = strrchr (host, ':');
          if (colon == NULL)
            return xasprintf ("`%s`: no port (expected tcp://host:port)", url);
          if (colon == host)
            return xasprintf ("`%s`: no host (use tcp://0.0.0.0:port to listen on every address)", url);
          for (p = host; p < colon; p++)
            if (!isalnum ((unsigned char)*p) && *p != '.' && *p != '-' && *p != '_')
              return xasprintf ("`%s`: bad host name (expected tcp://host:port)", url);
        }
      errno = 0;
      port = strtol (colon + 1, &end, 10);
      if (colon[1] == '\0' || !isdigit ((unsigned char)colon[1]) || *end != '\0' || errno != 0 || port < 1
          || port > 65535)
        return xasprintf ("`%s`: the port must be a number from 1 to 65535", url);
      return NULL;
    }
  return xasprintf ("`%s`: unsupported address (expected unix:///path or tcp://host:port)", url);
}

int
berth_config_check_host (const char *url, berth_error_t *err)
{
  cleanup_free char *reason = check_host_reason (url);
  if (reason)
    return berth_error_make (err, EINVAL, "bad host %s", reason);
  return 0;
}

static bool
valid_driver_name (const char *s)
{
  if (!(islower ((unsigned char)s[0]) || isdigit ((unsigned char)s[0])))
    return false;
  for (const char *p = s; *p; p++)
    if (!islower ((unsigned char)*p) && !isdigit ((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-')
      return false;
  return true;
}

static bool
valid_group (const char *s)
{
  if (s[0] == '\0' || s[0] == '-')
    return false;
  for (const char *p = s; *p; p++)
    if (!isalnum ((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
      return false;
  return true;
}

/* NULL when `v` is good for a scalar of type t (or an item of a list type),
   else the reason, to follow "`key` " or "--key: ". */
static char *
check_scalar (enum key_type t, const char *v)
{
  switch (t)
    {
    case T_ABS_PATH:
    case T_PATH_LIST:
      if (v[0] != '/')
        return xasprintf ("must be an absolute path, not `%s`", v);
      return NULL;
    case T_HOST_LIST:
      {
        char *r = check_host_reason (v);
        char *ret;
        if (r == NULL)
          return NULL;
        ret = xasprintf ("has a bad address %s", r);
        free (r);
        return ret;
      }
    case T_GROUP:
      if (!valid_group (v))
        return xasprintf ("must be a group name or number, not `%s`", v);
      return NULL;
    case T_STORAGE_DRIVER:
      if (strcmp (v, "auto") != 0 && !valid_driver_name (v))
        return xasprintf ("must be `auto` or a driver name ([a-z0-9][a-z0-9._-]*), not `%s`", v);
      return NULL;
    case T_DRIVER:
      if (!valid_driver_name (v))
        return xasprintf ("must be a driver name ([a-z0-9][a-z0-9._-]*), not `%s`", v);
      return NULL;
    case T_LOG_LEVEL:
      if (berth_log_level_parse (v) < 0)
        return xasprintf ("must be one of debug, info, warn, error, not `%s`", v);
      return NULL;
    case T_LOG_TARGET:
      if (strcmp (v, "stderr") != 0 && strcmp (v, "syslog") != 0)
        return xasprintf ("must be stderr or syslog, not `%s`", v);
      return NULL;
    case T_SIZE:
      {
        uint64_t n;
        if (parse_size (v, &n) < 0)
          return xasprintf ("must be a size in bytes (e.g. 1073741824, 512m, 10g; 0 for no limit), not `%s`", v);
        return NULL;
      }
    case T_REGISTRY_LIST:
      return check_registry_entry (v);
    case T_COUNT:
      if (parse_count (v) < 0)
        return xasprintf ("must be a whole number from 1 to %d, not `%s`", MAX_COUNT, v);
      return NULL;
    case T_URL_LIST:
      return check_url_entry (v);
    case T_BOOL:
      if (strcmp (v, "true") != 0 && strcmp (v, "false") != 0)
        return xasprintf ("must be true or false, not `%s`", v);
      return NULL;
    case T_OPTS_MAP:
    case T_STRING_MAP:
      break;
    }
  return xasprintf ("cannot be set to a string");
}

static void
store_scalar (struct berth_config *c, const struct key_def *d, const char *v)
{
  char **field = (char **)((char *)c + d->offset);

  switch (d->type)
    {
    case T_LOG_LEVEL:
      c->log_level = (enum berth_log_level)berth_log_level_parse (v);
      return;
    case T_LOG_TARGET:
      c->log_target = strcmp (v, "syslog") == 0 ? BERTH_LOG_TARGET_SYSLOG : BERTH_LOG_TARGET_STDERR;
      return;
    case T_SIZE:
      parse_size (v, (uint64_t *)((char *)c + d->offset));
      return;
    case T_COUNT:
      *(int *)((char *)c + d->offset) = parse_count (v);
      return;
    case T_BOOL:
      *(bool *)((char *)c + d->offset) = strcmp (v, "true") == 0;
      return;
    default:
      free (*field);
      *field = xstrdup (v);
      if (d->offset == F (pidfile))
        c->pidfile_explicit = true;
      return;
    }
}

static void
strv_append (char ***v, const char *s)
{
  size_t n = 0;

  while (*v && (*v)[n])
    n++;
  *v = xrealloc (*v, (n + 2) * sizeof (char *));
  (*v)[n] = xstrdup (s);
  (*v)[n + 1] = NULL;
}

static int
apply_list (struct berth_config *c, const struct key_def *d, const struct berth_cfg *node, berth_error_t *err)
{
  char ***field = (char ***)((char *)c + d->offset);
  cleanup_strv char **list = xmalloc0 (sizeof (char *));

  if (node->type != BERTH_CFG_SEQ)
    return berth_cfg_error_at (err, node, true, "`%s` must be a list of strings, not %s", d->key,
                               berth_cfg_type_name (node->type));
  for (size_t i = 0; i < node->n_items; i++)
    {
      const struct berth_cfg *item = node->items[i];
      cleanup_free char *reason = NULL;

      if (item->type != BERTH_CFG_SCALAR || item->is_null)
        return berth_cfg_error_at (err, item, false, "`%s` items must be strings, not %s", d->key,
                                   item->is_null ? "empty" : berth_cfg_type_name (item->type));
      reason = check_scalar (d->type, item->value);
      if (reason)
        return berth_cfg_error_at (err, item, false, "`%s` item %s", d->key, reason);
      strv_append (&list, item->value);
    }
  if (d->type == T_HOST_LIST && node->n_items == 0)
    return berth_cfg_error_at (err, node, true, "`hosts` must list at least one address");
  strv_free (*field);
  *field = steal_pointer (&list);
  if (d->type == T_HOST_LIST)
    c->hosts_explicit = true;
  return 0;
}

static int
apply_map (struct berth_config *c, const struct key_def *d, const struct berth_cfg *node, berth_error_t *err)
{
  const struct berth_cfg **field = (const struct berth_cfg **)((char *)c + d->offset);

  if (node->type != BERTH_CFG_MAP)
    return berth_cfg_error_at (err, node, true, "`%s` must be a map, not %s", d->key, berth_cfg_type_name (node->type));
  if (d->type == T_STRING_MAP)
    for (size_t i = 0; i < node->n_items; i++)
      {
        const struct berth_cfg *v = node->items[i];
        if (v->type != BERTH_CFG_SCALAR)
          return berth_cfg_error_at (err, v, true, "`%s`: the value of `%s` must be a string, not %s", d->key, v->key,
                                     berth_cfg_type_name (v->type));
        if (v->is_null)
          return berth_cfg_error_at (err, v, true, "`%s`: `%s` has no value", d->key, v->key);
      }
  *field = node;
  return 0;
}

static int
unknown_key (const struct berth_cfg *node, berth_error_t *err)
{
  cleanup_free char *kebab = xstrdup (node->key);

  for (char *p = kebab; *p; p++)
    if (*p == '_')
      *p = '-';
  if (strcmp (kebab, node->key) != 0 && find_key (kebab))
    return berth_cfg_error_at (err, node, true, "unknown key `%s` (did you mean `%s`?)", node->key, kebab);
  return berth_cfg_error_at (err, node, true, "unknown key `%s`", node->key);
}

int
berth_config_schema_apply (struct berth_config *c, const struct berth_cfg *root, berth_error_t *err)
{
  if (root == NULL)
    return 0;
  if (root->type != BERTH_CFG_MAP)
    return berth_cfg_error_at (err, root, false, "the top level must be a map of settings, not %s",
                               berth_cfg_type_name (root->type));
  for (size_t i = 0; i < root->n_items; i++)
    {
      const struct berth_cfg *node = root->items[i];
      const struct key_def *d = find_key (node->key);
      cleanup_free char *reason = NULL;
      int r;

      if (d == NULL)
        return unknown_key (node, err);
      if (node->type == BERTH_CFG_SCALAR && node->is_null)
        continue; /* `key:` with no value means the default */
      if (is_list_type (d->type))
        r = apply_list (c, d, node, err);
      else if (is_map_type (d->type))
        r = apply_map (c, d, node, err);
      else if (node->type != BERTH_CFG_SCALAR)
        r = berth_cfg_error_at (err, node, true, "`%s` must be a string, not %s", d->key,
                                berth_cfg_type_name (node->type));
      else if ((reason = check_scalar (d->type, node->value)) != NULL)
        r = berth_cfg_error_at (err, node, false, "`%s` %s", d->key, reason);
      else
        {
          store_scalar (c, d, node->value);
          r = 0;
        }
      if (r < 0)
        return r;
    }
  return 0;
}

int
berth_config_schema_override (struct berth_config *c, const char *key, const char *value, berth_error_t *err)
{
  const struct key_def *d = find_key (key);
  cleanup_free char *reason = NULL;

  if (d == NULL || is_map_type (d->type) || d->type == T_REGISTRY_LIST || d->type == T_URL_LIST)
    return berth_error_make (err, EINVAL, "--%s: not a setting that can be overridden", key);
  if (value == NULL)
    return berth_error_make (err, EINVAL, "--%s: needs a value", key);
  reason = check_scalar (d->type, value);
  if (reason)
    return berth_error_make (err, EINVAL, "--%s: %s", key, reason);
  if (is_list_type (d->type))
    {
      char ***field = (char ***)((char *)c + d->offset);
      bool *overridden = d->type == T_HOST_LIST ? &c->hosts_overridden : &c->plugin_dirs_overridden;

      if (!*overridden)
        {
          strv_free (*field);
          *field = NULL;
          *overridden = true;
        }
      strv_append (field, value);
      if (d->type == T_HOST_LIST)
        c->hosts_explicit = true;
      return 0;
    }
  store_scalar (c, d, value);
  return 0;
}

int
berth_config_schema_check (const struct berth_config *c, berth_error_t *err)
{
  for (size_t i = 0; i < sizeof (keys) / sizeof (keys[0]); i++)
    {
      const struct key_def *d = &keys[i];

      if (is_map_type (d->type) || d->type == T_LOG_LEVEL || d->type == T_LOG_TARGET || d->type == T_SIZE
          || d->type == T_BOOL)
        continue;
      if (d->type == T_COUNT)
        {
          int v = *(int *)((char *)c + d->offset);
          if (v < 1 || v > MAX_COUNT)
            return berth_error_make (err, EINVAL, "%s: must be a whole number from 1 to %d, not %d", d->key,
                                     MAX_COUNT, v);
          continue;
        }
      if (is_list_type (d->type))
        {
          char **list = *(char ***)((char *)c + d->offset);
          if (list == NULL)
            return berth_error_make (err, EINVAL, "%s: not set", d->key);
          for (char **p = list; *p; p++)
            {
              cleanup_free char *reason = check_scalar (d->type, *p);
              if (reason)
                return berth_error_make (err, EINVAL, "%s: %s", d->key, reason);
            }
          if (d->type == T_HOST_LIST && list[0] == NULL)
            return berth_error_make (err, EINVAL, "hosts: must list at least one address");
        }
      else
        {
          const char *v = *(char **)((char *)c + d->offset);
          cleanup_free char *reason = NULL;
          if (v == NULL)
            return berth_error_make (err, EINVAL, "%s: not set", d->key);
          reason = check_scalar (d->type, v);
          if (reason)
            return berth_error_make (err, EINVAL, "%s: %s", d->key, reason);
        }
    }
  return 0;
}
