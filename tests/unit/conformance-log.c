/* Log driver conformance: any log plugin must pass this.
 *   tests/unit/conformance-log path/to/log-NAME.so
 * Writing must work for every driver; reading back (tail, since, until,
 * partial lines) is checked when the driver advertises BERTH_LOG_CAP_READ. */
#include "config.h"

#include "tests/unit/conformance.h"

#include "core/lib/mem.h"
#include "tests/unit/testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define OPS (conf.d->ops.log)
#define DRV (conf.d->drv)
#define T0 1700000000000000000LL /* 2023-11-14T22:13:20Z */

struct got
{
  char *lines[64];
  uint32_t streams[64], flags[64];
  int64_t ts[64];
  size_t n;
};

static void
info_init (struct berth_log_info *info)
{
  memset (info, 0, sizeof (*info));
  info->struct_size = sizeof (*info);
  info->container_id = "0123456789abcdef";
  info->container_name = "conformance";
  info->image = "busybox";
  info->log_dir = conf.root;
}

static void
write_lines (int n, bool last_partial)
{
  cleanup_error berth_error_t err = NULL;
  struct berth_log_info info;
  void *stream = NULL;

  info_init (&info);
  ck_assert_msg (OPS.open (DRV, &info, &stream, &err) == 0, "open: %s", berth_error_msg (&err));
  for (int i = 0; i < n; i++)
    {
      cleanup_free char *text = xasprintf ("line %d \"quoted\" \\ é\t/", i);
      struct berth_log_msg m = {
        .struct_size = sizeof (m),
        .stream = i % 2 ? BERTH_LOG_STDERR : BERTH_LOG_STDOUT,
        .flags = last_partial && i == n - 1 ? BERTH_LOG_PARTIAL : 0,
        .ts_unix_ns = T0 + (int64_t)i * 1000000001LL,
        .line = (const uint8_t *)text,
        .len = strlen (text),
      };
      ck_assert_msg (OPS.write (stream, &m, &err) == 0, "write: %s", berth_error_msg (&err));
    }
  ck_assert_msg (OPS.close (stream, &err) == 0, "close: %s", berth_error_msg (&err));
}

static int
collect (void *ud, const struct berth_log_msg *m)
{
  struct got *g = ud;
  ck_assert_uint_lt (g->n, 64);
  g->lines[g->n] = xstrndup ((const char *)m->line, m->len);
  g->streams[g->n] = m->stream;
  g->flags[g->n] = m->flags;
  g->ts[g->n] = m->ts_unix_ns;
  g->n++;
  return 0;
}

static void
got_free (struct got *g)
{
  for (size_t i = 0; i < g->n; i++)
    free (g->lines[i]);
  g->n = 0;
}

static bool
can_read (void)
{
  if (!(conf.d->ops.life.caps & BERTH_LOG_CAP_READ))
    return false; /* write-only driver: nothing to read back */
  ck_assert_msg (OPS.read != NULL, "BERTH_LOG_CAP_READ advertised without a read op");
  return true;
}

static void
read_back (struct got *g, int64_t tail, int64_t since, int64_t until)
{
  cleanup_error berth_error_t err = NULL;
  struct berth_log_info info;
  struct berth_log_read_opts o
      = { .struct_size = sizeof (o), .tail = tail, .since_ns = since, .until_ns = until, .cancel_fd = -1 };
  int r;

  info_init (&info);
  r = OPS.read (DRV, &info, &o, collect, g, &err);
  ck_assert_msg (r == 0, "read: %s", berth_error_msg (&err));
}

START_TEST (test_write)
{
  write_lines (10, false);
}
END_TEST

START_TEST (test_read_all)
{
  struct got g = { 0 };

  write_lines (10, false);
  if (!can_read ())
    return;
  read_back (&g, -1, 0, 0);
  ck_assert_uint_eq (g.n, 10);
  for (size_t i = 0; i < g.n; i++)
    {
      cleanup_free char *text = xasprintf ("line %zu \"quoted\" \\ é\t/", i);
      ck_assert_str_eq (g.lines[i], text);
      ck_assert_uint_eq (g.streams[i], i % 2 ? BERTH_LOG_STDERR : BERTH_LOG_STDOUT);
      ck_assert_int_eq (g.ts[i], T0 + (int64_t)i * 1000000001LL);
      ck_assert_uint_eq (g.flags[i] & BERTH_LOG_PARTIAL, 0);
    }
  got_free (&g);
}
END_TEST

START_TEST (test_read_tail_since_until)
{
  struct got g = { 0 };

  write_lines (10, false);
  if (!can_read ())
    return;
  read_back (&g, 3, 0, 0);
  ck_assert_uint_eq (g.n, 3);
  ck_assert_str_eq (g.lines[0], "line 7 \"quoted\" \\ é\t/");
  ck_assert_str_eq (g.lines[2], "line 9 \"quoted\" \\ é\t/");
  got_free (&g);

  read_back (&g, 0, 0, 0);
  ck_assert_uint_eq (g.n, 0);

  /* since is inclusive */
  read_back (&g, -1, T0 + 6 * 1000000001LL, 0);
  ck_assert_uint_eq (g.n, 4);
  ck_assert_str_eq (g.lines[0], "line 6 \"quoted\" \\ é\t/");
  got_free (&g);

  /* until is inclusive too */
  read_back (&g, -1, T0 + 2 * 1000000001LL, T0 + 4 * 1000000001LL);
  ck_assert_uint_eq (g.n, 3);
  ck_assert_str_eq (g.lines[0], "line 2 \"quoted\" \\ é\t/");
  ck_assert_str_eq (g.lines[2], "line 4 \"quoted\" \\ é\t/");
  got_free (&g);
}
END_TEST

START_TEST (test_partial)
{
  struct got g = { 0 };

  write_lines (3, true);
  if (!can_read ())
    return;
  read_back (&g, -1, 0, 0);
  ck_assert_uint_eq (g.n, 3);
  ck_assert_uint_eq (g.flags[1] & BERTH_LOG_PARTIAL, 0);
  ck_assert_uint_eq (g.flags[2] & BERTH_LOG_PARTIAL, BERTH_LOG_PARTIAL);
  got_free (&g);
}
END_TEST

START_TEST (test_validate)
{
  cleanup_error berth_error_t err = NULL;

  if (conf.d->ops.life.validate == NULL)
    return;
  /* no options are always acceptable */
  ck_assert_int_eq (conf.d->ops.life.validate (berth_host_api (), NULL, &err), 0);
}
END_TEST

static Suite *
log_suite (void)
{
  Suite *s = suite_create ("log conformance");
  TCase *tc = tcase_create ("log");

  tcase_add_checked_fixture (tc, conformance_setup, conformance_teardown);
  tcase_add_test (tc, test_write);
  tcase_add_test (tc, test_read_all);
  tcase_add_test (tc, test_read_tail_since_until);
  tcase_add_test (tc, test_partial);
  tcase_add_test (tc, test_validate);
  suite_add_tcase (s, tc);
  return s;
}

int
main (int argc, char **argv)
{
  return conformance_main (argc, argv, BERTH_KIND_LOG, log_suite);
}
