/* Content digests: "sha256:<64 lowercase hex>" strings and streaming sha256.
 *
 * Digest strings live in fixed buffers of DIGEST_BUF_SIZE bytes.  Only sha256
 * is accepted; any other algorithm is refused with an error naming it. */
#ifndef BERTH_IMAGE_DIGEST_H
#define BERTH_IMAGE_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/lib/error.h"

#define DIGEST_ALGORITHM "sha256"
#define DIGEST_PREFIX "sha256:"
#define DIGEST_PREFIX_LEN 7
#define DIGEST_HEX_LEN 64
#define DIGEST_STR_LEN (DIGEST_PREFIX_LEN + DIGEST_HEX_LEN)
#define DIGEST_BUF_SIZE (DIGEST_STR_LEN + 1)
#define DIGEST_RAW_LEN 32

/* 0 when s is a valid "sha256:<64 lowercase hex>"; otherwise an error saying
   what is wrong (missing algorithm, unsupported algorithm, length, case). */
int digest_validate (const char *s, berth_error_t *err);
bool digest_is_valid (const char *s);
/* true when s is exactly 64 lowercase hex characters */
bool digest_is_hex64 (const char *s);
/* the hex part of a valid digest string */
const char *digest_hex (const char *digest);
/* "sha256:" + hex, hex validated (64 lowercase hex) */
int digest_from_hex (const char *hex, char out[DIGEST_BUF_SIZE], berth_error_t *err);
void digest_format_raw (const unsigned char raw[DIGEST_RAW_LEN], char out[DIGEST_BUF_SIZE]);

/* Streaming sha256 (OpenSSL EVP). */
struct digest_ctx;
struct digest_ctx *digest_ctx_new (berth_error_t *err);
void digest_ctx_update (struct digest_ctx *ctx, const void *data, size_t len);
/* Bytes fed so far. */
uint64_t digest_ctx_size (const struct digest_ctx *ctx);
/* Writes "sha256:<hex>"; the context may not be updated afterwards. */
int digest_ctx_final (struct digest_ctx *ctx, char out[DIGEST_BUF_SIZE], berth_error_t *err);
void digest_ctx_free (struct digest_ctx *ctx);
void cleanup_digest_ctxp (struct digest_ctx **ctx);
#define cleanup_digest_ctx __attribute__ ((cleanup (cleanup_digest_ctxp)))

int digest_buffer (const void *data, size_t len, char out[DIGEST_BUF_SIZE], berth_error_t *err);
/* Hash everything readable from fd (from its current offset to EOF). */
int digest_fd (int fd, char out[DIGEST_BUF_SIZE], uint64_t *ret_size, berth_error_t *err);

/* ChainID(parent, diff) = sha256(parent + " " + diff); parent NULL => diff. */
int digest_chain_id (const char *parent_chain_id, const char *diff_id, char out[DIGEST_BUF_SIZE], berth_error_t *err);

#endif
