/* Shared by the parts of the `local` log driver (format in docs/logging.md).
 *
 * Files live in <log_dir>/local-logs/: container.log is written, rotated
 * ones are container.log.1 (newest) .. .N, each gzipped to .N.gz when
 * compress is on.  Every file starts with a header naming its sequence
 * number, so a reader can put rotated files in order however they were
 * renamed or compressed in the meantime. */
#ifndef BERTH_LOG_LOCAL_H
#define BERTH_LOG_LOCAL_H

#include <berth/log.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "file-driver.h"
#include "file-opts.h"

#define LL_MAGIC "BRTHLOG1"
#define LL_HEADER_LEN 16   /* magic + u64 sequence */
#define LL_REC_FIXED 12    /* stream, flags, reserved, i64 time */
#define LL_REC_OVERHEAD 20 /* u32 length before and after the body */
#define LL_MAX_BODY (16u << 20)

int ll_parse_opts (const struct berth_host_api *h, const struct berth_cfg *opts, struct log_file_opts *ret,
                   struct berth_error **err);

/* <log_dir>/local-logs, malloc'd; NULL with *err set when the info is unusable. */
char *ll_dir (const struct berth_host_api *h, const struct berth_log_info *info, struct berth_error **err);

/* Big-endian integers of the format. */
void ll_put_u32 (uint8_t *p, uint32_t v);
void ll_put_u64 (uint8_t *p, uint64_t v);
uint32_t ll_get_u32 (const uint8_t *p);
uint64_t ll_get_u64 (const uint8_t *p);

/* A file's sequence number from its first bytes; -1 when they are not a header. */
int ll_header_seq (const uint8_t *p, size_t len, uint64_t *ret);

/* gzip `from` into `to` (written to to.tmp and renamed). */
int ll_gzip_file (const struct berth_host_api *h, const char *from, const char *to, struct berth_error **err);

/* Reading a gzipped file as a stream of bytes. */
struct ll_gz;
struct ll_gz *ll_gz_open (const char *path, int *ret_errno);
/* bytes read, 0 at the end, -1 on error */
long ll_gz_read (struct ll_gz *g, void *buf, size_t len);
void ll_gz_close (struct ll_gz *g);

int ll_read (void *drv, const struct berth_log_info *info, const struct berth_log_read_opts *o, berth_log_msg_fn emit,
             void *ud, struct berth_error **err);

#endif
