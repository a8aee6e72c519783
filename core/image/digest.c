#include "config.h"

#include "core/image/digest.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <stdlib.h>
#include <openssl/evp.h>
#include <string.h>
#include <unistd.h>

struct digest_ctx
{
  EVP_MD_CTX *md;
  uint64_t size;
  bool done;
};

static bool
is_lower_hex (char c)
{
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool
digest_is_hex64 (const char *s)
{
  size_t i;

  for (i = 0; i < DIGEST_HEX_LEN; i++)
    if (!is_lower_hex (s[i]))
      return false;
  return s[DIGEST_HEX_LEN] == '\0';
}

int
digest_validate (const char *s, berth_error_t *err)
{
  const char *colon, *hex;
  size_t i, len;

  if (s == NULL || *s == '\0')
    return berth_error_make (err, EINVAL, "invalid digest: empty string");
  colon = strchr (s, ':');
  if (colon == NULL)
    return berth_error_make (err, EINVAL, "invalid digest `%s`: missing algorithm (expected sha256:<64 hex>)", s);
  if ((size_t)(colon - s) != strlen (DIGEST_ALGORITHM) || strncmp (s, DIGEST_ALGORITHM, colon - s) != 0)
    return berth_error_make (err, EINVAL, "invalid digest `%s`: unsupported digest algorithm `%.*s` (only sha256)", s,
                             (int)(colon - s), s);
  hex = colon + 1;
  len = strlen (hex);
  if (len != DIGEST_HEX_LEN)
    return berth_error_make (err, EINVAL, "invalid digest `%s`: sha256 needs 64 hex characters, got %zu", s, len);
  for (i = 0; i < len; i++)
    if (!is_lower_hex (hex[i]))
      return berth_error_make (err, EINVAL, "invalid digest `%s`: character %zu is not lowercase hexadecimal", s,
                               i + 1);
  return 0;
}

bool
digest_is_valid (const char *s)
{
  return digest_validate (s, NULL) == 0;
}

const char *
digest_hex (const char *digest)
{
  return digest + DIGEST_PREFIX_LEN;
}

int
digest_from_hex (const char *hex, char out[DIGEST_BUF_SIZE], berth_error_t *err)
{
  if (!digest_is_hex64 (hex))
    return berth_error_make (err, EINVAL, "invalid digest hex `%s`: need 64 lowercase hex characters", hex);
  memcpy (out, DIGEST_PREFIX, DIGEST_PREFIX_LEN);
  memcpy (out + DIGEST_PREFIX_LEN, hex, DIGEST_HEX_LEN + 1);
  return 0;
}

void
digest_format_raw (const unsigned char raw[DIGEST_RAW_LEN], char out[DIGEST_BUF_SIZE])
{
  static const char xd[] = "0123456789abcdef";
  size_t i;

  memcpy (out, DIGEST_PREFIX, DIGEST_PREFIX_LEN);
  for (i = 0; i < DIGEST_RAW_LEN; i++)
    {
      out[DIGEST_PREFIX_LEN + 2 * i] = xd[raw[i] >> 4];
      out[DIGEST_PREFIX_LEN + 2 * i + 1] = xd[raw[i] & 0xf];
    }
  out[DIGEST_STR_LEN] = '\0';
}

struct digest_ctx *
digest_ctx_new (berth_error_t *err)
{
  struct digest_ctx *ctx = xmalloc0 (sizeof (*ctx));

  ctx->md = EVP_MD_CTX_new ();
  if (ctx->md == NULL)
    oom ();
  if (EVP_DigestInit_ex (ctx->md, EVP_sha256 (), NULL) != 1)
    {
      digest_ctx_free (ctx);
      berth_error_make (err, EIO, "sha256: cannot initialise the OpenSSL digest");
      return NULL;
    }
  return ctx;
}

void
digest_ctx_update (struct digest_ctx *ctx, const void *data, size_t len)
{
  /* EVP_DigestUpdate on an initialised sha256 context cannot fail */
  if (len > 0)
    (void)EVP_DigestUpdate (ctx->md, data, len);
  ctx->size += len;
}

uint64_t
digest_ctx_size (const struct digest_ctx *ctx)
{
  return ctx->size;
}

int
digest_ctx_final (struct digest_ctx *ctx, char out[DIGEST_BUF_SIZE], berth_error_t *err)
{
  unsigned char raw[EVP_MAX_MD_SIZE];
  unsigned int n = 0;

  if (ctx->done)
    return berth_error_make (err, EINVAL, "sha256: digest already finalised");
  ctx->done = true;
  if (EVP_DigestFinal_ex (ctx->md, raw, &n) != 1 || n != DIGEST_RAW_LEN)
    return berth_error_make (err, EIO, "sha256: cannot finalise the OpenSSL digest");
  digest_format_raw (raw, out);
  return 0;
}

void
digest_ctx_free (struct digest_ctx *ctx)
{
  if (ctx == NULL)
    return;
  EVP_MD_CTX_free (ctx->md);
  free (ctx);
}

void
cleanup_digest_ctxp (struct digest_ctx **ctx)
{
  digest_ctx_free (*ctx);
  *ctx = NULL;
}

int
digest_buffer (const void *data, size_t len, char out[DIGEST_BUF_SIZE], berth_error_t *err)
{
  cleanup_digest_ctx struct digest_ctx *ctx = digest_ctx_new (err);

  if (ctx == NULL)
    return berth_error_ret (err);
  digest_ctx_update (ctx, data, len);
  return digest_ctx_final (ctx, out, err);
}

int
digest_fd (int fd, char out[DIGEST_BUF_SIZE], uint64_t *ret_size, berth_error_t *err)
{
  cleanup_digest_ctx struct digest_ctx *ctx = digest_ctx_new (err);
  cleanup_free char *buf = xmalloc (65536);

  if (ctx == NULL)
    return berth_error_ret (err);
  for (;;)
    {
      ssize_t n = read (fd, buf, 65536);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return berth_error_errno (err, errno, "sha256: read");
      if (n == 0)
        break;
      digest_ctx_update (ctx, buf, (size_t)n);
    }
  if (ret_size)
    *ret_size = digest_ctx_size (ctx);
  return digest_ctx_final (ctx, out, err);
}

int
digest_chain_id (const char *parent_chain_id, const char *diff_id, char out[DIGEST_BUF_SIZE], berth_error_t *err)
{
  cleanup_free char *joined = NULL;

  if (digest_validate (diff_id, err) < 0)
    return berth_error_wrap (err, "chain id");
  if (parent_chain_id == NULL)
    {
      memcpy (out, diff_id, DIGEST_BUF_SIZE);
      return 0;
    }
  if (digest_validate (parent_chain_id, err) < 0)
    return berth_error_wrap (err, "chain id: parent");
  joined = xasprintf ("%s %s", parent_chain_id, diff_id);
  return digest_buffer (joined, strlen (joined), out, err);
}
