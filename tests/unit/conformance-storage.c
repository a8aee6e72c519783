/* Storage driver conformance: any storage plugin must pass this.
 *   tests/unit/conformance-storage path/to/storage-NAME.so
 * Image layers are filled the way the core fills them: through diff_dir when
 * the driver has it, else through the mounted layer.  Needs root. */
#include "config.h"

#include "tests/unit/conformance.h"

#include "core/lib/mem.h"
#include "tests/unit/testutil.h"

#include <errno.h>
#include <linux/btrfs.h>
#include <linux/magic.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define OPS (conf.d->ops.storage)
#define DRV (conf.d->drv)

static void
create_flags (const char *id, const char *parent, uint32_t flags)
{
  cleanup_error berth_error_t err = NULL;
  struct berth_layer_opts o = { .struct_size = sizeof (o), .flags = flags };
  int r = OPS.create (DRV, id, parent, &o, &err);
  ck_assert_msg (r == 0, "create %s: %s", id, berth_error_msg (&err));
}

/* An image layer (read-only once it has children). */
static void
create (const char *id, const char *parent)
{
  create_flags (id, parent, 0);
}

/* A container's writable layer. */
static void
create_rw (const char *id, const char *parent)
{
  create_flags (id, parent, BERTH_LAYER_RW);
}

static char *
mount_layer (const char *id)
{
  cleanup_error berth_error_t err = NULL;
  struct berth_mount_opts o = { .struct_size = sizeof (o) };
  char path[4096];
  int r = OPS.mount (DRV, id, &o, path, sizeof (path), &err);
  struct stat st;

  ck_assert_msg (r == 0, "mount %s: %s", id, berth_error_msg (&err));
  ck_assert_msg (stat (path, &st) == 0 && S_ISDIR (st.st_mode), "mount %s gave `%s`, not a directory", id, path);
  return xstrdup (path);
}

static void
unmount_layer (const char *id)
{
  cleanup_error berth_error_t err = NULL;
  int r = OPS.unmount (DRV, id, &err);
  ck_assert_msg (r == 0, "unmount %s: %s", id, berth_error_msg (&err));
}

static char *
diff_dir (const char *id)
{
  cleanup_error berth_error_t err = NULL;
  char path[4096];
  int r = OPS.diff_dir (DRV, id, path, sizeof (path), &err);

  ck_assert_msg (r == 0, "diff_dir %s: %s", id, berth_error_msg (&err));
  return xstrdup (path);
}

/* Where the core writes an image layer's content: its diff dir when the
   driver has one (overlay mode), else the mounted layer (flatten mode).
   End with fill_end. */
static char *
fill_begin (const char *id)
{
  return OPS.diff_dir ? diff_dir (id) : mount_layer (id);
}

static void
fill_end (const char *id)
{
  if (OPS.diff_dir == NULL)
    unmount_layer (id);
}

static void
write_at (const char *dir, const char *name, const char *text)
{
  cleanup_free char *p = xasprintf ("%s/%s", dir, name);
  test_write_file (p, text);
}

static void
mkdir_at (const char *dir, const char *name)
{
  cleanup_free char *p = xasprintf ("%s/%s", dir, name);
  ck_assert_msg (mkdir (p, 0755) == 0, "mkdir %s: %s", p, strerror (errno));
}

static void
assert_content (const char *dir, const char *name, const char *text)
{
  cleanup_free char *p = xasprintf ("%s/%s", dir, name);
  cleanup_free char *got = test_read_file (p);
  ck_assert_str_eq (got, text);
}

static void
assert_absent (const char *dir, const char *name)
{
  cleanup_free char *p = xasprintf ("%s/%s", dir, name);
  struct stat st;
  ck_assert_msg (lstat (p, &st) < 0 && errno == ENOENT, "%s exists", p);
}

START_TEST (test_create_empty)
{
  cleanup_free char *path = NULL;
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  int entries = 0;
  struct stat st;

  ck_assert_int_eq (OPS.exists (DRV, "base"), 0);
  create ("base", NULL);
  ck_assert_int_eq (OPS.exists (DRV, "base"), 1);
  path = mount_layer ("base");
  d = opendir (path);
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
      entries++;
  ck_assert_int_eq (entries, 0);
  ck_assert_int_eq (stat (path, &st), 0);
  ck_assert_uint_eq (st.st_mode & 07777, 0755);
  unmount_layer ("base");
}
END_TEST

START_TEST (test_create_errors)
{
  cleanup_error berth_error_t err = NULL;

  create ("base", NULL);
  ck_assert_int_eq (OPS.create (DRV, "base", NULL, NULL, &err), -EEXIST);
  berth_error_release (&err);
  ck_assert_int_eq (OPS.create (DRV, "child", "no-such-parent", NULL, &err), -ENOENT);
  ck_assert_int_eq (OPS.exists (DRV, "child"), 0);
  berth_error_release (&err);
  ck_assert_int_lt (OPS.create (DRV, "../escape", NULL, NULL, &err), 0);
  berth_error_release (&err);
  ck_assert_int_lt (OPS.create (DRV, "a/b", NULL, NULL, &err), 0);
  berth_error_release (&err);
  ck_assert_int_lt (OPS.mount (DRV, "missing", NULL, (char[64]){ 0 }, 64, &err), 0);
  berth_error_release (&err);
  ck_assert_int_lt (OPS.remove (DRV, "missing", &err), 0);
}
END_TEST

START_TEST (test_child_sees_parent)
{
  cleanup_free char *p = NULL, *c = NULL, *w = NULL, *c2 = NULL, *w2 = NULL;

  create ("base", NULL);
  p = fill_begin ("base");
  write_at (p, "hello", "from base\n");
  write_at (p, "doomed", "to be deleted in the container\n");
  mkdir_at (p, "sub");
  write_at (p, "sub/deep", "deep\n");
  fill_end ("base");

  create ("child", "base");
  c = mount_layer ("child");
  assert_content (c, "hello", "from base\n");
  assert_content (c, "sub/deep", "deep\n");
  unmount_layer ("child");

  /* a container's writable layer: its changes reach neither parent */
  create_rw ("ctr", "child");
  w = mount_layer ("ctr");
  assert_content (w, "hello", "from base\n");
  write_at (w, "hello", "changed in the container\n");
  write_at (w, "sub/new", "only in the container\n");
  {
    cleanup_free char *gone = xasprintf ("%s/doomed", w);
    ck_assert_int_eq (unlink (gone), 0);
  }
  unmount_layer ("ctr");
  c2 = mount_layer ("child");
  assert_content (c2, "hello", "from base\n");
  assert_content (c2, "doomed", "to be deleted in the container\n");
  assert_absent (c2, "sub/new");
  unmount_layer ("child");
  /* ...and survive an unmount */
  w2 = mount_layer ("ctr");
  assert_content (w2, "hello", "changed in the container\n");
  assert_content (w2, "sub/new", "only in the container\n");
  assert_absent (w2, "doomed");
  unmount_layer ("ctr");
}
END_TEST

/* 60 layers, each adding a file.  The suite's data root is long, so that
   for overlay the lower dirs of the top layer do not fit one page of mount
   options even by their short names. */
START_TEST (test_chain)
{
  char id[32], parent[32];
  cleanup_free char *top = NULL, *ctr = NULL;
  const int depth = 60;

  ck_assert_msg (strlen (conf.data_root) * depth > (size_t)sysconf (_SC_PAGESIZE), "the data root is too short");
  for (int i = 0; i < depth; i++)
    {
      cleanup_free char *path = NULL;
      char name[32], text[32];
      snprintf (id, sizeof (id), "layer%d", i);
      create (id, i ? parent : NULL);
      path = fill_begin (id);
      snprintf (name, sizeof (name), "f%d", i);
      snprintf (text, sizeof (text), "%d\n", i);
      write_at (path, name, text);
      write_at (path, "last", text); /* overwritten by every layer */
      fill_end (id);
      memcpy (parent, id, sizeof (id));
    }
  top = mount_layer (id);
  create_rw ("ctr", id);
  ctr = mount_layer ("ctr");
  for (int i = 0; i < depth; i++)
    {
      char name[32], text[32];
      snprintf (name, sizeof (name), "f%d", i);
      snprintf (text, sizeof (text), "%d\n", i);
      assert_content (top, name, text);
      assert_content (ctr, name, text);
    }
  {
    char text[32];
    snprintf (text, sizeof (text), "%d\n", depth - 1);
    assert_content (top, "last", text);
    assert_content (ctr, "last", text);
  }
  write_at (ctr, "last", "container\n");
  unmount_layer ("ctr");
  unmount_layer (id);
  {
    char text[32];
    cleanup_free char *again = mount_layer (id);
    snprintf (text, sizeof (text), "%d\n", depth - 1);
    assert_content (again, "last", text);
    unmount_layer (id);
  }
}
END_TEST

/* Exactness of the child's copy of everything a layer can hold. */
START_TEST (test_metadata_preserved)
{
  cleanup_free char *p = NULL, *c = NULL;
  cleanup_free char *pf = NULL, *cf = NULL;
  struct timespec old[2] = { { 1000000000, 123456789 }, { 1000000000, 123456789 } };
  bool root = geteuid () == 0;
  bool xattrs;
  struct stat a, b;
  char buf[256];
  ssize_t n;

  create ("base", NULL);
  p = fill_begin ("base");
  write_at (p, "suid", "#!/bin/sh\n");
  write_at (p, "linked", "one inode, two names\n");
  pf = xasprintf ("%s/suid", p);
  ck_assert_int_eq (chmod (pf, 04755), 0);
  ck_assert_int_eq (utimensat (AT_FDCWD, pf, old, 0), 0);
  {
    cleanup_free char *l1 = xasprintf ("%s/linked", p), *l2 = xasprintf ("%s/dir/linked-too", p);
    cleanup_free char *d = xasprintf ("%s/dir", p), *s = xasprintf ("%s/dir/sym", p);
    cleanup_free char *f = xasprintf ("%s/fifo", p), *dev = xasprintf ("%s/null", p);
    ck_assert_int_eq (mkdir (d, 0711), 0);
    ck_assert_int_eq (link (l1, l2), 0);
    ck_assert_int_eq (symlink ("../linked", s), 0);
    ck_assert_int_eq (mkfifo (f, 0620), 0);
    ck_assert_int_eq (chmod (f, 0620), 0); /* past the umask */
    if (root)
      {
        ck_assert_int_eq (mknod (dev, S_IFCHR | 0666, makedev (1, 3)), 0);
        ck_assert_int_eq (chown (l1, 1234, 5678), 0);
        ck_assert_int_eq (lchown (s, 4321, 8765), 0);
      }
    ck_assert_int_eq (utimensat (AT_FDCWD, d, old, 0), 0);
  }
  xattrs = setxattr (pf, "user.berth-test", "value", 5, 0) == 0;
  fill_end ("base");

  create ("child", "base");
  c = mount_layer ("child");
  cf = xasprintf ("%s/suid", c);
  ck_assert_int_eq (stat (cf, &b), 0);
  ck_assert_uint_eq (b.st_mode, S_IFREG | 04755);
  ck_assert_int_eq (b.st_mtim.tv_sec, old[1].tv_sec);
  ck_assert_int_eq (b.st_mtim.tv_nsec, old[1].tv_nsec);
  if (xattrs)
    {
      n = getxattr (cf, "user.berth-test", buf, sizeof (buf));
      ck_assert_int_eq (n, 5);
      ck_assert_int_eq (memcmp (buf, "value", 5), 0);
    }
  {
    cleanup_free char *l1 = xasprintf ("%s/linked", c), *l2 = xasprintf ("%s/dir/linked-too", c);
    cleanup_free char *d = xasprintf ("%s/dir", c), *s = xasprintf ("%s/dir/sym", c);
    cleanup_free char *f = xasprintf ("%s/fifo", c), *dev = xasprintf ("%s/null", c);
    ck_assert_int_eq (stat (l1, &a), 0);
    ck_assert_int_eq (stat (l2, &b), 0);
    ck_assert_msg (a.st_ino == b.st_ino, "hard link not preserved");
    ck_assert_uint_eq (a.st_nlink, 2);
    ck_assert_int_eq (lstat (s, &a), 0);
    ck_assert (S_ISLNK (a.st_mode));
    n = readlink (s, buf, sizeof (buf));
    ck_assert_int_eq (n, 9);
    ck_assert_int_eq (memcmp (buf, "../linked", 9), 0);
    ck_assert_int_eq (stat (d, &a), 0);
    ck_assert_uint_eq (a.st_mode & 07777, 0711);
    ck_assert_int_eq (a.st_mtim.tv_sec, old[1].tv_sec);
    ck_assert_int_eq (lstat (f, &a), 0);
    ck_assert (S_ISFIFO (a.st_mode));
    ck_assert_uint_eq (a.st_mode & 07777, 0620);
    if (root)
      {
        ck_assert_int_eq (lstat (dev, &a), 0);
        ck_assert (S_ISCHR (a.st_mode));
        ck_assert_uint_eq (a.st_rdev, makedev (1, 3));
        ck_assert_int_eq (stat (l1, &a), 0);
        ck_assert_uint_eq (a.st_uid, 1234);
        ck_assert_uint_eq (a.st_gid, 5678);
        ck_assert_int_eq (lstat (s, &a), 0);
        ck_assert_uint_eq (a.st_uid, 4321);
        ck_assert_uint_eq (a.st_gid, 8765);
      }
  }
  unmount_layer ("child");
}
END_TEST

START_TEST (test_remove)
{
  cleanup_error berth_error_t err = NULL;

  create ("gone", NULL);
  {
    cleanup_free char *p = fill_begin ("gone");
    write_at (p, "f", "x");
    fill_end ("gone");
  }
  ck_assert_int_eq (OPS.remove (DRV, "gone", &err), 0);
  ck_assert_int_eq (OPS.exists (DRV, "gone"), 0);
  ck_assert_int_eq (OPS.remove (DRV, "gone", &err), -ENOENT);
  berth_error_release (&err);
  /* the id can be reused */
  create ("gone", NULL);
  ck_assert_int_eq (OPS.exists (DRV, "gone"), 1);
}
END_TEST

static int
collect (void *ud, const char *s)
{
  char ***v = ud;
  size_t n = 0;
  while ((*v)[n])
    n++;
  *v = xrealloc (*v, (n + 2) * sizeof (char *));
  (*v)[n] = xstrdup (s);
  (*v)[n + 1] = NULL;
  return 0;
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

START_TEST (test_list)
{
  cleanup_error berth_error_t err = NULL;
  cleanup_strv char **v = xmalloc0 (sizeof (char *));
  size_t n = 0;

  if (OPS.list == NULL)
    return; /* optional op */
  create ("b", NULL);
  create ("a", NULL);
  create ("c", "a");
  ck_assert_int_eq (OPS.list (DRV, collect, &v, &err), 0);
  while (v[n])
    n++;
  qsort (v, n, sizeof (char *), cmp_str);
  ck_assert_uint_eq (n, 3);
  ck_assert_str_eq (v[0], "a");
  ck_assert_str_eq (v[1], "b");
  ck_assert_str_eq (v[2], "c");
}
END_TEST

START_TEST (test_remove_busy)
{
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *p = NULL;

  create ("base", NULL);
  create_rw ("ctr", "base");
  /* mounted */
  p = mount_layer ("ctr");
  ck_assert_int_eq (OPS.remove (DRV, "ctr", &err), -EBUSY);
  ck_assert_ptr_nonnull (strstr (berth_error_msg (&err), "ctr"));
  berth_error_release (&err);
  ck_assert_int_eq (OPS.exists (DRV, "ctr"), 1);
  /* a parent */
  ck_assert_int_eq (OPS.remove (DRV, "base", &err), -EBUSY);
  ck_assert_ptr_nonnull (strstr (berth_error_msg (&err), "base"));
  berth_error_release (&err);
  unmount_layer ("ctr");
  ck_assert_int_eq (OPS.remove (DRV, "base", &err), -EBUSY);
  berth_error_release (&err);
  ck_assert_int_eq (OPS.exists (DRV, "base"), 1);
  /* children first, then the parent */
  ck_assert_int_eq (OPS.remove (DRV, "ctr", &err), 0);
  ck_assert_int_eq (OPS.remove (DRV, "base", &err), 0);
  ck_assert_int_eq (OPS.exists (DRV, "base"), 0);
  ck_assert_int_eq (conformance_count_mounts (conf.data_root), 0);
}
END_TEST

START_TEST (test_mount_twice)
{
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *a = NULL, *b = NULL, *c = NULL;

  create_rw ("ctr", NULL);
  a = mount_layer ("ctr");
  b = mount_layer ("ctr"); /* the core counts users; the driver stays consistent */
  ck_assert_str_eq (a, b);
  write_at (a, "f", "written\n");
  assert_content (b, "f", "written\n");
  unmount_layer ("ctr");
  unmount_layer ("ctr"); /* unmount of an unmounted layer is fine */
  ck_assert_int_eq (conformance_count_mounts (conf.data_root), 0);
  c = mount_layer ("ctr");
  assert_content (c, "f", "written\n");
  unmount_layer ("ctr");
  ck_assert_int_lt (OPS.unmount (DRV, "missing", &err), 0);
}
END_TEST

static bool
is_whiteout (const char *dir, const char *name)
{
  cleanup_free char *p = xasprintf ("%s/%s", dir, name);
  struct stat st;
  return lstat (p, &st) == 0 && S_ISCHR (st.st_mode) && st.st_rdev == makedev (0, 0);
}

/* The diff dir holds exactly the layer's own changes, with deletions as
   overlay whiteouts; whiteouts written there by the core's layer apply hide
   the parent's files. */
START_TEST (test_diff_dir)
{
  cleanup_free char *p = NULL, *w = NULL, *wd = NULL, *pd = NULL, *d2 = NULL, *m2 = NULL;
  cleanup_free char *opq = NULL, *wh = NULL;
  cleanup_dir DIR *dir = NULL;
  struct dirent *de;
  int entries = 0;

  if (OPS.diff_dir == NULL)
    return; /* optional op */
  create ("base", NULL);
  p = diff_dir ("base");
  write_at (p, "keep", "kept\n");
  write_at (p, "gone", "deleted by the container\n");
  mkdir_at (p, "d");
  write_at (p, "d/x", "hidden by an opaque dir\n");

  create_rw ("ctr", "base");
  wd = diff_dir ("ctr");
  w = mount_layer ("ctr");
  {
    cleanup_free char *g = xasprintf ("%s/gone", w);
    ck_assert_int_eq (unlink (g), 0);
  }
  write_at (w, "new", "added\n");
  unmount_layer ("ctr");
  ck_assert_msg (is_whiteout (wd, "gone"), "no 0/0 whiteout for a deleted file in %s", wd);
  assert_content (wd, "new", "added\n");
  assert_absent (wd, "keep");
  pd = diff_dir ("base");
  ck_assert_str_eq (pd, p);
  assert_content (pd, "gone", "deleted by the container\n");

  /* an image layer applied in overlay mode */
  create ("img2", "base");
  d2 = diff_dir ("img2");
  dir = opendir (d2);
  ck_assert_ptr_nonnull (dir);
  while ((de = readdir (dir)) != NULL)
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
      entries++;
  ck_assert_int_eq (entries, 0);
  wh = xasprintf ("%s/keep", d2);
  ck_assert_int_eq (mknod (wh, S_IFCHR | 0, makedev (0, 0)), 0);
  mkdir_at (d2, "d");
  opq = xasprintf ("%s/d", d2);
  ck_assert_int_eq (setxattr (opq, "trusted.overlay.opaque", "y", 1, 0), 0);
  write_at (d2, "d/y", "the only file of d\n");
  m2 = mount_layer ("img2");
  assert_absent (m2, "keep");
  assert_absent (m2, "d/x");
  assert_content (m2, "d/y", "the only file of d\n");
  assert_content (m2, "gone", "deleted by the container\n");
  unmount_layer ("img2");
}
END_TEST

/* A daemon killed with layers mounted: the next start finds its layers,
   keeps a mounted layer's mount (a running container may live in it: live
   restore), and unmounting it then leaves nothing mounted. */
START_TEST (test_restart)
{
  cleanup_free char *p = NULL, *w = NULL, *w2 = NULL;
  cleanup_strv char **v = xmalloc0 (sizeof (char *));
  cleanup_error berth_error_t err = NULL;
  size_t n = 0;

  create ("base", NULL);
  p = fill_begin ("base");
  write_at (p, "f", "base\n");
  fill_end ("base");
  create_rw ("ctr", "base");
  w = mount_layer ("ctr");
  write_at (w, "g", "container\n");

  conformance_reload ();
  ck_assert_int_le (conformance_count_mounts (conf.data_root), 1);
  assert_content (w, "g", "container\n"); /* still there for its container */
  ck_assert_int_eq (OPS.unmount (DRV, "ctr", &err), 0);
  ck_assert_int_eq (conformance_count_mounts (conf.data_root), 0);
  ck_assert_int_eq (OPS.exists (DRV, "base"), 1);
  ck_assert_int_eq (OPS.exists (DRV, "ctr"), 1);
  if (OPS.list != NULL)
    {
      ck_assert_int_eq (OPS.list (DRV, collect, &v, &err), 0);
      while (v[n])
        n++;
      ck_assert_uint_eq (n, 2);
    }
  w2 = mount_layer ("ctr");
  assert_content (w2, "f", "base\n");
  assert_content (w2, "g", "container\n");
  unmount_layer ("ctr");
  ck_assert_int_eq (OPS.remove (DRV, "ctr", &err), 0);
  ck_assert_int_eq (OPS.remove (DRV, "base", &err), 0);
}
END_TEST

/* On btrfs a container may make subvolumes in its layer: removing the layer
   must destroy them too.  Other filesystems: nothing to check. */
START_TEST (test_nested_subvolumes)
{
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *w = NULL;
  struct btrfs_ioctl_vol_args args;
  struct statfs sfs;
  int fd, inner;

  create_rw ("ctr", NULL);
  w = mount_layer ("ctr");
  ck_assert_int_eq (statfs (w, &sfs), 0);
  if (sfs.f_type != BTRFS_SUPER_MAGIC)
    {
      unmount_layer ("ctr");
      return;
    }
  fd = open (w, O_RDONLY | O_DIRECTORY);
  ck_assert_int_ge (fd, 0);
  memset (&args, 0, sizeof (args));
  strcpy (args.name, "sub");
  ck_assert_int_eq (ioctl (fd, BTRFS_IOC_SUBVOL_CREATE, &args), 0);
  inner = openat (fd, "sub", O_RDONLY | O_DIRECTORY);
  ck_assert_int_ge (inner, 0);
  strcpy (args.name, "inner");
  ck_assert_int_eq (ioctl (inner, BTRFS_IOC_SUBVOL_CREATE, &args), 0);
  close (inner);
  close (fd);
  write_at (w, "sub/inner/f", "in a nested subvolume\n");
  unmount_layer ("ctr");
  ck_assert_int_eq (OPS.remove (DRV, "ctr", &err), 0);
  ck_assert_int_eq (OPS.exists (DRV, "ctr"), 0);
}
END_TEST

START_TEST (test_disk_usage)
{
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *p = NULL;
  cleanup_free char *big = xmalloc0 (256 * 1024 + 1);
  int64_t bytes = 0;

  if (OPS.disk_usage == NULL)
    return; /* optional op */
  create ("du", NULL);
  p = fill_begin ("du");
  memset (big, 'x', 256 * 1024);
  write_at (p, "big", big);
  fill_end ("du");
  ck_assert_int_eq (OPS.disk_usage (DRV, "du", &bytes, &err), 0);
  ck_assert_int_ge (bytes, 256 * 1024);
  ck_assert_int_lt (bytes, 1024 * 1024);
}
END_TEST

static Suite *
storage_suite (void)
{
  Suite *s = suite_create ("storage conformance");
  TCase *tc = tcase_create ("storage");

  tcase_add_checked_fixture (tc, conformance_setup, conformance_teardown);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_create_empty);
  tcase_add_test (tc, test_create_errors);
  tcase_add_test (tc, test_child_sees_parent);
  tcase_add_test (tc, test_chain);
  tcase_add_test (tc, test_metadata_preserved);
  tcase_add_test (tc, test_remove);
  tcase_add_test (tc, test_remove_busy);
  tcase_add_test (tc, test_mount_twice);
  tcase_add_test (tc, test_list);
  tcase_add_test (tc, test_diff_dir);
  tcase_add_test (tc, test_restart);
  tcase_add_test (tc, test_nested_subvolumes);
  tcase_add_test (tc, test_disk_usage);
  suite_add_tcase (s, tc);
  return s;
}

int
main (int argc, char **argv)
{
  if (geteuid () != 0)
    {
      fprintf (stderr, "storage conformance needs root (mounts, device nodes, owners): skipped\n");
      return 77;
    }
  /* 4 x 60 characters: long paths everywhere (see test_chain). */
  conformance_data_subdir = "a-long-data-root-to-push-overlay-lowerdir-past-one-page-0001/"
                            "a-long-data-root-to-push-overlay-lowerdir-past-one-page-0002/"
                            "a-long-data-root-to-push-overlay-lowerdir-past-one-page-0003/"
                            "a-long-data-root-to-push-overlay-lowerdir-past-one-page-0004";
  return conformance_main (argc, argv, BERTH_KIND_STORAGE, storage_suite);
}
