/* Network driver `host`: the container shares the daemon's network namespace
 * (BERTH_NET_CAP_OWN_NETNS is not set, so join receives netns_fd == -1) and
 * sees the host's interfaces, addresses and routes.  There is nothing to
 * configure; the driver keeps the networks and endpoints it was told about so
 * unknown ids and out-of-order calls fail as they would with a real driver. */
#include "config.h"

#include <berth/network.h>

#include "netbook.h"

#include <errno.h>

static int
host_init (const struct berth_host_api *h, struct berth_host_ctx *ctx, const struct berth_cfg *opts, void **ret_drv,
           struct berth_error **err)
{
  struct netbook *b = netbook_new (h, "host");
  if (b == NULL)
    return h->error_set (err, ENOMEM, "host: out of memory");
  *ret_drv = b;
  return 0;
}

static void
host_shutdown (void *drv)
{
  netbook_free (drv);
}

static int
host_network_create (void *drv, const char *net_id, const struct berth_net_config *c, struct berth_error **err)
{
  return netbook_network_create (drv, net_id, c, err);
}

static int
host_network_delete (void *drv, const char *net_id, struct berth_error **err)
{
  return netbook_network_delete (drv, net_id, err);
}

static int
host_endpoint_create (void *drv, const char *net_id, const char *ep_id, const struct berth_endpoint *ep,
                      struct berth_error **err)
{
  return netbook_endpoint_create (drv, net_id, ep_id, err);
}

static int
host_endpoint_delete (void *drv, const char *net_id, const char *ep_id, struct berth_error **err)
{
  return netbook_endpoint_delete (drv, net_id, ep_id, err);
}

/* netns_fd is -1: the container lives in the host's namespace. */
static int
host_join (void *drv, const char *net_id, const char *ep_id, int netns_fd, struct berth_join_result *ret,
           struct berth_error **err)
{
  return netbook_join (drv, net_id, ep_id, ret, err);
}

static int
host_leave (void *drv, const char *net_id, const char *ep_id, struct berth_error **err)
{
  return netbook_leave (drv, net_id, ep_id, err);
}

static int
host_endpoint_info (void *drv, const char *net_id, const char *ep_id, berth_kv_fn emit, void *ud,
                    struct berth_error **err)
{
  return netbook_endpoint_info (drv, net_id, ep_id, emit, ud, err);
}

static const struct berth_network_ops host_ops = {
  .life = {
    .caps = 0,
    .init = host_init,
    .shutdown = host_shutdown,
  },
  .network_create = host_network_create,
  .network_delete = host_network_delete,
  .endpoint_create = host_endpoint_create,
  .endpoint_delete = host_endpoint_delete,
  .join = host_join,
  .leave = host_leave,
  .endpoint_info = host_endpoint_info,
};

static const struct berth_plugin_descriptor host_descriptor = BERTH_PLUGIN_DESCRIPTOR_INIT (
    BERTH_KIND_NETWORK, "host", PACKAGE_VERSION, "share the network namespace of the host", &host_ops);

BERTH_PLUGIN_DEFINE (host_descriptor)
