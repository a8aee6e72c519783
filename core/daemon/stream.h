/* Streaming routes: the plumbing between the HTTP server's connection thread
   and the handler's own thread.

   The connection thread creates the stream when the request head has
   arrived (the handler starts at once), feeds it the upload as it comes,
   and at the end of the upload waits for the handler to either finish or
   start streaming its response. */
#ifndef BERTH_DAEMON_STREAM_H
#define BERTH_DAEMON_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include <microhttpd.h>

#include "core/daemon/router.h"

struct berth_server;

/* Takes over match's strings; copies the query and headers of conn. */
struct berth_stream *berth_stream_start (struct berth_server *server, struct berthd *d, struct berth_route_match *match,
                                         struct MHD_Connection *conn, const char *method, berth_error_t *err);
/* Upload data; dropped once the handler has stopped reading. */
void berth_stream_feed (struct berth_stream *s, const char *data, size_t len);
/* The upload is complete: wait for the handler.  Returns an MHD response to
   queue with *status when it streams, or NULL after filling resp (a
   buffered response, errors included) for the caller to send. */
struct MHD_Response *berth_stream_finish (struct berth_stream *s, struct berth_response *resp, unsigned *status);
/* The connection is done with the stream (complete or not). */
void berth_stream_release (struct berth_stream *s);

/* server.c */
void berth_server_add_common_headers (struct MHD_Response *r);
void berth_server_handler_begin (struct berth_server *server);
void berth_server_handler_end (struct berth_server *server);

#endif
