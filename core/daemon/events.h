/* The daemon's event bus and GET /events.

   Every event (container, image, ...) goes into a ring of the most recent
   BERTH_EVENTS_KEEP, numbered in order; GET /events subscribers replay the
   ring for since/until and then follow new numbers as they come.  A
   subscriber slower than the ring loses the events that fell out of it
   (moby drops events for a subscriber that does not take them in 100 ms).

   The messages have Docker's shape: {"status","id","from","Type","Action",
   "Actor":{"ID","Attributes"},"scope":"local","time","timeNano"}, the
   attributes sorted by key (Go marshals maps so). */
#ifndef BERTH_DAEMON_EVENTS_H
#define BERTH_DAEMON_EVENTS_H

#include <json-c/json.h>

#include "core/container/container.h"
#include "core/daemon/router.h"

#define BERTH_EVENTS_KEEP 1024

struct berth_events;

struct berth_events *berth_events_new (void);
/* Subscribers end their streams now (before the HTTP server stops). */
void berth_events_shutdown (struct berth_events *ev);
/* After the HTTP server stopped. */
void berth_events_free (struct berth_events *ev);

/* type: "container", "image", "volume", ...; attrs: the Actor's Attributes
   (string values; borrowed, may be NULL).  Safe from any thread and with
   other locks held: it only takes the bus's own. */
void berth_events_publish (struct berth_events *ev, const char *type, const char *action, const char *actor_id,
                           json_object *attrs);

/* A container_event_fn (ud: the bus): the container's labels, "image" and
   "name", then attrs. */
void berth_events_container (void *ud, const struct container *c, const char *action, json_object *attrs);
/* An image event as moby's LogImageEvent: Actor.ID the image id, "name" the
   reference (NULL: none). */
void berth_events_image (struct berth_events *ev, const char *action, const char *image_id, const char *name);
/* For DELETE /images: "untag" for each {"Untagged": ref} of items, then
   "delete" for {"Deleted": image_id}. */
void berth_events_image_removed (struct berth_events *ev, const char *image_id, json_object *items);

void berth_event_routes (struct berth_router *r);

#endif
