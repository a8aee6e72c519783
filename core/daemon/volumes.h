/* Volume routes (GET /volumes, POST /volumes/create, GET and DELETE
   /volumes/{name}, POST /volumes/prune) and the daemon's volume service,
   opened before the containers that use it. */
#ifndef BERTH_DAEMON_VOLUMES_H
#define BERTH_DAEMON_VOLUMES_H

#include "core/daemon/daemon.h"
#include "core/daemon/router.h"

int berth_volumes_open (struct berthd *d, berth_error_t *err);
void berth_volumes_close (struct berthd *d);
void berth_volume_routes (struct berth_router *r);

/* berth-init for --init: $BERTH_INIT, else beside berthd (a build tree),
   else the installed one.  Allocated. */
char *berth_init_program_path (void);

#endif
