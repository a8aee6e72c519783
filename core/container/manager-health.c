/* HEALTHCHECK: Config.Healthcheck's test run as an exec in a running
   container every Interval, as moby's daemon/health.go does.

   Each run of a container with a test (CMD or CMD-SHELL; NONE or none
   disables) gets a thread that sleeps on the manager's condition variable
   until the next probe or the container's exit (every exit broadcasts it),
   so nothing has to stop it explicitly.  A probe is an ordinary exec
   instance (moby registers health probes as execs too, so exec_* events
   come with them); its output is read from the exec's stream, the first
   4096 bytes kept; past Timeout its process is killed (exit code -1).

   State.Health (status, failing streak, last 5 results) is kept in memory
   for the last run of each container, under the manager's lock, and in
   <container dir>/health.json with the run's StartedAt, so that a daemon
   that reattaches the still-running container (manager_health_start_locked
   from the restore) carries on where the old one stopped, as moby does;
   a stopped container's record is read back too (for inspect).
   The file is rewritten after every probe (moby checkpoints the container
   then too) outside the lock: with an fsync when the status changed (rare,
   and what a reader after a machine crash cares about), without one
   otherwise (a probe a second must not cost a disk flush; a crash of the
   daemon alone, kill -9 included, loses nothing, the rename is atomic). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/container/manager-internal.h"
#include "core/lib/fs.h"
#include "core/lib/timestamp.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"

#define HEALTH_DEFAULT_NS 30000000000LL /* interval and timeout */
#define HEALTH_DEFAULT_RETRIES 3
#define HEALTH_MAX_OUTPUT 4096
#define HEALTH_MAX_LOG 5

struct health
{
  struct container *c; /* a reference */
  unsigned exits;      /* c->exits of the run it checks */
  bool thread_done;
  const char *status; /* "starting", "healthy", "unhealthy" */
  int failing_streak;
  json_object *log; /* array, oldest first */
  /* fixed at start */
  char **cmd;
  char *user;
  int64_t interval_ns, timeout_ns, start_period_ns, start_interval_ns;
  int retries;
  struct timespec started; /* CLOCK_MONOTONIC */
};

/* one record per container, for the daemon's one manager (its lock) */
static struct health **records;
static size_t n_records;

static void
health_free (struct health *h)
{
  strv_free (h->cmd);
  free (h->user);
  json_object_put (h->log);
  free (h);
}

static struct health *
find_locked (const struct container *c)
{
  for (size_t i = 0; i < n_records; i++)
    if (records[i]->c == c)
      return records[i];
  return NULL;
}

/* drop the record of c (its thread, if any, frees it when done) */
static void
forget_locked (struct health *h)
{
  for (size_t i = 0; i < n_records; i++)
    if (records[i] == h)
      {
        memmove (&records[i], &records[i + 1], (n_records - i - 1) * sizeof (*records));
        n_records--;
        break;
      }
}

/* removed containers' records go */
static void
sweep_locked (void)
{
  for (size_t i = 0; i < n_records;)
    if (records[i]->c->removed && records[i]->thread_done)
      {
        struct health *h = records[i];
        forget_locked (h);
        manager_unref_locked (h->c);
        health_free (h);
      }
    else
      i++;
}

static int64_t
ns_field (json_object *hc, const char *key, int64_t dflt)
{
  json_object *v = json_object_object_get (hc, key);
  int64_t n = v ? json_object_get_int64 (v) : 0;
  return n > 0 ? n : dflt;
}

static char **
strv_from_json (json_object *a, size_t from)
{
  size_t n = json_object_array_length (a);
  char **v = xmalloc0 ((n + 1) * sizeof (char *));

  for (size_t i = from; i < n; i++)
    v[i - from] = xstrdup (json_object_get_string (json_object_array_get_idx (a, i)) ?: "");
  return v;
}

/* The probe's command from Test, NULL when there is none (NONE, empty). */
static char **
probe_command (const struct container *c)
{
  json_object *hc = json_object_object_get (c->config, "Healthcheck");
  json_object *test = json_object_object_get (hc, "Test"), *shell;
  const char *kind;
  size_t n;
  char **v;

  if (!json_object_is_type (test, json_type_array) || json_object_array_length (test) == 0)
    return NULL;
  kind = json_object_get_string (json_object_array_get_idx (test, 0)) ?: "";
  n = json_object_array_length (test);
  if (strcmp (kind, "CMD") == 0 && n > 1)
    return strv_from_json (test, 1);
  if (strcmp (kind, "CMD-SHELL") == 0 && n > 1)
    {
      /* the container's Shell (SHELL in the Dockerfile), else /bin/sh -c */
      shell = json_object_object_get (c->config, "Shell");
      size_t ns = json_object_is_type (shell, json_type_array) ? json_object_array_length (shell) : 0;
      if (ns == 0)
        {
          v = xmalloc0 (4 * sizeof (char *));
          v[0] = xstrdup ("/bin/sh");
          v[1] = xstrdup ("-c");
          v[2] = xstrdup (json_object_get_string (json_object_array_get_idx (test, 1)) ?: "");
          return v;
        }
      v = xmalloc0 ((ns + 2) * sizeof (char *));
      for (size_t i = 0; i < ns; i++)
        v[i] = xstrdup (json_object_get_string (json_object_array_get_idx (shell, i)) ?: "");
      v[ns] = xstrdup (json_object_get_string (json_object_array_get_idx (test, 1)) ?: "");
      return v;
    }
  if (strcmp (kind, "NONE") != 0)
    log_warn ("container %.12s: unknown Healthcheck.Test kind \"%s\": no health check", c->id, kind);
  return NULL;
}

static int64_t
elapsed_ns (const struct timespec *since)
{
  struct timespec now;
  clock_gettime (CLOCK_MONOTONIC, &now);
  return (int64_t) (now.tv_sec - since->tv_sec) * 1000000000LL + (now.tv_nsec - since->tv_nsec);
}

/* --- one probe, without the lock --- */

struct probe_result
{
  char *start, *end;
  int exit_code;
  char output[HEALTH_MAX_OUTPUT + 1];
  size_t len;
};

static void
keep_output (struct probe_result *r, const char *p, size_t n)
{
  size_t room = HEALTH_MAX_OUTPUT - r->len;
  if (n > room)
    n = room;
  memcpy (r->output + r->len, p, n);
  r->len += n;
  r->output[r->len] = '\0';
}

/* Read the exec's multiplexed stream until EOF or the deadline: false on
   timeout. */
static bool
read_stream (int fd, int64_t timeout_ns, struct probe_result *r)
{
  struct timespec t0;
  unsigned char hdr[8];
  size_t hdr_len = 0, body_left = 0;
  char buf[4096];

  clock_gettime (CLOCK_MONOTONIC, &t0);
  for (;;)
    {
      int64_t left_ms = (timeout_ns - elapsed_ns (&t0)) / 1000000;
      struct pollfd p = { fd, POLLIN, 0 };
      ssize_t n;

      if (left_ms <= 0)
        return false;
      if (poll (&p, 1, left_ms > 60000 ? 60000 : (int) left_ms) <= 0)
        continue;
      n = read (fd, buf, sizeof (buf));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return true;
      for (ssize_t i = 0; i < n;)
        if (body_left == 0)
          {
            hdr[hdr_len++] = (unsigned char) buf[i++];
            if (hdr_len == 8)
              {
                body_left = (size_t) hdr[4] << 24 | (size_t) hdr[5] << 16 | (size_t) hdr[6] << 8 | hdr[7];
                hdr_len = 0;
              }
          }
        else
          {
            size_t take = (size_t) (n - i) < body_left ? (size_t) (n - i) : body_left;
            keep_output (r, buf + i, take);
            body_left -= take;
            i += (ssize_t) take;
          }
    }
}

static void
run_probe (struct container_manager *m, struct container *c, char **cmd, const char *user, int64_t timeout_ns,
           struct probe_result *r)
{
  json_object *body = json_object_new_object (), *args = json_object_new_array (), *info, *v;
  cleanup_free char *id = NULL;
  struct container_exec *e = NULL;
  berth_error_t err = NULL;
  int fd = -1;

  r->start = container_now_rfc3339 (NULL);
  r->exit_code = -1;
  for (size_t i = 0; cmd[i]; i++)
    json_object_array_add (args, json_object_new_string (cmd[i]));
  json_object_object_add (body, "Cmd", args);
  json_object_object_add (body, "User", json_object_new_string (user));
  json_object_object_add (body, "AttachStdout", json_object_new_boolean (true));
  json_object_object_add (body, "AttachStderr", json_object_new_boolean (true));
  if (container_manager_exec_create (m, c, c->id, body, &id, &err) < 0
      || (e = container_manager_exec_get (m, id, &err)) == NULL
      || container_manager_exec_start (m, e, false, 0, 0, &fd, &err) < 0)
    {
      keep_output (r, berth_error_msg (&err), strlen (berth_error_msg (&err)));
      berth_error_release (&err);
      goto out;
    }
  if (!read_stream (fd, timeout_ns, r))
    {
      info = container_manager_exec_inspect (m, e);
      v = json_object_object_get (info, "Pid");
      if (v != NULL && json_object_get_int (v) > 0)
        kill (json_object_get_int (v), SIGKILL);
      json_object_put (info);
      /* Go's duration text for whole seconds or milliseconds */
      if (timeout_ns % 1000000000LL == 0)
        snprintf (r->output, sizeof (r->output), "Health check exceeded timeout (%llds)",
                  (long long) (timeout_ns / 1000000000LL));
      else
        snprintf (r->output, sizeof (r->output), "Health check exceeded timeout (%lldms)",
                  (long long) (timeout_ns / 1000000LL));
      r->len = strlen (r->output);
      container_manager_exec_ended (m, e);
      goto out;
    }
  container_manager_exec_ended (m, e);
  info = container_manager_exec_inspect (m, e);
  v = json_object_object_get (info, "ExitCode");
  r->exit_code = v != NULL ? json_object_get_int (v) : -1;
  json_object_put (info);
out:
  if (fd >= 0)
    close (fd);
  container_manager_exec_put (m, e);
  json_object_put (body);
  r->end = container_now_rfc3339 (NULL);
}

/* --- the record on disk --- */

#define HEALTH_FILE "health.json"
#define HEALTH_FILE_MAX (64 * 1024)

/* the text to save for h (the lock held) */
static char *
health_text_locked (const struct health *h)
{
  json_object *o = json_object_new_object ();
  char *text;

  json_object_object_add (o, "StartedAt", json_object_new_string (h->c->started_at));
  json_object_object_add (o, "Status", json_object_new_string (h->status));
  json_object_object_add (o, "FailingStreak", json_object_new_int (h->failing_streak));
  json_object_object_add (o, "Log", json_object_get (h->log));
  text = xstrdup (json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (o);
  return text;
}

static void
health_save (const char *dir, const char *text, bool durable)
{
  cleanup_free char *path = xasprintf ("%s/%s", dir, HEALTH_FILE);
  berth_error_t err = NULL;
  int r;

  if (durable)
    r = berth_write_file_atomic (path, text, strlen (text), 0600, &err);
  else
    r = berth_write_file_replace (path, text, strlen (text), 0600, &err);
  /* ENOENT: the container was removed meanwhile */
  if (r < 0 && berth_error_code (&err) != ENOENT)
    log_warn ("health state: %s", berth_error_msg (&err));
  berth_error_release (&err);
}

/* The saved state of this run of c into h, if there is one (a daemon
   restarted under a running container). */
static void
health_load_locked (struct health *h)
{
  static const char *const states[] = { "starting", "healthy", "unhealthy" };
  cleanup_free char *path = xasprintf ("%s/%s", h->c->dir, HEALTH_FILE);
  cleanup_free char *text = NULL;
  berth_error_t err = NULL;
  json_object *o, *v;
  const char *status;
  size_t len;

  if (berth_read_file (path, HEALTH_FILE_MAX, &text, &len, &err) < 0)
    {
      berth_error_release (&err);
      return;
    }
  o = json_tokener_parse (text);
  if (o == NULL || !json_object_is_type (o, json_type_object)
      || strcmp (json_object_get_string (json_object_object_get (o, "StartedAt")) ?: "", h->c->started_at) != 0)
    {
      json_object_put (o); /* another run's, or torn by hand: start over */
      return;
    }
  status = json_object_get_string (json_object_object_get (o, "Status")) ?: "";
  for (size_t i = 0; i < sizeof (states) / sizeof (states[0]); i++)
    if (strcmp (status, states[i]) == 0)
      h->status = states[i];
  v = json_object_object_get (o, "FailingStreak");
  if (v != NULL && json_object_get_int (v) > 0)
    h->failing_streak = json_object_get_int (v);
  v = json_object_object_get (o, "Log");
  if (json_object_is_type (v, json_type_array))
    {
      json_object_put (h->log);
      h->log = json_object_get (v);
      if (json_object_array_length (h->log) > HEALTH_MAX_LOG)
        json_object_array_del_idx (h->log, 0, json_object_array_length (h->log) - HEALTH_MAX_LOG);
    }
  json_object_put (o);
}

/* --- results (the lock held) --- */

/* true when the status changed */
static bool
apply_result_locked (struct container_manager *m, struct health *h, struct probe_result *r)
{
  json_object *entry = json_object_new_object ();
  const char *old = h->status;

  json_object_object_add (entry, "Start", json_object_new_string (r->start));
  json_object_object_add (entry, "End", json_object_new_string (r->end));
  json_object_object_add (entry, "ExitCode", json_object_new_int (r->exit_code));
  json_object_object_add (entry, "Output", json_object_new_string_len (r->output, (int) r->len));
  json_object_array_add (h->log, entry);
  if (json_object_array_length (h->log) > HEALTH_MAX_LOG)
    json_object_array_del_idx (h->log, 0, json_object_array_length (h->log) - HEALTH_MAX_LOG);
  if (r->exit_code == 0)
    {
      h->failing_streak = 0;
      h->status = "healthy";
    }
  else if (strcmp (h->status, "starting") == 0 && elapsed_ns (&h->started) < h->start_period_ns)
    ; /* moby: failures in the start period do not count */
  else if (++h->failing_streak >= h->retries)
    h->status = "unhealthy";
  if (strcmp (old, h->status) != 0)
    {
      cleanup_free char *action = xasprintf ("health_status: %s", h->status);
      manager_event (m, h->c, action, NULL);
      return true;
    }
  return false;
}

static bool
same_run_locked (const struct health *h)
{
  return !h->c->removed && h->c->exits == h->exits && manager_running (h->c) && find_locked (h->c) == h;
}

struct health_arg
{
  struct container_manager *m;
  struct health *h;
};

static void *
health_main (void *p)
{
  struct health_arg *a = p;
  struct container_manager *m = a->m;
  struct health *h = a->h;

  free (a);
  pthread_mutex_lock (&m->lock);
  while (!m->closing && same_run_locked (h))
    {
      /* moby: StartInterval between probes during the start period */
      int64_t wait_ns = h->start_interval_ns > 0 && elapsed_ns (&h->started) < h->start_period_ns
                            ? h->start_interval_ns
                            : h->interval_ns;
      struct timespec deadline;
      struct probe_result r = { 0 };
      bool timed_out = false;

      clock_gettime (CLOCK_REALTIME, &deadline);
      deadline.tv_sec += wait_ns / 1000000000LL;
      deadline.tv_nsec += wait_ns % 1000000000LL;
      if (deadline.tv_nsec >= 1000000000L)
        {
          deadline.tv_sec++;
          deadline.tv_nsec -= 1000000000L;
        }
      while (!timed_out && !m->closing && same_run_locked (h))
        timed_out = pthread_cond_timedwait (&m->changed, &m->lock, &deadline) == ETIMEDOUT;
      if (!timed_out || h->c->status == CONTAINER_PAUSED)
        continue;
      pthread_mutex_unlock (&m->lock);
      run_probe (m, h->c, h->cmd, h->user, h->timeout_ns, &r);
      pthread_mutex_lock (&m->lock);
      /* a probe that ended with the container tells nothing */
      if (same_run_locked (h))
        {
          bool changed = apply_result_locked (m, h, &r);
          cleanup_free char *text = health_text_locked (h);
          cleanup_free char *dir = xstrdup (h->c->dir);
          /* h and h->c stay: this thread holds its reference */
          pthread_mutex_unlock (&m->lock);
          health_save (dir, text, changed);
          pthread_mutex_lock (&m->lock);
        }
      free (r.start);
      free (r.end);
    }
  h->thread_done = true;
  /* replaced by a newer run's record, or its container removed */
  if (find_locked (h->c) != h || h->c->removed)
    {
      forget_locked (h);
      manager_unref_locked (h->c);
      health_free (h);
    }
  m->monitors--;
  pthread_cond_broadcast (&m->changed);
  pthread_mutex_unlock (&m->lock);
  return NULL;
}

void
manager_health_start_locked (struct container_manager *m, struct container *c)
{
  json_object *hc = json_object_object_get (c->config, "Healthcheck");
  char **cmd = probe_command (c);
  struct health *h, *old;
  struct health_arg *a;
  pthread_attr_t attr;
  pthread_t t;
  int64_t retries;

  sweep_locked ();
  old = find_locked (c);
  if (old != NULL)
    {
      forget_locked (old);
      if (old->thread_done)
        {
          manager_unref_locked (old->c);
          health_free (old);
        }
    }
  if (cmd == NULL)
    return;
  h = xmalloc0 (sizeof (*h));
  h->c = c;
  c->refs++;
  h->exits = c->exits;
  h->status = "starting";
  h->log = json_object_new_array ();
  h->cmd = cmd;
  h->user = xstrdup (json_object_get_string (json_object_object_get (c->config, "User")) ?: "");
  h->interval_ns = ns_field (hc, "Interval", HEALTH_DEFAULT_NS);
  h->timeout_ns = ns_field (hc, "Timeout", HEALTH_DEFAULT_NS);
  h->start_period_ns = ns_field (hc, "StartPeriod", 0);
  h->start_interval_ns = ns_field (hc, "StartInterval", 0);
  retries = ns_field (hc, "Retries", HEALTH_DEFAULT_RETRIES);
  h->retries = retries > 1000000 ? 1000000 : (int) retries;
  clock_gettime (CLOCK_MONOTONIC, &h->started);
  {
    /* the start period counts from the run's start, also across a restart */
    int64_t started_ns = 0, ago;
    if (berth_timestamp_parse (c->started_at, 0, "StartedAt", &started_ns, NULL) > 0
        && (ago = berth_now_ns () - started_ns) > 0 && ago < (int64_t)h->started.tv_sec * 1000000000LL)
      {
        h->started.tv_sec -= ago / 1000000000LL;
        h->started.tv_nsec -= ago % 1000000000LL;
        if (h->started.tv_nsec < 0)
          {
            h->started.tv_sec--;
            h->started.tv_nsec += 1000000000L;
          }
      }
  }
  health_load_locked (h);
  records = xrealloc (records, (n_records + 1) * sizeof (*records));
  records[n_records++] = h;

  a = xmalloc0 (sizeof (*a));
  a->m = m;
  a->h = h;
  pthread_attr_init (&attr);
  pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize (&attr, 128 * 1024);
  if (pthread_create (&t, &attr, health_main, a) != 0)
    {
      log_error ("container %.12s: cannot start the health check thread", c->id);
      free (a);
      h->thread_done = true;
    }
  else
    m->monitors++;
  pthread_attr_destroy (&attr);
}

void
manager_health_restore_locked (struct container *c)
{
  struct health *h;
  char **cmd;

  if (manager_running (c) || find_locked (c) != NULL || (cmd = probe_command (c)) == NULL)
    return;
  /* a stopped container shows its last run's health, as moby's state on
     disk keeps it; no thread: the next start replaces the record */
  h = xmalloc0 (sizeof (*h));
  h->c = c;
  h->exits = c->exits;
  h->status = NULL;
  h->log = json_object_new_array ();
  h->cmd = cmd;
  h->thread_done = true;
  health_load_locked (h);
  if (h->status == NULL)
    {
      health_free (h);
      return;
    }
  c->refs++;
  records = xrealloc (records, (n_records + 1) * sizeof (*records));
  records[n_records++] = h;
}

json_object *
container_health_json (const struct container *c)
{
  struct health *h = find_locked (c);
  json_object *o, *log = NULL;

  if (h == NULL)
    return NULL;
  o = json_object_new_object ();
  json_object_object_add (o, "Status", json_object_new_string (h->status));
  json_object_object_add (o, "FailingStreak", json_object_new_int (h->failing_streak));
  /* a copy: the thread changes h->log after the caller unlocks */
  if (json_object_deep_copy (h->log, &log, NULL) != 0)
    log = json_object_new_array ();
  json_object_object_add (o, "Log", log);
  return o;
}

const char *
container_health_status (const struct container *c)
{
  struct health *h = find_locked (c);
  return h != NULL && manager_running (c) ? h->status : NULL;
}
