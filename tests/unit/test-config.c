/* berth.yaml: defaults, derived defaults, overrides, and every error with its file:line. */
#include "config.h"

#include "core/config/config.h"
#include "core/config/tree.h"
#include "core/lib/mem.h"
#include "tests/unit/testutil.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct berth_config *
parse_ok (const char *text)
{
  cleanup_error berth_error_t err = NULL;
  struct berth_config *c = NULL;

  if (berth_config_parse ("t.yaml", text, strlen (text), &c, &err) < 0)
    ck_abort_msg ("unexpected error: %s", berth_error_msg (&err));
  return c;
}

/* The error message for `text`, which must be rejected. */
static char *
parse_err (const char *text)
{
  cleanup_error berth_error_t err = NULL;
  struct berth_config *c = NULL;
  int r = berth_config_parse ("t.yaml", text, strlen (text), &c, &err);

  ck_assert_msg (r < 0, "accepted: %s", text);
  ck_assert_ptr_null (c);
  ck_assert_ptr_nonnull (err);
  return xstrdup (berth_error_msg (&err));
}

#define ASSERT_ERR(text, expected)                                                                                     \
  do                                                                                                                   \
    {                                                                                                                  \
      cleanup_free char *msg_ = parse_err (text);                                                                      \
      ck_assert_str_eq (msg_, expected);                                                                               \
    }                                                                                                                  \
  while (0)

static void
assert_defaults (struct berth_config *c)
{
  ck_assert_str_eq (c->data_root, "/var/lib/berth");
  ck_assert_str_eq (c->exec_root, "/run/berth");
  ck_assert_str_eq (c->pidfile, "/run/berth/berthd.pid");
  ck_assert_str_eq (c->hosts[0], "unix:///run/berth/berth.sock");
  ck_assert_ptr_null (c->hosts[1]);
  ck_assert_str_eq (c->socket_group, "berth");
  ck_assert_str_eq (c->plugin_dirs[0], BERTH_PLUGINDIR);
  ck_assert_ptr_null (c->plugin_dirs[1]);
  ck_assert_str_eq (c->storage_driver, "auto");
  ck_assert_str_eq (c->log_driver, "json-file");
  ck_assert_int_eq (c->log_level, BERTH_LOG_INFO);
  ck_assert_int_eq (c->log_target, BERTH_LOG_TARGET_STDERR);
  ck_assert_ptr_null (c->storage_opts);
  ck_assert_ptr_null (c->log_opts);
}

START_TEST (test_empty_is_defaults)
{
  const char *docs[] = { "", "\n# only a comment\n", "---\n", "~\n" };
  for (size_t i = 0; i < sizeof (docs) / sizeof (docs[0]); i++)
    {
      struct berth_config *c = parse_ok (docs[i]);
      assert_defaults (c);
      berth_config_free (c);
    }
  {
    struct berth_config *c = berth_config_new_defaults ();
    assert_defaults (c);
    ck_assert_ptr_null (c->path);
    berth_config_free (c);
  }
}
END_TEST

START_TEST (test_null_values_are_defaults)
{
  struct berth_config *c = parse_ok ("data-root:\npidfile: ~\nhosts: null\nstorage-opts:\n");
  assert_defaults (c);
  berth_config_free (c);
}
END_TEST

START_TEST (test_all_keys)
{
  struct berth_config *c = parse_ok ("data-root: /srv/berth\n"
                                     "exec-root: /run/b2\n"
                                     "pidfile: /run/b2.pid\n"
                                     "hosts:\n"
                                     "  - unix:///run/b2/api.sock\n"
                                     "  - tcp://127.0.0.1:2376\n"
                                     "  - tcp://[::1]:2377\n"
                                     "socket-group: docker\n"
                                     "plugin-dirs: [/opt/berth/plugins, /usr/lib/berth/plugins]\n"
                                     "storage-driver: vfs\n"
                                     "storage-opts:\n"
                                     "  size: 10G\n"
                                     "  nested: {a: 1}\n"
                                     "log-driver: none\n"
                                     "log-opts: {max-size: 10m, max-file: \"3\"}\n"
                                     "log-level: debug\n"
                                     "log-target: syslog\n"
                                     "max-layer-size: 2g\n");
  int64_t v;
  cleanup_error berth_error_t err = NULL;

  ck_assert_str_eq (c->path, "t.yaml");
  ck_assert_str_eq (c->data_root, "/srv/berth");
  ck_assert_str_eq (c->exec_root, "/run/b2");
  ck_assert_str_eq (c->pidfile, "/run/b2.pid");
  ck_assert_str_eq (c->hosts[0], "unix:///run/b2/api.sock");
  ck_assert_str_eq (c->hosts[1], "tcp://127.0.0.1:2376");
  ck_assert_str_eq (c->hosts[2], "tcp://[::1]:2377");
  ck_assert_ptr_null (c->hosts[3]);
  ck_assert_str_eq (c->socket_group, "docker");
  ck_assert_str_eq (c->plugin_dirs[0], "/opt/berth/plugins");
  ck_assert_str_eq (c->plugin_dirs[1], "/usr/lib/berth/plugins");
  ck_assert_str_eq (c->storage_driver, "vfs");
  ck_assert_str_eq (berth_cfg_string (c->storage_opts, "size", NULL), "10G");
  ck_assert_int_eq (berth_cfg_int64 (berth_cfg_map_get (c->storage_opts, "nested"), "a", 0, &v, &err), 0);
  ck_assert_int_eq (v, 1);
  ck_assert_str_eq (c->log_driver, "none");
  ck_assert_str_eq (berth_cfg_string (c->log_opts, "max-size", NULL), "10m");
  ck_assert_uint_eq (c->max_layer_size, 2ull << 30);
  ck_assert_str_eq (berth_cfg_string (c->log_opts, "max-file", NULL), "3");
  ck_assert_int_eq (c->log_level, BERTH_LOG_DEBUG);
  ck_assert_int_eq (c->log_target, BERTH_LOG_TARGET_SYSLOG);
  berth_config_free (c);
}
END_TEST

START_TEST (test_derived_follow_exec_root)
{
  struct berth_config *c = parse_ok ("exec-root: /run/other\n");
  ck_assert_str_eq (c->pidfile, "/run/other/berthd.pid");
  ck_assert_str_eq (c->hosts[0], "unix:///run/other/berth.sock");
  berth_config_free (c);
}
END_TEST

START_TEST (test_overrides)
{
  cleanup_error berth_error_t err = NULL;
  struct berth_config *c = parse_ok ("pidfile: /run/fixed.pid\nhosts: [tcp://0.0.0.0:2375]\n");

  ck_assert_int_eq (berth_config_override (c, "exec-root", "/run/x", &err), 0);
  ck_assert_int_eq (berth_config_override (c, "data-root", "/srv/x", &err), 0);
  ck_assert_int_eq (berth_config_override (c, "log-level", "error", &err), 0);
  ck_assert_int_eq (berth_config_override (c, "storage-driver", "vfs", &err), 0);
  ck_assert_int_eq (berth_config_finalize (c, &err), 0);
  ck_assert_str_eq (c->exec_root, "/run/x");
  ck_assert_str_eq (c->data_root, "/srv/x");
  ck_assert_int_eq (c->log_level, BERTH_LOG_ERROR);
  ck_assert_str_eq (c->storage_driver, "vfs");
  /* set in the file: kept */
  ck_assert_str_eq (c->pidfile, "/run/fixed.pid");
  ck_assert_str_eq (c->hosts[0], "tcp://0.0.0.0:2375");

  /* -H replaces the file's list, then appends */
  ck_assert_int_eq (berth_config_override (c, "hosts", "unix:///run/x/a.sock", &err), 0);
  ck_assert_int_eq (berth_config_override (c, "hosts", "tcp://localhost:1", &err), 0);
  ck_assert_int_eq (berth_config_finalize (c, &err), 0);
  ck_assert_str_eq (c->hosts[0], "unix:///run/x/a.sock");
  ck_assert_str_eq (c->hosts[1], "tcp://localhost:1");
  ck_assert_ptr_null (c->hosts[2]);
  berth_config_free (c);
}
END_TEST

START_TEST (test_override_exec_root_moves_defaults)
{
  cleanup_error berth_error_t err = NULL;
  struct berth_config *c = parse_ok ("");

  ck_assert_int_eq (berth_config_override (c, "exec-root", "/run/y", &err), 0);
  ck_assert_int_eq (berth_config_finalize (c, &err), 0);
  ck_assert_str_eq (c->pidfile, "/run/y/berthd.pid");
  ck_assert_str_eq (c->hosts[0], "unix:///run/y/berth.sock");
  /* an explicit --pidfile survives a later finalize */
  ck_assert_int_eq (berth_config_override (c, "pidfile", "/tmp/p.pid", &err), 0);
  ck_assert_int_eq (berth_config_override (c, "exec-root", "/run/z", &err), 0);
  ck_assert_int_eq (berth_config_finalize (c, &err), 0);
  ck_assert_str_eq (c->pidfile, "/tmp/p.pid");
  ck_assert_str_eq (c->hosts[0], "unix:///run/z/berth.sock");

  /* a field replaced by hand is re-checked */
  free (c->data_root);
  c->data_root = xstrdup ("relative");
  ck_assert_int_lt (berth_config_finalize (c, &err), 0);
  ck_assert_str_eq (berth_error_msg (&err), "data-root: must be an absolute path, not `relative`");
  berth_config_free (c);
}
END_TEST

START_TEST (test_override_errors)
{
  struct berth_config *c = parse_ok ("");
  struct
  {
    const char *key, *value, *msg;
  } cases[] = {
    { "data-root", "rel", "--data-root: must be an absolute path, not `rel`" },
    { "log-level", "loud", "--log-level: must be one of debug, info, warn, error, not `loud`" },
    { "hosts", "http://x",
      "--hosts: has a bad address `http://x`: unsupported address (expected unix:///path or "
      "tcp://host:port)" },
    { "storage-driver", "Bad", "--storage-driver: must be `auto` or a driver name ([a-z0-9][a-z0-9._-]*), not `Bad`" },
    { "storage-opts", "x", "--storage-opts: not a setting that can be overridden" },
    { "bogus", "x", "--bogus: not a setting that can be overridden" },
  };

  for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++)
    {
      cleanup_error berth_error_t err = NULL;
      ck_assert_int_lt (berth_config_override (c, cases[i].key, cases[i].value, &err), 0);
      ck_assert_str_eq (berth_error_msg (&err), cases[i].msg);
    }
  assert_defaults (c);
  berth_config_free (c);
}
END_TEST

START_TEST (test_errors)
{
  ASSERT_ERR ("data-root: /a\nbogus: 1\n", "t.yaml:2: unknown key `bogus`");
  ASSERT_ERR ("data_root: /a\n", "t.yaml:1: unknown key `data_root` (did you mean `data-root`?)");
  ASSERT_ERR ("\n\ndata-root:\n  a: b\n", "t.yaml:3: `data-root` must be a string, not a map");
  ASSERT_ERR ("exec-root: [a]\n", "t.yaml:1: `exec-root` must be a string, not a list");
  ASSERT_ERR ("data-root: var/lib\n", "t.yaml:1: `data-root` must be an absolute path, not `var/lib`");
  ASSERT_ERR ("pidfile: x.pid\n", "t.yaml:1: `pidfile` must be an absolute path, not `x.pid`");
  ASSERT_ERR ("log-level: verbose\n", "t.yaml:1: `log-level` must be one of debug, info, warn, error, not `verbose`");
  ASSERT_ERR ("log-target: file\n", "t.yaml:1: `log-target` must be stderr or syslog, not `file`");
  ASSERT_ERR ("max-layer-size: 10x\n",
              "t.yaml:1: `max-layer-size` must be a size in bytes (e.g. 1073741824, 512m, 10g; 0 for no limit), not `10x`");
  ASSERT_ERR ("max-layer-size: 99999999999t\n", "t.yaml:1: `max-layer-size` must be a size in bytes (e.g. "
                                                "1073741824, 512m, 10g; 0 for no limit), not `99999999999t`");
  ASSERT_ERR ("hosts: unix:///x\n", "t.yaml:1: `hosts` must be a list of strings, not a string");
  ASSERT_ERR ("hosts: []\n", "t.yaml:1: `hosts` must list at least one address");
  ASSERT_ERR ("hosts:\n  - unix:///ok\n  - tcp://host\n",
              "t.yaml:3: `hosts` item has a bad address `tcp://host`: no port (expected tcp://host:port)");
  ASSERT_ERR ("hosts: [tcp://h:99999]\n",
              "t.yaml:1: `hosts` item has a bad address `tcp://h:99999`: the port must be a number from 1 to 65535");
  ASSERT_ERR ("hosts: [\"tcp://:2375\"]\n", "t.yaml:1: `hosts` item has a bad address `tcp://:2375`: no host (use "
                                            "tcp://0.0.0.0:port to listen on every address)");
  ASSERT_ERR ("hosts: [unix://rel.sock]\n",
              "t.yaml:1: `hosts` item has a bad address `unix://rel.sock`: the socket path must be absolute "
              "(unix:///path)");
  ASSERT_ERR ("hosts: [fd://]\n", "t.yaml:1: `hosts` item has a bad address `fd://`: unsupported address (expected "
                                  "unix:///path or tcp://host:port)");
  ASSERT_ERR ("hosts:\n  - {a: b}\n", "t.yaml:2: `hosts` items must be strings, not a map");
  ASSERT_ERR ("plugin-dirs:\n  - /ok\n  - rel/dir\n", "t.yaml:3: `plugin-dirs` item must be an absolute path, not "
                                                      "`rel/dir`");
  ASSERT_ERR ("socket-group: \"a b\"\n", "t.yaml:1: `socket-group` must be a group name or number, not `a b`");
  ASSERT_ERR ("storage-driver: Overlay\n", "t.yaml:1: `storage-driver` must be `auto` or a driver name "
                                           "([a-z0-9][a-z0-9._-]*), not `Overlay`");
  ASSERT_ERR ("log-driver: auto!\n", "t.yaml:1: `log-driver` must be a driver name ([a-z0-9][a-z0-9._-]*), not "
                                     "`auto!`");
  ASSERT_ERR ("storage-opts: [a]\n", "t.yaml:1: `storage-opts` must be a map, not a list");
  ASSERT_ERR ("log-opts:\n  max-size: 1m\n  labels:\n    a: b\n",
              "t.yaml:3: `log-opts`: the value of `labels` must be a string, not a map");
  ASSERT_ERR ("log-opts:\n  max-size:\n", "t.yaml:2: `log-opts`: `max-size` has no value");
  ASSERT_ERR ("data-root: /a\nlog-level: info\ndata-root: /b\n",
              "t.yaml:3: duplicate key `data-root` (first set at line 1)");
  ASSERT_ERR ("storage-opts:\n  a: 1\n  a: 2\n", "t.yaml:3: duplicate key `a` (first set at line 2)");
  ASSERT_ERR ("- a\n- b\n", "t.yaml:1: the top level must be a map of settings, not a list");
  ASSERT_ERR ("just a string\n", "t.yaml:1: the top level must be a map of settings, not a string");
  ASSERT_ERR ("data-root: &x /a\nexec-root: *x\n", "t.yaml:2: YAML aliases (*x) are not supported");
  ASSERT_ERR ("data-root: /a\n---\ndata-root: /b\n", "t.yaml:2: only one YAML document is allowed");
  ASSERT_ERR ("? [a]\n: b\n", "t.yaml:1: keys must be plain strings");
  ASSERT_ERR ("data-root: \"/a\\0b\"\n", "t.yaml:1: strings may not contain NUL characters");
}
END_TEST

START_TEST (test_tls_keys)
{
  struct berth_config *c = parse_ok ("");
  cleanup_error berth_error_t err = NULL;

  ck_assert (!c->tls && !c->tls_verify);
  ck_assert_str_eq (c->tls_ca, BERTH_SYSCONFDIR "/berth/tls/ca.pem");
  ck_assert_str_eq (c->tls_cert, BERTH_SYSCONFDIR "/berth/tls/cert.pem");
  ck_assert_str_eq (c->tls_key, BERTH_SYSCONFDIR "/berth/tls/key.pem");
  berth_config_free (c);

  c = parse_ok ("tlsverify: true\ntls: false\ntlscacert: /c/ca.pem\ntlscert: /c/cert.pem\ntlskey: /c/key.pem\n");
  ck_assert (c->tls_verify && !c->tls);
  ck_assert_str_eq (c->tls_ca, "/c/ca.pem");
  ck_assert_str_eq (c->tls_cert, "/c/cert.pem");
  ck_assert_str_eq (c->tls_key, "/c/key.pem");
  ck_assert_int_eq (berth_config_override (c, "tlsverify", "false", &err), 0);
  ck_assert_int_eq (berth_config_override (c, "tls", "true", &err), 0);
  ck_assert_int_eq (berth_config_override (c, "tlskey", "/d/key.pem", &err), 0);
  ck_assert (!c->tls_verify && c->tls);
  ck_assert_str_eq (c->tls_key, "/d/key.pem");
  ck_assert_int_lt (berth_config_override (c, "tlsverify", "yes", &err), 0);
  ck_assert_str_eq (berth_error_msg (&err), "--tlsverify: must be true or false, not `yes`");
  berth_config_free (c);

  ASSERT_ERR ("tlsverify: 1\n", "t.yaml:1: `tlsverify` must be true or false, not `1`");
  ASSERT_ERR ("tlscert: cert.pem\n", "t.yaml:1: `tlscert` must be an absolute path, not `cert.pem`");
}
END_TEST

START_TEST (test_syntax_error)
{
  cleanup_free char *msg = parse_err ("data-root: /a\nhosts: [a, b\nlog-level: info\n");
  ck_assert_msg (strncmp (msg, "t.yaml:", 7) == 0 && strstr (msg, "YAML syntax error") != NULL, "%s", msg);
}
END_TEST

START_TEST (test_load_file)
{
  cleanup_free char *dir = test_mkdtemp ("config");
  cleanup_free char *path = xasprintf ("%s/berth.yaml", dir);
  cleanup_free char *missing = xasprintf ("%s/none.yaml", dir);
  cleanup_free char *expect = NULL;
  struct berth_config *c = NULL;

  {
    cleanup_error berth_error_t err = NULL;
    ck_assert_int_eq (berth_config_load (missing, false, &c, &err), 0);
    assert_defaults (c);
    ck_assert_ptr_null (c->path);
    berth_config_free (c);
    c = NULL;
  }
  {
    cleanup_error berth_error_t err = NULL;
    cleanup_free char *m = xasprintf ("config: open `%s`: No such file or directory", missing);
    ck_assert_int_eq (berth_config_load (missing, true, &c, &err), -ENOENT);
    ck_assert_str_eq (berth_error_msg (&err), m);
  }
  test_write_file (path, "# test\nlog-level: warn\n\nlog-target: nowhere\n");
  {
    cleanup_error berth_error_t err = NULL;
    expect = xasprintf ("%s:4: `log-target` must be stderr or syslog, not `nowhere`", path);
    ck_assert_int_lt (berth_config_load (path, true, &c, &err), 0);
    ck_assert_str_eq (berth_error_msg (&err), expect);
  }
  test_write_file (path, "log-level: warn\n");
  {
    cleanup_error berth_error_t err = NULL;
    ck_assert_int_eq (berth_config_load (path, true, &c, &err), 0);
    ck_assert_str_eq (c->path, path);
    ck_assert_int_eq (c->log_level, BERTH_LOG_WARN);
    berth_config_free (c);
  }
  test_rm_rf (dir);
}
END_TEST

START_TEST (test_shipped_config)
{
  const char *srcdir = getenv ("top_srcdir");
  cleanup_free char *path = xasprintf ("%s/etc/berth.yaml", srcdir ? srcdir : ".");
  cleanup_error berth_error_t err = NULL;
  struct berth_config *c = NULL;

  if (berth_config_load (path, true, &c, &err) < 0)
    ck_abort_msg ("%s", berth_error_msg (&err));
  assert_defaults (c);
  berth_config_free (c);
}
END_TEST

START_TEST (test_tree_accessors)
{
  cleanup_error berth_error_t err = NULL;
  struct berth_cfg *t = NULL;
  const char *doc = "n: 42\nb: yes\nbad: x1\ns: str\nm: {k: v}\nl: [a, b]\n";
  int64_t v;
  int b;

  ck_assert_int_eq (berth_cfg_parse ("d.yaml", doc, strlen (doc), &t, &err), 0);
  ck_assert_int_eq (berth_cfg_int64 (t, "n", 0, &v, &err), 0);
  ck_assert_int_eq (v, 42);
  ck_assert_int_eq (berth_cfg_int64 (t, "absent", 7, &v, &err), 0);
  ck_assert_int_eq (v, 7);
  ck_assert_int_eq (berth_cfg_bool (t, "b", 0, &b, &err), 0);
  ck_assert_int_eq (b, 1);
  ck_assert_int_lt (berth_cfg_int64 (t, "bad", 0, &v, &err), 0);
  ck_assert_str_eq (berth_error_msg (&err), "d.yaml:3: `bad` must be an integer, not `x1`");
  berth_error_release (&err);
  ck_assert_int_lt (berth_cfg_bool (t, "m", 0, &b, &err), 0);
  ck_assert_str_eq (berth_error_msg (&err), "d.yaml:5: `m` must be true or false, not a map");
  ck_assert_str_eq (berth_cfg_string (t, "s", NULL), "str");
  ck_assert_ptr_null (berth_cfg_string (t, "m", NULL));
  ck_assert_str_eq (berth_cfg_string (berth_cfg_map_get (t, "m"), "k", NULL), "v");
  {
    cleanup_free char *loc = berth_cfg_location (t, "l");
    ck_assert_str_eq (loc, "d.yaml:6: ");
  }
  {
    struct berth_cfg *m = berth_cfg_new_map ("--log-opt");
    cleanup_free char *loc = NULL;
    berth_cfg_map_set (m, "max-size", "1m");
    berth_cfg_map_set (m, "max-size", "2m");
    ck_assert_str_eq (berth_cfg_string (m, "max-size", NULL), "2m");
    ck_assert_uint_eq (m->n_items, 1);
    loc = berth_cfg_location (m, "max-size");
    ck_assert_str_eq (loc, "--log-opt: ");
    berth_cfg_free (m);
  }
  {
    struct berth_cfg *copy = berth_cfg_copy (t);
    ck_assert_str_eq (berth_cfg_string (berth_cfg_map_get (copy, "m"), "k", NULL), "v");
    berth_cfg_free (copy);
  }
  berth_cfg_free (t);
}
END_TEST

static Suite *
config_suite (void)
{
  Suite *s = suite_create ("config");
  TCase *tc = tcase_create ("config");

  tcase_add_test (tc, test_empty_is_defaults);
  tcase_add_test (tc, test_null_values_are_defaults);
  tcase_add_test (tc, test_all_keys);
  tcase_add_test (tc, test_derived_follow_exec_root);
  tcase_add_test (tc, test_overrides);
  tcase_add_test (tc, test_override_exec_root_moves_defaults);
  tcase_add_test (tc, test_override_errors);
  tcase_add_test (tc, test_errors);
  tcase_add_test (tc, test_tls_keys);
  tcase_add_test (tc, test_syntax_error);
  tcase_add_test (tc, test_load_file);
  tcase_add_test (tc, test_shipped_config);
  tcase_add_test (tc, test_tree_accessors);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (config_suite ());
  int failed;

  srunner_run_all (sr, CK_ENV);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
