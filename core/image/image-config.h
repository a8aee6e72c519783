/* OCI / Docker image configuration (application/vnd.oci.image.config.v1+json,
   application/vnd.docker.container.image.v1+json): parse, validate, emit. */
#ifndef BERTH_IMAGE_CONFIG_H
#define BERTH_IMAGE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/image/digest.h"
#include "core/image/json-field.h"
#include "core/lib/error.h"

#define IMAGE_CONFIG_MAX_SIZE (16u << 20)

struct image_healthcheck
{
  char **test;                                             /* NULL when the image has no healthcheck */
  int64_t interval, timeout, start_period, start_interval; /* nanoseconds, 0 = inherit */
  int64_t retries;
};

struct image_history
{
  char *created;
  char *created_by;
  char *author;
  char *comment;
  bool empty_layer;
};

/* The runtime part ("config" in the document). NULL = not set. */
struct image_run_config
{
  char *user;
  char **env;
  char **cmd;
  char **entrypoint;
  char *working_dir;
  struct image_kv *labels;
  size_t n_labels;
  char **exposed_ports; /* keys: "80/tcp" */
  char **volumes;       /* keys: "/data" */
  char *stop_signal;
  bool args_escaped;
  char **shell;                         /* Docker */
  char **onbuild;                       /* Docker */
  struct image_healthcheck healthcheck; /* Docker */
};

struct image_config
{
  char *created; /* RFC 3339 */
  char *author;
  char *architecture;
  char *os;
  char *os_version;
  char *variant;
  struct image_run_config config;
  char **diff_ids; /* rootfs.diff_ids, bottom first */
  struct image_history *history;
  size_t n_history;
};

/* Parse and validate (architecture and os present, rootfs.type "layers",
   every diff id a valid digest, fields of the right JSON types). */
int image_config_parse (const char *data, size_t len, struct image_config **ret, berth_error_t *err);
/* Deterministic JSON (fixed key order, no whitespace); caller frees. */
char *image_config_emit (const struct image_config *c, size_t *ret_len);
void image_config_free (struct image_config *c);
void cleanup_image_configp (struct image_config **c);
#define cleanup_image_config __attribute__ ((cleanup (cleanup_image_configp)))
size_t image_config_n_layers (const struct image_config *c);

/* ChainIDs for diff_ids[0..n): ret is a NULL-terminated strv */
int image_chain_ids (char *const *diff_ids, char ***ret, berth_error_t *err);

#endif
