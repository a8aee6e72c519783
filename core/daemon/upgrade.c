#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

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

/* End the session without a reset: closing a socket whose peer's bytes are
   still unread makes the peer's next read fail with ECONNRESET instead of
   EOF (the docker CLI then exits 1 instead of reading the exit code).  So
   send EOF, and read and drop what the client still sends until it closes
   too, for at most two seconds. */
static void
finish_gracefully (int sock)
{
  struct timespec start, now;
  char buf[4096];

  shutdown (sock, SHUT_WR);
  clock_gettime (CLOCK_MONOTONIC, &start);
  for (;;)
    {
      struct pollfd p = { sock, POLLIN, 0 };
      long waited;
      ssize_t n;

      clock_gettime (CLOCK_MONOTONIC, &now);
      waited = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
      if (waited >= 2000)
        return;
      if (poll (&p, 1, (int) (2000 - waited)) <= 0)
        {
          if (errno == EINTR)
            continue;
          return;
        }
      n = read (sock, buf, sizeof (buf));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return;
    }
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
  finish_gracefully (sock);
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
