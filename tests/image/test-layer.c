/* Layer apply (good fixtures, both whiteout modes, compression, limits) and
   layer diff (tar of a tree, changes between trees, overlay upper dirs). */
#include "config.h"

#include <archive_entry.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "core/image/digest.h"
#include "core/image/layer-apply.h"
#include "core/image/layer-diff.h"
#include "core/lib/fs.h"
#include "core/lib/mem.h"
#include "tests/image/tar-build.h"

static char tmp[64];

/* vfs_cap_data v2: cap_net_raw (bit 13) permitted + effective */
static const unsigned char filecap[20]
    = { 0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };

static void
setup (void)
{
  snprintf (tmp, sizeof (tmp), "/tmp/berth-image-layer-XXXXXX");
  ck_assert_ptr_nonnull (mkdtemp (tmp));
}

static void
teardown (void)
{
  ck_assert_int_eq (berth_rm_rf (tmp, NULL), 0);
}

static char *
dir_in_tmp (const char *name)
{
  char *p = xasprintf ("%s/%s", tmp, name);

  ck_assert_int_eq (mkdir (p, 0755), 0);
  return p;
}

static void
layer1 (struct tarb *t)
{
  tarb_dir (t, "etc", 0755);
  tarb_xattr (t, "user.comment", "hello", 5);
  tarb_file (t, "etc/passwd", "root:x:0:0::/root:/bin/sh\n", 0644);
  tarb_dir (t, "bin", 0755);
  tarb_file (t, "bin/sh", "#!shell\n", 0755);
  tarb_hardlink (t, "bin/sh-link", "bin/sh", 0755);
  tarb_symlink (t, "bin/ls", "sh");
  tarb_symlink (t, "bin/abs", "/etc/passwd");
  tarb_xattr (t, "security.capability", filecap, sizeof (filecap));
  tarb_file (t, "usr/bin/ping", "ping\n", 0755);
  tarb_node (t, "dev/null", AE_IFCHR, 1, 3, 0666);
  tarb_node (t, "dev/loop", AE_IFBLK, 7, 0, 0660);
  tarb_node (t, "fifo", AE_IFIFO, 0, 0, 0600);
  tarb_file (t, "suid", "s", 04755);
  tarb_file (t, "sgid", "s", 02755);
  tarb_mtime (t, 1600000000);
  tarb_dir (t, "home", 0755);
  tarb_owner (t, 1000, 1000);
  tarb_dir (t, "home/u", 0700);
  tarb_owner (t, 1000, 1000);
  tarb_file (t, "home/u/file", "mine", 0600);
  tarb_dir (t, "gone", 0755);
  tarb_file (t, "gone/a", "a", 0644);
  tarb_dir (t, "gone/sub", 0755);
  tarb_file (t, "gone/sub/b", "b", 0644);
  tarb_file (t, "gone-file", "x", 0644);
  tarb_dir (t, "opq", 0755);
  tarb_file (t, "opq/old", "old", 0644);
  tarb_dir (t, "opq/olddir", 0755);
  tarb_file (t, "opq/olddir/x", "x", 0644);
  tarb_file (t, "keep", "keep", 0644);
}

static void
layer2 (struct tarb *t)
{
  tarb_file (t, "etc/.wh.passwd", "", 0644);
  tarb_file (t, ".wh.gone", "", 0644);
  tarb_file (t, ".wh.gone-file", "", 0644);
  tarb_dir (t, "opq", 0750);
  tarb_file (t, "opq/.wh..wh..opq", "", 0644);
  tarb_file (t, "opq/new", "new", 0644);
  tarb_file (t, "bin/sh", "#!new shell\n", 0755);
  tarb_dir (t, ".wh..wh.plnk", 0700);
  tarb_file (t, ".wh..wh.plnk/123.456", "aufs", 0644);
  tarb_file (t, "newdir/f", "f", 0644);
}

static void
build (void (*fn) (struct tarb *), enum tarb_compression comp, char **data, size_t *len)
{
  struct tarb *t = tarb_new (comp);

  fn (t);
  tarb_finish (t, data, len);
}

static int
apply_bytes (const char *data, size_t len, const char *dir, const struct layer_apply_opts *o,
             struct layer_apply_result *res, berth_error_t *err)
{
  int fd = tarb_memfd (data, len);
  int r = layer_apply (fd, dir, o, res, err);

  close (fd);
  return r;
}

static void
apply_ok (void (*fn) (struct tarb *), enum tarb_compression comp, const char *dir, unsigned flags)
{
  struct layer_apply_opts o = { .flags = flags };
  cleanup_free char *data = NULL;
  berth_error_t err = NULL;
  size_t len;

  build (fn, comp, &data, &len);
  ck_assert_msg (apply_bytes (data, len, dir, &o, NULL, &err) == 0, "%s", err ? berth_error_msg (&err) : "");
}

static struct stat
st_of (const char *dir, const char *rel)
{
  cleanup_free char *p = xasprintf ("%s/%s", dir, rel);
  struct stat st;

  ck_assert_msg (lstat (p, &st) == 0, "%s missing", rel);
  return st;
}

static bool
exists (const char *dir, const char *rel)
{
  cleanup_free char *p = xasprintf ("%s/%s", dir, rel);
  struct stat st;

  return lstat (p, &st) == 0;
}

static char *
content (const char *dir, const char *rel)
{
  cleanup_free char *p = xasprintf ("%s/%s", dir, rel);
  char *c = NULL;

  ck_assert_int_eq (berth_read_file (p, 1 << 20, &c, NULL, NULL), 0);
  return c;
}

static void
check_layer1 (const char *d)
{
  struct stat a = st_of (d, "bin/sh"), b = st_of (d, "bin/sh-link"), s;
  cleanup_free char *p = xasprintf ("%s/usr/bin/ping", d);
  cleanup_free char *pw = xasprintf ("%s/etc/passwd", d);
  unsigned char cap[64];
  char v[16];

  ck_assert_int_eq (a.st_ino, b.st_ino);
  ck_assert_int_eq (a.st_nlink, 2);
  s = st_of (d, "bin/ls");
  ck_assert (S_ISLNK (s.st_mode));
  s = st_of (d, "dev/null");
  ck_assert (S_ISCHR (s.st_mode));
  ck_assert_int_eq (s.st_rdev, makedev (1, 3));
  s = st_of (d, "dev/loop");
  ck_assert (S_ISBLK (s.st_mode));
  s = st_of (d, "fifo");
  ck_assert (S_ISFIFO (s.st_mode));
  ck_assert_int_eq (st_of (d, "suid").st_mode & 07777, 04755);
  ck_assert_int_eq (st_of (d, "sgid").st_mode & 07777, 02755);
  s = st_of (d, "home/u/file");
  ck_assert_int_eq (s.st_uid, 1000);
  ck_assert_int_eq (s.st_gid, 1000);
  ck_assert_int_eq (s.st_mode & 07777, 0600);
  ck_assert_int_eq (st_of (d, "home/u").st_mode & 07777, 0700);
  /* directory times are set after their content */
  ck_assert_int_eq (st_of (d, "home").st_mtim.tv_sec, 1600000000);
  ck_assert_int_eq (s.st_mtim.tv_sec, 1700000000);
  ck_assert_int_eq (getxattr (p, "security.capability", cap, sizeof (cap)), (ssize_t)sizeof (filecap));
  ck_assert_int_eq (memcmp (cap, filecap, sizeof (filecap)), 0);
  ck_assert_int_eq (getxattr (pw, "user.comment", v, sizeof (v)), 5);
}

static const enum tarb_compression comps[] = { TARB_NONE, TARB_GZIP, TARB_ZSTD, TARB_XZ };

START_TEST (test_flatten_two_layers)
{
  cleanup_free char *d = dir_in_tmp ("rootfs");
  cleanup_free char *raw = NULL;
  cleanup_free char *packed = NULL;
  size_t raw_len, packed_len;
  char expect_diff[DIGEST_BUF_SIZE], expect_comp[DIGEST_BUF_SIZE];
  struct layer_apply_result res;
  struct layer_apply_opts o = { 0 };
  berth_error_t err = NULL;

  build (layer1, TARB_NONE, &raw, &raw_len);
  build (layer1, comps[_i], &packed, &packed_len);
  ck_assert_int_eq (digest_buffer (raw, raw_len, expect_diff, NULL), 0);
  ck_assert_int_eq (digest_buffer (packed, packed_len, expect_comp, NULL), 0);
  o.expected_diff_id = expect_diff;
  o.expected_compressed = expect_comp;
  ck_assert_msg (apply_bytes (packed, packed_len, d, &o, &res, &err) == 0, "%s", err ? berth_error_msg (&err) : "");
  ck_assert_str_eq (res.diff_id, expect_diff);
  ck_assert_str_eq (res.compressed_digest, expect_comp);
  ck_assert_uint_eq (res.uncompressed_size, raw_len);
  ck_assert_uint_eq (res.compressed_size, packed_len);
  ck_assert_uint_gt (res.entries, 20);
  check_layer1 (d);

  apply_ok (layer2, comps[_i], d, 0);
  ck_assert (!exists (d, "etc/passwd"));
  ck_assert (exists (d, "etc"));
  ck_assert (!exists (d, "gone"));
  ck_assert (!exists (d, "gone-file"));
  ck_assert (!exists (d, "opq/old"));
  ck_assert (!exists (d, "opq/olddir"));
  ck_assert (exists (d, "opq/new"));
  ck_assert_int_eq (st_of (d, "opq").st_mode & 07777, 0750);
  ck_assert (!exists (d, ".wh..wh.plnk"));
  ck_assert (!exists (d, "etc/.wh.passwd"));
  ck_assert (exists (d, "newdir/f"));
  ck_assert (exists (d, "keep"));
  {
    cleanup_free char *c = content (d, "bin/sh");
    cleanup_free char *c2 = content (d, "bin/sh-link");
    ck_assert_str_eq (c, "#!new shell\n");
    /* the old hard link keeps the old inode */
    ck_assert_str_eq (c2, "#!shell\n");
  }
}
END_TEST

START_TEST (test_overlay_mode)
{
  cleanup_free char *d = dir_in_tmp ("upper");
  cleanup_free char *opq = xasprintf ("%s/opq", d);
  char v[4];
  struct stat s;

  apply_ok (layer2, TARB_GZIP, d, LAYER_APPLY_OVERLAY);
  s = st_of (d, "etc/passwd");
  ck_assert (S_ISCHR (s.st_mode));
  ck_assert_int_eq (s.st_rdev, makedev (0, 0));
  s = st_of (d, "gone");
  ck_assert (S_ISCHR (s.st_mode));
  ck_assert_int_eq (getxattr (opq, "trusted.overlay.opaque", v, sizeof (v)), 1);
  ck_assert_int_eq (v[0], 'y');
  ck_assert (exists (d, "opq/new"));
  ck_assert (!exists (d, "opq/.wh..wh..opq"));
  ck_assert (!exists (d, ".wh..wh.plnk"));
}
END_TEST

static void
bomb (struct tarb *t)
{
  char *zeros = xmalloc0 (8u << 20);

  tarb_file_data (t, "zeros", zeros, 8u << 20, 0644);
  free (zeros);
}

START_TEST (test_bomb)
{
  cleanup_free char *d = dir_in_tmp ("bomb");
  cleanup_free char *data = NULL;
  struct layer_apply_opts o = { .max_uncompressed = 1u << 20 };
  berth_error_t err = NULL;
  size_t len;

  build (bomb, _i == 0 ? TARB_GZIP : TARB_ZSTD, &data, &len);
  ck_assert_uint_lt (len, 64 * 1024); /* > 100x expansion */
  ck_assert_int_eq (apply_bytes (data, len, d, &o, NULL, &err), -EFBIG);
  ck_assert_ptr_nonnull (strstr (berth_error_msg (&err), "larger than the limit of 1048576 bytes"));
  berth_error_release (&err);
  o.max_uncompressed = 16u << 20;
  ck_assert_int_eq (apply_bytes (data, len, d, &o, NULL, NULL), 0);
}
END_TEST

START_TEST (test_mismatch_and_garbage)
{
  cleanup_free char *d = dir_in_tmp ("bad");
  cleanup_free char *data = NULL;
  struct layer_apply_opts o
      = { .expected_diff_id = "sha256:1111111111111111111111111111111111111111111111111111111111111111" };
  berth_error_t err = NULL;
  char junk[4096];
  size_t len, i;

  build (layer2, TARB_GZIP, &data, &len);
  ck_assert_int_lt (apply_bytes (data, len, d, &o, NULL, &err), 0);
  ck_assert_ptr_nonnull (strstr (berth_error_msg (&err), "layer diff id mismatch: expected sha256:1111"));
  berth_error_release (&err);
  o.expected_diff_id = NULL;
  o.expected_compressed = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
  ck_assert_int_lt (apply_bytes (data, len, d, &o, NULL, &err), 0);
  ck_assert_ptr_nonnull (strstr (berth_error_msg (&err), "layer digest mismatch"));
  berth_error_release (&err);
  /* truncated gzip */
  ck_assert_int_lt (apply_bytes (data, len / 2, d, NULL, NULL, &err), 0);
  berth_error_release (&err);
  /* not a tar */
  for (i = 0; i < sizeof (junk); i++)
    junk[i] = (char)(i * 7 + 3);
  ck_assert_int_lt (apply_bytes (junk, sizeof (junk), d, NULL, NULL, &err), 0);
  berth_error_release (&err);
  ck_assert_int_lt (apply_bytes ("", 0, d, NULL, NULL, &err), 0);
  ck_assert_ptr_nonnull (strstr (berth_error_msg (&err), "empty"));
  berth_error_release (&err);
  ck_assert_int_lt (layer_apply (0, "/nonexistent/berth", NULL, NULL, &err), 0);
  berth_error_release (&err);
}
END_TEST

static void
lower_opq (struct tarb *t)
{
  tarb_dir (t, "d", 0755);
  tarb_file (t, "d/old", "old", 0644);
  tarb_dir (t, "d/sub", 0755);
  tarb_file (t, "d/sub/oldx", "x", 0644);
  tarb_file (t, "w", "lower", 0644);
}

static void
upper_same_layer (struct tarb *t)
{
  /* entries before the markers that would hide them */
  tarb_file (t, "d/new", "new", 0644);
  tarb_file (t, "d/sub/x", "x", 0644);
  tarb_file (t, "d/.wh..wh..opq", "", 0644);
  tarb_file (t, "a/f", "f", 0644);
  tarb_file (t, "a/.wh.f", "", 0644);
  tarb_file (t, ".wh.w", "", 0644);
}

START_TEST (test_whiteout_same_layer)
{
  cleanup_free char *d = dir_in_tmp ("same");

  apply_ok (lower_opq, TARB_NONE, d, 0);
  apply_ok (upper_same_layer, TARB_NONE, d, 0);
  ck_assert (exists (d, "d/new"));
  ck_assert (exists (d, "d/sub/x"));
  ck_assert (!exists (d, "d/old"));
  ck_assert (!exists (d, "d/sub/oldx"));
  ck_assert (exists (d, "a/f"));
  ck_assert (!exists (d, "w"));
}
END_TEST

/* ---- tree comparison ---- */

static void
compare_trees (const char *a, const char *b, const char *rel, bool dir_times)
{
  cleanup_free char *pa = xasprintf ("%s/%s", a, rel);
  cleanup_free char *pb = xasprintf ("%s/%s", b, rel);
  struct stat sa, sb;
  char xa[4096], xb[4096];
  ssize_t la, lb;

  ck_assert_msg (lstat (pa, &sa) == 0, "missing in first: %s", rel);
  ck_assert_msg (lstat (pb, &sb) == 0, "missing in second: %s", rel);
  ck_assert_msg (sa.st_mode == sb.st_mode, "%s: mode %o vs %o", rel, sa.st_mode, sb.st_mode);
  ck_assert_msg (sa.st_uid == sb.st_uid && sa.st_gid == sb.st_gid, "%s: owner", rel);
  if (!S_ISDIR (sa.st_mode) || dir_times)
    ck_assert_msg (sa.st_mtim.tv_sec == sb.st_mtim.tv_sec, "%s: mtime %ld vs %ld", rel, (long)sa.st_mtim.tv_sec,
                   (long)sb.st_mtim.tv_sec);
  la = llistxattr (pa, xa, sizeof (xa));
  lb = llistxattr (pb, xb, sizeof (xb));
  ck_assert_msg (la == lb && (la <= 0 || memcmp (xa, xb, (size_t)la) == 0), "%s: xattr names differ", rel);
  if (S_ISREG (sa.st_mode))
    {
      cleanup_free char *ca = content (a, rel);
      cleanup_free char *cb = content (b, rel);
      ck_assert_msg (strcmp (ca, cb) == 0, "%s: content differs", rel);
      ck_assert_msg (sa.st_nlink == sb.st_nlink, "%s: link count %lu vs %lu", rel, (unsigned long)sa.st_nlink,
                     (unsigned long)sb.st_nlink);
    }
  else if (S_ISLNK (sa.st_mode))
    {
      char ta[4096], tb[4096];
      ssize_t na = readlink (pa, ta, sizeof (ta)), nb = readlink (pb, tb, sizeof (tb));
      ck_assert_msg (na == nb && memcmp (ta, tb, (size_t)na) == 0, "%s: symlink target", rel);
    }
  else if (S_ISCHR (sa.st_mode) || S_ISBLK (sa.st_mode))
    ck_assert_msg (sa.st_rdev == sb.st_rdev, "%s: rdev", rel);
  else if (S_ISDIR (sa.st_mode))
    {
      struct dirent **na = NULL, **nb = NULL;
      int ca = scandir (pa, &na, NULL, alphasort), cb = scandir (pb, &nb, NULL, alphasort), i;
      ck_assert_msg (ca == cb, "%s: %d vs %d entries", rel, ca, cb);
      for (i = 0; i < ca; i++)
        {
          ck_assert_msg (strcmp (na[i]->d_name, nb[i]->d_name) == 0, "%s: entry %s vs %s", rel, na[i]->d_name,
                         nb[i]->d_name);
          if (strcmp (na[i]->d_name, ".") && strcmp (na[i]->d_name, ".."))
            {
              cleanup_free char *sub = *rel ? xasprintf ("%s/%s", rel, na[i]->d_name) : xstrdup (na[i]->d_name);
              compare_trees (a, b, sub, dir_times);
            }
        }
      for (i = 0; i < ca; i++)
        {
          free (na[i]);
          free (nb[i]);
        }
      free (na);
      free (nb);
    }
}

static void
apply_file (const char *tarpath, const char *dir, unsigned flags)
{
  struct layer_apply_opts o = { .flags = flags };
  berth_error_t err = NULL;
  int fd = open (tarpath, O_RDONLY | O_CLOEXEC);

  ck_assert_int_ge (fd, 0);
  ck_assert_msg (layer_apply (fd, dir, &o, NULL, &err) == 0, "%s", err ? berth_error_msg (&err) : "");
  close (fd);
}

static void
tar_to_file (const char *lower, const char *upper, unsigned flags, const char *out, struct layer_diff_result *res)
{
  berth_error_t err = NULL;
  int fd = open (out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int r;

  ck_assert_int_ge (fd, 0);
  if (lower)
    r = layer_diff_changes (lower, upper, fd, res, &err);
  else
    r = layer_diff_tar_dir (upper, flags, fd, res, &err);
  ck_assert_msg (r == 0, "%s", err ? berth_error_msg (&err) : "");
  close (fd);
}

START_TEST (test_diff_tar_dir_roundtrip)
{
  cleanup_free char *a = dir_in_tmp ("a");
  cleanup_free char *b = dir_in_tmp ("b");
  cleanup_free char *t1 = xasprintf ("%s/one.tar", tmp);
  cleanup_free char *t2 = xasprintf ("%s/two.tar", tmp);
  struct layer_diff_result r1, r2;
  struct layer_apply_result ar;
  struct layer_apply_opts o = { 0 };
  char actual[DIGEST_BUF_SIZE];
  berth_error_t err = NULL;
  uint64_t size;
  int fd;

  apply_ok (layer1, TARB_GZIP, a, 0);
  tar_to_file (NULL, a, 0, t1, &r1);
  tar_to_file (NULL, a, 0, t2, &r2);
  /* deterministic */
  ck_assert_str_eq (r1.diff_id, r2.diff_id);
  fd = open (t1, O_RDONLY | O_CLOEXEC);
  ck_assert_int_eq (digest_fd (fd, actual, &size, NULL), 0);
  ck_assert_str_eq (actual, r1.diff_id);
  ck_assert_uint_eq (size, r1.size);
  ck_assert_uint_eq (size % 512, 0);
  lseek (fd, 0, SEEK_SET);
  o.expected_diff_id = r1.diff_id;
  ck_assert_msg (layer_apply (fd, b, &o, &ar, &err) == 0, "%s", err ? berth_error_msg (&err) : "");
  close (fd);
  compare_trees (a, b, "", true);
  check_layer1 (b);
}
END_TEST

START_TEST (test_diff_changes)
{
  cleanup_free char *lower = dir_in_tmp ("lower");
  cleanup_free char *upper = dir_in_tmp ("upper");
  cleanup_free char *check = dir_in_tmp ("check");
  cleanup_free char *t = xasprintf ("%s/changes.tar", tmp);
  cleanup_free char *chmod_path = xasprintf ("%s/home/u", upper);
  struct layer_diff_result r;

  apply_ok (layer1, TARB_NONE, lower, 0);
  apply_ok (layer1, TARB_NONE, upper, 0);
  apply_ok (layer2, TARB_NONE, upper, 0);
  ck_assert_int_eq (chmod (chmod_path, 0711), 0);
  tar_to_file (lower, upper, 0, t, &r);
  ck_assert_uint_gt (r.entries, 0);
  apply_ok (layer1, TARB_NONE, check, 0);
  apply_file (t, check, 0);
  compare_trees (upper, check, "", false);
}
END_TEST

START_TEST (test_diff_no_changes)
{
  cleanup_free char *lower = dir_in_tmp ("lower");
  cleanup_free char *upper = dir_in_tmp ("upper");
  cleanup_free char *t = xasprintf ("%s/none.tar", tmp);
  struct layer_diff_result r;

  apply_ok (layer1, TARB_NONE, lower, 0);
  apply_ok (layer1, TARB_NONE, upper, 0);
  tar_to_file (lower, upper, 0, t, &r);
  ck_assert_uint_eq (r.entries, 0);
  ck_assert_uint_eq (r.size, 1024);
}
END_TEST

START_TEST (test_diff_overlay_upper)
{
  cleanup_free char *up = dir_in_tmp ("ovl-upper");
  cleanup_free char *merged = dir_in_tmp ("merged");
  cleanup_free char *expect = dir_in_tmp ("expect");
  cleanup_free char *t = xasprintf ("%s/upper.tar", tmp);
  struct layer_diff_result r;

  apply_ok (layer2, TARB_NONE, up, LAYER_APPLY_OVERLAY);
  tar_to_file (NULL, up, LAYER_DIFF_OVERLAY_UPPER, t, &r);
  apply_ok (layer1, TARB_NONE, merged, 0);
  apply_file (t, merged, 0);
  apply_ok (layer1, TARB_NONE, expect, 0);
  apply_ok (layer2, TARB_NONE, expect, 0);
  compare_trees (expect, merged, "", false);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("layer");
  TCase *tc = tcase_create ("apply-diff");
  SRunner *sr;
  int failed;

  if (geteuid () != 0)
    {
      fprintf (stderr, "test-layer: needs root (chown, mknod, trusted xattrs); skipped\n");
      return 77;
    }
  tcase_set_timeout (tc, 120);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_loop_test (tc, test_flatten_two_layers, 0, 4);
  tcase_add_test (tc, test_overlay_mode);
  tcase_add_loop_test (tc, test_bomb, 0, 2);
  tcase_add_test (tc, test_mismatch_and_garbage);
  tcase_add_test (tc, test_whiteout_same_layer);
  tcase_add_test (tc, test_diff_tar_dir_roundtrip);
  tcase_add_test (tc, test_diff_changes);
  tcase_add_test (tc, test_diff_no_changes);
  tcase_add_test (tc, test_diff_overlay_upper);
  suite_add_tcase (s, tc);
  sr = srunner_create (s);
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
