/* Network driver ops (bridge, host, none).  Address management stays in the
   core: drivers receive the addresses to configure. */
#ifndef BERTH_PLUGIN_NETWORK_H
#define BERTH_PLUGIN_NETWORK_H

#include <berth/plugin.h>

#define BERTH_NET_CAP_OWN_NETNS (1u << 0) /* unset (host): the container shares the host's netns */
#define BERTH_NET_CAP_PUBLISH (1u << 1)   /* supports publish/unpublish */
#define BERTH_NET_CAP_IPAM (1u << 2)      /* wants addresses from the core's IPAM */

#define BERTH_PROTO_TCP 6u
#define BERTH_PROTO_UDP 17u

struct berth_net_config
{
  uint32_t struct_size;
  uint32_t mtu;
  const char *name;
  const char *subnet4, *gateway4; /* CIDR and address, or NULL */
  const char *subnet6, *gateway6;
  uint32_t internal; /* no route out */
  uint32_t reserved;
  const struct berth_cfg *driver_opts;
};

/* berth_endpoint.flags: no default route through this endpoint's gateway
   (a second network of a container, or an internal one); and the number N
   of the container's interface, eth<N> (0 for the first). */
#define BERTH_EP_NO_GATEWAY (1u << 0)
#define BERTH_EP_IFNUM(flags) (((flags) >> 8) & 0xffu)
#define BERTH_EP_FLAGS_IFNUM(n) (((uint32_t) (n) & 0xffu) << 8)

struct berth_endpoint
{
  uint32_t struct_size;
  uint32_t flags;
  const char *ipv4_cidr, *ipv6_cidr;
  uint8_t mac[6];
  uint8_t reserved[2];
};

struct berth_join_result
{
  uint32_t struct_size;
  uint32_t flags;
  char ifname[16];
  char gateway4[46], gateway6[46];
};

struct berth_port_map
{
  uint32_t struct_size;
  uint16_t proto; /* BERTH_PROTO_* */
  uint16_t host_port, container_port, reserved;
  const char *host_ip; /* NULL = all */
};

struct berth_network_ops
{
  struct berth_driver_lifecycle life;
  /* mandatory */
  int (*network_create) (void *drv, const char *net_id, const struct berth_net_config *c, struct berth_error **err);
  int (*network_delete) (void *drv, const char *net_id, struct berth_error **err);
  int (*endpoint_create) (void *drv, const char *net_id, const char *ep_id, const struct berth_endpoint *ep,
                          struct berth_error **err);
  int (*endpoint_delete) (void *drv, const char *net_id, const char *ep_id, struct berth_error **err);
  /* configure the interface inside the container's netns (-1 when !OWN_NETNS) */
  int (*join) (void *drv, const char *net_id, const char *ep_id, int netns_fd, struct berth_join_result *ret,
               struct berth_error **err);
  int (*leave) (void *drv, const char *net_id, const char *ep_id, struct berth_error **err);
  /* optional */
  int (*publish) (void *drv, const char *net_id, const char *ep_id, const struct berth_port_map *maps, size_t n,
                  struct berth_error **err);
  int (*unpublish) (void *drv, const char *net_id, const char *ep_id, struct berth_error **err);
  int (*endpoint_info) (void *drv, const char *net_id, const char *ep_id, berth_kv_fn emit, void *ud,
                        struct berth_error **err);
  /* optional, ABI 1.1: leave for a container whose processes are gone and
     whose namespace the core removes next; the driver may finish removing
     the interfaces after it returns (a later join or network_delete waits
     for it).  Without it the core calls leave. */
  int (*leave_gone) (void *drv, const char *net_id, const char *ep_id, struct berth_error **err);
};

#endif
