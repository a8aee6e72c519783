/* Build contexts: fresh directories and kept sessions (see
   context-session.h). */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/build/context-session.h"
#include "core/build/context.h"
#include "core/image/digest.h"
#include "core/lib/fs.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"

struct session
{
  char id[DIGEST_HEX_LEN + 1];
  char *dir;
  json_object *files; /* path -> client stat of what dir holds */
  struct build_file_digests *digests;
  bool busy;        /* a build uses it */
  unsigned waiters; /* builds waiting for it (it is not evicted meanwhile) */
  uint64_t last_used;
};

struct build_context
{
  char *dir;
  struct build_file_digests *digests;
  struct session *s; /* NULL: a fresh directory */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t freed = PTHREAD_COND_INITIALIZER;
static struct session **sessions;
static size_t n_sessions;
static uint64_t use_clock;

static void
session_free (struct session *s)
{
  berth_error_t err = NULL;

  if (berth_rm_rf (s->dir, &err) < 0)
    {
      log_warn ("build context session: %s", berth_error_msg (&err));
      berth_error_release (&err);
    }
  free (s->dir);
  json_object_put (s->files);
  build_file_digests_free (s->digests);
  free (s);
}

static bool
idle (const struct session *s)
{
  return !s->busy && s->waiters == 0;
}

/* with lock held */
static struct session *
find (const char *id)
{
  for (size_t i = 0; i < n_sessions; i++)
    if (strcmp (sessions[i]->id, id) == 0)
      return sessions[i];
  return NULL;
}

/* with lock held: room for one more session */
static void
evict (void)
{
  while (n_sessions >= BUILD_CONTEXT_SESSIONS_MAX)
    {
      size_t oldest = n_sessions;
      for (size_t i = 0; i < n_sessions; i++)
        if (idle (sessions[i]) && (oldest == n_sessions || sessions[i]->last_used < sessions[oldest]->last_used))
          oldest = i;
      if (oldest == n_sessions)
        return; /* all in use: one more for a while */
      session_free (sessions[oldest]);
      sessions[oldest] = sessions[--n_sessions];
    }
}

/* the session, marked busy (waits while another build has it) */
static struct session *
session_take (const char *tmp_dir, const char *id, berth_error_t *err)
{
  struct session *s;

  pthread_mutex_lock (&lock);
  s = find (id);
  if (s == NULL)
    {
      cleanup_free char *dir = xasprintf ("%s/build-contexts/%s", tmp_dir, id);
      evict ();
      if (berth_mkdir_p (dir, 0700, err) < 0)
        {
          pthread_mutex_unlock (&lock);
          return NULL;
        }
      s = xmalloc0 (sizeof (*s));
      snprintf (s->id, sizeof (s->id), "%s", id);
      s->dir = steal_pointer (&dir);
      s->files = json_object_new_object ();
      s->digests = build_file_digests_new ();
      sessions = xrealloc (sessions, (n_sessions + 1) * sizeof (*sessions));
      sessions[n_sessions++] = s;
    }
  s->waiters++;
  while (s->busy)
    pthread_cond_wait (&freed, &lock);
  s->waiters--;
  s->busy = true;
  pthread_mutex_unlock (&lock);
  return s;
}

int
build_context_receive (const char *tmp_dir, const char *session, int tar_fd, const char *dockerfile,
                       struct build_context **ret, berth_error_t *err)
{
  struct build_context *c = xmalloc0 (sizeof (*c));
  struct build_context_extract_opts o = { .dockerfile = dockerfile };
  int r = -1;

  if (session != NULL && !digest_is_hex64 (session))
    {
      free (c);
      return berth_error_make (err, EINVAL, "invalid build context session \"%s\": expected 64 hex digits", session);
    }
  if (session != NULL)
    {
      c->s = session_take (tmp_dir, session, err);
      if (c->s == NULL)
        {
          free (c);
          return berth_error_ret (err);
        }
      c->dir = xstrdup (c->s->dir);
      /* records of files replaced since pile up: start afresh now and then
         (what is unpacked now is hashed again on the way) */
      if (build_file_digests_count (c->s->digests) > 2 * (size_t)json_object_object_length (c->s->files) + 1024)
        {
          build_file_digests_free (c->s->digests);
          c->s->digests = build_file_digests_new ();
        }
      c->digests = c->s->digests;
      o.known = c->s->files; /* only this build reads or replaces it now */
      o.sent = json_object_new_object ();
    }
  else
    {
      c->dir = xasprintf ("%s/build-context-XXXXXX", tmp_dir);
      if (mkdtemp (c->dir) == NULL)
        {
          int e = errno;
          free (c->dir);
          free (c);
          return berth_error_errno (err, e, "create a directory for the build context");
        }
      c->digests = build_file_digests_new ();
    }
  o.digests = c->digests;
  if (build_context_extract (tar_fd, c->dir, &o, err) < 0)
    {
      if (c->s != NULL)
        {
          /* what the directory holds is unknown now: the next build sends
             everything (and removes what it does not list) */
          json_object_put (o.sent);
          o.sent = json_object_new_object ();
        }
    }
  else
    r = 0;
  if (c->s != NULL)
    {
      pthread_mutex_lock (&lock);
      json_object_put (c->s->files);
      c->s->files = o.sent;
      pthread_mutex_unlock (&lock);
    }
  if (r < 0)
    {
      build_context_release (c);
      return r;
    }
  *ret = c;
  return 0;
}

const char *
build_context_dir (const struct build_context *c)
{
  return c->dir;
}

struct build_file_digests *
build_context_digests (const struct build_context *c)
{
  return c->digests;
}

void
build_context_release (struct build_context *c)
{
  if (c == NULL)
    return;
  if (c->s != NULL)
    {
      pthread_mutex_lock (&lock);
      c->s->busy = false;
      c->s->last_used = ++use_clock;
      pthread_cond_broadcast (&freed);
      pthread_mutex_unlock (&lock);
    }
  else
    {
      berth_error_t err = NULL;
      if (berth_rm_rf (c->dir, &err) < 0)
        {
          log_warn ("build: %s", berth_error_msg (&err));
          berth_error_release (&err);
        }
      build_file_digests_free (c->digests);
    }
  free (c->dir);
  free (c);
}

json_object *
build_context_session_files (const char *session)
{
  json_object *out = NULL;
  struct session *s;

  if (session == NULL || !digest_is_hex64 (session))
    return NULL;
  pthread_mutex_lock (&lock);
  s = find (session);
  if (s != NULL && json_object_deep_copy (s->files, &out, NULL) < 0)
    out = NULL;
  pthread_mutex_unlock (&lock);
  return out != NULL ? out : json_object_new_object ();
}

int
build_context_sessions_prune (void)
{
  int n = 0;

  pthread_mutex_lock (&lock);
  for (size_t i = 0; i < n_sessions;)
    if (idle (sessions[i]))
      {
        session_free (sessions[i]);
        sessions[i] = sessions[--n_sessions];
        n++;
      }
    else
      i++;
  pthread_mutex_unlock (&lock);
  return n;
}
