/* Published ports: HostConfig.PortBindings ({"80/tcp": [{"HostIp": "",
   "HostPort": "8080"}]}) checked and flattened, free host ports picked for
   an empty HostPort, and NetworkSettings.Ports as moby shows them. */
#ifndef BERTH_NETWORK_PORTS_H
#define BERTH_NETWORK_PORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "core/lib/error.h"

struct net_port
{
  uint16_t proto; /* 6 tcp, 17 udp */
  uint16_t container_port;
  uint16_t host_port; /* 0: pick one */
  char *host_ip;      /* "" = every address */
};

/* bindings may be NULL; with publish_all every key of exposed (Config.
   ExposedPorts) without a binding gets one with a random host port. */
int net_ports_parse (json_object *bindings, json_object *exposed, bool publish_all, struct net_port **ret,
                     size_t *ret_n, berth_error_t *err);
void net_ports_free (struct net_port *p, size_t n);
/* "80/tcp" -> port, proto */
int net_port_key_parse (const char *key, uint16_t *port, uint16_t *proto, berth_error_t *err);
/* a port no socket of the host is bound to now, from the kernel's
   ephemeral range (as Docker's allocator picks from 32768-60999) */
int net_port_pick (uint16_t proto, uint16_t *ret, berth_error_t *err);
/* NetworkSettings.Ports: bound ports with their host side, exposed ones null */
json_object *net_ports_settings_json (const struct net_port *p, size_t n, json_object *exposed);
/* the endpoint record's form and back */
json_object *net_ports_to_json (const struct net_port *p, size_t n);
int net_ports_from_json (json_object *a, struct net_port **ret, size_t *ret_n);

#endif
