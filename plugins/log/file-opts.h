/* The --log-opt options of the log drivers that write rotated files
 * (json-file, local): max-size, max-file and, for local, compress, in
 * Docker's syntax.  Unknown options are errors naming the driver. */
#ifndef BERTH_LOG_FILE_OPTS_H
#define BERTH_LOG_FILE_OPTS_H

#include <berth/log.h>
#include <stdbool.h>
#include <stdint.h>

#define LOG_FILE_MAX_FILES 10000

struct log_file_opts
{
  int64_t max_size; /* bytes; -1 = unlimited */
  int max_file;     /* files kept, the live one included */
  bool compress;    /* gzip rotated files */
};

/* What a driver accepts. */
struct log_file_opts_spec
{
  const char *driver;    /* "json-file": what errors start with */
  const char *size_hint; /* what a bad max-size is told, e.g. "a size like 10m, 512k or 1g" */
  bool unlimited_size;   /* max-size -1 means no limit */
  bool compress;         /* the compress option is known */
};

/* Parse opts over the defaults already in *o (NULL opts: the defaults stay). */
int log_file_opts_parse (const struct berth_host_api *h, const struct berth_cfg *opts,
                         const struct log_file_opts_spec *spec, struct log_file_opts *o, struct berth_error **err);

#endif
