/* In-memory bookkeeping of networks, endpoints and joins for the network
   drivers that configure nothing themselves (none, host): they still refuse
   unknown ids, duplicates and out-of-order calls the way a real driver does. */
#ifndef BERTH_NETBOOK_H
#define BERTH_NETBOOK_H

#include <berth/network.h>

struct netbook;

struct netbook *netbook_new (const struct berth_host_api *h, const char *driver);
void netbook_free (struct netbook *b);

/* -EEXIST, -ENOENT, -EBUSY (network with endpoints, endpoint joined) as the case may be. */
int netbook_network_create (struct netbook *b, const char *net_id, const struct berth_net_config *c,
                            struct berth_error **err);
int netbook_network_delete (struct netbook *b, const char *net_id, struct berth_error **err);
int netbook_endpoint_create (struct netbook *b, const char *net_id, const char *ep_id, struct berth_error **err);
int netbook_endpoint_delete (struct netbook *b, const char *net_id, const char *ep_id, struct berth_error **err);
int netbook_join (struct netbook *b, const char *net_id, const char *ep_id, struct berth_join_result *ret,
                  struct berth_error **err);
int netbook_leave (struct netbook *b, const char *net_id, const char *ep_id, struct berth_error **err);
int netbook_endpoint_info (struct netbook *b, const char *net_id, const char *ep_id, berth_kv_fn emit, void *ud,
                           struct berth_error **err);

#endif
