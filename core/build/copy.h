/* COPY and ADD sources: resolved in a root (the build context, or another
 * stage's or image's filesystem for --from), globs expanded, directories
 * walked without following symlinks, then either hashed (the cache key:
 * names, modes, owners, link targets and the sha256 of each file's
 * contents, not times) or written as
 * a tar whose names are the destination paths (relative to "/").  ADD
 * unpacks local tar archives (any compression libarchive reads) into the
 * destination instead of copying them. */
#ifndef BERTH_BUILD_COPY_H
#define BERTH_BUILD_COPY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/build/file-digests.h"
#include "core/image/digest.h"
#include "core/lib/error.h"

struct build_copy_opts
{
  int root_fd;          /* the directory sources are resolved in (symlinks stay inside) */
  char *const *sources; /* as written (variables expanded), relative to root_fd */
  const char *dest;     /* absolute destination in the image */
  bool dest_is_dir;     /* ends with '/', or is a directory in the image */
  bool add;             /* ADD: local tar archives are unpacked */
  bool chown;           /* owner uid:gid for everything, else 0:0 (archives keep theirs) */
  uint32_t uid, gid;
  bool chmod;
  mode_t mode;
  const char *what; /* "COPY" or "ADD", for errors */
  /* digests of files already known (the build context's), or NULL; files
     hashed here are added */
  struct build_file_digests *digests;
};

struct build_copy;

/* ENOENT naming a missing source or a glob matching nothing. */
int build_copy_collect (const struct build_copy_opts *o, struct build_copy **ret, berth_error_t *err);
void build_copy_free (struct build_copy *c);
int build_copy_hash (struct build_copy *c, char ret[DIGEST_BUF_SIZE], berth_error_t *err);
int build_copy_tar (struct build_copy *c, int out_fd, berth_error_t *err);
/* The entries into an open tar writer; with from != NULL each name's
   leading `from` (the destination as collected, no leading '/') becomes
   `to` (e.g. the destination with symlinks resolved).  Archives (ADD) are
   not rebased: see build_copy_rebasable. */
struct archive;
int build_copy_write (struct build_copy *c, struct archive *w, const char *from, const char *to, berth_error_t *err);
/* at least one entry, and no archive to unpack */
bool build_copy_rebasable (const struct build_copy *c);
/* "file:<hex>" or "dir:<hex>" for the history, as Docker (after hash) */
const char *build_copy_kind (const struct build_copy *c);

/* the mode of a --chmod value (octal, at most 07777) */
int build_parse_chmod (const char *s, mode_t *ret, berth_error_t *err);

#endif
