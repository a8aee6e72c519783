#include "config.h"

#include "bridge-thread.h"

#include <pthread.h>

#define STACK_SIZE (2u * 1024 * 1024)

struct call
{
  int (*fn) (void *arg);
  void *arg;
  int result;
};

static void *
trampoline (void *p)
{
  struct call *c = p;

  c->result = c->fn (c->arg);
  return NULL;
}

int
bthread_call (int (*fn) (void *arg), void *arg)
{
  struct call c = { fn, arg, 0 };
  pthread_attr_t attr;
  pthread_t t;
  int r;

  pthread_attr_init (&attr);
  pthread_attr_setstacksize (&attr, STACK_SIZE);
  r = pthread_create (&t, &attr, trampoline, &c);
  pthread_attr_destroy (&attr);
  if (r != 0)
    return -r;
  pthread_join (t, NULL);
  return c.result;
}
