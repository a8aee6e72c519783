/* core/container: ids and names, the create-request checks and image merge,
   the OCI spec with Docker's defaults, records on disk, user lookup. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/container/container.h"
#include "core/container/create-config.h"
#include "core/container/etc-files.h"
#include "core/container/id.h"
#include "core/container/oci-spec.h"
#include "core/container/user.h"
#include "core/lib/fs.h"
#include "core/lib/mem.h"

static json_object *
parse (const char *text)
{
  json_object *o = json_tokener_parse (text);
  ck_assert_msg (o != NULL, "bad test JSON: %s", text);
  return o;
}

static char *
tmpdir (void)
{
  char tmpl[] = "/tmp/berth-ctr-test.XXXXXX";
  ck_assert_ptr_nonnull (mkdtemp (tmpl));
  return xstrdup (tmpl);
}

/* ---- ids and names ---- */

START_TEST (test_id_generate)
{
  for (int i = 0; i < 200; i++)
    {
      char id[CONTAINER_ID_LEN + 1], other[CONTAINER_ID_LEN + 1];
      bool digits = true;
      ck_assert_int_eq (container_id_generate (id, NULL), 0);
      ck_assert_int_eq (container_id_generate (other, NULL), 0);
      ck_assert (container_id_is_full (id));
      ck_assert_str_ne (id, other);
      for (int k = 0; k < CONTAINER_SHORT_ID_LEN; k++)
        digits &= id[k] >= '0' && id[k] <= '9';
      ck_assert (!digits);
    }
  ck_assert (!container_id_is_full ("abc"));
  ck_assert (!container_id_is_full ("0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"));
}
END_TEST

START_TEST (test_names)
{
  ck_assert (container_name_valid ("web"));
  ck_assert (container_name_valid ("a.b_c-d9"));
  ck_assert (!container_name_valid ("a"));
  ck_assert (!container_name_valid ("_web"));
  ck_assert (!container_name_valid ("we b"));
  ck_assert (!container_name_valid ("web/x"));
  ck_assert (!container_name_valid (""));
  for (int i = 0; i < 500; i++)
    {
      cleanup_free char *n0 = container_name_generate (0);
      cleanup_free char *n1 = container_name_generate (1);
      char *us = strchr (n0, '_');
      ck_assert (container_name_valid (n0));
      ck_assert (container_name_valid (n1));
      ck_assert_ptr_nonnull (us);
      ck_assert_str_ne (n0, "boring_wozniak");
      /* later tries end in one digit */
      ck_assert (n1[strlen (n1) - 1] >= '0' && n1[strlen (n1) - 1] <= '9');
      ck_assert (n0[strlen (n0) - 1] < '0' || n0[strlen (n0) - 1] > '9');
    }
}
END_TEST

/* ---- create request ---- */

static struct image_run_config *
busybox_like (void)
{
  static char *env[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "A=image", NULL };
  static char *cmd[] = { "sh", NULL };
  static struct image_run_config c;
  c.env = env;
  c.cmd = cmd;
  c.working_dir = "/srv";
  return &c;
}

static const char *
arr_str (json_object *o, const char *key, size_t i)
{
  return json_object_get_string (json_object_array_get_idx (json_object_object_get (o, key), i));
}

START_TEST (test_create_merge)
{
  json_object *body = parse ("{\"Image\":\"busybox\",\"Cmd\":[\"echo\",\"hi\"],\"Env\":[\"A=user\",\"B=2\"],"
                             "\"User\":\"\",\"WorkingDir\":\"\",\"Entrypoint\":null,\"Labels\":{},\"Volumes\":{},"
                             "\"HostConfig\":{\"Binds\":null,\"NetworkMode\":\"default\",\"RestartPolicy\":{\"Name\":\"no\","
                             "\"MaximumRetryCount\":0},\"AutoRemove\":true,\"CapAdd\":[\"net_admin\"],\"CapDrop\":null,"
                             "\"ConsoleSize\":[0,0],\"MemorySwappiness\":-1,\"Privileged\":false,\"ShmSize\":0,"
                             "\"LogConfig\":{\"Type\":\"\",\"Config\":{}},\"Mounts\":[],\"PidsLimit\":null}}");
  struct create_config cc;
  cleanup_error berth_error_t err = NULL;

  ck_assert_msg (create_config_build (body, busybox_like (), &cc, &err) == 0, "%s", berth_error_msg (&err));
  ck_assert_str_eq (cc.path, "echo");
  ck_assert_str_eq (cc.args[0], "hi");
  ck_assert_ptr_null (cc.args[1]);
  /* image Env first, the user's A replaces it in place */
  ck_assert_str_eq (arr_str (cc.config, "Env", 1), "A=user");
  ck_assert_str_eq (arr_str (cc.config, "Env", 2), "B=2");
  ck_assert_str_eq (json_object_get_string (json_object_object_get (cc.config, "WorkingDir")), "/srv");
  ck_assert_str_eq (arr_str (cc.host_config, "CapAdd", 0), "CAP_NET_ADMIN");
  create_config_clear (&cc);
  json_object_put (body);
}
END_TEST

START_TEST (test_create_entrypoint_rules)
{
  static char *ep[] = { "/entry", NULL };
  struct image_run_config img = *busybox_like ();
  struct create_config cc;
  json_object *body;
  cleanup_error berth_error_t err = NULL;

  img.entrypoint = ep;
  /* no user command: image entrypoint + image cmd */
  body = parse ("{\"Image\":\"x\"}");
  ck_assert_int_eq (create_config_build (body, &img, &cc, NULL), 0);
  ck_assert_str_eq (cc.path, "/entry");
  ck_assert_str_eq (cc.args[0], "sh");
  create_config_clear (&cc);
  json_object_put (body);
  /* a user entrypoint drops the image's Cmd */
  body = parse ("{\"Image\":\"x\",\"Entrypoint\":[\"/bin/true\"]}");
  ck_assert_int_eq (create_config_build (body, &img, &cc, NULL), 0);
  ck_assert_str_eq (cc.path, "/bin/true");
  ck_assert_ptr_null (cc.args[0]);
  create_config_clear (&cc);
  json_object_put (body);
  /* Entrypoint [""] clears the image's entrypoint */
  body = parse ("{\"Image\":\"x\",\"Entrypoint\":[\"\"],\"Cmd\":[\"ls\"]}");
  ck_assert_int_eq (create_config_build (body, &img, &cc, NULL), 0);
  ck_assert_str_eq (cc.path, "ls");
  create_config_clear (&cc);
  json_object_put (body);
  /* nothing at all */
  body = parse ("{\"Image\":\"x\"}");
  ck_assert_int_lt (create_config_build (body, NULL, &cc, &err), 0);
  ck_assert_str_eq (berth_error_msg (&err), "no command specified");
  json_object_put (body);
}
END_TEST

static void
assert_refused (const char *body_text, const char *needle)
{
  json_object *body = parse (body_text);
  struct create_config cc;
  cleanup_error berth_error_t err = NULL;

  ck_assert_msg (create_config_build (body, busybox_like (), &cc, &err) < 0, "accepted: %s", body_text);
  ck_assert_int_eq (berth_error_code (&err), EINVAL);
  ck_assert_msg (strstr (berth_error_msg (&err), needle) != NULL, "`%s` lacks `%s`", berth_error_msg (&err), needle);
  json_object_put (body);
}

START_TEST (test_create_refusals)
{
  assert_refused ("{\"Image\":\"x\",\"HostConfig\":{\"VolumesFrom\":[\"c\"]}}", "HostConfig.VolumesFrom");
  assert_refused ("{\"Image\":\"x\",\"HostConfig\":{\"Binds\":[\"v:/\"]}}", "destination can't be '/'");
  assert_refused ("{\"Image\":\"x\",\"HostConfig\":{\"Binds\":[\"/a:/b\"],\"Tmpfs\":{\"/b\":\"\"}}}",
                  "Duplicate mount point: /b");
  assert_refused ("{\"Image\":\"x\",\"HostConfig\":{\"Mounts\":[{\"Type\":\"volume\",\"Target\":\"/v\","
                  "\"BindOptions\":{\"Propagation\":\"shared\"}}]}}",
                  "field BindOptions must not be specified");
  assert_refused ("{\"Image\":\"x\",\"HostConfig\":{\"Privileged\":true}}", "HostConfig.Privileged");
  assert_refused ("{\"Image\":\"x\",\"HostConfig\":{\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"99999\"}]}}}",
                  "invalid port specification");
  assert_refused ("{\"Image\":\"x\",\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"sometimes\"}}}",
                  "unknown policy 'sometimes'");
  assert_refused ("{\"Image\":\"x\",\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"always\",\"MaximumRetryCount\":2}}}",
                  "only be used with 'on-failure'");
  assert_refused ("{\"Image\":\"x\",\"HostConfig\":{\"MemorySwap\":1000000000}}", "set the Memory limit");
  assert_refused ("{\"Image\":\"x\",\"HostConfig\":{\"Memory\":100000000,\"MemorySwap\":10000000}}",
                  "larger than memory limit");
  assert_refused ("{\"Image\":\"x\",\"HostConfig\":{\"SecurityOpt\":[\"label=type:svirt\"]}}", "SELinux");
  assert_refused ("{\"Image\":\"x\",\"HostConfig\":{\"SecurityOpt\":[\"apparmor=docker\"]}}", "AppArmor");
  assert_refused ("{\"Image\":\"x\",\"HostConfig\":{\"SecurityOpt\":[\"bogus=1\"]}}", "invalid --security-opt");
  assert_refused ("{\"Image\":\"x\",\"HostConfig\":{\"SecurityOpt\":[\"seccomp={\\\"defaultAction\\\":1}\"]}}",
                  "seccomp");
  assert_refused ("{\"Image\":\"x\",\"HostConfig\":{\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":10,\"Hard\":5}]}}",
                  "soft limit must be less");
  assert_refused ("{\"Image\":\"x\",\"HostConfig\":{\"Ulimits\":[{\"Name\":\"bogus\",\"Soft\":1,\"Hard\":1}]}}",
                  "invalid ulimit type");
  /* container:<name|id> is taken (core/network/container-mode.c), with moby's conflicts */
  assert_refused ("{\"Image\":\"x\",\"Hostname\":\"h\",\"HostConfig\":{\"NetworkMode\":\"container:other\"}}",
                  "conflicting options: hostname and the network mode");
  assert_refused ("{\"Image\":\"x\",\"HostConfig\":{\"NetworkMode\":\"container:\"}}",
                  "invalid container format container:<name|id>");
  assert_refused ("{\"Image\":\"x\",\"HostConfig\":{\"ExtraHosts\":[\"nocolon\"]}}", "bad format for add-host");
  assert_refused ("{\"Image\":\"x\",\"HostConfig\":{\"PortBindings\":{\"80/sctp\":[{\"HostPort\":\"80\"}]}}}",
                  "invalid proto");
  assert_refused ("{\"Image\":\"x\",\"HostConfig\":{\"CapAdd\":[\"CAP_FLY\"]}}", "unknown capability");
  assert_refused ("{\"Image\":\"x\",\"HostConfig\":{\"Memory\":\"lots\"}}", "HostConfig.Memory");
  assert_refused ("{\"Image\":\"x\",\"Volumes\":{\"data\":{}}}", "mount path must be absolute");
  assert_refused ("{\"Image\":\"x\",\"Cmd\":\"ls\"}", "Config.Cmd");
  assert_refused ("{\"Image\":\"x\",\"Cmd\":[1]}", "Config.Cmd[0]");
  assert_refused ("{\"Image\":\"x\",\"WorkingDir\":\"rel\"}", "absolute path");
  assert_refused ("{\"Image\":\"x\",\"StopSignal\":\"SIGNOPE\"}", "invalid signal");
  assert_refused ("{\"Image\":\"x\",\"Frobnicate\":1}", "Config.Frobnicate");
}
END_TEST

/* ---- OCI spec ---- */

static struct container *
make_container (const char *dir, const char *body_text)
{
  json_object *body = parse (body_text);
  struct create_config cc;
  struct container *c = container_new (dir, NULL);
  cleanup_error berth_error_t err = NULL;

  ck_assert_msg (create_config_build (body, busybox_like (), &cc, &err) == 0, "%s", berth_error_msg (&err));
  c->name = xstrdup ("test_ctr");
  c->image = xstrdup ("busybox");
  c->image_id = xstrdup ("sha256:0000000000000000000000000000000000000000000000000000000000000000");
  c->config = steal_pointer (&cc.config);
  c->host_config = steal_pointer (&cc.host_config);
  c->path = steal_pointer (&cc.path);
  c->args = steal_pointer (&cc.args);
  c->rw_layer = xstrdup (c->id);
  create_config_clear (&cc);
  json_object_put (body);
  return c;
}

static bool
array_has (json_object *a, const char *s)
{
  for (size_t i = 0; i < json_object_array_length (a); i++)
    if (strcmp (json_object_get_string (json_object_array_get_idx (a, i)), s) == 0)
      return true;
  return false;
}

static json_object *
path (json_object *o, const char *a, const char *b)
{
  o = json_object_object_get (o, a);
  return b ? json_object_object_get (o, b) : o;
}

START_TEST (test_spec_defaults)
{
  struct container *c = make_container ("/tmp", "{\"Image\":\"busybox\",\"Cmd\":[\"echo\",\"hi\"],\"Env\":[\"X=1\"]}");
  struct container_user user = { .uid = 0, .gid = 0 };
  struct oci_spec_input in = { .c = c, .rootfs = "/tmp/rootfs", .user = &user, .cgroup_parent = "/berth" };
  json_object *spec = oci_spec_build (&in, NULL);
  json_object *caps = path (spec, "process", "capabilities");
  json_object *env = path (spec, "process", "env");
  json_object *lx = json_object_object_get (spec, "linux");
  json_object *mounts = json_object_object_get (spec, "mounts");
  cleanup_free char *short_id = xstrndup (c->id, 12);
  cleanup_free char *hn = xasprintf ("HOSTNAME=%s", short_id);
  const char *dests[] = { "/proc", "/dev", "/dev/pts", "/sys", "/sys/fs/cgroup", "/dev/mqueue", "/dev/shm",
                          "/etc/resolv.conf", "/etc/hostname", "/etc/hosts" };

  ck_assert_int_eq (json_object_array_length (json_object_object_get (caps, "bounding")), 14);
  ck_assert_int_eq (json_object_array_length (json_object_object_get (caps, "effective")), 14);
  ck_assert_int_eq (json_object_array_length (json_object_object_get (caps, "permitted")), 14);
  ck_assert_int_eq (json_object_array_length (json_object_object_get (caps, "inheritable")), 0);
  ck_assert_int_eq (json_object_array_length (json_object_object_get (caps, "ambient")), 0);
  ck_assert (array_has (json_object_object_get (caps, "bounding"), "CAP_AUDIT_WRITE"));
  ck_assert (!array_has (json_object_object_get (caps, "bounding"), "CAP_SYS_ADMIN"));
  ck_assert_str_eq (json_object_get_string (json_object_object_get (spec, "hostname")), short_id);
  ck_assert_str_eq (json_object_get_string (json_object_array_get_idx (env, 0)),
                    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  ck_assert (array_has (env, hn));
  ck_assert (array_has (env, "X=1"));
  ck_assert (array_has (env, "A=image"));
  ck_assert (!array_has (env, "TERM=xterm"));
  ck_assert_str_eq (json_object_get_string (path (spec, "process", "cwd")), "/srv");
  ck_assert (array_has (json_object_object_get (lx, "maskedPaths"), "/proc/kcore"));
  ck_assert (array_has (json_object_object_get (lx, "maskedPaths"), "/sys/firmware"));
  ck_assert (array_has (json_object_object_get (lx, "readonlyPaths"), "/proc/sysrq-trigger"));
  ck_assert_int_eq (json_object_array_length (json_object_object_get (lx, "namespaces")), 5);
  ck_assert_int_eq (json_object_array_length (mounts), 10);
  for (size_t i = 0; i < 10; i++)
    ck_assert_str_eq (json_object_get_string (json_object_object_get (json_object_array_get_idx (mounts, i),
                                                                      "destination")),
                      dests[i]);
  /* deny all, six allowed, fuse denied */
  ck_assert_int_eq (json_object_array_length (path (lx, "resources", "devices")), 8);
  ck_assert_str_eq (json_object_get_string (path (spec, "root", "path")), "/tmp/rootfs");
  json_object_put (spec);
  container_free (c);
}
END_TEST

START_TEST (test_spec_options)
{
  struct container *c = make_container (
      "/tmp", "{\"Image\":\"busybox\",\"Tty\":true,\"Hostname\":\"box\",\"HostConfig\":{\"CapDrop\":[\"ALL\"],"
              "\"CapAdd\":[\"CHOWN\"],\"NetworkMode\":\"host\",\"Memory\":8388608,\"NanoCpus\":500000000,"
              "\"PidsLimit\":64,\"ReadonlyRootfs\":true,\"ConsoleSize\":[24,80]}}");
  struct container_user user = { .uid = 1000, .gid = 100 };
  struct oci_spec_input in = { .c = c, .rootfs = "/r", .user = &user, .cgroup_parent = "/berth" };
  json_object *spec = oci_spec_build (&in, NULL);
  json_object *lx = json_object_object_get (spec, "linux");
  json_object *bounding = path (path (spec, "process", "capabilities"), "bounding", NULL);

  ck_assert_int_eq (json_object_array_length (bounding), 1);
  ck_assert (array_has (bounding, "CAP_CHOWN"));
  ck_assert (array_has (path (spec, "process", "env"), "TERM=xterm"));
  ck_assert (json_object_get_boolean (path (spec, "process", "terminal")));
  ck_assert_int_eq (json_object_get_int (path (path (spec, "process", "consoleSize"), "height", NULL)), 24);
  ck_assert_str_eq (json_object_get_string (json_object_object_get (spec, "hostname")), "box");
  ck_assert_int_eq (json_object_array_length (json_object_object_get (lx, "namespaces")), 4);
  ck_assert_int_eq (json_object_get_int64 (path (path (lx, "resources", "memory"), "limit", NULL)), 8388608);
  ck_assert_int_eq (json_object_get_int64 (path (path (lx, "resources", "cpu"), "quota", NULL)), 50000);
  ck_assert_int_eq (json_object_get_int64 (path (path (lx, "resources", "pids"), "limit", NULL)), 64);
  ck_assert (json_object_get_boolean (path (spec, "root", "readonly")));
  ck_assert_int_eq (json_object_get_int (path (path (spec, "process", "user"), "uid", NULL)), 1000);
  json_object_put (spec);
  container_free (c);
}
END_TEST

/* ---- records ---- */

START_TEST (test_record_roundtrip)
{
  cleanup_free char *root = tmpdir ();
  struct container *c = make_container (root, "{\"Image\":\"busybox\",\"Cmd\":[\"true\"]}");
  struct container *back;
  cleanup_error berth_error_t err = NULL;

  ck_assert_int_eq (berth_mkdir_p (c->dir, 0700, NULL), 0);
  c->status = CONTAINER_EXITED;
  c->exit_code = 3;
  ck_assert_int_eq (container_save_config (c, NULL), 0);
  ck_assert_int_eq (container_save_state (c, NULL), 0);
  back = container_load (c->dir, &err);
  ck_assert_msg (back != NULL, "%s", berth_error_msg (&err));
  ck_assert_str_eq (back->id, c->id);
  ck_assert_str_eq (back->name, "test_ctr");
  ck_assert_str_eq (back->path, "true");
  ck_assert_int_eq (back->status, CONTAINER_EXITED);
  ck_assert_int_eq (back->exit_code, 3);
  ck_assert_str_eq (back->started_at, container_zero_time);
  ck_assert_ptr_nonnull (back->config);
  container_free (back);
  /* a truncated state file is refused, not half-loaded */
  {
    cleanup_free char *st = xasprintf ("%s/state.json", c->dir);
    FILE *f = fopen (st, "w");
    fputs ("{\"Status\":", f);
    fclose (f);
    ck_assert_ptr_null (container_load (c->dir, NULL));
  }
  berth_rm_rf (root, NULL);
  container_free (c);
}
END_TEST

START_TEST (test_resolv_conf)
{
  cleanup_free char *a = container_resolv_conf ("nameserver 127.0.0.53\nsearch lan\n");
  cleanup_free char *b = container_resolv_conf ("nameserver 10.0.0.1\nnameserver ::1\n");

  ck_assert_str_eq (a, "search lan\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n");
  ck_assert_str_eq (b, "nameserver 10.0.0.1\n");
}
END_TEST

/* ---- users ---- */

START_TEST (test_user_resolve)
{
  cleanup_free char *root = tmpdir ();
  cleanup_free char *etc = xasprintf ("%s/etc", root);
  cleanup_free char *pw = xasprintf ("%s/etc/passwd", root);
  cleanup_free char *gr = xasprintf ("%s/etc/group", root);
  struct container_user u;
  cleanup_error berth_error_t err = NULL;
  const char *passwd = "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n";
  const char *group = "root:x:0:\nstaff:x:50:alice,bob\nalice:x:1000:\n";

  ck_assert_int_eq (berth_mkdir_p (etc, 0755, NULL), 0);
  ck_assert_int_eq (berth_write_file_atomic (pw, passwd, strlen (passwd), 0644, NULL), 0);
  ck_assert_int_eq (berth_write_file_atomic (gr, group, strlen (group), 0644, NULL), 0);
  ck_assert_int_eq (container_user_resolve (root, "", &u, NULL), 0);
  ck_assert_int_eq (u.uid, 0);
  container_user_clear (&u);
  ck_assert_int_eq (container_user_resolve (root, "alice", &u, NULL), 0);
  ck_assert_int_eq (u.uid, 1000);
  ck_assert_int_eq (u.gid, 1000);
  ck_assert_int_eq (u.n_groups, 1);
  ck_assert_int_eq (u.groups[0], 50);
  container_user_clear (&u);
  ck_assert_int_eq (container_user_resolve (root, "1000:staff", &u, NULL), 0);
  ck_assert_int_eq (u.gid, 50);
  container_user_clear (&u);
  ck_assert_int_eq (container_user_resolve (root, "4242:7", &u, NULL), 0);
  ck_assert_int_eq (u.uid, 4242);
  ck_assert_int_eq (u.gid, 7);
  container_user_clear (&u);
  ck_assert_int_lt (container_user_resolve (root, "mallory", &u, &err), 0);
  ck_assert_ptr_nonnull (strstr (berth_error_msg (&err), "unable to find user mallory"));
  /* /etc/passwd as a symlink out of the root resolves inside it */
  unlink (pw);
  ck_assert_int_eq (symlink ("/../../../../etc/shadow", pw), 0);
  ck_assert_int_eq (container_user_resolve (root, "0", &u, NULL), 0);
  container_user_clear (&u);
  berth_rm_rf (root, NULL);
}
END_TEST

static Suite *
container_suite (void)
{
  Suite *s = suite_create ("container");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_id_generate);
  tcase_add_test (tc, test_names);
  tcase_add_test (tc, test_create_merge);
  tcase_add_test (tc, test_create_entrypoint_rules);
  tcase_add_test (tc, test_create_refusals);
  tcase_add_test (tc, test_spec_defaults);
  tcase_add_test (tc, test_spec_options);
  tcase_add_test (tc, test_record_roundtrip);
  tcase_add_test (tc, test_resolv_conf);
  tcase_add_test (tc, test_user_resolve);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (container_suite ());
  int failed;

  srunner_run_all (sr, CK_ENV);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? 0 : 1;
}
