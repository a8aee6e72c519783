/* The json-file log driver beyond the conformance suite: Docker's exact line
 * format, option checks, rotation, and follow with cancellation. */
#include "config.h"

#include "tests/unit/conformance.h"

#include "core/config/tree.h"
#include "core/lib/mem.h"
#include "tests/unit/testutil.h"

#include <errno.h>
#include <json-c/json.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OPS (conf.d->ops.log)
#define DRV (conf.d->drv)
#define T0 1700000000000000000LL

static const char *const ID = "cafe";

static void
info_init (struct berth_log_info *info, const struct berth_cfg *opts)
{
  memset (info, 0, sizeof (*info));
  info->struct_size = sizeof (*info);
  info->container_id = ID;
  info->log_dir = conf.root;
  info->opts = opts;
}

static void *
open_stream (const struct berth_cfg *opts)
{
  cleanup_error berth_error_t err = NULL;
  struct berth_log_info info;
  void *s = NULL;

  info_init (&info, opts);
  ck_assert_msg (OPS.open (DRV, &info, &s, &err) == 0, "open: %s", berth_error_msg (&err));
  return s;
}

static void
put (void *s, uint32_t stream, uint32_t flags, int64_t ts, const char *text, size_t len)
{
  cleanup_error berth_error_t err = NULL;
  struct berth_log_msg m = { .struct_size = sizeof (m),
                             .stream = stream,
                             .flags = flags,
                             .ts_unix_ns = ts,
                             .line = (const uint8_t *)text,
                             .len = len };
  ck_assert_msg (OPS.write (s, &m, &err) == 0, "write: %s", berth_error_msg (&err));
}

static void
close_stream (void *s)
{
  cleanup_error berth_error_t err = NULL;
  ck_assert_int_eq (OPS.close (s, &err), 0);
}

static char *
log_file (const char *suffix)
{
  return xasprintf ("%s/%s-json.log%s", conf.root, ID, suffix);
}

START_TEST (test_format)
{
  void *s = open_stream (NULL);
  cleanup_free char *path = log_file ("");
  cleanup_free char *text = NULL;

  put (s, BERTH_LOG_STDOUT, 0, T0 + 123000000, "hello", 5);
  put (s, BERTH_LOG_STDERR, BERTH_LOG_PARTIAL, T0, "a/b \"q\" \x01", 9);
  put (s, BERTH_LOG_STDOUT, 0, T0 + 1, "bad \xff utf8", 10);
  close_stream (s);
  text = test_read_file (path);
  ck_assert_str_eq (text,
                    "{\"log\":\"hello\\n\",\"stream\":\"stdout\",\"time\":\"2023-11-14T22:13:20.123Z\"}\n"
                    "{\"log\":\"a/b \\\"q\\\" \\u0001\",\"stream\":\"stderr\",\"time\":\"2023-11-14T22:13:20Z\"}\n"
                    "{\"log\":\"bad \xef\xbf\xbd utf8\\n\",\"stream\":\"stdout\",\"time\":"
                    "\"2023-11-14T22:13:20.000000001Z\"}\n");
}
END_TEST

static struct berth_cfg *
opts_of (const char *k1, const char *v1, const char *k2, const char *v2)
{
  struct berth_cfg *m = berth_cfg_new_map ("--log-opt");
  if (k1)
    berth_cfg_map_set (m, k1, v1);
  if (k2)
    berth_cfg_map_set (m, k2, v2);
  return m;
}

START_TEST (test_validate)
{
  struct
  {
    const char *k1, *v1, *k2, *v2, *msg;
  } cases[] = {
    { "compress", "true", NULL, NULL,
      "--log-opt: json-file: unknown log option `compress` (supported: max-size, max-file)" },
    { "max-size", "10x", NULL, NULL,
      "--log-opt: json-file: bad max-size `10x` (a size like 10m, 512k or 1g, or -1 for no limit)" },
    { "max-size", "0", NULL, NULL,
      "--log-opt: json-file: bad max-size `0` (a size like 10m, 512k or 1g, or -1 for no limit)" },
    { "max-file", "0", "max-size", "1m", "--log-opt: json-file: bad max-file `0` (a number from 1 to 10000)" },
    { "max-file", "3", NULL, NULL, "--log-opt: json-file: max-file needs max-size" },
  };
  const struct berth_host_api *h = berth_host_api ();

  for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++)
    {
      cleanup_error berth_error_t err = NULL;
      struct berth_cfg *o = opts_of (cases[i].k1, cases[i].v1, cases[i].k2, cases[i].v2);
      ck_assert_int_lt (conf.d->ops.life.validate (h, o, &err), 0);
      ck_assert_str_eq (berth_error_msg (&err), cases[i].msg);
      berth_error_release (&err);
      /* open checks the same */
      {
        struct berth_log_info info;
        void *s = NULL;
        info_init (&info, o);
        ck_assert_int_lt (OPS.open (DRV, &info, &s, &err), 0);
      }
      berth_cfg_free (o);
    }
  {
    cleanup_error berth_error_t err = NULL;
    struct berth_cfg *o = opts_of ("max-size", "10m", "max-file", "5");
    ck_assert_int_eq (conf.d->ops.life.validate (h, o, &err), 0);
    berth_cfg_free (o);
    o = opts_of ("max-size", "512KB", NULL, NULL);
    ck_assert_int_eq (conf.d->ops.life.validate (h, o, &err), 0);
    berth_cfg_free (o);
  }
}
END_TEST

struct got
{
  int n;
  int last;
  bool in_order;
  pthread_mutex_t lock;
};

static int
count (void *ud, const struct berth_log_msg *m)
{
  struct got *g = ud;
  int v = atoi ((const char *)m->line + 5); /* "line N ..." */
  pthread_mutex_lock (&g->lock);
  if (g->n > 0 && v != g->last + 1)
    g->in_order = false;
  g->last = v;
  g->n++;
  pthread_mutex_unlock (&g->lock);
  return 0;
}

static void
put_numbered (void *s, int i)
{
  char line[128];
  int n = snprintf (line, sizeof (line), "line %d padding padding padding padding padding padding", i);
  put (s, BERTH_LOG_STDOUT, 0, T0 + i, line, (size_t)n);
}

START_TEST (test_rotation)
{
  struct berth_cfg *o = opts_of ("max-size", "1k", "max-file", "3");
  void *s = open_stream (o);
  cleanup_free char *f0 = log_file (""), *f1 = log_file (".1"), *f2 = log_file (".2"), *f3 = log_file (".3");
  struct got g = { .in_order = true, .lock = PTHREAD_MUTEX_INITIALIZER };
  cleanup_error berth_error_t err = NULL;
  struct berth_log_info info;
  struct berth_log_read_opts ro = { .struct_size = sizeof (ro), .tail = -1, .cancel_fd = -1 };
  struct stat st;

  for (int i = 0; i < 200; i++)
    put_numbered (s, i);
  close_stream (s);
  ck_assert_int_eq (stat (f0, &st), 0);
  ck_assert_int_le (st.st_size, 1024);
  ck_assert_int_eq (stat (f1, &st), 0);
  ck_assert_int_le (st.st_size, 1024);
  ck_assert_int_gt (st.st_size, 900);
  ck_assert_int_eq (stat (f2, &st), 0);
  ck_assert_int_eq (stat (f3, &st), -1);

  /* what is kept reads back in order and ends with the last line */
  info_init (&info, o);
  ck_assert_int_eq (OPS.read (DRV, &info, &ro, count, &g, &err), 0);
  ck_assert (g.in_order);
  ck_assert_int_eq (g.last, 199);
  ck_assert_int_gt (g.n, 20);
  ck_assert_int_lt (g.n, 60);
  berth_cfg_free (o);

  /* max-file 1: the one file starts over */
  o = opts_of ("max-size", "1k", NULL, NULL);
  s = open_stream (o);
  for (int i = 0; i < 200; i++)
    put_numbered (s, i);
  close_stream (s);
  ck_assert_int_eq (stat (f0, &st), 0);
  ck_assert_int_le (st.st_size, 1024);
  berth_cfg_free (o);
}
END_TEST

struct follower
{
  struct got g;
  int cancel[2];
  int r;
};

static void *
follow_thread (void *arg)
{
  struct follower *f = arg;
  cleanup_error berth_error_t err = NULL;
  struct berth_log_info info;
  struct berth_log_read_opts ro
      = { .struct_size = sizeof (ro), .flags = BERTH_LOG_FOLLOW, .tail = -1, .cancel_fd = f->cancel[0] };

  info_init (&info, NULL);
  f->r = OPS.read (DRV, &info, &ro, count, &f->g, &err);
  return NULL;
}

static int
seen (struct follower *f)
{
  int n;
  pthread_mutex_lock (&f->g.lock);
  n = f->g.n;
  pthread_mutex_unlock (&f->g.lock);
  return n;
}

static void
wait_for (struct follower *f, int n)
{
  for (int i = 0; i < 100 && seen (f) < n; i++)
    poll (NULL, 0, 50);
  ck_assert_int_eq (seen (f), n);
}

START_TEST (test_follow)
{
  struct follower f = { .g = { .in_order = true, .lock = PTHREAD_MUTEX_INITIALIZER }, .r = -1 };
  struct berth_cfg *o = opts_of ("max-size", "1k", "max-file", "2");
  pthread_t t;
  void *s;

  ck_assert_int_eq (pipe (f.cancel), 0);
  s = open_stream (o);
  put_numbered (s, 0);
  put_numbered (s, 1);
  ck_assert_int_eq (pthread_create (&t, NULL, follow_thread, &f), 0);
  wait_for (&f, 2);
  put_numbered (s, 2);
  wait_for (&f, 3);
  /* across rotations: bursts of 5 lines, each crossing at most one of the
     ~1k files (lines lost when rotation outruns a reader are gone for good) */
  for (int i = 3; i < 33; i++)
    {
      put_numbered (s, i);
      if (i % 5 == 2)
        wait_for (&f, i + 1);
    }
  wait_for (&f, 33);
  ck_assert (f.g.in_order);
  ck_assert_int_eq (write (f.cancel[1], "x", 1), 1);
  pthread_join (t, NULL);
  ck_assert_int_eq (f.r, 0);
  close_stream (s);
  close (f.cancel[0]);
  close (f.cancel[1]);
  berth_cfg_free (o);
}
END_TEST

static Suite *
json_file_suite (void)
{
  Suite *s = suite_create ("json-file");
  TCase *tc = tcase_create ("json-file");

  tcase_add_checked_fixture (tc, conformance_setup, conformance_teardown);
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_format);
  tcase_add_test (tc, test_validate);
  tcase_add_test (tc, test_rotation);
  tcase_add_test (tc, test_follow);
  suite_add_tcase (s, tc);
  return s;
}

int
main (int argc, char **argv)
{
  cleanup_free char *path = test_builddir_path ("plugins/log/.libs/log-json-file.so");
  char *args[] = { argv[0], argc > 1 ? argv[1] : path, NULL };
  return conformance_main (2, args, BERTH_KIND_LOG, json_file_suite);
}
