/* Copying a hijacked attach connection to and from the local stdio. */
#ifndef BERTH_CLI_ATTACH_STREAM_H
#define BERTH_CLI_ATTACH_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cli/hijack.h"

/* Docker's stdcopy frames: an 8-byte header (stream 0/1 stdout, 2 stderr,
   3 daemon error text; 3 zero bytes; big-endian length) and the payload,
   written to our stdout or stderr.  The state survives between pieces. */
struct berth_demux
{
  unsigned char head[8];
  size_t head_len;
  uint32_t left; /* payload bytes still to come for the current frame */
  int out_fd;    /* start with STDOUT_FILENO */
};
int berth_demux_feed (struct berth_demux *d, const char *p, size_t len, berth_error_t *err);

struct berth_attach_opts
{
  bool tty;         /* raw bytes; else Docker's 8-byte frames, demultiplexed */
  bool send_stdin;  /* copy stdin in; at its EOF the write side is shut */
  bool detach_keys; /* the detach keys on stdin detach (tty) */
  const unsigned char *keys; /* the sequence; NULL: ctrl-p ctrl-q */
  size_t n_keys;
  int signal_fd;    /* berth_signal_pipe_open's fd, or -1 */
  void (*on_signal) (void *ud, int sig);
  void *ud;
};

enum
{
  BERTH_ATTACH_EOF = 0,      /* the container side closed the stream */
  BERTH_ATTACH_DETACHED = 1, /* the user typed the detach keys */
};

/* Run until the stream ends or the user detaches; -1 with err on failure. */
int berth_attach_pump (struct berth_raw *conn, const struct berth_attach_opts *o, berth_error_t *err);

#endif
