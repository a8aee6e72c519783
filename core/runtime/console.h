/* Terminals: a pty from the container's own devpts, handed to the caller
   over the console socket (data: the pty name; SCM_RIGHTS: the master). */
#ifndef BERTH_RUNTIME_CONSOLE_H
#define BERTH_RUNTIME_CONSOLE_H

#include <stdbool.h>
#include <termios.h>

#include "core/lib/error.h"

/* Open a pty through ROOT/dev/pts/ptmx (rootfd < 0: the host's /dev/ptmx).
   *name gets "/dev/pts/N" as the container sees it. */
int berth_console_open (int rootfd, int *master, int *slave, char **name, berth_error_t *err);
/* Bind the slave over /dev/console inside the root. */
int berth_console_bind (int rootfd, int slave, berth_error_t *err);
/* Connect to the console socket path. */
int berth_console_connect (const char *path, berth_error_t *err);
int berth_console_send (int sock, int master, const char *name, berth_error_t *err);
/* Receive the master (as a caller of create would); returns it. */
int berth_console_recv (int sock, berth_error_t *err);
/* Make the slave the controlling terminal and stdio of this process. */
int berth_console_become (int slave, unsigned int rows, unsigned int cols, berth_error_t *err);
/* Copy one read's worth from one fd to another: 1, or -1 at EOF/error. */
int berth_console_pump (int from, int to);
/* Put a terminal in raw mode, saving its settings; false if not a tty. */
bool berth_console_raw (int fd, struct termios *saved);
/* Copy the window size of one terminal to another. */
void berth_console_copy_size (int from, int to);

#endif
