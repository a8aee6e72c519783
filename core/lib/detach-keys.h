/* Detach key sequences (docker's --detach-keys / detachKeys=): parsing
   "ctrl-p,ctrl-q" and spotting the sequence in a stdin stream on its way
   to the container.  Used by berthd (attach, exec) and the berth CLI. */
#ifndef BERTH_LIB_DETACH_KEYS_H
#define BERTH_LIB_DETACH_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#define BERTH_DETACH_KEYS_MAX 16

/* moby's term.ToBytes: comma-separated single characters or ctrl-@ .. ctrl-_
   (case-insensitive), e.g. "ctrl-a,a".  -1 when malformed or too long. */
int berth_detach_keys_parse (const char *text, unsigned char out[BERTH_DETACH_KEYS_MAX], size_t *n);

/* Bytes that may start the sequence are held until it is complete (detach)
   or broken (sent on).  keys NULL or n_keys 0: everything passes. */
struct berth_detach_filter
{
  const unsigned char *keys;
  size_t n_keys, matched;
};

/* Send in[0..len) on to the socket fd through the filter: 1 when the
   sequence was typed (bytes before it are sent), 0 when all went, -1 with
   errno when the send failed. */
int berth_detach_filter_send (struct berth_detach_filter *f, int fd, const char *in, size_t len);

#endif
