/* berth.yaml: the daemon's configuration.
 *
 * berth_config_load() parses the file with libyaml into a tree of nodes that
 * remember their file:line, checks every key against the schema in
 * schema.c (unknown key, wrong type and bad value are errors naming
 * file:line), and fills struct berth_config with defaults for absent keys.
 * Driver option sections (storage-opts, log-opts, ...) stay as trees and are
 * handed to plugins as `const struct berth_cfg *` through the host API.
 *
 * How the daemon uses it:
 *
 *   berth_config_load (path, required, &cfg, &err);      // file + defaults
 *   berth_config_override (cfg, "data-root", optarg, &err);  // per flag, after load
 *   berth_config_override (cfg, "hosts", optarg, &err);  // -H: first replaces, later ones append
 *   berth_config_finalize (cfg, &err);                   // once, after the last override
 *   ... berth_plugins_load (cfg, ...) ...
 *   berth_config_free (cfg);
 *
 * Every char * / char ** field is a plain malloc'd string (NULL-terminated
 * malloc'd vector of malloc'd strings) owned by the struct: the daemon may
 * replace one directly (free the old value, store an xstrdup'd one), but
 * berth_config_override() is preferred because it checks the value the way
 * the file's value is checked and records that it was set explicitly.
 *
 * Derived defaults: pidfile and hosts default to paths under exec-root.  Load
 * fills them from the file's exec-root; berth_config_finalize() recomputes
 * every one that was not set explicitly (in the file, by an override, or by
 * setting pidfile_explicit / hosts_explicit after replacing the field by
 * hand), so `--exec-root /x` moves the default socket and pidfile too. */
#ifndef BERTH_CONFIG_H
#define BERTH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/lib/error.h"
#include "core/lib/log.h"

struct berth_cfg; /* tree node, defined in core/config/tree.h */

struct berth_config
{
  char *path; /* the file read, or NULL when built from defaults only */
  char *data_root;
  char *exec_root;
  char *pidfile;        /* default: <exec-root>/berthd.pid */
  char **hosts;         /* NULL-terminated; default: unix://<exec-root>/berth.sock */
  char *socket_group;   /* default "berth"; used only when the group exists */
  char **plugin_dirs;   /* NULL-terminated; default: $(pkglibdir)/plugins */
  char *storage_driver; /* "auto" or a driver name */
  char *log_driver;     /* default container log driver: json-file */
  enum berth_log_level log_level;
  enum berth_log_target log_target;
  uint64_t max_layer_size;              /* bytes of an uncompressed layer; 0 = no limit */
  char **insecure_registries;           /* NULL-terminated, may be empty: host[:port] or CIDR */
  char *registry_certs_dir;             /* <dir>/HOST[:PORT]/{*.crt,*.cert,*.key}; default $(sysconfdir)/berth/certs.d */
  int max_concurrent_downloads;         /* layers pulled at once, default 3 */
  int max_concurrent_uploads;           /* layers pushed at once, default 5 */
  char **registry_mirrors;              /* NULL-terminated, may be empty: http[s]://host[:port], docker.io only */
  bool tls;                             /* TLS on TCP listeners (implied by tls_verify) */
  bool tls_verify;                      /* ... requiring client certificates signed by tls_ca */
  char *tls_ca;                         /* default $(sysconfdir)/berth/tls/ca.pem */
  char *tls_cert;                       /* default $(sysconfdir)/berth/tls/cert.pem */
  char *tls_key;                        /* default $(sysconfdir)/berth/tls/key.pem */
  const struct berth_cfg *storage_opts; /* may be NULL */
  const struct berth_cfg *log_opts;     /* may be NULL */
  const struct berth_cfg *network_opts; /* the default bridge (core/network/service.h); may be NULL */
  struct berth_cfg *tree;               /* owns every node */
  bool pidfile_explicit;                /* set in the file or overridden: finalize keeps it */
  bool hosts_explicit;
  bool hosts_overridden; /* an override replaced the file's hosts; further ones append */
  bool plugin_dirs_overridden;
};

/* Built-in defaults, used for keys the file does not set. */
struct berth_config *berth_config_new_defaults (void);
/* Read and validate `path`.  A missing file is an error only when `required`. */
int berth_config_load (const char *path, bool required, struct berth_config **ret, berth_error_t *err);
void berth_config_free (struct berth_config *c);

/* Parse one YAML document from memory (tests, and the loader itself). */
int berth_config_parse (const char *name, const char *text, size_t len, struct berth_config **ret, berth_error_t *err);

/* Apply one command-line override.  `key` is the YAML key (data-root,
   exec-root, pidfile, hosts, socket-group, plugin-dirs, storage-driver,
   log-driver, log-level, log-target); `value` is checked like the file's,
   and errors read "--<key>: <what is wrong>".  For the list keys (hosts,
   plugin-dirs) the first override replaces the file's list and later ones
   append. */
int berth_config_override (struct berth_config *c, const char *key, const char *value, berth_error_t *err);
/* Recompute derived defaults (pidfile, hosts follow exec-root unless set
   explicitly) and re-check fields the daemon may have replaced by hand.
   Call once after the last override; load and new_defaults already did. */
int berth_config_finalize (struct berth_config *c, berth_error_t *err);

/* Check one listen address: unix:///abs/path or tcp://host:port. */
int berth_config_check_host (const char *url, berth_error_t *err);

#endif
