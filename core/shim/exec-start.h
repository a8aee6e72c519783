/* berth-shim's exec mode: one more process in a running container (docker
   exec), started through the runtime library detached, so that the shim is
   its parent.  DIR/process.json holds its OCI process object; its stdio is
   a pty (its master received on DIR/console.sock) or three pipes. */
#ifndef BERTH_SHIM_EXEC_START_H
#define BERTH_SHIM_EXEC_START_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/lib/error.h"

struct shim_exec_io
{
  int out_fd; /* the pty master with a tty */
  int err_fd; /* -1 with a tty */
  int in_fd;  /* stdin's writer (the master with a tty); -1 without stdin */
};

/* A program that cannot start fails with ENOENT (not found) or EACCES
   (not executable) and the runtime's message. */
int shim_exec_start (const char *runtime_root, const char *id, const char *dir, bool tty, bool open_stdin,
                     pid_t *ret_pid, struct shim_exec_io *io, berth_error_t *err);

#endif
