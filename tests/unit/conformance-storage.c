/* Storage driver conformance: any storage plugin must pass this.
 *   tests/unit/conformance-storage path/to/storage-NAME.so */
#include "config.h"

#include "tests/unit/conformance.h"

#include "core/lib/mem.h"
#include "tests/unit/testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define OPS (conf.d->ops.storage)
#define DRV (conf.d->drv)

static void
create (const char *id, const char *parent)
{
  cleanup_error berth_error_t err = NULL;
  struct berth_layer_opts o = { .struct_size = sizeof (o) };
  int r = OPS.create (DRV, id, parent, &o, &err);
  ck_assert_msg (r == 0, "create %s: %s", id, berth_error_msg (&err));
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

static void
write_at (const char *dir, const char *name, const char *text)
{
  cleanup_free char *p = xasprintf ("%s/%s", dir, name);
  test_write_file (p, text);
}

static void
assert_content (const char *dir, const char *name, const char *text)
{
  cleanup_free char *p = xasprintf ("%s/%s", dir, name);
  cleanup_free char *got = test_read_file (p);
  ck_assert_str_eq (got, text);
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
  cleanup_free char *p = NULL, *c = NULL, *p2 = NULL;

  create ("base", NULL);
  p = mount_layer ("base");
  write_at (p, "hello", "from base\n");
  {
    cleanup_free char *sub = xasprintf ("%s/sub", p);
    ck_assert_int_eq (mkdir (sub, 0755), 0);
    write_at (p, "sub/deep", "deep\n");
  }
  unmount_layer ("base");

  create ("child", "base");
  c = mount_layer ("child");
  assert_content (c, "hello", "from base\n");
  assert_content (c, "sub/deep", "deep\n");
  /* the child's changes do not reach the parent */
  write_at (c, "hello", "changed in child\n");
  write_at (c, "new", "only in child\n");
  unmount_layer ("child");
  p2 = mount_layer ("base");
  assert_content (p2, "hello", "from base\n");
  {
    cleanup_free char *n = xasprintf ("%s/new", p2);
    ck_assert_int_eq (access (n, F_OK), -1);
  }
  unmount_layer ("base");
}
END_TEST

START_TEST (test_chain)
{
  char id[32], parent[32];
  cleanup_free char *top = NULL;
  const int depth = 60;

  for (int i = 0; i < depth; i++)
    {
      cleanup_free char *path = NULL;
      char name[32], text[32];
      snprintf (id, sizeof (id), "layer%d", i);
      create (id, i ? parent : NULL);
      path = mount_layer (id);
      snprintf (name, sizeof (name), "f%d", i);
      snprintf (text, sizeof (text), "%d\n", i);
      write_at (path, name, text);
      if (i > 0)
        write_at (path, "last", text); /* overwritten by every layer */
      unmount_layer (id);
      memcpy (parent, id, sizeof (id));
    }
  top = mount_layer (id);
  for (int i = 0; i < depth; i++)
    {
      char name[32], text[32];
      snprintf (name, sizeof (name), "f%d", i);
      snprintf (text, sizeof (text), "%d\n", i);
      assert_content (top, name, text);
    }
  {
    char text[32];
    snprintf (text, sizeof (text), "%d\n", depth - 1);
    assert_content (top, "last", text);
  }
  unmount_layer (id);
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
  p = mount_layer ("base");
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
  unmount_layer ("base");

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
    cleanup_free char *p = mount_layer ("gone");
    write_at (p, "f", "x");
    unmount_layer ("gone");
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

START_TEST (test_disk_usage)
{
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *p = NULL;
  cleanup_free char *big = xmalloc0 (256 * 1024 + 1);
  int64_t bytes = 0;

  if (OPS.disk_usage == NULL)
    return; /* optional op */
  create ("du", NULL);
  p = mount_layer ("du");
  memset (big, 'x', 256 * 1024);
  write_at (p, "big", big);
  unmount_layer ("du");
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
  tcase_add_test (tc, test_list);
  tcase_add_test (tc, test_disk_usage);
  suite_add_tcase (s, tc);
  return s;
}

int
main (int argc, char **argv)
{
  return conformance_main (argc, argv, BERTH_KIND_STORAGE, storage_suite);
}
