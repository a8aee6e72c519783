/* Plugin loader, registry and host services: every refusal reason logs
 * exactly one line naming the file, good plugins beside bad ones still load,
 * and the storage driver is chosen as registry.h says. */
#include "config.h"

#include "core/config/config.h"
#include "core/config/tree.h"
#include "core/lib/fs.h"
#include "core/lib/mem.h"
#include "core/plugin/host.h"
#include "core/plugin/registry.h"
#include "tests/unit/testutil.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const test_plugins[] = {
  "test-good", "bad-abi-major", "bad-abi-minor",       "bad-struct-size", "bad-unknown-kind", "bad-name",
  "dup-1",     "dup-2",         "bad-ops-size",        "bad-missing-op",  "bad-validate",     "bad-probe",
  "bad-init",  "bad-no-symbol", "bad-null-descriptor", "bad-undefined",
};

static char *root; /* temp dir: data root and plugin dir live under it */
static char *plugin_dir;
static char *data_root;

static void
setup (void)
{
  root = test_mkdtemp ("loader");
  plugin_dir = xasprintf ("%s/plugins", root);
  data_root = xasprintf ("%s/data", root);
  ck_assert_int_eq (mkdir (plugin_dir, 0755), 0);
}

static void
teardown (void)
{
  test_rm_rf (root);
  free (root);
  free (plugin_dir);
  free (data_root);
}

static void
add_plugin (const char *built_rel, const char *as)
{
  cleanup_free char *from = test_builddir_path (built_rel);
  cleanup_free char *to = xasprintf ("%s/%s", plugin_dir, as);
  test_copy_file (from, to);
}

static struct berth_config *
test_config (const char *yaml)
{
  cleanup_error berth_error_t err = NULL;
  struct berth_config *c = NULL;

  if (berth_config_parse ("t.yaml", yaml, strlen (yaml), &c, &err) < 0)
    ck_abort_msg ("%s", berth_error_msg (&err));
  free (c->data_root);
  c->data_root = xstrdup (data_root);
  strv_free (c->plugin_dirs);
  c->plugin_dirs = xmalloc0 (2 * sizeof (char *));
  c->plugin_dirs[0] = xstrdup (plugin_dir);
  return c;
}

/* Load with stderr captured; returns the warnings. */
static char **
load_capturing (struct berth_config *cfg, struct berth_plugins **ret)
{
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *captured = NULL;
  int r;

  test_stderr_begin ();
  r = berth_plugins_load (cfg, ret, &err);
  captured = test_stderr_end ();
  ck_assert_msg (r == 0, "load: %s", berth_error_msg (&err));
  return test_log_messages (captured, "warn");
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

START_TEST (test_refusals)
{
  struct berth_config *cfg;
  struct berth_plugins *p = NULL;
  cleanup_strv char **warnings = NULL;
  cleanup_strv char **expected = NULL;
  size_t n_warn = 0, n_exp = 0;
  struct berth_driver *d;
  const char *D = plugin_dir;

  for (size_t i = 0; i < sizeof (test_plugins) / sizeof (test_plugins[0]); i++)
    {
      cleanup_free char *rel = xasprintf ("tests/unit/plugins/.libs/%s.so", test_plugins[i]);
      cleanup_free char *as = xasprintf ("%s.so", test_plugins[i]);
      add_plugin (rel, as);
    }
  add_plugin ("plugins/log/.libs/log-none.so", "log-none.so");
  {
    cleanup_free char *x = xasprintf ("%s/x.so", plugin_dir);
    cleanup_free char *txt = xasprintf ("%s/README.txt", plugin_dir);
    test_write_file (x, "this is not a shared object\n");
    test_write_file (txt, "not a plugin and not named *.so: ignored\n");
  }

  expected = xmalloc0 (32 * sizeof (char *));
#define EXPECT(...) expected[n_exp++] = xasprintf (__VA_ARGS__)
  EXPECT ("plugin %s/bad-abi-major.so refused: built for plugin ABI %d.%d, this berth has ABI %d.%d (major versions "
          "must match)",
          D, BERTH_PLUGIN_ABI_MAJOR + 1, BERTH_PLUGIN_ABI_MINOR, BERTH_PLUGIN_ABI_MAJOR, BERTH_PLUGIN_ABI_MINOR);
  EXPECT ("plugin %s/bad-abi-minor.so refused: built for plugin ABI %d.%d, newer than this berth's ABI %d.%d", D,
          BERTH_PLUGIN_ABI_MAJOR, BERTH_PLUGIN_ABI_MINOR + 7, BERTH_PLUGIN_ABI_MAJOR, BERTH_PLUGIN_ABI_MINOR);
  EXPECT ("plugin %s/bad-struct-size.so refused: descriptor struct_size 16 is smaller than the ABI 1.0 descriptor "
          "(%zu bytes)",
          D, sizeof (struct berth_plugin_descriptor));
  EXPECT ("plugin %s/bad-unknown-kind.so refused: unknown driver kind 99", D);
  EXPECT ("plugin %s/bad-name.so refused: bad log driver name `Bad Name!` (expected [a-z0-9][a-z0-9._-]*, at most 64 "
          "characters)",
          D);
  EXPECT ("plugin %s/dup-2.so refused: duplicate log driver `dup` (already loaded from %s/dup-1.so)", D, D);
  EXPECT ("plugin %s/bad-ops-size.so refused: ops_size 24 is smaller than the ABI 1.0 log ops table (%zu bytes)", D,
          sizeof (struct berth_log_ops));
  EXPECT ("plugin %s/bad-missing-op.so refused: missing mandatory op log.write", D);
  EXPECT ("plugin %s/bad-validate.so refused: log driver `validate` rejected its options: option `colour` is not "
          "known",
          D);
  EXPECT ("plugin %s/bad-probe.so refused: log driver `probe` cannot run on this host: needs a kernel with unicorn "
          "support",
          D);
  EXPECT ("plugin %s/bad-init.so refused: log driver `init` failed to initialise: init failed on purpose", D);
  EXPECT ("plugin %s/bad-no-symbol.so refused: no `berth_plugin_get_descriptor` symbol (not a berth plugin?)", D);
  EXPECT ("plugin %s/bad-null-descriptor.so refused: berth_plugin_get_descriptor() returned NULL", D);
  EXPECT ("plugin %s/bad-undefined.so refused: dlopen failed: %s/bad-undefined.so: undefined symbol: "
          "berth_test_symbol_that_does_not_exist (check its dependencies with ldd)",
          D, D);
  EXPECT ("plugin %s/x.so refused: not an ELF shared object", D);
#undef EXPECT

  cfg = test_config ("");
  warnings = load_capturing (cfg, &p);
  while (warnings[n_warn])
    n_warn++;
  qsort (warnings, n_warn, sizeof (char *), cmp_str);
  qsort (expected, n_exp, sizeof (char *), cmp_str);
  for (size_t i = 0; i < n_exp || i < n_warn; i++)
    ck_assert_msg (i < n_exp && i < n_warn && strcmp (expected[i], warnings[i]) == 0,
                   "line %zu:\n  expected: %s\n  logged:   %s", i, i < n_exp ? expected[i] : "(nothing)",
                   i < n_warn ? warnings[i] : "(nothing)");

  /* the good ones beside them loaded */
  ck_assert_ptr_nonnull (berth_plugins_find (p, BERTH_KIND_LOG, "test-good"));
  ck_assert_ptr_nonnull (berth_plugins_find (p, BERTH_KIND_LOG, "none"));
  d = berth_plugins_find (p, BERTH_KIND_LOG, "dup");
  ck_assert_ptr_nonnull (d);
  ck_assert_msg (strstr (d->path, "/dup-1.so") != NULL, "%s", d->path);
  {
    struct berth_driver **v = NULL;
    ck_assert_uint_eq (berth_plugins_list (p, BERTH_KIND_LOG, &v), 3);
    ck_assert_str_eq (v[0]->name, "dup");
    ck_assert_str_eq (v[1]->name, "none");
    ck_assert_str_eq (v[2]->name, "test-good");
    free (v);
    ck_assert_uint_eq (berth_plugins_list (p, BERTH_KIND_STORAGE, &v), 0);
    ck_assert_ptr_null (v);
  }
  /* and work: write goes to the ops copied from the plugin */
  {
    cleanup_error berth_error_t err = NULL;
    struct berth_log_msg m
        = { .struct_size = sizeof (m), .stream = BERTH_LOG_STDOUT, .line = (const uint8_t *)"x", .len = 1 };
    struct berth_log_info info = { .struct_size = sizeof (info), .container_id = "c" };
    void *stream = NULL;
    d = berth_plugins_find (p, BERTH_KIND_LOG, "test-good");
    ck_assert_int_eq (d->ops.log.open (d->drv, &info, &stream, &err), 0);
    ck_assert_int_eq (d->ops.log.write (stream, &m, &err), 0);
    ck_assert_int_eq (d->ops.log.close (stream, &err), 0);
    ck_assert_ptr_null (d->ops.log.read); /* not provided: NULL in the core's table */
  }
  berth_plugins_free (p);
  berth_config_free (cfg);
}
END_TEST

START_TEST (test_missing_plugin_dir)
{
  struct berth_config *cfg = test_config ("");
  struct berth_plugins *p = NULL;
  cleanup_strv char **warnings = NULL;
  cleanup_free char *expect = NULL;

  test_rm_rf (plugin_dir);
  warnings = load_capturing (cfg, &p);
  expect = xasprintf ("plugin directory %s: No such file or directory", plugin_dir);
  ck_assert_ptr_nonnull (warnings[0]);
  ck_assert_str_eq (warnings[0], expect);
  ck_assert_ptr_null (warnings[1]);
  berth_plugins_free (p);
  berth_config_free (cfg);
}
END_TEST

START_TEST (test_require)
{
  struct berth_config *cfg = test_config ("");
  struct berth_plugins *p = NULL;
  cleanup_strv char **warnings = NULL;
  cleanup_error berth_error_t err = NULL;
  struct berth_driver *d = NULL;

  add_plugin ("plugins/storage/.libs/storage-vfs.so", "storage-vfs.so");
  warnings = load_capturing (cfg, &p);
  ck_assert_ptr_null (warnings[0]);
  ck_assert_int_eq (berth_plugins_require (p, BERTH_KIND_STORAGE, "vfs", &d, &err), 0);
  ck_assert_str_eq (d->name, "vfs");
  ck_assert_int_eq (berth_plugins_require (p, BERTH_KIND_STORAGE, "zfs", &d, &err), -ENOENT);
  ck_assert_str_eq (berth_error_msg (&err), "storage driver `zfs` is not loaded (available: vfs)");
  berth_error_release (&err);
  ck_assert_int_eq (berth_plugins_require (p, BERTH_KIND_LOG, "json-file", &d, &err), -ENOENT);
  ck_assert_str_eq (berth_error_msg (&err), "log driver `json-file` is not loaded (available: none)");
  berth_plugins_free (p);
  berth_config_free (cfg);
}
END_TEST

static void
make_data (const char *driver)
{
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *dir = xasprintf ("%s/storage/%s/some-layer", data_root, driver);
  ck_assert_int_eq (berth_mkdir_p (dir, 0700, &err), 0);
}

static int
select_with (const char *yaml, const char **ret_name, char **ret_msg)
{
  struct berth_config *cfg = test_config (yaml);
  struct berth_plugins *p = NULL;
  cleanup_strv char **warnings = NULL;
  cleanup_error berth_error_t err = NULL;
  struct berth_driver *d = NULL;
  int r;

  warnings = load_capturing (cfg, &p);
  ck_assert_msg (warnings[0] == NULL, "%s", warnings[0]);
  r = berth_plugins_select_storage (p, cfg, &d, &err);
  *ret_name = r == 0 ? (strcmp (d->name, "vfs") == 0 ? "vfs" : "other") : NULL;
  *ret_msg = r < 0 ? xstrdup (berth_error_msg (&err)) : NULL;
  berth_plugins_free (p);
  berth_config_free (cfg);
  return r;
}

START_TEST (test_select_storage)
{
  const char *name;
  char *msg;
  cleanup_free char *expect = NULL;

  add_plugin ("plugins/storage/.libs/storage-vfs.so", "storage-vfs.so");

  /* auto, nothing on disk, no overlay: vfs */
  ck_assert_int_eq (select_with ("", &name, &msg), 0);
  ck_assert_str_eq (name, "vfs");
  /* vfs init created its (empty) state dir: still selectable as explicit */
  ck_assert_int_eq (select_with ("storage-driver: vfs\n", &name, &msg), 0);
  ck_assert_str_eq (name, "vfs");
  /* explicit driver not loaded */
  ck_assert_int_lt (select_with ("storage-driver: btrfs\n", &name, &msg), 0);
  ck_assert_str_eq (msg, "storage driver `btrfs` is not loaded (available: vfs)");
  free (msg);

  /* overlay holds data: auto refuses to pick vfs, explicit vfs is refused */
  make_data ("overlay");
  ck_assert_int_lt (select_with ("", &name, &msg), 0);
  expect
      = xasprintf ("%s/storage/overlay holds data: storage driver `overlay` is not loaded (available: vfs)", data_root);
  ck_assert_str_eq (msg, expect);
  free (msg);
  free (expect);
  ck_assert_int_lt (select_with ("storage-driver: vfs\n", &name, &msg), 0);
  expect = xasprintf ("storage driver `vfs` was chosen, but `overlay` already holds data in %s/storage/overlay "
                      "(switching would hide its images and containers: choose `overlay`, or remove that directory)",
                      data_root);
  ck_assert_str_eq (msg, expect);
  free (msg);
  free (expect);

  /* both hold data: auto cannot choose */
  make_data ("vfs");
  ck_assert_int_lt (select_with ("", &name, &msg), 0);
  expect = xasprintf ("several storage drivers hold data in %s/storage (`overlay`, `vfs`): choose one with "
                      "storage-driver",
                      data_root);
  ck_assert_str_eq (msg, expect);
  free (msg);
  free (expect);
  expect = NULL;
  /* ...but naming one that holds data is fine */
  ck_assert_int_eq (select_with ("storage-driver: vfs\n", &name, &msg), 0);
  ck_assert_str_eq (name, "vfs");

  /* only vfs holds data: auto picks it */
  {
    cleanup_free char *ov = xasprintf ("%s/storage/overlay", data_root);
    test_rm_rf (ov);
  }
  ck_assert_int_eq (select_with ("", &name, &msg), 0);
  ck_assert_str_eq (name, "vfs");
}
END_TEST

/* The real overlay driver next to vfs (needs root and overlayfs). */
static bool
overlay_testable (void)
{
  cleanup_free char *fs = NULL;

  if (geteuid () != 0)
    return false;
  fs = test_read_file ("/proc/filesystems");
  return strstr (fs, "\toverlay\n") != NULL;
}

/* The storage driver chosen for `yaml` with the plugins in plugin_dir
   (loaded without warnings), or NULL and the error in *ret_msg. */
static char *
selected (const char *yaml, char **ret_msg)
{
  struct berth_config *cfg = test_config (yaml);
  struct berth_plugins *p = NULL;
  cleanup_strv char **warnings = NULL;
  cleanup_error berth_error_t err = NULL;
  struct berth_driver *d = NULL;
  char *name = NULL;

  warnings = load_capturing (cfg, &p);
  ck_assert_msg (warnings[0] == NULL, "%s", warnings[0]);
  *ret_msg = NULL;
  if (berth_plugins_select_storage (p, cfg, &d, &err) == 0)
    name = xstrdup (d->name);
  else
    *ret_msg = xstrdup (berth_error_msg (&err));
  berth_plugins_free (p);
  berth_config_free (cfg);
  return name;
}

START_TEST (test_select_storage_overlay)
{
  cleanup_free char *overlay_dir = xasprintf ("%s/storage/overlay", data_root);
  char *name, *msg, *expect;
  cleanup_dir DIR *d = NULL;
  struct dirent *de;

  if (!overlay_testable ())
    {
      fprintf (stderr, "test_select_storage_overlay: needs root and overlayfs, skipped\n");
      return;
    }
  add_plugin ("plugins/storage/.libs/storage-vfs.so", "storage-vfs.so");
  add_plugin ("plugins/storage/.libs/storage-overlay.so", "storage-overlay.so");

  /* auto, nothing on disk: overlay, whose probe left its state dir empty */
  name = selected ("", &msg);
  ck_assert_str_eq (name, "overlay");
  free (name);
  d = opendir (overlay_dir);
  ck_assert_ptr_nonnull (d);
  while ((de = readdir (d)) != NULL)
    ck_assert_msg (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0, "probe left %s/%s", overlay_dir,
                   de->d_name);

  /* vfs holds data: auto keeps vfs although overlay works */
  make_data ("vfs");
  name = selected ("", &msg);
  ck_assert_str_eq (name, "vfs");
  free (name);
  /* naming overlay is refused, naming both drivers */
  name = selected ("storage-driver: overlay\n", &msg);
  ck_assert_ptr_null (name);
  expect = xasprintf ("storage driver `overlay` was chosen, but `vfs` already holds data in %s/storage/vfs "
                      "(switching would hide its images and containers: choose `vfs`, or remove that directory)",
                      data_root);
  ck_assert_str_eq (msg, expect);
  free (msg);
  free (expect);
}
END_TEST

/* A data root on overlayfs (berthd in a container): overlay's probe refuses
   with the reason, and auto falls back to vfs. */
START_TEST (test_select_storage_on_overlayfs)
{
  cleanup_free char *lower = xasprintf ("%s/ovl-lower", root), *upper = xasprintf ("%s/ovl-upper", root);
  cleanup_free char *work = xasprintf ("%s/ovl-work", root), *merged = xasprintf ("%s/ovl-merged", root);
  cleanup_free char *opts = xasprintf ("lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work);
  cleanup_free char *saved_root = data_root;
  cleanup_free char *expect_start = NULL;
  cleanup_strv char **warnings = NULL;
  cleanup_error berth_error_t err = NULL;
  struct berth_config *cfg;
  struct berth_plugins *p = NULL;
  struct berth_driver *d = NULL;

  if (!overlay_testable ())
    {
      data_root = steal_pointer (&saved_root);
      fprintf (stderr, "test_select_storage_on_overlayfs: needs root and overlayfs, skipped\n");
      return;
    }
  ck_assert_int_eq (mkdir (lower, 0700), 0);
  ck_assert_int_eq (mkdir (upper, 0700), 0);
  ck_assert_int_eq (mkdir (work, 0700), 0);
  ck_assert_int_eq (mkdir (merged, 0700), 0);
  ck_assert_int_eq (mount ("overlay", merged, "overlay", 0, opts), 0);
  data_root = xasprintf ("%s/data", merged);
  add_plugin ("plugins/storage/.libs/storage-vfs.so", "storage-vfs.so");
  add_plugin ("plugins/storage/.libs/storage-overlay.so", "storage-overlay.so");
  cfg = test_config ("");
  warnings = load_capturing (cfg, &p);
  expect_start = xasprintf ("plugin %s/storage-overlay.so refused: storage driver `overlay` cannot run on this host: "
                            "overlay: %s/storage/overlay is on overlayfs",
                            plugin_dir, data_root);
  ck_assert_ptr_nonnull (warnings[0]);
  ck_assert_msg (strncmp (warnings[0], expect_start, strlen (expect_start)) == 0, "%s", warnings[0]);
  ck_assert_ptr_null (warnings[1]);
  ck_assert_int_eq (berth_plugins_select_storage (p, cfg, &d, &err), 0);
  ck_assert_str_eq (d->name, "vfs");
  berth_plugins_free (p);
  berth_config_free (cfg);
  ck_assert_int_eq (umount2 (merged, MNT_DETACH), 0);
  free (data_root);
  data_root = steal_pointer (&saved_root);
}
END_TEST

START_TEST (test_storage_opts_routing)
{
  const char *yaml_vfs = "storage-driver: vfs\nstorage-opts:\n  bogus: 1\n";
  const char *yaml_other = "storage-driver: overlay\nstorage-opts:\n  bogus: 1\n";
  struct berth_config *cfg;
  struct berth_plugins *p = NULL;
  cleanup_strv char **warnings = NULL;
  cleanup_free char *expect = NULL;

  add_plugin ("plugins/storage/.libs/storage-vfs.so", "storage-vfs.so");
  cfg = test_config (yaml_vfs);
  warnings = load_capturing (cfg, &p);
  expect = xasprintf ("plugin %s/storage-vfs.so refused: storage driver `vfs` rejected its options: t.yaml:3: vfs: "
                      "unknown storage option `bogus` (vfs takes none)",
                      plugin_dir);
  ck_assert_ptr_nonnull (warnings[0]);
  ck_assert_str_eq (warnings[0], expect);
  ck_assert_ptr_null (berth_plugins_find (p, BERTH_KIND_STORAGE, "vfs"));
  berth_plugins_free (p);
  berth_config_free (cfg);
  strv_free (warnings);

  /* options meant for another driver are not given to vfs */
  cfg = test_config (yaml_other);
  warnings = load_capturing (cfg, &p);
  ck_assert_ptr_null (warnings[0]);
  ck_assert_ptr_nonnull (berth_plugins_find (p, BERTH_KIND_STORAGE, "vfs"));
  berth_plugins_free (p);
  berth_config_free (cfg);
}
END_TEST

START_TEST (test_host_api)
{
  const struct berth_host_api *h = berth_host_api ();
  struct berth_host_ctx *ctx = berth_host_ctx_new (BERTH_KIND_VOLUME, "t", data_root);
  cleanup_error berth_error_t err = NULL;
  cleanup_free char *captured = NULL;
  cleanup_strv char **lines = NULL;
  cleanup_free char *expect_dir = xasprintf ("%s/volume/t", data_root);
  cleanup_free char *file = NULL;
  struct berth_cfg *tree = NULL;
  const char *doc = "a: 1\nb:\n  c: x\n";
  struct stat st;

  ck_assert_uint_eq (h->struct_size, sizeof (struct berth_host_api));
  ck_assert_uint_eq (h->abi_major, BERTH_PLUGIN_ABI_MAJOR);
  ck_assert_str_eq (h->driver_name (ctx), "t");

  /* state dir: created on first call, mode 0700 */
  ck_assert_int_eq (stat (expect_dir, &st), -1);
  ck_assert_str_eq (h->state_dir (ctx), expect_dir);
  ck_assert_int_eq (stat (expect_dir, &st), 0);
  ck_assert_uint_eq (st.st_mode & 07777, 0700);

  /* log lines carry the [kind/name] tag */
  test_stderr_begin ();
  h->log (ctx, BERTH_LOG_LEVEL_WARN, "hello %d", 42);
  h->log (ctx, BERTH_LOG_LEVEL_DEBUG, "not shown at level info");
  captured = test_stderr_end ();
  lines = test_log_messages (captured, "warn");
  ck_assert_str_eq (lines[0], "[volume/t] hello 42");
  ck_assert_ptr_null (strstr (captured, "not shown"));

  /* errors: either sign of errno, wrap, cfg_error with the key's file:line */
  ck_assert_int_eq (h->error_set (&err, ENOENT, "no %s", "thing"), -ENOENT);
  ck_assert_int_eq (h->error_wrap (&err, "ctx %d", 1), -ENOENT);
  ck_assert_str_eq (berth_error_msg (&err), "ctx 1: no thing");
  berth_error_release (&err);
  ck_assert_int_eq (h->error_set (&err, -EBUSY, "busy"), -EBUSY);
  berth_error_release (&err);
  ck_assert_int_eq (berth_cfg_parse ("o.yaml", doc, strlen (doc), &tree, &err), 0);
  ck_assert_int_eq (h->cfg_error (&err, tree, "b", "bad %s", "b"), -EINVAL);
  ck_assert_str_eq (berth_error_msg (&err), "o.yaml:2: bad b");
  berth_error_release (&err);
  ck_assert_int_eq (h->cfg_error (&err, NULL, "b", "no options"), -EINVAL);
  ck_assert_str_eq (berth_error_msg (&err), "no options");
  berth_error_release (&err);
  ck_assert_str_eq (h->cfg_string (h->cfg_child (tree, "b"), "c", NULL), "x");
  ck_assert_str_eq (h->cfg_string (NULL, "c", "dflt"), "dflt");

  /* file helpers */
  file = xasprintf ("%s/deep/er/f", expect_dir);
  ck_assert_int_eq (h->mkdir_p (file, 0755, &err), 0);
  ck_assert_int_eq (h->rm_rf (file, &err), 0);
  ck_assert_int_eq (h->write_file_atomic (file, "abc", 3, 0600, &err), 0);
  {
    cleanup_free char *text = test_read_file (file);
    ck_assert_str_eq (text, "abc");
  }
  berth_cfg_free (tree);
  berth_host_ctx_free (ctx);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("plugin loader");
  TCase *tc = tcase_create ("loader");
  SRunner *sr;
  int failed;

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_refusals);
  tcase_add_test (tc, test_missing_plugin_dir);
  tcase_add_test (tc, test_require);
  tcase_add_test (tc, test_select_storage);
  tcase_add_test (tc, test_select_storage_overlay);
  tcase_add_test (tc, test_select_storage_on_overlayfs);
  tcase_add_test (tc, test_storage_opts_routing);
  tcase_add_test (tc, test_host_api);
  suite_add_tcase (s, tc);
  sr = srunner_create (s);
  srunner_run_all (sr, CK_ENV);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
