#include "config.h"

#include <stdlib.h>

#include "core/daemon/stream.h"
#include "core/daemon/upgrade.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"

void
berth_response_upgrade (struct berth_response *resp, const char *content_type, berth_upgrade_run_fn run,
                        berth_upgrade_free_fn free_ud, void *ud)
{
  struct berth_upgrade *u = xmalloc0 (sizeof (*u));

  u->run = run;
  u->free_ud = free_ud;
  u->ud = ud;
  berth_response_text (resp, 101, content_type, "");
  resp->upgrade = u;
}

static void
upgrade_free (struct berth_upgrade *u)
{
  if (u == NULL)
    return;
  if (u->free_ud != NULL)
    u->free_ud (u->ud);
  free (u);
}

/* MHD: the 101 reply is out; this thread is the connection's own (thread
   per connection), so the session may block here. */
static void
on_upgraded (void *cls, struct MHD_Connection *conn, void *req_cls, const char *extra_in, size_t extra_in_size,
             MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
  struct berth_upgrade *u = cls;

  (void) conn;
  (void) req_cls;
  u->run (u->ud, sock, extra_in, extra_in_size);
  upgrade_free (u);
  MHD_upgrade_action (urh, MHD_UPGRADE_ACTION_CLOSE);
}

enum MHD_Result
berth_upgrade_queue (struct MHD_Connection *conn, struct berth_response *resp)
{
  struct berth_upgrade *u = steal_pointer (&resp->upgrade);
  struct MHD_Response *r = MHD_create_response_for_upgrade (on_upgraded, u);
  enum MHD_Result ret;

  if (r == NULL)
    {
      log_error ("cannot create an upgrade response");
      upgrade_free (u);
      return MHD_NO;
    }
  berth_server_add_common_headers (r);
  if (resp->content_type != NULL)
    MHD_add_response_header (r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
  MHD_add_response_header (r, MHD_HTTP_HEADER_UPGRADE, "tcp");
  ret = MHD_queue_response (conn, MHD_HTTP_SWITCHING_PROTOCOLS, r);
  MHD_destroy_response (r);
  if (ret != MHD_YES)
    {
      /* on_upgraded will never run */
      log_error ("cannot queue the upgrade response");
      upgrade_free (u);
    }
  return ret;
}
