/* Signal names and numbers as kill(1) and runc accept them. */
#ifndef BERTH_RUNTIME_SIGNALS_H
#define BERTH_RUNTIME_SIGNALS_H

/* "SIGTERM", "TERM", "term", "15", "SIGRTMIN+3" -> number; -1 when unknown */
int berth_signal_parse (const char *s);
/* "SIGTERM" for 15; NULL when unknown */
const char *berth_signal_name (int sig);

#endif
