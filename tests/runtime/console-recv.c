/* Test helper: the receiving end of the console socket protocol.
   console-recv SOCKET: listen, accept one connection, expect one message
   whose data is the pty name and whose SCM_RIGHTS carries one fd (the pty
   master), print "name=<name>", then copy the master to stdout until the
   container hangs up. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  char name[4096], control[CMSG_SPACE (sizeof (int))], buf[4096];
  struct iovec iov = { name, sizeof (name) - 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof (control) };
  struct cmsghdr *c;
  int l, s, master;
  ssize_t n;

  if (argc != 2 || strlen (argv[1]) >= sizeof (addr.sun_path))
    {
      fprintf (stderr, "usage: console-recv SOCKET\n");
      return 2;
    }
  strcpy (addr.sun_path, argv[1]);
  l = socket (AF_UNIX, SOCK_STREAM, 0);
  if (l < 0 || bind (l, (struct sockaddr *) &addr, sizeof (addr)) < 0 || listen (l, 1) < 0)
    {
      perror ("listen");
      return 1;
    }
  s = accept (l, NULL, NULL);
  if (s < 0)
    {
      perror ("accept");
      return 1;
    }
  n = recvmsg (s, &msg, MSG_CMSG_CLOEXEC);
  if (n <= 0)
    {
      fprintf (stderr, "recvmsg: %s\n", n < 0 ? strerror (errno) : "EOF");
      return 1;
    }
  name[n] = '\0';
  c = CMSG_FIRSTHDR (&msg);
  if (c == NULL || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN (sizeof (int)))
    {
      fprintf (stderr, "no single fd in the message\n");
      return 1;
    }
  memcpy (&master, CMSG_DATA (c), sizeof (int));
  printf ("name=%s\n", name);
  fflush (stdout);
  while ((n = read (master, buf, sizeof (buf))) > 0)
    if (write (1, buf, (size_t) n) != n)
      return 1;
  return 0;
}
