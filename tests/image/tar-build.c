#include "config.h"

#include "tests/image/tar-build.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct tarb
{
  struct archive *a;
  char *buf;
  size_t cap;
  size_t used;
  int64_t uid, gid;
  time_t mtime;
  struct
  {
    char *name;
    void *value;
    size_t len;
  } xattrs[8];
  int n_xattrs;
};

static void
die (struct tarb *t, const char *what)
{
  fprintf (stderr, "tar-build: %s: %s\n", what, t->a ? archive_error_string (t->a) : "");
  abort ();
}

struct tarb *
tarb_new (enum tarb_compression comp)
{
  struct tarb *t = calloc (1, sizeof (*t));

  t->cap = 64u << 20;
  t->buf = malloc (t->cap);
  t->a = archive_write_new ();
  t->mtime = 1700000000;
  archive_write_set_format_pax_restricted (t->a);
  archive_write_set_bytes_in_last_block (t->a, 1);
  switch (comp)
    {
    case TARB_NONE:
      break;
    case TARB_GZIP:
      archive_write_add_filter_gzip (t->a);
      break;
    case TARB_ZSTD:
      archive_write_add_filter_zstd (t->a);
      break;
    case TARB_XZ:
      archive_write_add_filter_xz (t->a);
      break;
    }
  if (archive_write_open_memory (t->a, t->buf, t->cap, &t->used) != ARCHIVE_OK)
    die (t, "open");
  return t;
}

void
tarb_owner (struct tarb *t, int64_t uid, int64_t gid)
{
  t->uid = uid;
  t->gid = gid;
}

void
tarb_mtime (struct tarb *t, time_t mtime)
{
  t->mtime = mtime;
}

void
tarb_xattr (struct tarb *t, const char *name, const void *value, size_t len)
{
  t->xattrs[t->n_xattrs].name = strdup (name);
  t->xattrs[t->n_xattrs].value = malloc (len + 1);
  memcpy (t->xattrs[t->n_xattrs].value, value, len);
  t->xattrs[t->n_xattrs].len = len;
  t->n_xattrs++;
}

static struct archive_entry *
entry (struct tarb *t, const char *path, mode_t type, mode_t mode)
{
  struct archive_entry *e = archive_entry_new ();
  int i;

  archive_entry_set_pathname (e, path);
  archive_entry_set_filetype (e, type);
  archive_entry_set_perm (e, mode);
  archive_entry_set_uid (e, t->uid);
  archive_entry_set_gid (e, t->gid);
  archive_entry_set_mtime (e, t->mtime, 0);
  for (i = 0; i < t->n_xattrs; i++)
    {
      archive_entry_xattr_add_entry (e, t->xattrs[i].name, t->xattrs[i].value, t->xattrs[i].len);
      free (t->xattrs[i].name);
      free (t->xattrs[i].value);
    }
  t->n_xattrs = 0;
  t->uid = t->gid = 0;
  t->mtime = 1700000000;
  return e;
}

static void
put (struct tarb *t, struct archive_entry *e, const void *data, size_t len)
{
  if (archive_write_header (t->a, e) < ARCHIVE_WARN)
    die (t, "header");
  if (len && archive_write_data (t->a, data, len) != (la_ssize_t)len)
    die (t, "data");
  archive_entry_free (e);
}

void
tarb_dir (struct tarb *t, const char *path, mode_t mode)
{
  put (t, entry (t, path, AE_IFDIR, mode), NULL, 0);
}

void
tarb_file_data (struct tarb *t, const char *path, const void *data, size_t len, mode_t mode)
{
  struct archive_entry *e = entry (t, path, AE_IFREG, mode);

  archive_entry_set_size (e, (la_int64_t)len);
  put (t, e, data, len);
}

void
tarb_file (struct tarb *t, const char *path, const char *content, mode_t mode)
{
  tarb_file_data (t, path, content, strlen (content), mode);
}

void
tarb_sparse (struct tarb *t, const char *path, int64_t size, int64_t offset, const char *data)
{
  struct archive_entry *e = entry (t, path, AE_IFREG, 0644);

  archive_entry_set_size (e, size);
  archive_entry_sparse_add_entry (e, offset, (la_int64_t)strlen (data));
  put (t, e, data, strlen (data));
}

void
tarb_symlink (struct tarb *t, const char *path, const char *target)
{
  struct archive_entry *e = entry (t, path, AE_IFLNK, 0777);

  archive_entry_set_symlink (e, target);
  put (t, e, NULL, 0);
}

void
tarb_hardlink (struct tarb *t, const char *path, const char *target, mode_t mode)
{
  struct archive_entry *e = entry (t, path, AE_IFREG, mode);

  archive_entry_set_hardlink (e, target);
  archive_entry_set_size (e, 0);
  put (t, e, NULL, 0);
}

void
tarb_node (struct tarb *t, const char *path, mode_t type, unsigned maj, unsigned min, mode_t mode)
{
  struct archive_entry *e = entry (t, path, type, mode);

  archive_entry_set_rdevmajor (e, maj);
  archive_entry_set_rdevminor (e, min);
  put (t, e, NULL, 0);
}

void
tarb_finish (struct tarb *t, char **ret, size_t *ret_len)
{
  if (archive_write_close (t->a) != ARCHIVE_OK)
    die (t, "close");
  archive_write_free (t->a);
  *ret = t->buf;
  *ret_len = t->used;
  free (t);
}

int
tarb_memfd (const char *data, size_t len)
{
  int fd = memfd_create ("layer", MFD_CLOEXEC);

  if (fd < 0 || write (fd, data, len) != (ssize_t)len)
    abort ();
  lseek (fd, 0, SEEK_SET);
  return fd;
}
