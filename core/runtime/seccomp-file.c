#include "config.h"

#include "core/runtime/seccomp-file.h"
#include "core/runtime/seccomp-internal.h"
#include "core/runtime/seccomp.h"
#include "core/runtime/spec-internal.h"
#include "core/lib/fs.h"
#include "core/lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "BERTHSC1"
#define MAX_FILE (4 << 20)

/* then json_len bytes of linux.seccomp, then n_insns sock_filters */
struct file_header
{
  char magic[8];
  uint32_t lib_version; /* libseccomp major << 16 | minor << 8 | micro */
  uint32_t flags;       /* for seccomp(2) */
  uint32_t n_insns;
  uint32_t json_len;
};

static uint32_t
lib_version (void)
{
  const struct scmp_version *v = seccomp_version ();

  return v == NULL ? 0 : (v->major << 16) | (v->minor << 8) | v->micro;
}

char *
berth_seccomp_json_text (json_object *seccomp)
{
  return xstrdup (json_object_to_json_string_ext (seccomp, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

int
berth_seccomp_file_build (const char *path, json_object *seccomp, berth_error_t *err)
{
  struct berth_spec_seccomp *sc = NULL;
  struct berth_seccomp_filter *f = NULL;
  struct file_header h = { .magic = MAGIC };
  cleanup_free char *buf = NULL;
  size_t json_len, insns_len, len;
  void *filter = NULL;
  int r;

  if (spec_parse_seccomp (seccomp, &sc, err) < 0 || berth_seccomp_prepare (sc, &filter, err) < 0)
    {
      spec_seccomp_free (sc);
      return berth_error_ret (err);
    }
  f = filter;
  json_len = strlen (sc->json);
  insns_len = (size_t) f->prog.len * sizeof (struct sock_filter);
  h.lib_version = lib_version ();
  h.flags = f->flags;
  h.n_insns = f->prog.len;
  h.json_len = (uint32_t) json_len;
  len = sizeof (h) + json_len + insns_len;
  buf = xmalloc (len);
  memcpy (buf, &h, sizeof (h));
  memcpy (buf + sizeof (h), sc->json, json_len);
  memcpy (buf + sizeof (h) + json_len, f->prog.filter, insns_len);
  berth_seccomp_release (filter);
  spec_seccomp_free (sc);
  /* exec-root state: gone at reboot, rebuilt on demand */
  r = berth_write_file_replace (path, buf, len, 0600, err);
  return r;
}

int
berth_seccomp_file_read (const char *path, const char *json, void **filter, berth_error_t *err)
{
  cleanup_free char *buf = NULL;
  struct berth_seccomp_filter *f;
  struct file_header h;
  size_t len, json_len = strlen (json);

  if (berth_read_file (path, MAX_FILE, &buf, &len, err) < 0)
    return berth_error_ret (err);
  if (len < sizeof (h))
    return berth_error_make (err, EINVAL, "seccomp: %s is not a filter file", path);
  memcpy (&h, buf, sizeof (h));
  if (memcmp (h.magic, MAGIC, sizeof (h.magic)) != 0 || h.n_insns == 0 || h.n_insns > BPF_MAXINSNS
      || len != sizeof (h) + (size_t) h.json_len + (size_t) h.n_insns * sizeof (struct sock_filter))
    return berth_error_make (err, EINVAL, "seccomp: %s is not a filter file", path);
  if (h.lib_version != lib_version () || h.json_len != json_len || memcmp (buf + sizeof (h), json, json_len) != 0)
    return berth_error_make (err, ESTALE, "seccomp: %s was built from another profile", path);
  f = xmalloc0 (sizeof (*f));
  f->flags = h.flags;
  f->prog.len = (unsigned short) h.n_insns;
  f->prog.filter = xmalloc ((size_t) h.n_insns * sizeof (struct sock_filter));
  memcpy (f->prog.filter, buf + sizeof (h) + json_len, (size_t) h.n_insns * sizeof (struct sock_filter));
  *filter = f;
  return 0;
}

int
berth_seccomp_prepare_spec (const struct berth_spec *spec, void **filter, berth_error_t *err)
{
  const struct berth_spec_seccomp *sc = spec->lx.seccomp;
  const char *path = NULL;
  struct stat st;

  for (size_t i = 0; i < spec->n_annotations; i++)
    if (strcmp (spec->annotations[i].key, BERTH_SECCOMP_BPF_ANNOTATION) == 0)
      path = spec->annotations[i].value;
  /* Only in a mount namespace of our own, before the pivot: the path is
     the host's then, never one the container's files could answer (which
     is why an exec, inside the container's namespace, always compiles).
     A file anyone but its owner may write is not trusted either. */
  if (path != NULL && path[0] == '/' && sc->json != NULL && spec->lx.namespaces[BERTH_NS_MOUNT].path == NULL
      && lstat (path, &st) == 0 && S_ISREG (st.st_mode) && (st.st_mode & 022) == 0)
    {
      berth_error_t e = NULL;
      if (berth_seccomp_file_read (path, sc->json, filter, &e) == 0)
        return 0;
      berth_error_release (&e); /* compiled below, as without the file */
    }
  return berth_seccomp_prepare (sc, filter, err);
}
