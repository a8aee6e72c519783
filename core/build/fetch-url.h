/* ADD <URL>: the daemon downloads the file itself (libcurl, http and https
 * only, redirects followed, the daemon's proxy environment honoured), as
 * Docker's legacy builder does: the file is never unpacked, its mode is
 * 0600, its mtime the Last-Modified header's (else the epoch), its name the
 * URL path's last component (else Content-Disposition's filename).  The
 * content's sha256 is computed as it arrives: it goes into the step's cache
 * key (the file is downloaded at every build, as Docker does) and is
 * compared with ADD --checksum.
 *
 * Limits: BUILD_FETCH_MAX_SIZE bytes (BERTH_BUILD_URL_MAX_SIZE overrides),
 * connecting and stalling (no byte for that long) BUILD_FETCH_TIMEOUT
 * seconds (BERTH_BUILD_URL_TIMEOUT overrides; both variables are read from
 * berthd's environment, for tests and unusual sites). */
#ifndef BERTH_BUILD_FETCH_URL_H
#define BERTH_BUILD_FETCH_URL_H

#include <stdbool.h>

#include "core/image/digest.h"
#include "core/lib/error.h"

#define BUILD_FETCH_MAX_SIZE (4ULL << 30)
#define BUILD_FETCH_TIMEOUT 60L

/* Is s a source ADD downloads (http:// or https://)? */
bool build_fetch_is_url (const char *s);

/* Download url into the directory dir_fd.  *ret_name: the file's name
   there; NULL when the URL gives none (the file is then named "download"
   and the caller needs a destination file name).  checksum: NULL or
   "sha256:<hex>", checked before this returns.  Errors name the URL and
   say what failed: a malformed URL, the HTTP status, a timeout, the size
   limit, a checksum mismatch. */
int build_fetch_url (const char *url, const char *checksum, int dir_fd, char **ret_name,
                     char ret_digest[DIGEST_BUF_SIZE], berth_error_t *err);

#endif
