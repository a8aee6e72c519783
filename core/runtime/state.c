#include "config.h"

#include "core/runtime/state.h"
#include "core/runtime/spec-json.h"
#include "core/lib/fs.h"
#include "core/lib/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int
berth_state_check_id (const char *id, berth_error_t *err)
{
  size_t i, len = strlen (id);

  if (len == 0 || len > 1024)
    return berth_error_make (err, EINVAL, "invalid container id `%s`: must be 1 to 1024 characters", id);
  for (i = 0; i < len; i++)
    {
      char c = id[i];
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || (i > 0 && (c == '_' || c == '.' || c == '-' || c == '+'));
      if (!ok)
        return berth_error_make (err, EINVAL, "invalid container id `%s`: use letters, digits and _ . + -", id);
    }
  return 0;
}

char *
berth_state_dir (const char *root, const char *id)
{
  return xasprintf ("%s/%s", root, id);
}

int
berth_state_dir_create (const char *root, const char *id, berth_error_t *err)
{
  cleanup_free char *dir = berth_state_dir (root, id);

  if (berth_state_check_id (id, err) < 0)
    return berth_error_ret (err);
  if (mkdir (dir, 0700) == 0)
    return 0;
  if (errno == ENOENT)
    {
      if (berth_mkdir_p (root, 0700, err) < 0)
        return berth_error_wrap (err, "state root");
      if (mkdir (dir, 0700) == 0)
        return 0;
    }
  if (errno == EEXIST)
    return berth_error_make (err, EEXIST, "container `%s` already exists", id);
  return berth_error_errno (err, errno, "create state directory `%s`", dir);
}

static void
add_string (json_object *o, const char *k, const char *v)
{
  json_object_object_add (o, k, json_object_new_string (v ? v : ""));
}

int
berth_state_save (const char *root, const struct berth_state *st, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/%s/state.json", root, st->id);
  json_object *o = json_object_new_object ();
  json_object *ann = json_object_new_object ();
  const char *text;
  size_t i;
  int ret;

  add_string (o, "id", st->id);
  json_object_object_add (o, "pid", json_object_new_int (st->pid));
  json_object_object_add (o, "pidStart", json_object_new_uint64 (st->pid_start));
  add_string (o, "bundle", st->bundle);
  add_string (o, "rootfs", st->rootfs);
  add_string (o, "created", st->created);
  add_string (o, "owner", st->owner);
  json_object_object_add (o, "cgroupMode", json_object_new_int (st->cgroup_mode));
  add_string (o, "cgroupPath", st->cgroup_path);
  json_object_object_add (o, "detachedRun", json_object_new_boolean (st->detached_run));
  for (i = 0; i < st->n_annotations; i++)
    add_string (ann, st->annotations[i].key, st->annotations[i].value);
  json_object_object_add (o, "annotations", ann);
  text = json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN);
  ret = berth_write_file_replace (path, text, strlen (text), 0600, err);
  json_object_put (o);
  return ret;
}

struct berth_state *
berth_state_load (const char *root, const char *id, berth_error_t *err)
{
  cleanup_free char *path = NULL;
  cleanup_free char *text = NULL;
  struct berth_state *st;
  json_object *o;
  int64_t pid = 0, mode = 0;
  uint64_t start = 0;
  size_t len;

  if (berth_state_check_id (id, err) < 0)
    return NULL;
  path = xasprintf ("%s/%s/state.json", root, id);
  if (berth_read_file (path, 1 << 20, &text, &len, err) < 0)
    {
      if (berth_error_code (err) == ENOENT)
        {
          berth_error_release (err);
          berth_error_make (err, ENOENT, "container `%s` does not exist", id);
        }
      return NULL;
    }
  o = json_tokener_parse (text);
  if (o == NULL || !json_object_is_type (o, json_type_object))
    {
      json_object_put (o);
      berth_error_make (err, EINVAL, "`%s` is corrupt", path);
      return NULL;
    }
  st = xmalloc0 (sizeof (*st));
  if (sj_string (o, "state", "id", &st->id, err) < 0 || sj_string (o, "state", "bundle", &st->bundle, err) < 0
      || sj_string (o, "state", "rootfs", &st->rootfs, err) < 0
      || sj_string (o, "state", "created", &st->created, err) < 0
      || sj_string (o, "state", "owner", &st->owner, err) < 0 || sj_int64 (o, "state", "pid", &pid, err) < 0
      || sj_uint64 (o, "state", "pidStart", &start, err) < 0
      || sj_int64 (o, "state", "cgroupMode", &mode, err) < 0
      || sj_string (o, "state", "cgroupPath", &st->cgroup_path, err) < 0
      || sj_bool (o, "state", "detachedRun", &st->detached_run, err) < 0
      || sj_string_map (o, "state", "annotations", &st->annotations, &st->n_annotations, err) < 0)
    {
      json_object_put (o);
      berth_state_free (st);
      berth_error_wrap (err, "`%s`", path);
      return NULL;
    }
  json_object_put (o);
  st->pid = (pid_t) pid;
  st->pid_start = start;
  st->cgroup_mode = (int) mode;
  if (st->id == NULL || strcmp (st->id, id) != 0)
    {
      berth_state_free (st);
      berth_error_make (err, EINVAL, "`%s` belongs to another container", path);
      return NULL;
    }
  return st;
}

void
berth_state_free (struct berth_state *st)
{
  if (st == NULL)
    return;
  free (st->id);
  free (st->bundle);
  free (st->rootfs);
  free (st->created);
  free (st->owner);
  free (st->cgroup_path);
  berth_spec_kv_free (st->annotations, st->n_annotations);
  free (st);
}

void
berth_state_freep (struct berth_state **st)
{
  berth_state_free (*st);
}

int
berth_state_remove (const char *root, const char *id, berth_error_t *err)
{
  cleanup_free char *dir = berth_state_dir (root, id);

  return berth_rm_rf (dir, err);
}

unsigned long long
berth_proc_start_time (pid_t pid)
{
  char path[64], buf[1024];
  cleanup_close int fd = -1;
  ssize_t n;
  char *p, *save = NULL;
  int field;

  snprintf (path, sizeof (path), "/proc/%d/stat", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  n = read (fd, buf, sizeof (buf) - 1);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  /* the command name may contain anything: start after its closing ')' */
  p = strrchr (buf, ')');
  if (p == NULL || p[1] == '\0')
    return 0;
  p += 2;
  if (*p == 'Z' || *p == 'X')
    return 0;
  for (field = 3, p = strtok_r (p, " ", &save); p; p = strtok_r (NULL, " ", &save), field++)
    if (field == 22)
      return strtoull (p, NULL, 10);
  return 0;
}

enum berth_status
berth_state_status (const char *root, const struct berth_state *st)
{
  cleanup_free char *fifo = NULL;
  unsigned long long start;

  if (st->pid <= 0)
    return BERTH_STATUS_STOPPED;
  start = berth_proc_start_time (st->pid);
  if (start == 0 || start != st->pid_start)
    return BERTH_STATUS_STOPPED;
  fifo = xasprintf ("%s/%s/exec.fifo", root, st->id);
  if (access (fifo, F_OK) == 0)
    return BERTH_STATUS_CREATED;
  if (st->cgroup_mode && st->cgroup_path)
    {
      cleanup_cgroup struct berth_cgroup *cg = berth_cgroup_load (st->cgroup_mode, st->cgroup_path, NULL);
      if (cg && berth_cgroup_is_frozen (cg, NULL) == 1)
        return BERTH_STATUS_PAUSED;
    }
  return BERTH_STATUS_RUNNING;
}

const char *
berth_status_name (enum berth_status s)
{
  static const char *const names[] = { "creating", "created", "running", "paused", "stopped" };

  return s <= BERTH_STATUS_STOPPED ? names[s] : "unknown";
}

char *
berth_state_to_oci_json (const struct berth_state *st, enum berth_status status)
{
  json_object *o = json_object_new_object ();
  json_object *ann = json_object_new_object ();
  char *out;
  size_t i;

  add_string (o, "ociVersion", "1.2.0");
  add_string (o, "id", st->id);
  json_object_object_add (o, "pid", json_object_new_int (status == BERTH_STATUS_STOPPED ? 0 : st->pid));
  add_string (o, "status", berth_status_name (status));
  add_string (o, "bundle", st->bundle);
  add_string (o, "rootfs", st->rootfs);
  add_string (o, "created", st->created);
  add_string (o, "owner", st->owner);
  for (i = 0; i < st->n_annotations; i++)
    add_string (ann, st->annotations[i].key, st->annotations[i].value);
  json_object_object_add (o, "annotations", ann);
  out = xstrdup (json_object_to_json_string_ext (o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (o);
  return out;
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

char **
berth_state_list (const char *root, berth_error_t *err)
{
  cleanup_dir DIR *d = opendir (root);
  struct dirent *de;
  size_t n = 0, cap = 16;
  char **v;

  if (d == NULL)
    {
      if (errno == ENOENT)
        return xmalloc0 (sizeof (char *));
      berth_error_errno (err, errno, "open `%s`", root);
      return NULL;
    }
  v = xmalloc0 (cap * sizeof (char *));
  while ((de = readdir (d)) != NULL)
    {
      if (de->d_name[0] == '.' || berth_state_check_id (de->d_name, NULL) < 0)
        continue;
      if (n + 1 >= cap)
        {
          v = xrealloc (v, (cap *= 2) * sizeof (char *));
        }
      v[n++] = xstrdup (de->d_name);
      v[n] = NULL;
    }
  if (n > 1) /* qsort's pointer must not be NULL, even for 0 items */
    qsort (v, n, sizeof (char *), cmp_str);
  return v;
}

char *
berth_rfc3339_now (void)
{
  struct timespec ts;
  struct tm tm;
  char buf[64];

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (buf, sizeof (buf), "%Y-%m-%dT%H:%M:%S", &tm);
  return xasprintf ("%s.%09ldZ", buf, ts.tv_nsec);
}
