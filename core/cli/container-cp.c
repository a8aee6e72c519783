/* berth cp: files between a container and the local filesystem, with the
   docker CLI's rules (cli/command/container/cp.go and moby's
   pkg/archive/copy.go): which directory the daemon extracts into and what
   the top entry of the tar is named follow from the source's and the
   destination's stat.  The local side writes tars with archive-tar.c and
   extracts them with the layer-apply code (every entry resolved inside the
   destination directory). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "core/cli/container.h"
#include "core/container/archive-tar.h"
#include "core/image/layer-apply.h"
#include "core/lib/mem.h"

#define STAT_HEADER "X-Docker-Container-Path-Stat"
/* Go's os.FileMode */
#define GO_MODE_DIR (1u << 31)
#define GO_MODE_SYMLINK (1u << 27)
#define GO_MODE_DEVICE (1u << 26)
#define GO_MODE_IRREGULAR (1u << 19)

static const char cp_usage[]
    = "Usage:  berth cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n"
      "\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH\n"
      "\n"
      "Copy files/folders between a container and the local filesystem\n"
      "\n"
      "Use '-' as the source to read a tar archive from stdin\n"
      "and extract it to a directory destination in a container.\n"
      "Use '-' as the destination to stream a tar archive of a\n"
      "container source to stdout.\n"
      "\n"
      "Options:\n"
      "  -a, --archive       Archive mode (copy all uid/gid information)\n"
      "  -L, --follow-link   Always follow symbol link in SRC_PATH\n"
      "  -h, --help          Print usage\n"
      "  -q, --quiet         Suppress progress output during copy. Progress output is automatically suppressed if no\n"
      "                      terminal is attached\n";

struct cp_opts
{
  bool archive, follow, quiet;
};

static int
on_opt (int opt, const char *arg, void *ud)
{
  struct cp_opts *o = ud;

  (void)arg;
  if (opt == 'a')
    o->archive = true;
  else if (opt == 'L')
    o->follow = true;
  else if (opt == 'q')
    o->quiet = true;
  return 0;
}

/* ---- Go's path/filepath, as the docker CLI uses it ---- */

static char *
go_clean (const char *p)
{
  bool rooted = p[0] == '/';
  cleanup_free char *copy = xstrdup (p);
  char **v = xmalloc0 (sizeof (char *));
  size_t n = 0, len = 2;
  char *save = NULL, *comp, *out;

  for (comp = strtok_r (copy, "/", &save); comp; comp = strtok_r (NULL, "/", &save))
    {
      if (strcmp (comp, ".") == 0)
        continue;
      if (strcmp (comp, "..") == 0 && n > 0 && strcmp (v[n - 1], "..") != 0)
        {
          free (v[--n]);
          v[n] = NULL;
          continue;
        }
      if (strcmp (comp, "..") == 0 && rooted)
        continue;
      v = xrealloc (v, (n + 2) * sizeof (char *));
      v[n++] = xstrdup (comp);
      v[n] = NULL;
      len += strlen (comp) + 1;
    }
  out = xmalloc (len);
  out[0] = '\0';
  if (rooted)
    strcat (out, "/");
  for (size_t i = 0; i < n; i++)
    {
      if (i > 0)
        strcat (out, "/");
      strcat (out, v[i]);
    }
  strv_free (v);
  if (out[0] == '\0')
    strcpy (out, ".");
  return out;
}

static char *
go_base (const char *p)
{
  size_t n = strlen (p);
  const char *start;

  if (n == 0)
    return xstrdup (".");
  while (n > 0 && p[n - 1] == '/')
    n--;
  if (n == 0)
    return xstrdup ("/");
  start = p + n;
  while (start > p && start[-1] != '/')
    start--;
  return xstrndup (start, (size_t)(p + n - start));
}

static char *
go_dir (const char *p)
{
  const char *slash = strrchr (p, '/');
  cleanup_free char *head = slash != NULL ? xstrndup (p, (size_t)(slash - p + 1)) : xstrdup ("");

  return go_clean (head);
}

static char *
go_join (const char *a, const char *b)
{
  cleanup_free char *j = xasprintf ("%s/%s", a, b);
  return go_clean (j);
}

static bool
specifies_current_dir (const char *p)
{
  cleanup_free char *b = go_base (p);
  return strcmp (b, ".") == 0;
}

static bool
trailing_sep (const char *p)
{
  size_t n = strlen (p);
  return n > 0 && p[n - 1] == '/';
}

/* archive.PreserveTrailingDotOrSeparator */
static char *
preserve_trailing (const char *cleaned, const char *orig)
{
  char *out = xstrdup (cleaned), *t;

  if (!specifies_current_dir (out) && specifies_current_dir (orig))
    {
      t = xasprintf ("%s%s.", out, trailing_sep (out) ? "" : "/");
      free (out);
      out = t;
    }
  if (!trailing_sep (out) && trailing_sep (orig))
    {
      t = xasprintf ("%s/", out);
      free (out);
      out = t;
    }
  return out;
}

/* archive.SplitPathDirEntry */
static void
split_dir_entry (const char *p, char **dir, char **base)
{
  cleanup_free char *cleaned = go_clean (p);

  if (specifies_current_dir (p))
    {
      char *t = xasprintf ("%s/.", cleaned);
      free (cleaned);
      cleaned = t;
    }
  *dir = go_dir (cleaned);
  *base = go_base (cleaned);
}

/* archive.GetRebaseName: the resolved path keeps path's trailing "/." or
   "/"; the name to give it in the archive when its base differs */
static void
get_rebase_name (const char *path, const char *resolved, char **ret_path, char **ret_rebase)
{
  char *out = xstrdup (resolved), *t;
  cleanup_free char *b1 = go_base (path);
  cleanup_free char *b2 = NULL;

  if (specifies_current_dir (path) && !specifies_current_dir (out))
    {
      t = xasprintf ("%s/.", out);
      free (out);
      out = t;
    }
  if (trailing_sep (path) && !trailing_sep (out))
    {
      t = xasprintf ("%s/", out);
      free (out);
      out = t;
    }
  b2 = go_base (out);
  *ret_rebase = strcmp (b1, b2) != 0 ? xstrdup (b1) : NULL;
  *ret_path = out;
}

/* resolveLocalPath: absolute, trailing "/." or "/" kept */
static char *
resolve_local (const char *p)
{
  cleanup_free char *joined = NULL;
  cleanup_free char *cleaned = NULL;
  char cwd[PATH_MAX];

  if (p[0] == '/')
    joined = xstrdup (p);
  else
    {
      if (getcwd (cwd, sizeof (cwd)) == NULL)
        strcpy (cwd, "/");
      joined = xasprintf ("%s/%s", cwd, p);
    }
  cleaned = go_clean (joined);
  return preserve_trailing (cleaned, p);
}

/* ---- what each side is ---- */

struct copy_info
{
  char *path;
  bool exists, is_dir;
  char *rebase; /* RebaseName */
};

static void
copy_info_clear (struct copy_info *i)
{
  free (i->path);
  free (i->rebase);
  memset (i, 0, sizeof (*i));
}

/* archive.CopyInfoDestinationPath: a local destination */
static int
local_destination (const char *path, struct copy_info *ret, berth_error_t *err)
{
  cleanup_free char *p = xstrdup (path);
  struct stat st;
  int r, n = 0;

  memset (ret, 0, sizeof (*ret));
  r = lstat (p, &st);
  while (r == 0 && S_ISLNK (st.st_mode))
    {
      char target[PATH_MAX];
      ssize_t len;
      if (n++ > 10)
        return berth_error_make (err, ELOOP, "too many symlinks in %s", path);
      len = readlink (p, target, sizeof (target) - 1);
      if (len < 0)
        return berth_error_errno (err, errno, "readlink %s", p);
      target[len] = '\0';
      if (target[0] != '/')
        {
          cleanup_free char *dir = NULL, *base = NULL;
          split_dir_entry (p, &dir, &base);
          free (p);
          p = go_join (dir, target);
        }
      else
        {
          free (p);
          p = xstrdup (target);
        }
      r = lstat (p, &st);
    }
  if (r < 0)
    {
      cleanup_free char *dir = NULL, *base = NULL;
      if (errno != ENOENT)
        return berth_error_errno (err, errno, "lstat %s", p);
      split_dir_entry (p, &dir, &base);
      if (stat (dir, &st) < 0)
        return berth_error_errno (err, errno, "stat %s", dir);
      if (!S_ISDIR (st.st_mode))
        return berth_error_make (err, ENOTDIR, "not a directory");
      ret->path = steal_pointer (&p);
      return 0;
    }
  ret->path = steal_pointer (&p);
  ret->exists = true;
  ret->is_dir = S_ISDIR (st.st_mode);
  return 0;
}

/* archive.CopyInfoSourcePath: a local source */
static int
local_source (const char *path, bool follow, struct copy_info *ret, berth_error_t *err)
{
  char resolved[PATH_MAX];
  struct stat st;

  memset (ret, 0, sizeof (*ret));
  if (follow)
    {
      if (realpath (path, resolved) == NULL)
        return berth_error_errno (err, errno, "lstat %s", path);
      get_rebase_name (path, resolved, &ret->path, &ret->rebase);
    }
  else
    {
      const char *slash = strrchr (path, '/');
      cleanup_free char *dir = xstrndup (path, (size_t)(slash - path + 1));
      cleanup_free char *b1 = NULL, *b2 = NULL;
      if (realpath (dir, resolved) == NULL)
        return berth_error_errno (err, errno, "lstat %s", dir);
      ret->path = xasprintf ("%s/%s", strcmp (resolved, "/") == 0 ? "" : resolved, slash + 1);
      b1 = go_base (path);
      b2 = go_base (ret->path);
      if (trailing_sep (path) && strcmp (b1, b2) != 0)
        ret->rebase = xstrdup (b1);
    }
  if (lstat (ret->path, &st) < 0)
    return berth_error_errno (err, errno, "lstat %s", ret->path);
  ret->exists = true;
  ret->is_dir = S_ISDIR (st.st_mode);
  return 0;
}

/* archive.PrepareArchiveCopy: the directory to extract into, and the name
   the source's top entry must have there (NULL: as it is) */
static int
prepare_copy (const struct copy_info *src, const struct copy_info *dst, char **ret_dir, char **ret_name,
              berth_error_t *err)
{
  cleanup_free char *dst_dir = NULL, *dst_base = NULL;

  *ret_dir = *ret_name = NULL;
  split_dir_entry (dst->path, &dst_dir, &dst_base);
  if (dst->exists && dst->is_dir)
    {
      *ret_dir = xstrdup (dst->path);
      *ret_name = src->rebase != NULL ? xstrdup (src->rebase) : NULL;
      return 0;
    }
  if (dst->exists && src->is_dir)
    return berth_error_make (err, EISDIR, "cannot copy directory");
  if (!dst->exists && !src->is_dir && (trailing_sep (dst->path) || specifies_current_dir (dst->path)))
    return berth_error_make (err, ENOENT, "no such directory");
  *ret_dir = steal_pointer (&dst_dir);
  *ret_name = steal_pointer (&dst_base);
  return 0;
}

/* ---- the container's side ---- */

struct remote_stat
{
  bool found;
  char *name;
  uint32_t mode;
  int64_t size;
  char *link_target;
};

static void
remote_stat_clear (struct remote_stat *s)
{
  free (s->name);
  free (s->link_target);
  memset (s, 0, sizeof (*s));
}

static int
decode_stat (const char *b64, struct remote_stat *ret, berth_error_t *err)
{
  size_t len = strlen (b64);
  cleanup_free unsigned char *raw = xmalloc (len / 4 * 3 + 4);
  json_object *o;
  int n = EVP_DecodeBlock (raw, (const unsigned char *)b64, (int)len);

  if (n < 0)
    return berth_error_make (err, EPROTO, "the daemon sent an invalid %s header", STAT_HEADER);
  raw[n] = '\0';
  o = json_tokener_parse ((const char *)raw);
  if (o == NULL || !json_object_is_type (o, json_type_object))
    {
      json_object_put (o);
      return berth_error_make (err, EPROTO, "the daemon sent an invalid %s header", STAT_HEADER);
    }
  ret->found = true;
  ret->name = xstrdup (berth_json_str (o, "name"));
  ret->mode = (uint32_t)berth_json_int (o, "mode");
  ret->size = berth_json_int (o, "size");
  ret->link_target = xstrdup (berth_json_str (o, "linkTarget"));
  json_object_put (o);
  return 0;
}

static char *
archive_url (const char *container, const char *path)
{
  cleanup_free char *name = berth_client_escape_name (container);
  char *url = xasprintf ("/containers/%s/archive", name);

  berth_client_query_add (&url, "path", path);
  return url;
}

/* HEAD: found is false when the daemon said no (it was not there) */
static int
remote_stat (struct berth_client *client, const char *container, const char *path, struct remote_stat *ret,
             berth_error_t *err)
{
  cleanup_free char *url = archive_url (container, path);
  cleanup_free char *value = NULL;
  long status = 0;

  memset (ret, 0, sizeof (*ret));
  if (berth_client_head (client, url, STAT_HEADER, &status, &value, err) < 0)
    return berth_error_ret (err);
  if (status != 200 || value == NULL)
    return 0;
  return decode_stat (value, ret, err);
}

/* ---- local tar streams on threads ---- */

struct job
{
  pthread_t thread;
  int fd;     /* the pipe end the thread uses; it closes it */
  int dir_fd; /* source or destination directory */
  char *name; /* tar: the entry in dir_fd */
  char *as;   /* tar: its name in the archive */
  unsigned tar_flags;
  struct layer_apply_opts apply;
  int r;
  berth_error_t err;
  uint64_t bytes; /* tar: bytes written */
};

static void *
tar_main (void *p)
{
  struct job *j = p;

  j->r = archive_tar_write (j->dir_fd, j->name, j->as, j->tar_flags, j->fd, &j->bytes, &j->err);
  close (j->fd);
  return NULL;
}

static void *
apply_main (void *p)
{
  struct job *j = p;

  j->r = layer_apply_at (j->fd, j->dir_fd, &j->apply, NULL, &j->err);
  close (j->fd);
  return NULL;
}

static void
job_clear (struct job *j)
{
  if (j->dir_fd >= 0)
    close (j->dir_fd);
  free (j->name);
  free (j->as);
  berth_error_release (&j->err);
}

static void
print_copied (const struct cp_opts *o, uint64_t bytes, const char *to)
{
  char size[32];

  if (o->quiet || !isatty (STDERR_FILENO))
    return;
  berth_format_human_size ((int64_t)bytes, size, sizeof (size));
  fprintf (stderr, "Successfully copied %s to %s\n", size, to);
}

/* ---- from the container ---- */

struct from_ctx
{
  const struct cp_opts *o;
  const char *container;
  const char *src_arg;  /* as given, for messages */
  struct copy_info src; /* path in the container, rebase name */
  struct copy_info dst;
  char *stat_b64; /* the stat header, as soon as it arrives */
  bool to_stdout;
  bool started;
  int pipe_w;
  struct job job;
  berth_error_t err; /* a local failure while the body arrives */
  uint64_t bytes;
};

static int
write_all (int fd, const char *data, size_t len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      data += n;
      len -= (size_t)n;
    }
  return 0;
}

/* The first piece of the tar: the stat decides where it goes. */
static int
from_start (struct from_ctx *f)
{
  struct remote_stat st = { 0 };
  cleanup_free char *dir = NULL, *name = NULL, *src_dir = NULL, *src_base = NULL;
  int fds[2];

  f->started = true;
  if (f->stat_b64 == NULL)
    return berth_error_make (&f->err, EPROTO, "the daemon sent no %s header", STAT_HEADER);
  if (decode_stat (f->stat_b64, &st, &f->err) < 0)
    return -1;
  f->src.is_dir = (st.mode & GO_MODE_DIR) != 0;
  remote_stat_clear (&st);
  if (prepare_copy (&f->src, &f->dst, &dir, &name, &f->err) < 0)
    return -1;
  f->job.dir_fd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (f->job.dir_fd < 0)
    return berth_error_errno (&f->err, errno, "open %s", dir);
  f->job.apply.flags = LAYER_APPLY_PLAIN | LAYER_APPLY_NO_DIR_REPLACE;
  /* as docker: the files belong to whoever copies them, unless -a as root */
  if (!f->o->archive || geteuid () != 0)
    f->job.apply.flags |= LAYER_APPLY_NO_CHOWN;
  split_dir_entry (f->src.path, &src_dir, &src_base);
  if (name != NULL)
    {
      f->job.apply.rebase_from = f->job.as = steal_pointer (&src_base);
      f->job.apply.rebase_to = f->job.name = steal_pointer (&name);
    }
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return berth_error_errno (&f->err, errno, "pipe");
  f->job.fd = fds[0];
  f->pipe_w = fds[1];
  if ((errno = pthread_create (&f->job.thread, NULL, apply_main, &f->job)) != 0)
    {
      close (fds[0]);
      close (fds[1]);
      f->pipe_w = f->job.fd = -1;
      return berth_error_errno (&f->err, errno, "start the extraction");
    }
  return 0;
}

static int
from_sink (void *ud, const char *data, size_t len)
{
  struct from_ctx *f = ud;

  f->bytes += len;
  if (f->to_stdout)
    {
      if (write_all (STDOUT_FILENO, data, len) < 0)
        return berth_error_errno (&f->err, errno, "write to stdout");
      return 0;
    }
  if (!f->started && from_start (f) < 0)
    return -1;
  if (f->pipe_w < 0)
    return -1;
  if (write_all (f->pipe_w, data, len) < 0)
    return -1; /* the extraction stopped: its error tells why */
  return 0;
}

static int
cp_from (struct berth_client *client, const struct cp_opts *o, const char *container, const char *src,
         const char *dst_arg)
{
  struct from_ctx f
      = { .o = o, .container = container, .src_arg = src, .pipe_w = -1, .job = { .dir_fd = -1, .fd = -1 } };
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *dst = NULL, *url = NULL;
  int r, status = 0;

  f.to_stdout = strcmp (dst_arg, "-") == 0;
  f.src.path = xstrdup (src);
  if (!f.to_stdout)
    {
      cleanup_free char *cleaned = NULL, *dir = NULL;
      struct stat st;
      dst = resolve_local (dst_arg);
      /* command.ValidateOutputPath */
      cleaned = go_clean (dst);
      dir = go_dir (cleaned);
      if (strcmp (dir, ".") != 0 && stat (dir, &st) < 0 && errno == ENOENT)
        {
          fprintf (stderr, "invalid output path: directory \"%s\" does not exist\n", dir);
          status = 1;
          goto out;
        }
      if (stat (dst, &st) == 0 && !S_ISDIR (st.st_mode) && !S_ISREG (st.st_mode))
        {
          fprintf (stderr, "invalid output path: \"%s\" must be a directory or a regular file\n", dst);
          status = 1;
          goto out;
        }
    }
  if (o->follow)
    {
      struct remote_stat st;
      if (remote_stat (client, container, src, &st, &err) < 0)
        goto fail;
      if (st.found && (st.mode & GO_MODE_SYMLINK))
        {
          cleanup_free char *target = NULL;
          if (st.link_target[0] != '/')
            {
              cleanup_free char *parent = NULL, *base = NULL;
              split_dir_entry (src, &parent, &base);
              target = go_join (parent, st.link_target);
            }
          else
            target = xstrdup (st.link_target);
          free (f.src.path);
          get_rebase_name (src, target, &f.src.path, &f.src.rebase);
        }
      remote_stat_clear (&st);
    }
  if (!f.to_stdout && local_destination (dst, &f.dst, &err) < 0)
    goto fail;
  url = archive_url (container, f.src.path);
  r = berth_client_stream_header (client, "GET", url, -1, NULL, from_sink, &f, STAT_HEADER, &f.stat_b64, &err);
  if (f.pipe_w >= 0)
    close (f.pipe_w);
  if (f.started && f.job.fd >= 0)
    pthread_join (f.job.thread, NULL);
  if (f.err != NULL)
    {
      berth_error_release (&err);
      err = steal_pointer (&f.err);
      goto fail;
    }
  if (f.started && f.job.fd >= 0 && f.job.r < 0)
    {
      berth_error_release (&err);
      err = steal_pointer (&f.job.err);
      goto fail;
    }
  if (r < 0)
    goto fail;
  if (!f.to_stdout && !f.started)
    {
      berth_error_make (&err, EPROTO, "the daemon sent an empty archive");
      goto fail;
    }
  if (!f.to_stdout)
    print_copied (o, f.bytes, dst);
  goto out;

fail:
  fprintf (stderr, "%s\n", berth_error_msg (&err));
  status = 1;
out:
  free (f.stat_b64);
  /* the job's strings are the apply's rebase names */
  f.job.apply.rebase_from = f.job.apply.rebase_to = NULL;
  job_clear (&f.job);
  copy_info_clear (&f.src);
  copy_info_clear (&f.dst);
  berth_error_release (&f.err);
  return status;
}

/* ---- into the container ---- */

static int
count_sink (void *ud, const char *data, size_t len)
{
  (void)ud;
  (void)data;
  (void)len;
  return 0;
}

static int
cp_to (struct berth_client *client, const struct cp_opts *o, const char *src_arg, const char *container,
       const char *dst)
{
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *src = NULL, *url = NULL, *dst_dir = NULL, *name = NULL;
  struct copy_info dinfo = { 0 }, sinfo = { 0 };
  struct remote_stat st = { 0 };
  struct job job = { .dir_fd = -1, .fd = -1 };
  bool running = false;
  int body_fd = STDIN_FILENO, status = 0, r;

  if (strcmp (src_arg, "-") != 0)
    src = resolve_local (src_arg);
  dinfo.path = xstrdup (dst);
  if (remote_stat (client, container, dst, &st, &err) < 0)
    goto fail;
  if (st.found && (st.mode & GO_MODE_SYMLINK))
    {
      cleanup_free char *target = NULL;
      if (st.link_target[0] != '/')
        {
          cleanup_free char *parent = NULL, *base = NULL;
          split_dir_entry (dst, &parent, &base);
          target = go_join (parent, st.link_target);
        }
      else
        target = xstrdup (st.link_target);
      free (dinfo.path);
      dinfo.path = steal_pointer (&target);
      remote_stat_clear (&st);
      if (remote_stat (client, container, dinfo.path, &st, &err) < 0)
        goto fail;
    }
  if (st.found && (st.mode & (GO_MODE_DEVICE | GO_MODE_IRREGULAR)))
    {
      berth_error_make (&err, EINVAL, "destination \"%s:%s\" must be a directory or a regular file: got %s", container,
                        dst, (st.mode & GO_MODE_DEVICE) ? "a device" : "an irregular file");
      goto fail;
    }
  if (st.found)
    {
      dinfo.exists = true;
      dinfo.is_dir = (st.mode & GO_MODE_DIR) != 0;
    }
  if (src == NULL)
    {
      if (!dinfo.is_dir)
        {
          berth_error_make (&err, ENOTDIR, "destination \"%s:%s\" must be a directory", container, dst);
          goto fail;
        }
      dst_dir = xstrdup (dinfo.path);
    }
  else
    {
      cleanup_free char *src_dir = NULL, *src_base = NULL;
      int fds[2];
      if (local_source (src, o->follow, &sinfo, &err) < 0 || prepare_copy (&sinfo, &dinfo, &dst_dir, &name, &err) < 0)
        goto fail;
      split_dir_entry (sinfo.path, &src_dir, &src_base);
      job.dir_fd = open (src_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (job.dir_fd < 0)
        {
          berth_error_errno (&err, errno, "open %s", src_dir);
          goto fail;
        }
      job.name = steal_pointer (&src_base);
      job.as = name != NULL ? xstrdup (name) : xstrdup (job.name);
      /* docker: files copied into a container belong to its root, unless -a */
      job.tar_flags = o->archive ? 0 : ARCHIVE_TAR_ROOT_OWNER;
      if (pipe2 (fds, O_CLOEXEC) < 0)
        {
          berth_error_errno (&err, errno, "pipe");
          goto fail;
        }
      job.fd = fds[1];
      body_fd = fds[0];
      if ((errno = pthread_create (&job.thread, NULL, tar_main, &job)) != 0)
        {
          close (fds[0]);
          close (fds[1]);
          job.fd = -1;
          berth_error_errno (&err, errno, "start the archive");
          goto fail;
        }
      running = true;
    }
  url = archive_url (container, dst_dir);
  berth_client_query_add (&url, "noOverwriteDirNonDir", "true");
  if (o->archive)
    berth_client_query_add (&url, "copyUIDGID", "true");
  r = berth_client_stream (client, "PUT", url, body_fd, "application/x-tar", count_sink, NULL, &err);
  if (running)
    {
      /* a writer blocked on a reply that never reads on gets EPIPE */
      close (body_fd);
      pthread_join (job.thread, NULL);
    }
  if (r < 0)
    goto fail;
  if (running && job.r < 0)
    {
      err = steal_pointer (&job.err);
      goto fail;
    }
  {
    cleanup_free char *to = xasprintf ("%s:%s", container, dinfo.path);
    print_copied (o, job.bytes, to);
  }
  goto out;

fail:
  fprintf (stderr, "%s\n", berth_error_msg (&err));
  status = 1;
out:
  remote_stat_clear (&st);
  copy_info_clear (&dinfo);
  copy_info_clear (&sinfo);
  job_clear (&job);
  return status;
}

/* ---- the command ---- */

/* cp.go splitCpArg: "CONTAINER:PATH", unless it is a local path */
static void
split_cp_arg (const char *arg, char **container, const char **path)
{
  const char *colon = strchr (arg, ':');

  *container = NULL;
  *path = arg;
  if (arg[0] == '/' || colon == NULL || arg[0] == '.' || colon == arg)
    return;
  *container = xstrndup (arg, (size_t)(colon - arg));
  *path = colon + 1;
}

int
berth_cmd_cp (struct berth_cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
    { "archive", no_argument, NULL, 'a' },
    { "follow-link", no_argument, NULL, 'L' },
    { "quiet", no_argument, NULL, 'q' },
    { NULL, 0, NULL, 0 },
  };
  struct cp_opts o = { 0 };
  cleanup_free char *src_container = NULL, *dst_container = NULL;
  const char *src, *dst;
  struct berth_client *client;
  int status;

  if (berth_cli_parse_interspersed (argc, argv, cp_usage, opts, "aLq", on_opt, &o, &status))
    return status;
  if (argc - optind != 2)
    {
      fprintf (stderr, "\"berth cp\" requires exactly 2 arguments.\nSee 'berth cp --help'.\n\n%s", cp_usage);
      return 1;
    }
  split_cp_arg (argv[optind], &src_container, &src);
  split_cp_arg (argv[optind + 1], &dst_container, &dst);
  if (src_container != NULL && dst_container != NULL)
    {
      fprintf (stderr, "copying between containers is not supported\n");
      return 1;
    }
  if (src_container == NULL && dst_container == NULL)
    {
      fprintf (stderr, "must specify at least one container source\n");
      return 1;
    }
  signal (SIGPIPE, SIG_IGN); /* a stream that stops early shows as EPIPE */
  client = berth_cli_client (cli);
  if (client == NULL)
    return 1;
  if (src_container != NULL)
    return cp_from (client, &o, src_container, src, dst);
  return cp_to (client, &o, src, dst_container, dst);
}
