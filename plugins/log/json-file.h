/* Shared by the parts of the json-file log driver. */
#ifndef BERTH_JSON_FILE_H
#define BERTH_JSON_FILE_H

#include <berth/log.h>
#include <stdint.h>

#include "file-driver.h"
#include "file-opts.h"

/* Parse and check --log-opt values; unknown options are errors. */
int jf_parse_opts (const struct berth_host_api *h, const struct berth_cfg *opts, struct log_file_opts *ret,
                   struct berth_error **err);

/* <log_dir>/<container_id>-json.log, malloc'd; NULL with *err set when the info is unusable. */
char *jf_log_path (const struct berth_host_api *h, const struct berth_log_info *info, struct berth_error **err);

/* Go's RFC3339Nano in UTC, as Docker writes it: trailing zeros of the fraction dropped. */
void jf_format_time (int64_t ts_ns, char buf[40]);
/* Parse RFC 3339 (any offset, any fraction); -1 when malformed. */
int jf_parse_time (const char *s, int64_t *ret_ns);

int jf_read (void *drv, const struct berth_log_info *info, const struct berth_log_read_opts *o, berth_log_msg_fn emit,
             void *ud, struct berth_error **err);

#endif
