/* Raw HTTP connections to the daemon, beside libcurl (see hijack.c for why):
 * the hijacked attach stream and the wait call that must overlap it. */
#ifndef BERTH_CLI_HIJACK_H
#define BERTH_CLI_HIJACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cli/client.h"
#include "core/lib/error.h"

struct berth_raw
{
  int fd;
  int status;             /* 101 after an upgrade */
  bool chunked;           /* Transfer-Encoding: chunked */
  int64_t content_length; /* -1 when absent */
  char *extra;            /* bytes read past the response head */
  size_t extra_len;
};

/* Send `method path` (path without the /v1.NN prefix), with "Connection:
   Upgrade, Upgrade: tcp" when upgrade is set (else "Connection: close"),
   and read the response head.  A status other than 2xx/101 becomes the
   error "Error response from daemon: <message>" (ENOENT for 404). */
int berth_raw_open (struct berth_client *c, const char *method, const char *path, bool upgrade, struct berth_raw **ret,
                    berth_error_t *err);
/* Read the rest of the body (de-chunked) up to EOF; NUL-terminated. */
int berth_raw_read_body (struct berth_raw *r, char **ret, size_t *ret_len, berth_error_t *err);
void berth_raw_free (struct berth_raw *r);

#endif
