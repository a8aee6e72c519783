/* Networks and endpoints kept in memory, guarded by one mutex. */
#include "config.h"

#include "netbook.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct endpoint
{
  char *id;
  bool joined;
  struct endpoint *next;
};

struct network
{
  char *id;
  struct endpoint *endpoints;
  struct network *next;
};

struct netbook
{
  const struct berth_host_api *h;
  char *driver;
  pthread_mutex_t lock;
  struct network *networks;
};

struct netbook *
netbook_new (const struct berth_host_api *h, const char *driver)
{
  struct netbook *b = calloc (1, sizeof (*b));

  if (b == NULL)
    return NULL;
  b->driver = strdup (driver);
  if (b->driver == NULL)
    {
      free (b);
      return NULL;
    }
  b->h = h;
  pthread_mutex_init (&b->lock, NULL);
  return b;
}

static void
endpoint_free (struct endpoint *e)
{
  free (e->id);
  free (e);
}

static void
network_free (struct network *n)
{
  while (n->endpoints)
    {
      struct endpoint *e = n->endpoints;
      n->endpoints = e->next;
      endpoint_free (e);
    }
  free (n->id);
  free (n);
}

void
netbook_free (struct netbook *b)
{
  if (b == NULL)
    return;
  while (b->networks)
    {
      struct network *n = b->networks;
      b->networks = n->next;
      network_free (n);
    }
  pthread_mutex_destroy (&b->lock);
  free (b->driver);
  free (b);
}

static struct network **
find_network (struct netbook *b, const char *id)
{
  struct network **pn;
  for (pn = &b->networks; *pn; pn = &(*pn)->next)
    if (strcmp ((*pn)->id, id) == 0)
      return pn;
  return NULL;
}

static struct endpoint **
find_endpoint (struct network *n, const char *id)
{
  struct endpoint **pe;
  for (pe = &n->endpoints; *pe; pe = &(*pe)->next)
    if (strcmp ((*pe)->id, id) == 0)
      return pe;
  return NULL;
}

static int
no_network (struct netbook *b, const char *net_id, struct berth_error **err)
{
  return b->h->error_set (err, ENOENT, "%s: network `%s` does not exist", b->driver, net_id);
}

static int
first_key (void *ud, const char *key, const char *value)
{
  *(const char **)ud = key;
  return 1;
}

int
netbook_network_create (struct netbook *b, const char *net_id, const struct berth_net_config *c,
                        struct berth_error **err)
{
  const char *opt = NULL;
  struct network *n;
  int r = 0;

  if (net_id == NULL || net_id[0] == '\0')
    return b->h->error_set (err, EINVAL, "%s: empty network id", b->driver);
  if (c != NULL && b->h->cfg_each (c->driver_opts, first_key, &opt) != 0 && opt != NULL)
    return b->h->cfg_error (err, c->driver_opts, opt, "%s: unknown network option `%s` (this driver takes none)",
                            b->driver, opt);
  if (c != NULL && (c->subnet4 != NULL || c->subnet6 != NULL))
    return b->h->error_set (err, EINVAL, "%s: networks of this driver have no subnet", b->driver);
  pthread_mutex_lock (&b->lock);
  if (find_network (b, net_id))
    r = b->h->error_set (err, EEXIST, "%s: network `%s` already exists", b->driver, net_id);
  else if ((n = calloc (1, sizeof (*n))) == NULL || (n->id = strdup (net_id)) == NULL)
    {
      free (n);
      r = b->h->error_set (err, ENOMEM, "%s: out of memory", b->driver);
    }
  else
    {
      n->next = b->networks;
      b->networks = n;
    }
  pthread_mutex_unlock (&b->lock);
  return r;
}

int
netbook_network_delete (struct netbook *b, const char *net_id, struct berth_error **err)
{
  struct network **pn;
  int r = 0;

  pthread_mutex_lock (&b->lock);
  pn = find_network (b, net_id);
  if (pn == NULL)
    r = no_network (b, net_id, err);
  else if ((*pn)->endpoints != NULL)
    r = b->h->error_set (err, EBUSY, "%s: network `%s` still has endpoints", b->driver, net_id);
  else
    {
      struct network *n = *pn;
      *pn = n->next;
      network_free (n);
    }
  pthread_mutex_unlock (&b->lock);
  return r;
}

int
netbook_endpoint_create (struct netbook *b, const char *net_id, const char *ep_id, struct berth_error **err)
{
  struct network **pn;
  struct endpoint *e;
  int r = 0;

  if (ep_id == NULL || ep_id[0] == '\0')
    return b->h->error_set (err, EINVAL, "%s: empty endpoint id", b->driver);
  pthread_mutex_lock (&b->lock);
  pn = find_network (b, net_id);
  if (pn == NULL)
    r = no_network (b, net_id, err);
  else if (find_endpoint (*pn, ep_id))
    r = b->h->error_set (err, EEXIST, "%s: endpoint `%s` already exists on network `%s`", b->driver, ep_id, net_id);
  else if ((e = calloc (1, sizeof (*e))) == NULL || (e->id = strdup (ep_id)) == NULL)
    {
      free (e);
      r = b->h->error_set (err, ENOMEM, "%s: out of memory", b->driver);
    }
  else
    {
      e->next = (*pn)->endpoints;
      (*pn)->endpoints = e;
    }
  pthread_mutex_unlock (&b->lock);
  return r;
}

/* Find net_id/ep_id with the lock held; sets *err when either is unknown. */
static struct endpoint **
lookup (struct netbook *b, const char *net_id, const char *ep_id, struct berth_error **err)
{
  struct network **pn = find_network (b, net_id);
  struct endpoint **pe;

  if (pn == NULL)
    {
      no_network (b, net_id, err);
      return NULL;
    }
  pe = find_endpoint (*pn, ep_id);
  if (pe == NULL)
    b->h->error_set (err, ENOENT, "%s: endpoint `%s` does not exist on network `%s`", b->driver, ep_id, net_id);
  return pe;
}

int
netbook_endpoint_delete (struct netbook *b, const char *net_id, const char *ep_id, struct berth_error **err)
{
  struct endpoint **pe;
  int r = 0;

  pthread_mutex_lock (&b->lock);
  pe = lookup (b, net_id, ep_id, err);
  if (pe == NULL)
    r = -ENOENT;
  else if ((*pe)->joined)
    r = b->h->error_set (err, EBUSY, "%s: endpoint `%s` is still joined; leave first", b->driver, ep_id);
  else
    {
      struct endpoint *e = *pe;
      *pe = e->next;
      endpoint_free (e);
    }
  pthread_mutex_unlock (&b->lock);
  return r;
}

int
netbook_join (struct netbook *b, const char *net_id, const char *ep_id, struct berth_join_result *ret,
              struct berth_error **err)
{
  struct endpoint **pe;
  int r = 0;

  pthread_mutex_lock (&b->lock);
  pe = lookup (b, net_id, ep_id, err);
  if (pe == NULL)
    r = -ENOENT;
  else if ((*pe)->joined)
    r = b->h->error_set (err, EBUSY, "%s: endpoint `%s` is already joined", b->driver, ep_id);
  else
    {
      (*pe)->joined = true;
      if (ret != NULL)
        {
          /* No interface, no gateway: only what the caller's struct_size covers is touched. */
          size_t n = ret->struct_size < sizeof (*ret) ? ret->struct_size : sizeof (*ret);
          uint32_t size = ret->struct_size;
          if (n > sizeof (uint32_t))
            memset ((char *)ret + sizeof (uint32_t), 0, n - sizeof (uint32_t));
          ret->struct_size = size;
        }
    }
  pthread_mutex_unlock (&b->lock);
  return r;
}

int
netbook_leave (struct netbook *b, const char *net_id, const char *ep_id, struct berth_error **err)
{
  struct endpoint **pe;
  int r = 0;

  pthread_mutex_lock (&b->lock);
  pe = lookup (b, net_id, ep_id, err);
  if (pe == NULL)
    r = -ENOENT;
  else if (!(*pe)->joined)
    r = b->h->error_set (err, EINVAL, "%s: endpoint `%s` is not joined", b->driver, ep_id);
  else
    (*pe)->joined = false;
  pthread_mutex_unlock (&b->lock);
  return r;
}

int
netbook_endpoint_info (struct netbook *b, const char *net_id, const char *ep_id, berth_kv_fn emit, void *ud,
                       struct berth_error **err)
{
  struct endpoint **pe;
  bool joined;

  pthread_mutex_lock (&b->lock);
  pe = lookup (b, net_id, ep_id, err);
  joined = pe != NULL && (*pe)->joined;
  pthread_mutex_unlock (&b->lock);
  if (pe == NULL)
    return -ENOENT;
  return emit (ud, "joined", joined ? "true" : "false");
}
