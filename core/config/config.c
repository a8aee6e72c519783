/* Loading berth.yaml: defaults, the file, derived defaults. */
#include <config.h> /* the autoconf header: "config.h" would find core/config/config.h */

#include "core/config/config.h"
#include "core/config/schema.h"
#include "core/config/tree.h"
#include "core/lib/fs.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_DATA_ROOT "/var/lib/berth"
#define DEFAULT_EXEC_ROOT "/run/berth"
/* A config file is small; anything this big is a mistake. */
#define MAX_CONFIG_SIZE (4 * 1024 * 1024)

static char **
strv_one (char *s)
{
  char **v = xmalloc0 (2 * sizeof (char *));
  v[0] = s;
  return v;
}

int
berth_config_finalize (struct berth_config *c, berth_error_t *err)
{
  if (c->exec_root == NULL)
    return berth_error_make (err, EINVAL, "exec-root: not set");
  if (!c->pidfile_explicit)
    {
      free (c->pidfile);
      c->pidfile = xasprintf ("%s/berthd.pid", c->exec_root);
    }
  if (!c->hosts_explicit)
    {
      strv_free (c->hosts);
      c->hosts = strv_one (xasprintf ("unix://%s/berth.sock", c->exec_root));
    }
  /* Also catches derived values made invalid by a bad or very long exec-root. */
  return berth_config_schema_check (c, err);
}

struct berth_config *
berth_config_new_defaults (void)
{
  struct berth_config *c = xmalloc0 (sizeof (*c));
  cleanup_error berth_error_t err = NULL;

  c->data_root = xstrdup (DEFAULT_DATA_ROOT);
  c->exec_root = xstrdup (DEFAULT_EXEC_ROOT);
  c->socket_group = xstrdup ("berth");
  c->plugin_dirs = strv_one (xstrdup (BERTH_PLUGINDIR));
  c->storage_driver = xstrdup ("auto");
  c->log_driver = xstrdup ("json-file");
  c->log_level = BERTH_LOG_INFO;
  c->log_target = BERTH_LOG_TARGET_STDERR;
  c->insecure_registries = xmalloc0 (sizeof (char *));
  c->registry_certs_dir = xstrdup (BERTH_SYSCONFDIR "/berth/certs.d");
  c->max_concurrent_downloads = 3;
  c->max_concurrent_uploads = 5;
  c->registry_mirrors = xmalloc0 (sizeof (char *));
  c->tls_ca = xstrdup (BERTH_SYSCONFDIR "/berth/tls/ca.pem");
  c->tls_cert = xstrdup (BERTH_SYSCONFDIR "/berth/tls/cert.pem");
  c->tls_key = xstrdup (BERTH_SYSCONFDIR "/berth/tls/key.pem");
  /* Built-in defaults always pass the checks. */
  (void)berth_config_finalize (c, &err);
  return c;
}

void
berth_config_free (struct berth_config *c)
{
  if (c == NULL)
    return;
  free (c->path);
  free (c->data_root);
  free (c->exec_root);
  free (c->pidfile);
  strv_free (c->hosts);
  free (c->socket_group);
  strv_free (c->plugin_dirs);
  free (c->storage_driver);
  free (c->log_driver);
  strv_free (c->insecure_registries);
  free (c->registry_certs_dir);
  strv_free (c->registry_mirrors);
  free (c->tls_ca);
  free (c->tls_cert);
  free (c->tls_key);
  berth_cfg_free (c->tree);
  free (c);
}

int
berth_config_parse (const char *name, const char *text, size_t len, struct berth_config **ret, berth_error_t *err)
{
  struct berth_config *c = berth_config_new_defaults ();
  int r;

  r = berth_cfg_parse (name, text, len, &c->tree, err);
  if (r >= 0)
    r = berth_config_schema_apply (c, c->tree, err);
  if (r >= 0)
    r = berth_config_finalize (c, err);
  if (r < 0)
    {
      berth_config_free (c);
      return r;
    }
  c->path = xstrdup (name);
  *ret = c;
  return 0;
}

int
berth_config_load (const char *path, bool required, struct berth_config **ret, berth_error_t *err)
{
  cleanup_error berth_error_t read_err = NULL;
  cleanup_free char *text = NULL;
  size_t len = 0;

  if (berth_read_file (path, MAX_CONFIG_SIZE, &text, &len, &read_err) < 0)
    {
      if (berth_error_code (&read_err) == ENOENT && !required)
        {
          *ret = berth_config_new_defaults ();
          return 0;
        }
      return berth_error_make (err, berth_error_code (&read_err), "config: %s", berth_error_msg (&read_err));
    }
  return berth_config_parse (path, text, len, ret, err);
}

int
berth_config_override (struct berth_config *c, const char *key, const char *value, berth_error_t *err)
{
  return berth_config_schema_override (c, key, value, err);
}
