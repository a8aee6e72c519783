/* COPY's layer made directly, without extracting the sources into a
 * container and diffing it: the tar of the sources renamed below the
 * destination as the parent image resolves it (symlinked directories
 * followed inside its root), preceded by the directories above them: those
 * the image has, with their mode, owner and xattrs (the one receiving the
 * sources with the time of the step, as the overlay copy-up and the create
 * give them in a container), and those it lacks, 0755 (less the umask) and
 * owned by the daemon, as the extraction creates them.  Hashed while
 * written, so the commit need not read it again. */
#ifndef BERTH_BUILD_COPY_LAYER_H
#define BERTH_BUILD_COPY_LAYER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/build/copy.h"
#include "core/image/digest.h"
#include "core/lib/error.h"

/* root_fd: the parent image's filesystem; dest: absolute, as written;
   dest_is_dir: settled against that filesystem.  1 (nothing written) when
   this case is left to the container: no entry, an archive to unpack, ".."
   in dest, a symlink leading to a missing directory, a file where a
   directory should be. */
int build_copy_layer (int root_fd, struct build_copy *c, const char *dest, bool dest_is_dir, int out_fd,
                      char ret_digest[DIGEST_BUF_SIZE], uint64_t *ret_size, berth_error_t *err);

#endif
