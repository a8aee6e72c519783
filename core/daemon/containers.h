/* Container routes: create, start, stop, kill, restart, wait, remove
   (containers.c), list and inspect (containers-list.c), logs
   (containers-logs.c), attach and resize (attach.c). */
#ifndef BERTH_DAEMON_CONTAINERS_H
#define BERTH_DAEMON_CONTAINERS_H

#include "core/container/manager.h"
#include "core/daemon/daemon.h"
#include "core/daemon/router.h"

/* Open the container manager (restoring the containers on disk, live ones
   reattached) and hook it to the image service. */
int berth_containers_open (struct berthd *d, berth_error_t *err);
/* Before the HTTP server stops: release waiters. */
void berth_containers_shutdown (struct berthd *d);
void berth_containers_close (struct berthd *d);

void berth_container_routes (struct berth_router *r);

/* shared by the route files */
struct container *berth_container_get (struct berthd *d, const struct berth_request *req, berth_error_t *err);
void berth_container_list_routes (struct berth_router *r);
void berth_container_logs_routes (struct berth_router *r);
void berth_container_attach_routes (struct berth_router *r);
/* exec create/start/resize/inspect (containers-exec.c) */
void berth_exec_routes (struct berth_router *r);
/* pause, unpause, rename, top, prune (containers-ops.c) and stats
   (containers-stats.c) */
void berth_container_ops_routes (struct berth_router *r);
void berth_container_stats_routes (struct berth_router *r);
/* changes, export, commit (containers-layers.c) */
void berth_container_layer_routes (struct berth_router *r);
/* HEAD/GET/PUT archive: docker cp (containers-archive.c) */
void berth_container_archive_routes (struct berth_router *r);

#endif
