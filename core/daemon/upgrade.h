/* Hijacked connections (attach, later exec): the route answers 101
   Switching Protocols and then owns the raw socket.

   A handler (a normal, non-streaming route) checks the request, then calls
   berth_response_upgrade as its last step; server.c sends the 101 reply
   through berth_upgrade_queue, and once it is out libmicrohttpd calls run
   on the connection's own thread with the socket and the bytes the client
   already sent after the request head. */
#ifndef BERTH_DAEMON_UPGRADE_H
#define BERTH_DAEMON_UPGRADE_H

#include <stddef.h>

#include <microhttpd.h>

#include "core/daemon/http.h"

typedef void (*berth_upgrade_run_fn) (void *ud, int sock, const char *extra, size_t extra_len);
typedef void (*berth_upgrade_free_fn) (void *ud);

struct berth_upgrade
{
  berth_upgrade_run_fn run;
  berth_upgrade_free_fn free_ud; /* called after run, or when the reply was never sent */
  void *ud;
};

/* status 101 with content_type and "Upgrade: tcp"; takes ud */
void berth_response_upgrade (struct berth_response *resp, const char *content_type, berth_upgrade_run_fn run,
                             berth_upgrade_free_fn free_ud, void *ud);
/* server.c: queue resp (which has an upgrade) on conn; consumes the upgrade */
enum MHD_Result berth_upgrade_queue (struct MHD_Connection *conn, struct berth_response *resp);

#endif
