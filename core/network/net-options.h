/* A container's DNS and hosts options as Docker takes them
 * (HostConfig.Dns, DnsSearch, DnsOptions, ExtraHosts with the special
 * address `host-gateway`), and the `container:<name|id>` network mode:
 * checked at create, turned into /etc/resolv.conf and /etc/hosts text. */
#ifndef BERTH_NETWORK_NET_OPTIONS_H
#define BERTH_NETWORK_NET_OPTIONS_H

#include <stdbool.h>

#include <json-c/json.h>

#include "core/lib/error.h"

#define NET_MODE_CONTAINER_PREFIX "container:"
#define NET_HOST_GATEWAY "host-gateway"

/* "container:X": X, else NULL. */
const char *net_mode_container_target (const char *mode);

/* Create: the options' types and values, and moby's conflicts of the
   container mode (hostname, dns, extra hosts, ports). */
int net_options_check (json_object *config, json_object *host_config, berth_error_t *err);

/* The address `host-gateway` stands for: the default bridge's gateway, set
   once at daemon start (NULL: none, and host-gateway is refused). */
void net_options_set_host_gateway (const char *ip);
struct network_service;
/* ... from the default network of s (at daemon start) */
void net_options_learn_host_gateway (struct network_service *s);

/* resolv.conf text: base (the host's, already filtered) with the
   nameservers, search domains and options replaced by those given; a copy
   of base when none is given. */
char *net_resolv_conf_apply (const char *base, json_object *host_config);

/* ExtraHosts as hosts lines ("IP\tNAME\n" each, host-gateway resolved);
   "" when none. */
int net_extra_hosts_text (json_object *host_config, char **ret, berth_error_t *err);

#endif
