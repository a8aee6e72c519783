/* The shim's attach socket, <bundle>/attach.sock.

   A client connects and sends one byte of SHIM_ATTACH_* flags.  Output
   clients then receive the container's output from that moment on: raw
   bytes with a tty, else Docker's multiplexed frames (8-byte header:
   stream, 0, 0, 0, big-endian length).  A stdin client's bytes go to the
   container's stdin; its EOF closes that stdin when StdinOnce is set.  A
   control client sends lines "resize HEIGHT WIDTH\n".  When the container
   exits, the shim closes every connection after the last output. */
#ifndef BERTH_SHIM_ATTACH_H
#define BERTH_SHIM_ATTACH_H

#define SHIM_ATTACH_STDIN 0x01
#define SHIM_ATTACH_STDOUT 0x02
#define SHIM_ATTACH_STDERR 0x04
#define SHIM_ATTACH_CONTROL 0x80

#define SHIM_ATTACH_SOCKET "attach.sock"

#endif
