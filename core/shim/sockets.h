/* Unix sockets the shim listens on in its directory (attach.sock,
   console.sock).  Directory paths may be too long for sun_path (container
   and exec ids are 64 characters): such a socket is reached through
   /proc/self/fd/N/NAME of an O_PATH descriptor of the directory. */
#ifndef BERTH_SHIM_SOCKETS_H
#define BERTH_SHIM_SOCKETS_H

#include "core/lib/error.h"

/* DIR/NAME, or its /proc/self/fd form when DIR/NAME does not fit */
char *shim_socket_path (const char *dir, const char *name);
/* bind (mode 0600) and listen; a stale socket file is replaced */
int shim_listen_unix (const char *path, berth_error_t *err);

#endif
