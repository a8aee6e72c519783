/* The running daemon's state, handed to every route handler. */
#ifndef BERTH_DAEMON_DAEMON_H
#define BERTH_DAEMON_DAEMON_H

struct berth_config;
struct berth_plugins;
struct berth_driver;
struct image_service;
struct container_manager;
struct berth_events;
struct volume_service;
struct network_service;

struct berthd
{
  struct berth_config *cfg;      /* after command-line overrides */
  struct berth_plugins *plugins; /* every loaded driver */
  struct berth_driver *storage;  /* the selected storage driver */
  char *engine_id;               /* persisted under the data root */
  struct image_service *images;  /* the image store on the storage driver */
  struct container_manager *containers; /* containers.c */
  struct berth_events *events;          /* events.c */
  struct volume_service *volumes;       /* volumes.c */
  struct network_service *networks;     /* core/network/daemon-networks.c */
};

#endif
