/* Signals turned into bytes on a pipe, so that the attach loop handles them
 * with poll (sig-proxy to the container, SIGWINCH to a resize) instead of
 * in a handler that could not make an API call. */
#ifndef BERTH_CLI_SIGNAL_PIPE_H
#define BERTH_CLI_SIGNAL_PIPE_H

#include <stddef.h>

/* Catch sigs; returns the pipe's read end (non-blocking), or -1. */
int berth_signal_pipe_open (const int *sigs, size_t n);
/* The next caught signal, or 0 when none is pending. */
int berth_signal_pipe_next (int fd);
/* Put the previous dispositions back and close the pipe. */
void berth_signal_pipe_close (void);

#endif
