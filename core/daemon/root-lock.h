/* One daemon per data root.  Taken before any driver is loaded: drivers
   sweep leftovers and unmount stale mounts under their state directories at
   init, which would break the layers of a daemon already using that root. */
#ifndef BERTH_DAEMON_ROOT_LOCK_H
#define BERTH_DAEMON_ROOT_LOCK_H

#include "core/lib/error.h"

/* Lock <data_root>/berthd.lock; returns the fd holding the lock.  Fails,
   naming the holder's pid when it can be read, while another process holds it. */
int berth_root_lock (const char *data_root, berth_error_t *err);

#endif
