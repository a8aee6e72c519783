/* gzip for the `local` log driver's rotated files, through libarchive's
   raw format (one nameless member, plain gzip readable by zcat). */
#include "config.h"

#include "local.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ll_gz
{
  struct archive *a;
  int fd;
};

int
ll_gzip_file (const struct berth_host_api *h, const char *from, const char *to, struct berth_error **err)
{
  size_t tlen = strlen (to) + 8;
  char *tmp = malloc (tlen), buf[65536];
  struct archive *a = NULL;
  struct archive_entry *e = NULL;
  struct stat st;
  int in = -1, out = -1, r = 0;
  ssize_t n;

  if (tmp == NULL)
    return h->error_set (err, ENOMEM, "local: out of memory");
  snprintf (tmp, tlen, "%s.tmp", to);
  in = open (from, O_RDONLY | O_CLOEXEC);
  if (in < 0 || fstat (in, &st) < 0)
    {
      r = h->error_set (err, errno, "local: open %s: %s", from, strerror (errno));
      goto out;
    }
  out = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (out < 0)
    {
      r = h->error_set (err, errno, "local: create %s: %s", tmp, strerror (errno));
      goto out;
    }
  a = archive_write_new ();
  e = archive_entry_new ();
  if (a == NULL || e == NULL)
    {
      r = h->error_set (err, ENOMEM, "local: out of memory");
      goto out;
    }
  archive_entry_set_pathname (e, "data");
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_size (e, st.st_size);
  if (archive_write_add_filter_gzip (a) != ARCHIVE_OK || archive_write_set_format_raw (a) != ARCHIVE_OK
      || archive_write_set_bytes_in_last_block (a, 1) != ARCHIVE_OK || archive_write_open_fd (a, out) != ARCHIVE_OK
      || archive_write_header (a, e) != ARCHIVE_OK)
    {
      r = h->error_set (err, EIO, "local: gzip %s: %s", to, archive_error_string (a));
      goto out;
    }
  while ((n = read (in, buf, sizeof (buf))) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          r = h->error_set (err, errno, "local: read %s: %s", from, strerror (errno));
          goto out;
        }
      if (archive_write_data (a, buf, (size_t)n) != n)
        {
          r = h->error_set (err, EIO, "local: gzip %s: %s", to, archive_error_string (a));
          goto out;
        }
    }
  if (archive_write_close (a) != ARCHIVE_OK)
    {
      r = h->error_set (err, EIO, "local: gzip %s: %s", to, archive_error_string (a));
      goto out;
    }
  if (fsync (out) < 0 || rename (tmp, to) < 0)
    r = h->error_set (err, errno, "local: finish %s: %s", to, strerror (errno));
out:
  if (a != NULL)
    archive_write_free (a);
  if (e != NULL)
    archive_entry_free (e);
  if (in >= 0)
    close (in);
  if (out >= 0)
    close (out);
  if (r < 0)
    unlink (tmp);
  free (tmp);
  return r;
}

struct ll_gz *
ll_gz_open (const char *path, int *ret_errno)
{
  struct ll_gz *g = calloc (1, sizeof (*g));
  struct archive_entry *e;

  *ret_errno = 0;
  if (g == NULL)
    {
      *ret_errno = ENOMEM;
      return NULL;
    }
  /* opened here (not by name in libarchive) so that ENOENT is told apart:
     a file renamed or removed by the writer is looked for again */
  g->fd = open (path, O_RDONLY | O_CLOEXEC);
  if (g->fd < 0)
    {
      *ret_errno = errno;
      free (g);
      return NULL;
    }
  g->a = archive_read_new ();
  if (g->a == NULL || archive_read_support_filter_gzip (g->a) != ARCHIVE_OK
      || archive_read_support_format_raw (g->a) != ARCHIVE_OK || archive_read_open_fd (g->a, g->fd, 65536) != ARCHIVE_OK
      || archive_read_next_header (g->a, &e) != ARCHIVE_OK)
    {
      *ret_errno = EIO;
      ll_gz_close (g);
      return NULL;
    }
  return g;
}

long
ll_gz_read (struct ll_gz *g, void *buf, size_t len)
{
  la_ssize_t n = archive_read_data (g->a, buf, len);

  return n < 0 ? -1 : (long)n;
}

void
ll_gz_close (struct ll_gz *g)
{
  if (g == NULL)
    return;
  if (g->a != NULL)
    archive_read_free (g->a);
  close (g->fd); /* libarchive leaves an fd it was given open */
  free (g);
}
