/* Network driver `none`: the container gets its own network namespace
 * (BERTH_NET_CAP_OWN_NETNS) and this driver puts nothing in it.  The runtime
 * brings up the loopback interface of every new namespace, so a container on
 * `none` has `lo` and nothing else: no interface, address, route or gateway.
 * The driver only keeps the networks and endpoints it was told about, so
 * unknown ids and out-of-order calls fail as they would with a real driver. */
#include "config.h"

#include <berth/network.h>

#include "netbook.h"

#include <errno.h>

static int
none_init (const struct berth_host_api *h, struct berth_host_ctx *ctx, const struct berth_cfg *opts, void **ret_drv,
           struct berth_error **err)
{
  struct netbook *b = netbook_new (h, "none");
  if (b == NULL)
    return h->error_set (err, ENOMEM, "none: out of memory");
  *ret_drv = b;
  return 0;
}

static void
none_shutdown (void *drv)
{
  netbook_free (drv);
}

static int
none_network_create (void *drv, const char *net_id, const struct berth_net_config *c, struct berth_error **err)
{
  return netbook_network_create (drv, net_id, c, err);
}

static int
none_network_delete (void *drv, const char *net_id, struct berth_error **err)
{
  return netbook_network_delete (drv, net_id, err);
}

static int
none_endpoint_create (void *drv, const char *net_id, const char *ep_id, const struct berth_endpoint *ep,
                      struct berth_error **err)
{
  return netbook_endpoint_create (drv, net_id, ep_id, err);
}

static int
none_endpoint_delete (void *drv, const char *net_id, const char *ep_id, struct berth_error **err)
{
  return netbook_endpoint_delete (drv, net_id, ep_id, err);
}

/* netns_fd is the container's own namespace; nothing is configured in it. */
static int
none_join (void *drv, const char *net_id, const char *ep_id, int netns_fd, struct berth_join_result *ret,
           struct berth_error **err)
{
  return netbook_join (drv, net_id, ep_id, ret, err);
}

static int
none_leave (void *drv, const char *net_id, const char *ep_id, struct berth_error **err)
{
  return netbook_leave (drv, net_id, ep_id, err);
}

static int
none_endpoint_info (void *drv, const char *net_id, const char *ep_id, berth_kv_fn emit, void *ud,
                    struct berth_error **err)
{
  return netbook_endpoint_info (drv, net_id, ep_id, emit, ud, err);
}

static const struct berth_network_ops none_ops = {
  .life = {
    .caps = BERTH_NET_CAP_OWN_NETNS,
    .init = none_init,
    .shutdown = none_shutdown,
  },
  .network_create = none_network_create,
  .network_delete = none_network_delete,
  .endpoint_create = none_endpoint_create,
  .endpoint_delete = none_endpoint_delete,
  .join = none_join,
  .leave = none_leave,
  .endpoint_info = none_endpoint_info,
};

static const struct berth_plugin_descriptor none_descriptor = BERTH_PLUGIN_DESCRIPTOR_INIT (
    BERTH_KIND_NETWORK, "none", PACKAGE_VERSION, "own network namespace with only loopback", &none_ops);

BERTH_PLUGIN_DEFINE (none_descriptor)
