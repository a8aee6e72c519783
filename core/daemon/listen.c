#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/daemon/listen.h"
#include "core/lib/fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"

#define UNIX_PREFIX "unix://"
#define TCP_PREFIX "tcp://"

struct parsed_addr
{
  enum berth_listen_kind kind;
  char *path; /* unix */
  char *host; /* tcp */
  char *port; /* tcp */
};

static void
parsed_addr_clear (struct parsed_addr *a)
{
  free (a->path);
  free (a->host);
  free (a->port);
}

static int
parse_tcp (const char *spec, const char *rest, struct parsed_addr *a, berth_error_t *err)
{
  const char *colon;
  char *end;
  long port;

  if (rest[0] == '[')
    {
      const char *close = strchr (rest, ']');
      if (close == NULL || close[1] != ':')
        return berth_error_make (err, EINVAL, "invalid listen address %s: expected tcp://[IPV6]:PORT", spec);
      a->host = xstrndup (rest + 1, (size_t)(close - rest - 1));
      colon = close + 1;
    }
  else
    {
      colon = strrchr (rest, ':');
      if (colon == NULL || colon == rest)
        return berth_error_make (err, EINVAL, "invalid listen address %s: expected tcp://HOST:PORT", spec);
      a->host = xstrndup (rest, (size_t)(colon - rest));
    }
  errno = 0;
  port = strtol (colon + 1, &end, 10);
  if (colon[1] == '\0' || *end != '\0' || errno != 0 || port < 1 || port > 65535)
    return berth_error_make (err, EINVAL, "invalid listen address %s: bad port `%s`", spec, colon + 1);
  a->port = xstrdup (colon + 1);
  return 0;
}

static int
parse_addr (const char *spec, struct parsed_addr *a, berth_error_t *err)
{
  memset (a, 0, sizeof (*a));
  if (strncmp (spec, UNIX_PREFIX, strlen (UNIX_PREFIX)) == 0)
    {
      const char *path = spec + strlen (UNIX_PREFIX);
      struct sockaddr_un sun;
      if (path[0] != '/')
        return berth_error_make (err, EINVAL, "invalid listen address %s: the socket path must be absolute", spec);
      if (strlen (path) >= sizeof (sun.sun_path))
        return berth_error_make (err, ENAMETOOLONG, "invalid listen address %s: socket path longer than %zu bytes",
                                 spec, sizeof (sun.sun_path) - 1);
      a->kind = BERTH_LISTEN_UNIX;
      a->path = xstrdup (path);
      return 0;
    }
  if (strncmp (spec, TCP_PREFIX, strlen (TCP_PREFIX)) == 0)
    {
      a->kind = BERTH_LISTEN_TCP;
      return parse_tcp (spec, spec + strlen (TCP_PREFIX), a, err);
    }
  return berth_error_make (err, EINVAL, "unsupported listen address `%s` (expected unix:///PATH or tcp://HOST:PORT)",
                           spec);
}

static int
is_loopback (const struct sockaddr *sa)
{
  if (sa->sa_family == AF_INET)
    {
      const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
      return (ntohl (in->sin_addr.s_addr) >> 24) == 127;
    }
  if (sa->sa_family == AF_INET6)
    {
      const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
      if (IN6_IS_ADDR_LOOPBACK (&in6->sin6_addr))
        return 1;
      return IN6_IS_ADDR_V4MAPPED (&in6->sin6_addr) && in6->sin6_addr.s6_addr[12] == 127;
    }
  return 0;
}

/* Resolve a TCP address.  Without mutual TLS every address it names must be
   loopback, because anyone who can reach the port owns the host (dockerd
   refuses that too, since v28). */
static int
resolve_tcp (const char *spec, const struct parsed_addr *a, enum berth_listen_tls tls, struct addrinfo **ret,
             berth_error_t *err)
{
  struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
  struct addrinfo *res = NULL;
  const char *why
      = tls == BERTH_LISTEN_TLS_SERVER ? "TLS without --tlsverify (client certificates)" : "TCP without TLS";
  int r;

  if (a->host[0] == '\0' && tls != BERTH_LISTEN_TLS_VERIFY)
    return berth_error_make (err, EPERM,
                             "refusing to listen on %s: an empty host means every interface, and %s is only "
                             "allowed on a loopback address; use --tlsverify with --tlscacert, --tlscert and "
                             "--tlskey",
                             spec, why);
  if (a->host[0] == '\0')
    hints.ai_flags |= AI_PASSIVE;
  r = getaddrinfo (a->host[0] != '\0' ? a->host : NULL, a->port, &hints, &res);
  if (r != 0)
    return berth_error_make (err, EINVAL, "cannot resolve listen address %s: %s", spec, gai_strerror (r));
  for (struct addrinfo *ai = res; ai != NULL && tls != BERTH_LISTEN_TLS_VERIFY; ai = ai->ai_next)
    if (!is_loopback (ai->ai_addr))
      {
        freeaddrinfo (res);
        return berth_error_make (err, EPERM,
                                 "refusing to listen on %s: %s is only allowed on a loopback address; use "
                                 "--tlsverify with --tlscacert, --tlscert and --tlskey",
                                 spec, why);
      }
  *ret = res;
  return 0;
}

int
berth_listen_check (const char *spec, enum berth_listen_tls tls, berth_error_t *err)
{
  struct parsed_addr a;
  struct addrinfo *res = NULL;
  int ret = parse_addr (spec, &a, err);

  if (ret >= 0 && a.kind == BERTH_LISTEN_TCP)
    {
      ret = resolve_tcp (spec, &a, tls, &res, err);
      if (res != NULL)
        freeaddrinfo (res);
    }
  parsed_addr_clear (&a);
  return ret;
}

/* An existing socket file is removed only when nobody answers on it. */
static int
clear_stale_socket (const char *path, berth_error_t *err)
{
  struct stat st;
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  cleanup_close int fd = -1;

  if (lstat (path, &st) < 0)
    {
      if (errno == ENOENT)
        return 0;
      return berth_error_errno (err, errno, "cannot stat %s", path);
    }
  if (!S_ISSOCK (st.st_mode))
    return berth_error_make (err, EEXIST, "%s exists and is not a socket; refusing to replace it", path);

  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return berth_error_errno (err, errno, "socket");
  strcpy (sun.sun_path, path);
  if (connect (fd, (struct sockaddr *)&sun, sizeof (sun)) == 0)
    return berth_error_make (err, EADDRINUSE, "another daemon is already listening on %s", path);
  if (errno != ECONNREFUSED && errno != ENOENT)
    return berth_error_errno (err, errno, "cannot check whether %s is in use", path);
  log_info ("removing stale socket %s", path);
  if (unlink (path) < 0 && errno != ENOENT)
    return berth_error_errno (err, errno, "cannot remove stale socket %s", path);
  return 0;
}

static int
lookup_group (const char *name, gid_t *ret)
{
  struct group gr, *res = NULL;
  char buf[4096];

  if (name == NULL || name[0] == '\0')
    return 0;
  if (getgrnam_r (name, &gr, buf, sizeof (buf), &res) != 0 || res == NULL)
    return 0;
  *ret = res->gr_gid;
  return 1;
}

static int
open_unix (const char *spec, const char *path, const char *socket_group, int *ret_fd, berth_error_t *err)
{
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  cleanup_free char *dir_copy = xstrdup (path);
  cleanup_close int fd = -1;
  gid_t gid = 0;
  mode_t old_umask;
  int r, saved;

  if (berth_mkdir_p (dirname (dir_copy), 0711, err) < 0)
    return berth_error_wrap (err, "cannot create the directory for %s", spec);
  if (clear_stale_socket (path, err) < 0)
    return berth_error_ret (err);

  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return berth_error_errno (err, errno, "socket");
  strcpy (sun.sun_path, path);

  /* The socket appears with mode 0000 and nobody can connect before
     listen(), so it is never reachable with a looser mode than 0660. */
  old_umask = umask (0777);
  r = bind (fd, (struct sockaddr *)&sun, sizeof (sun));
  saved = errno;
  umask (old_umask);
  if (r < 0)
    return berth_error_errno (err, saved, "cannot bind %s", path);

  if (lookup_group (socket_group, &gid))
    {
      if (lchown (path, 0, gid) < 0)
        {
          saved = errno;
          unlink (path);
          return berth_error_errno (err, saved, "cannot chown %s to root:%s", path, socket_group);
        }
    }
  else if (socket_group != NULL && socket_group[0] != '\0')
    log_info ("group `%s` does not exist; %s is owned by root:root", socket_group, path);

  if (chmod (path, 0660) < 0 || listen (fd, SOMAXCONN) < 0)
    {
      saved = errno;
      unlink (path);
      return berth_error_errno (err, saved, "cannot listen on %s", path);
    }
  *ret_fd = steal_fd (&fd);
  return 0;
}

static int
open_tcp (const char *spec, const struct parsed_addr *a, enum berth_listen_tls tls, int *ret_fd, berth_error_t *err)
{
  struct addrinfo *res = NULL;
  cleanup_close int fd = -1;
  int one = 1;

  if (resolve_tcp (spec, a, tls, &res, err) < 0)
    return berth_error_ret (err);
  fd = socket (res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
  if (fd < 0)
    {
      freeaddrinfo (res);
      return berth_error_errno (err, errno, "socket");
    }
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof (one));
  if (res->ai_family == AF_INET6)
    setsockopt (fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof (one));
  if (bind (fd, res->ai_addr, res->ai_addrlen) < 0 || listen (fd, SOMAXCONN) < 0)
    {
      int saved = errno;
      freeaddrinfo (res);
      return berth_error_errno (err, saved, "cannot listen on %s", spec);
    }
  freeaddrinfo (res);
  *ret_fd = steal_fd (&fd);
  return 0;
}

int
berth_listen_open (const char *spec, const char *socket_group, enum berth_listen_tls tls, struct berth_listener **ret,
                   berth_error_t *err)
{
  struct parsed_addr a;
  int fd = -1;
  int r;

  if (parse_addr (spec, &a, err) < 0)
    {
      parsed_addr_clear (&a);
      return berth_error_ret (err);
    }
  if (a.kind == BERTH_LISTEN_UNIX)
    r = open_unix (spec, a.path, socket_group, &fd, err);
  else
    r = open_tcp (spec, &a, tls, &fd, err);
  if (r < 0)
    {
      parsed_addr_clear (&a);
      return r;
    }
  *ret = xmalloc0 (sizeof (**ret));
  (*ret)->spec = xstrdup (spec);
  (*ret)->kind = a.kind;
  (*ret)->path = steal_pointer (&a.path);
  (*ret)->fd = fd;
  (*ret)->tls = a.kind == BERTH_LISTEN_TCP && tls != BERTH_LISTEN_TLS_NONE;
  parsed_addr_clear (&a);
  return 0;
}

void
berth_listener_free (struct berth_listener *l)
{
  if (l == NULL)
    return;
  if (l->fd >= 0)
    close (l->fd);
  if (l->path != NULL)
    unlink (l->path);
  free (l->spec);
  free (l->path);
  free (l);
}
