/* Mount marks and parent records of the vfs and btrfs storage drivers. */
#include "config.h"

#include "layer-book.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PARENT_PREFIX ".parent-"

struct layer_book
{
  const struct driver_root *r;
  pthread_mutex_t create_lock; /* create vs remove */
  pthread_mutex_t lock;        /* the mounted array */
  char **mounted;
  size_t n_mounted;
};

struct layer_book *
layer_book_new (const struct driver_root *r)
{
  struct layer_book *b = calloc (1, sizeof (*b));

  if (b == NULL)
    return NULL;
  b->r = r;
  pthread_mutex_init (&b->create_lock, NULL);
  pthread_mutex_init (&b->lock, NULL);
  return b;
}

void
layer_book_free (struct layer_book *b)
{
  if (b == NULL)
    return;
  for (size_t i = 0; i < b->n_mounted; i++)
    free (b->mounted[i]);
  free (b->mounted);
  pthread_mutex_destroy (&b->create_lock);
  pthread_mutex_destroy (&b->lock);
  free (b);
}

void
layer_book_lock (struct layer_book *b)
{
  pthread_mutex_lock (&b->create_lock);
}

void
layer_book_unlock (struct layer_book *b)
{
  pthread_mutex_unlock (&b->create_lock);
}

static int
record_name (char *buf, size_t len, const char *id)
{
  return (size_t)snprintf (buf, len, "%s%s", PARENT_PREFIX, id) < len ? 0 : -ENAMETOOLONG;
}

int
layer_book_set_parent (struct layer_book *b, const char *id, const char *parent, struct berth_error **err)
{
  char name[256], *path;
  int r;

  if (record_name (name, sizeof (name), id) < 0)
    return b->r->h->error_set (err, ENAMETOOLONG, "%s: layer id `%s` is too long", b->r->driver, id);
  if (asprintf (&path, "%s/%s", b->r->path, name) < 0)
    return b->r->h->error_set (err, ENOMEM, "%s: out of memory", b->r->driver);
  r = b->r->h->write_file_atomic (path, parent, strlen (parent), 0600, err);
  free (path);
  if (r < 0)
    return b->r->h->error_wrap (err, "%s: record the parent of layer `%s`", b->r->driver, id);
  return 0;
}

static ssize_t
find_mounted (struct layer_book *b, const char *id)
{
  for (size_t i = 0; i < b->n_mounted; i++)
    if (strcmp (b->mounted[i], id) == 0)
      return (ssize_t)i;
  return -1;
}

int
layer_book_set_mounted (struct layer_book *b, const char *id, bool mounted, struct berth_error **err)
{
  ssize_t i;
  int r = 0;

  pthread_mutex_lock (&b->lock);
  i = find_mounted (b, id);
  if (mounted && i < 0)
    {
      char **v = realloc (b->mounted, (b->n_mounted + 1) * sizeof (char *));
      char *copy = strdup (id);
      if (v != NULL)
        b->mounted = v;
      if (v == NULL || copy == NULL)
        {
          free (copy);
          r = b->r->h->error_set (err, ENOMEM, "%s: out of memory", b->r->driver);
        }
      else
        b->mounted[b->n_mounted++] = copy;
    }
  else if (!mounted && i >= 0)
    {
      free (b->mounted[i]);
      b->mounted[i] = b->mounted[--b->n_mounted];
    }
  pthread_mutex_unlock (&b->lock);
  return r;
}

void
layer_book_forget (struct layer_book *b, const char *id)
{
  char name[256];

  layer_book_set_mounted (b, id, false, NULL);
  if (record_name (name, sizeof (name), id) == 0)
    unlinkat (b->r->fd, name, 0);
}

/* The record's content, NUL-terminated, or "" when unreadable. */
static void
read_record (struct layer_book *b, const char *name, char *buf, size_t len)
{
  int fd = openat (b->r->fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  ssize_t n = fd >= 0 ? read (fd, buf, len - 1) : -1;

  buf[n > 0 ? n : 0] = '\0';
  if (fd >= 0)
    close (fd);
}

struct record_walk
{
  struct layer_book *b;
  int (*fn) (struct layer_book *, const char *child, const char *parent, void *);
  void *ud;
};

static int
record_one (void *ud, const char *name, struct berth_error **err)
{
  struct record_walk *w = ud;
  char parent[256];

  (void)err;
  if (strncmp (name, PARENT_PREFIX, strlen (PARENT_PREFIX)) != 0)
    return 0;
  read_record (w->b, name, parent, sizeof (parent));
  return w->fn (w->b, name + strlen (PARENT_PREFIX), parent, w->ud);
}

/* Calls fn for each parent record; a non-zero return stops and is returned. */
static int
each_record (struct layer_book *b, int (*fn) (struct layer_book *, const char *child, const char *parent, void *),
             void *ud, struct berth_error **err)
{
  struct record_walk w = { .b = b, .fn = fn, .ud = ud };

  return driver_root_each (b->r, record_one, &w, err);
}

struct child_search
{
  const char *id;
  char child[256];
};

static int
note_child (struct layer_book *b, const char *child, const char *parent, void *ud)
{
  struct child_search *s = ud;

  /* A child still being built counts too: its record comes first.  Records
     of children a crash left half-made are swept at the next init. */
  (void)b;
  if (strcmp (parent, s->id) != 0)
    return 0;
  snprintf (s->child, sizeof (s->child), "%s", child);
  return 1;
}

int
layer_book_check_removable (struct layer_book *b, const char *id, struct berth_error **err)
{
  struct child_search s = { .id = id };
  bool mounted;
  int r;

  pthread_mutex_lock (&b->lock);
  mounted = find_mounted (b, id) >= 0;
  pthread_mutex_unlock (&b->lock);
  if (mounted)
    return b->r->h->error_set (err, EBUSY, "%s: layer `%s` is mounted", b->r->driver, id);
  r = each_record (b, note_child, &s, err);
  if (r < 0)
    return r;
  if (r > 0)
    return b->r->h->error_set (err, EBUSY, "%s: layer `%s` is the parent of layer `%s`", b->r->driver, id, s.child);
  return 0;
}

static int
drop_orphan (struct layer_book *b, const char *child, const char *parent, void *ud)
{
  struct stat st;
  char name[256];

  (void)parent;
  (void)ud;
  if (fstatat (b->r->fd, child, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT
      && record_name (name, sizeof (name), child) == 0)
    unlinkat (b->r->fd, name, 0);
  return 0;
}

int
layer_book_sweep (struct layer_book *b, struct berth_error **err)
{
  return each_record (b, drop_orphan, NULL, err);
}
