/* The daemon's pid file, locked for the daemon's whole life so a second
   berthd on the same file refuses to start. */
#ifndef BERTH_DAEMON_PIDFILE_H
#define BERTH_DAEMON_PIDFILE_H

#include "core/lib/error.h"

struct berth_pidfile;

/* Create or take over `path` and write our pid into it.  Fails, naming the
   pid, when another live process holds the lock. */
int berth_pidfile_acquire (const char *path, struct berth_pidfile **ret, berth_error_t *err);
/* Remove the file (while still holding the lock) and release it. */
void berth_pidfile_release (struct berth_pidfile *p);

#endif
