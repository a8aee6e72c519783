/* Messages between the runtime and the container init over a
   SOCK_SEQPACKET pair: one message per send, never split or merged. */
#ifndef BERTH_RUNTIME_SYNC_H
#define BERTH_RUNTIME_SYNC_H

#include <stddef.h>

#include "core/lib/error.h"

enum berth_sync_type
{
  BERTH_SYNC_EOF = 0,      /* the peer is gone (for the runtime: init exec'd or died) */
  BERTH_SYNC_GO,           /* runtime -> init: cgroup joined, id maps written; value = host pid */
  BERTH_SYNC_HOOKS,        /* init -> runtime: run prestart/createRuntime hooks now */
  BERTH_SYNC_HOOKS_DONE,   /* runtime -> init */
  BERTH_SYNC_READY,        /* init -> runtime: set up, waiting for start */
  BERTH_SYNC_ACK,          /* runtime -> init: state saved */
  BERTH_SYNC_START,        /* runtime -> init (run): exec now */
  BERTH_SYNC_ERROR,        /* init -> runtime: text is the error */
  BERTH_SYNC_PTY,          /* init -> runtime: the pty master rides along */
};

struct berth_sync_msg
{
  int type;
  int value;
  char *text; /* malloc'd, may be NULL */
  int fd;     /* -1 unless a PTY message */
};

int berth_sync_pair (int fds[2], berth_error_t *err);
int berth_sync_send (int fd, int type, int value, const char *text, berth_error_t *err);
int berth_sync_send_fd (int fd, int type, int passfd, berth_error_t *err);
int berth_sync_recv (int fd, struct berth_sync_msg *msg, berth_error_t *err);
/* Wait for one message of type `want`; an ERROR message becomes *err. */
int berth_sync_expect (int fd, int want, struct berth_sync_msg *msg, berth_error_t *err);
void berth_sync_msg_clear (struct berth_sync_msg *msg);

#endif
