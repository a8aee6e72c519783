/* Base64 (RFC 4648): the standard alphabet for encoding, and a lenient
   decoder for what clients send: standard or URL-safe alphabet, padding
   optional. */
#ifndef BERTH_LIB_BASE64_H
#define BERTH_LIB_BASE64_H

#include <stddef.h>

/* Standard alphabet, padded; allocated and NUL-terminated. */
char *berth_base64_encode (const void *data, size_t len);
/* '+' or '-', '/' or '_', '=' padding optional (but only at the end);
   whitespace is refused.  Returns an allocated buffer NUL-terminated after
   *ret_len bytes, or NULL when s is not base64. */
char *berth_base64_decode (const char *s, size_t *ret_len);

#endif
