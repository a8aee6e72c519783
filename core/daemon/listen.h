/* Listening sockets for -H/hosts: unix:///path and tcp://host:port. */
#ifndef BERTH_DAEMON_LISTEN_H
#define BERTH_DAEMON_LISTEN_H

#include <stdbool.h>

#include "core/lib/error.h"

enum berth_listen_kind
{
  BERTH_LISTEN_UNIX,
  BERTH_LISTEN_TCP,
};

/* TLS on TCP listeners (UNIX sockets never use it): none, the server's
   certificate only (--tls), or mutual TLS (--tlsverify). */
enum berth_listen_tls
{
  BERTH_LISTEN_TLS_NONE,
  BERTH_LISTEN_TLS_SERVER,
  BERTH_LISTEN_TLS_VERIFY,
};

struct berth_listener
{
  char *spec; /* as given, e.g. "unix:///run/berth/berth.sock" */
  enum berth_listen_kind kind;
  char *path; /* UNIX socket path, or NULL */
  int fd;     /* listening, O_CLOEXEC */
  bool tls;   /* a TCP listener serving TLS */
};

/* Parse `spec` and apply the listening policy without binding anything:
   TCP beyond loopback needs mutual TLS (anyone who reaches the port
   otherwise owns the host). */
int berth_listen_check (const char *spec, enum berth_listen_tls tls, berth_error_t *err);

/* Bind and listen.  A UNIX socket is never reachable with a mode looser than
   0660; it is owned by root:<socket_group> when that group exists. */
int berth_listen_open (const char *spec, const char *socket_group, enum berth_listen_tls tls,
                       struct berth_listener **ret, berth_error_t *err);

/* Close the fd (unless already handed off, fd < 0) and remove a UNIX socket. */
void berth_listener_free (struct berth_listener *l);

#endif
