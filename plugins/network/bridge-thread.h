/* Run fn(arg) on a thread with a stack of its own size: the daemon calls
   drivers from threads with small stacks (a container's monitor has 64 KiB),
   and libnftables' parser and libnl need more than that. */
#ifndef BERTH_BRIDGE_THREAD_H
#define BERTH_BRIDGE_THREAD_H

/* returns fn's result, or a negative errno when no thread could start */
int bthread_call (int (*fn) (void *arg), void *arg);

#endif
