/* Every hostile tar (tests/fixtures/hostile-tars) applied in flatten and
   overlay mode, through openat2 and through the O_PATH walk (the walk runs
   also read the tar as a verified one, LAYER_APPLY_VERIFIED, whose file
   bodies are copied straight from the fd): the canaries
   outside the target must be untouched, and the case must be rejected or
   land inside as its expectation says. */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/image/in-root.h"
#include "core/image/layer-apply.h"
#include "core/lib/fs.h"
#include "core/lib/mem.h"
#include "tests/fixtures/hostile-tars/hostile-cases.h"

static char host[64];

/* A listing of everything under dir except "target": names, types, modes,
   owners, sizes, mtimes and small contents. */
static void
snapshot_dir (const char *dir, const char *rel, FILE *out)
{
  cleanup_free char *path = xasprintf ("%s%s%s", dir, *rel ? "/" : "", rel);
  DIR *d = opendir (path);
  struct dirent *de;
  char **names = NULL;
  size_t n = 0, i;

  ck_assert_ptr_nonnull (d);
  while ((de = readdir (d)))
    {
      if (!strcmp (de->d_name, ".") || !strcmp (de->d_name, ".."))
        continue;
      if (*rel == '\0' && !strcmp (de->d_name, "target"))
        continue;
      names = xrealloc (names, (n + 1) * sizeof (char *));
      names[n++] = xstrdup (de->d_name);
    }
  closedir (d);
  for (i = 0; i < n; i++)
    {
      cleanup_free char *r = xasprintf ("%s%s%s", rel, *rel ? "/" : "", names[i]);
      cleanup_free char *p = xasprintf ("%s/%s", dir, r);
      struct stat st;
      ck_assert_int_eq (lstat (p, &st), 0);
      fprintf (out, "%s %o %u:%u %lld %lld.%ld", r, st.st_mode, st.st_uid, st.st_gid, (long long)st.st_size,
               (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
      if (S_ISREG (st.st_mode))
        {
          cleanup_free char *content = NULL;
          ck_assert_int_eq (berth_read_file (p, 4096, &content, NULL, NULL), 0);
          fprintf (out, " [%s]", content);
        }
      fputc ('\n', out);
      if (S_ISDIR (st.st_mode))
        snapshot_dir (dir, r, out);
      free (names[i]);
    }
  free (names);
}

static char *
snapshot (void)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);

  snapshot_dir (host, "", f);
  fclose (f);
  return buf;
}

static void
write_canary (const char *name, const char *content, mode_t mode)
{
  cleanup_free char *p = xasprintf ("%s/%s", host, name);

  ck_assert_int_eq (berth_write_file_atomic (p, content, strlen (content), mode, NULL), 0);
}

static void
setup (void)
{
  cleanup_free char *dir = NULL;
  cleanup_free char *target = NULL;

  snprintf (host, sizeof (host), "/tmp/berth-image-hostile-XXXXXX");
  ck_assert_ptr_nonnull (mkdtemp (host));
  write_canary ("canary", "canary\n", 0644);
  write_canary ("perm400", "perm400\n", 0400);
  dir = xasprintf ("%s/canary-dir", host);
  ck_assert_int_eq (mkdir (dir, 0755), 0);
  write_canary ("canary-dir/inner", "inner\n", 0644);
  target = xasprintf ("%s/target", host);
  ck_assert_int_eq (mkdir (target, 0755), 0);
}

static void
teardown (void)
{
  in_root_force_walk (false);
  ck_assert_int_eq (berth_rm_rf (host, NULL), 0);
}

static int
apply (void (*build) (struct tarb *, const char *), bool overlay, bool verified, berth_error_t *err)
{
  struct layer_apply_opts opts = { .flags = (overlay ? LAYER_APPLY_OVERLAY : 0) | (verified ? LAYER_APPLY_VERIFIED : 0),
                                   .max_uncompressed = 1u << 30 };
  cleanup_free char *target = xasprintf ("%s/target", host);
  cleanup_free char *data = NULL;
  struct tarb *t = tarb_new (TARB_NONE);
  size_t len;
  int fd, r;

  build (t, host);
  tarb_finish (t, &data, &len);
  fd = tarb_memfd (data, len);
  r = layer_apply (fd, target, &opts, NULL, err);
  close (fd);
  return r;
}

START_TEST (test_breakout)
{
  const struct hostile_case *c = &hostile_cases[_i / 4];
  bool overlay = (_i & 1) != 0;
  bool walk = (_i & 2) != 0;
  cleanup_free char *before = NULL;
  cleanup_free char *after = NULL;
  cleanup_free char *target = xasprintf ("%s/target", host);
  berth_error_t err = NULL;
  int r;

  if (geteuid () != 0)
    return; /* main() skips the whole suite */
  in_root_force_walk (walk);
  before = snapshot ();
  if (c->lower && !overlay)
    ck_assert_msg (apply (c->lower, false, walk, &err) == 0, "%s lower: %s", c->name, err ? berth_error_msg (&err) : "");
  r = apply (c->build, overlay, walk, &err);
  after = snapshot ();
  ck_assert_msg (strcmp (before, after) == 0, "%s (%s, %s): host changed!\nbefore:\n%s\nafter:\n%s", c->name,
                 overlay ? "overlay" : "flatten", walk ? "walk" : "openat2", before, after);
  if (c->expect == HOSTILE_REJECT)
    {
      ck_assert_msg (r < 0, "%s (%s, %s): accepted but must be rejected", c->name, overlay ? "overlay" : "flatten",
                     walk ? "walk" : "openat2");
      /* the error names the entry */
      ck_assert_msg (strstr (berth_error_msg (&err), "layer entry `") != NULL, "%s: error `%s` names no entry", c->name,
                     berth_error_msg (&err));
    }
  else if (c->expect == HOSTILE_ACCEPT)
    ck_assert_msg (r == 0, "%s (%s, %s): rejected: %s", c->name, overlay ? "overlay" : "flatten",
                   walk ? "walk" : "openat2", err ? berth_error_msg (&err) : "");
  if (r == 0 && c->validate)
    {
      const char *why = c->validate (target, host, overlay);
      ck_assert_msg (why == NULL, "%s (%s, %s): %s", c->name, overlay ? "overlay" : "flatten",
                     walk ? "walk" : "openat2", why);
    }
  berth_error_release (&err);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("hostile-tars");
  TCase *tc = tcase_create ("breakouts");
  SRunner *sr;
  int failed;

  if (geteuid () != 0)
    {
      fprintf (stderr, "test-hostile: needs root (chown, mknod, trusted xattrs); skipped\n");
      return 77;
    }
  tcase_set_timeout (tc, 120);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_loop_test (tc, test_breakout, 0, (int)hostile_n_cases * 4);
  suite_add_tcase (s, tc);
  sr = srunner_create (s);
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
