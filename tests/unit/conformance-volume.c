/* Volume driver conformance: any volume plugin must pass this.
 *   tests/unit/conformance-volume path/to/volume-NAME.so */
#include "config.h"

#include "tests/unit/conformance.h"

#include "core/lib/mem.h"
#include "tests/unit/testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define OPS (conf.d->ops.volume)
#define DRV (conf.d->drv)

static void
create (const char *name)
{
  cleanup_error berth_error_t err = NULL;
  int r = OPS.create (DRV, name, NULL, &err);
  ck_assert_msg (r == 0, "create %s: %s", name, berth_error_msg (&err));
}

static void
mount_as (const char *name, const char *caller, char *path, size_t len)
{
  cleanup_error berth_error_t err = NULL;
  int r = OPS.mount (DRV, name, caller, path, len, &err);
  ck_assert_msg (r == 0, "mount %s for %s: %s", name, caller, berth_error_msg (&err));
}

static void
unmount_as (const char *name, const char *caller)
{
  cleanup_error berth_error_t err = NULL;
  int r = OPS.unmount (DRV, name, caller, &err);
  ck_assert_msg (r == 0, "unmount %s for %s: %s", name, caller, berth_error_msg (&err));
}

START_TEST (test_create_get)
{
  cleanup_error berth_error_t err = NULL;
  struct berth_volume_info info = { .struct_size = sizeof (info) };
  time_t before = time (NULL);
  struct stat st;

  create ("data1");
  ck_assert_int_eq (OPS.get (DRV, "data1", &info, &err), 0);
  ck_assert_int_ge (info.created_unix, before - 1);
  ck_assert_int_le (info.created_unix, time (NULL) + 1);
  ck_assert_msg (stat (info.mountpoint, &st) == 0 && S_ISDIR (st.st_mode), "mountpoint %s", info.mountpoint);
  ck_assert_int_eq (OPS.create (DRV, "data1", NULL, &err), -EEXIST);
  berth_error_release (&err);
  ck_assert_int_eq (OPS.get (DRV, "nothere", &info, &err), -ENOENT);
}
END_TEST

START_TEST (test_bad_names)
{
  const char *bad[] = { "", "a", "-x", ".hidden", "a/b", "../up", "sp ace" };

  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++)
    {
      cleanup_error berth_error_t err = NULL;
      ck_assert_msg (OPS.create (DRV, bad[i], NULL, &err) == -EINVAL, "accepted `%s`", bad[i]);
    }
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

  ck_assert_int_eq (OPS.list (DRV, collect, &v, &err), 0);
  ck_assert_ptr_null (v[0]);
  create ("vol-b");
  create ("vol.a");
  create ("Vol_c");
  ck_assert_int_eq (OPS.list (DRV, collect, &v, &err), 0);
  while (v[n])
    n++;
  qsort (v, n, sizeof (char *), cmp_str);
  ck_assert_uint_eq (n, 3);
  ck_assert_str_eq (v[0], "Vol_c");
  ck_assert_str_eq (v[1], "vol-b");
  ck_assert_str_eq (v[2], "vol.a");
}
END_TEST

START_TEST (test_mount_refcount)
{
  cleanup_error berth_error_t err = NULL;
  struct berth_volume_info info = { .struct_size = sizeof (info) };
  char p1[4096], p2[4096];

  create ("shared");
  mount_as ("shared", "c1", p1, sizeof (p1));
  mount_as ("shared", "c1", p2, sizeof (p2));
  ck_assert_str_eq (p1, p2);
  mount_as ("shared", "c2", p2, sizeof (p2));
  ck_assert_int_eq (OPS.get (DRV, "shared", &info, &err), 0);
  ck_assert_str_eq (p1, info.mountpoint);
  {
    cleanup_free char *f = xasprintf ("%s/file", p1);
    test_write_file (f, "kept");
  }

  ck_assert_int_eq (OPS.remove (DRV, "shared", &err), -EBUSY);
  berth_error_release (&err);
  unmount_as ("shared", "c1");
  ck_assert_int_eq (OPS.remove (DRV, "shared", &err), -EBUSY); /* c1 mounted twice */
  berth_error_release (&err);
  unmount_as ("shared", "c1");
  ck_assert_int_lt (OPS.unmount (DRV, "shared", "c1", &err), 0); /* c1 holds no more */
  berth_error_release (&err);
  ck_assert_int_eq (OPS.remove (DRV, "shared", &err), -EBUSY); /* c2 still does */
  berth_error_release (&err);
  unmount_as ("shared", "c2");
  ck_assert_int_eq (OPS.remove (DRV, "shared", &err), 0);
  ck_assert_int_eq (OPS.get (DRV, "shared", &info, &err), -ENOENT);
  berth_error_release (&err);
  ck_assert_int_eq (OPS.remove (DRV, "shared", &err), -ENOENT);
  berth_error_release (&err);
  ck_assert_int_lt (OPS.mount (DRV, "shared", "c1", p1, sizeof (p1), &err), 0);
}
END_TEST

START_TEST (test_restore)
{
  cleanup_error berth_error_t err = NULL;

  if (OPS.restore == NULL)
    return; /* optional op */
  create ("kept");
  ck_assert_int_eq (OPS.restore (DRV, "kept", "c1", &err), 0);
  ck_assert_int_eq (OPS.remove (DRV, "kept", &err), -EBUSY);
  berth_error_release (&err);
  unmount_as ("kept", "c1");
  ck_assert_int_eq (OPS.remove (DRV, "kept", &err), 0);
}
END_TEST

static Suite *
volume_suite (void)
{
  Suite *s = suite_create ("volume conformance");
  TCase *tc = tcase_create ("volume");

  tcase_add_checked_fixture (tc, conformance_setup, conformance_teardown);
  tcase_add_test (tc, test_create_get);
  tcase_add_test (tc, test_bad_names);
  tcase_add_test (tc, test_list);
  tcase_add_test (tc, test_mount_refcount);
  tcase_add_test (tc, test_restore);
  suite_add_tcase (s, tc);
  return s;
}

int
main (int argc, char **argv)
{
  return conformance_main (argc, argv, BERTH_KIND_VOLUME, volume_suite);
}
