#include "config.h"

#include "core/config/config.h"
#include "core/network/daemon-networks.h"
#include "core/network/service.h"

int
berth_networks_open (struct berthd *d, berth_error_t *err)
{
  struct network_service_opts o = {
    .data_root = d->cfg->data_root,
    .exec_root = d->cfg->exec_root,
    .plugins = d->plugins,
    .opts = d->cfg->network_opts,
  };

  if (network_service_open (&o, &d->networks, err) < 0)
    return berth_error_wrap (err, "cannot open the networks");
  return 0;
}

/* after the containers: their monitors may still detach endpoints until the
   manager is closed (a live daemon's containers keep their networks) */
void
berth_networks_close (struct berthd *d)
{
  network_service_close (d->networks);
  d->networks = NULL;
}
