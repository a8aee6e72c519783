/* The local terminal for `run -t` / `attach`: raw mode, restored on every
 * way out (return, exit, a fatal signal), and its size. */
#ifndef BERTH_CLI_TERMINAL_H
#define BERTH_CLI_TERMINAL_H

#include <stdbool.h>

/* Put fd (a terminal) in raw mode, as docker's term.MakeRaw; the previous
   settings come back at berth_terminal_restore, at exit, and before a
   terminating signal takes its default action.  No-op for a non-terminal. */
int berth_terminal_raw (int fd);
void berth_terminal_restore (void);
/* The size of fd's terminal; false when it has none (or 0x0). */
bool berth_terminal_size (int fd, unsigned *height, unsigned *width);

#endif
