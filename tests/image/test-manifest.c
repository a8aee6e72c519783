#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/image/image-config.h"
#include "core/image/manifest.h"
#include "core/lib/mem.h"

#define DA "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define DB "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define DC "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

static const char config_json[]
    = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-01-01T00:00:00Z\","
      "\"config\":{\"User\":\"1000:1000\",\"Env\":[\"PATH=/usr/bin\",\"A=b c\"],\"Cmd\":[\"sh\"],"
      "\"Entrypoint\":[\"/init\"],\"WorkingDir\":\"/srv\",\"Labels\":{\"a\":\"1\",\"b\":\"2\"},"
      "\"ExposedPorts\":{\"80/tcp\":{},\"53/udp\":{}},\"Volumes\":{\"/data\":{}},\"StopSignal\":\"SIGQUIT\","
      "\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],\"Interval\":1000000000,\"Retries\":3},\"Shell\":[\"/bin/"
      "sh\",\"-c\"]},"
      "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" DA "\",\"" DB "\"]},"
      "\"history\":[{\"created\":\"2024-01-01T00:00:00Z\",\"created_by\":\"ADD x /\"},"
      "{\"created_by\":\"CMD sh\",\"empty_layer\":true},{\"created_by\":\"RUN y\"}],"
      "\"container_config\":{\"ignored\":true},\"docker_version\":\"old\"}";

START_TEST (test_config_parse)
{
  cleanup_image_config struct image_config *c = NULL;
  berth_error_t err = NULL;

  ck_assert_msg (image_config_parse (config_json, strlen (config_json), &c, &err) == 0, "%s",
                 err ? berth_error_msg (&err) : "");
  ck_assert_str_eq (c->architecture, "amd64");
  ck_assert_str_eq (c->os, "linux");
  ck_assert_str_eq (c->config.user, "1000:1000");
  ck_assert_str_eq (c->config.env[1], "A=b c");
  ck_assert_str_eq (c->config.cmd[0], "sh");
  ck_assert_str_eq (c->config.entrypoint[0], "/init");
  ck_assert_str_eq (c->config.working_dir, "/srv");
  ck_assert_uint_eq (c->config.n_labels, 2);
  ck_assert_str_eq (image_kv_get (c->config.labels, c->config.n_labels, "b"), "2");
  ck_assert_str_eq (c->config.exposed_ports[0], "80/tcp");
  ck_assert_str_eq (c->config.exposed_ports[1], "53/udp");
  ck_assert_str_eq (c->config.volumes[0], "/data");
  ck_assert_str_eq (c->config.stop_signal, "SIGQUIT");
  ck_assert_int_eq (c->config.healthcheck.retries, 3);
  ck_assert_int_eq (c->config.healthcheck.interval, 1000000000);
  ck_assert_uint_eq (image_config_n_layers (c), 2);
  ck_assert_uint_eq (c->n_history, 3);
  ck_assert (c->history[1].empty_layer);
  ck_assert_str_eq (c->history[2].created_by, "RUN y");
}
END_TEST

START_TEST (test_config_roundtrip)
{
  cleanup_image_config struct image_config *c = NULL;
  cleanup_image_config struct image_config *c2 = NULL;
  cleanup_free char *out = NULL;
  cleanup_free char *out2 = NULL;
  size_t len, len2;

  ck_assert_int_eq (image_config_parse (config_json, strlen (config_json), &c, NULL), 0);
  out = image_config_emit (c, &len);
  ck_assert_ptr_null (strstr (out, "container_config"));
  ck_assert_ptr_nonnull (strstr (out, "\"ExposedPorts\":{\"80/tcp\":{},\"53/udp\":{}}"));
  ck_assert_ptr_nonnull (strstr (out, "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" DA "\",\"" DB "\"]}"));
  ck_assert_ptr_null (strstr (out, "\\/"));
  ck_assert_int_eq (image_config_parse (out, len, &c2, NULL), 0);
  out2 = image_config_emit (c2, &len2);
  ck_assert_str_eq (out, out2);
  ck_assert_str_eq (c2->config.healthcheck.test[1], "true");
}
END_TEST

static const struct
{
  const char *json;
  const char *msg;
} bad_configs[] = {
  { "", "unexpected end" },
  { "[]", "expected a JSON object" },
  { "{\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}", "missing field `architecture`" },
  { "{\"architecture\":\"amd64\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}", "missing field `os`" },
  { "{\"architecture\":\"amd64\",\"os\":\"linux\"}", "missing field `rootfs`" },
  { "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"x\",\"diff_ids\":[]}}", "rootfs.type" },
  { "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:12\"]}}",
    "diff_ids[0]" },
  { "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[1]}}",
    "array of strings" },
  { "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":\"x\"},\"rootfs\":{\"type\":\"layers\"}}",
    "field `Env` must be an array" },
  { "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Labels\":{\"a\":1}},\"rootfs\":{\"type\":\"layers\"}}",
    "`Labels`.`a` must be a string" },
  { "{\"architecture\":1,\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\"}}", "`architecture` must be a string" },
  { "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\"},\"history\":[1]}",
    "history[0] must be an object" },
  { "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\"}} x", "invalid JSON" },
};

START_TEST (test_config_bad)
{
  struct image_config *c = NULL;
  berth_error_t err = NULL;

  ck_assert_int_lt (image_config_parse (bad_configs[_i].json, strlen (bad_configs[_i].json), &c, &err), 0);
  ck_assert_msg (strstr (berth_error_msg (&err), bad_configs[_i].msg) != NULL, "case %d: `%s` lacks `%s`", _i,
                 berth_error_msg (&err), bad_configs[_i].msg);
  ck_assert_ptr_null (c);
  berth_error_release (&err);
}
END_TEST

START_TEST (test_chain_ids)
{
  cleanup_strv char **chain = NULL;
  char *diffs[] = { DA, DB, DC, NULL };
  char expect[DIGEST_BUF_SIZE];

  ck_assert_int_eq (image_chain_ids (diffs, &chain, NULL), 0);
  ck_assert_str_eq (chain[0], DA);
  ck_assert_int_eq (digest_chain_id (DA, DB, expect, NULL), 0);
  ck_assert_str_eq (chain[1], expect);
  ck_assert_int_eq (digest_chain_id (expect, DC, expect, NULL), 0);
  ck_assert_str_eq (chain[2], expect);
  ck_assert_ptr_null (chain[3]);
}
END_TEST

static const char docker_manifest[]
    = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
      "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":1457,\"digest\":\"" DA
      "\"},"
      "\"layers\":[{\"mediaType\":\"application/"
      "vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":2152262,\"digest\":\"" DB "\"}]}";

static const char oci_manifest[]
    = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
      "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":10,\"digest\":\"" DA "\"},"
      "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"size\":1,\"digest\":\"" DB "\"},"
      "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+zstd\",\"size\":2,\"digest\":\"" DC "\","
      "\"annotations\":{\"k\":\"v\"},\"urls\":[\"https://x/y\"]}],"
      "\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}}";

static const char oci_index[]
    = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
      "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" DA "\",\"size\":100,"
      "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
      "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" DB "\",\"size\":100,"
      "\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}},"
      "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" DC "\",\"size\":100,"
      "\"annotations\":{\"vnd.docker.reference.type\":\"attestation-manifest\"},"
      "\"platform\":{\"architecture\":\"unknown\",\"os\":\"unknown\"}},"
      "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" DC "\",\"size\":100,"
      "\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v6\"}},"
      "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" DA "\",\"size\":100,"
      "\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\"}}]}";

START_TEST (test_manifest_docker)
{
  cleanup_manifest struct image_manifest *m = NULL;
  berth_error_t err = NULL;

  ck_assert_msg (manifest_parse (docker_manifest, strlen (docker_manifest), MEDIA_TYPE_DOCKER_MANIFEST, &m, &err) == 0,
                 "%s", err ? berth_error_msg (&err) : "");
  ck_assert_int_eq (m->kind, MANIFEST_KIND_DOCKER_MANIFEST);
  ck_assert (!manifest_is_index (m));
  ck_assert_str_eq (m->config.digest, DA);
  ck_assert_int_eq (m->config.size, 1457);
  ck_assert_uint_eq (m->n_layers, 1);
  ck_assert_int_eq (m->layers[0].size, 2152262);
  ck_assert_int_eq (manifest_check_image (m, NULL), 0);
  ck_assert_int_eq (media_type_layer_compression (m->layers[0].media_type), LAYER_COMPRESSION_GZIP);
}
END_TEST

START_TEST (test_manifest_oci_roundtrip)
{
  cleanup_manifest struct image_manifest *m = NULL;
  cleanup_manifest struct image_manifest *m2 = NULL;
  cleanup_free char *out = NULL;
  cleanup_free char *out2 = NULL;
  size_t len, len2;

  /* Content-Type with parameters; no Content-Type at all */
  ck_assert_int_eq (manifest_parse (oci_manifest, strlen (oci_manifest),
                                    "application/vnd.oci.image.manifest.v1+json; charset=utf-8", &m, NULL),
                    0);
  ck_assert_int_eq (m->kind, MANIFEST_KIND_OCI_MANIFEST);
  ck_assert_uint_eq (m->n_layers, 2);
  ck_assert_str_eq (m->layers[1].urls[0], "https://x/y");
  ck_assert_str_eq (image_kv_get (m->annotations, m->n_annotations, "org.opencontainers.image.ref.name"), "latest");
  ck_assert_int_eq (media_type_layer_compression (m->layers[1].media_type), LAYER_COMPRESSION_ZSTD);
  out = manifest_emit (m, &len);
  ck_assert_int_eq (manifest_parse (out, len, NULL, &m2, NULL), 0);
  out2 = manifest_emit (m2, &len2);
  ck_assert_str_eq (out, out2);
  ck_assert (strncmp (out, "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"", 74)
             == 0);
}
END_TEST

START_TEST (test_index_select)
{
  cleanup_manifest struct image_manifest *m = NULL;
  berth_error_t err = NULL;

  ck_assert_int_eq (manifest_parse (oci_index, strlen (oci_index), MEDIA_TYPE_OCI_INDEX, &m, NULL), 0);
  ck_assert (manifest_is_index (m));
  ck_assert_uint_eq (m->n_manifests, 5);
  ck_assert_int_eq (manifest_index_select (m, "linux", "amd64", NULL, NULL), 0);
  ck_assert_int_eq (manifest_index_select (m, "linux", "arm64", NULL, NULL), 1);
  ck_assert_int_eq (manifest_index_select (m, "linux", "arm64", "v8", NULL), 1);
  ck_assert_int_eq (manifest_index_select (m, "linux", "arm", "v6", NULL), 3);
  ck_assert_int_eq (manifest_index_select (m, "linux", "arm", NULL, NULL), 4);
  ck_assert_int_eq (manifest_index_select (m, "unknown", "unknown", NULL, &err), -ENOENT);
  berth_error_release (&err);
  ck_assert_int_eq (manifest_index_select (m, "linux", "s390x", NULL, &err), -ENOENT);
  ck_assert_ptr_nonnull (strstr (berth_error_msg (&err), "no matching manifest for linux/s390x"));
  ck_assert_ptr_nonnull (strstr (berth_error_msg (&err), "linux/arm64/v8"));
  berth_error_release (&err);
  ck_assert_int_lt (manifest_check_image (m, &err), 0);
  berth_error_release (&err);
}
END_TEST

START_TEST (test_kind_by_shape)
{
  static const char idx[] = "{\"schemaVersion\":2,\"manifests\":[]}";
  static const char man[]
      = "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
        "\"size\":2,\"digest\":\"" DA "\"},\"layers\":[]}";
  cleanup_manifest struct image_manifest *a = NULL;
  cleanup_manifest struct image_manifest *b = NULL;
  cleanup_manifest struct image_manifest *c = NULL;

  ck_assert_int_eq (manifest_parse (idx, strlen (idx), NULL, &a, NULL), 0);
  ck_assert_int_eq (a->kind, MANIFEST_KIND_OCI_INDEX);
  ck_assert_int_eq (manifest_parse (man, strlen (man), "application/json", &b, NULL), 0);
  ck_assert_int_eq (b->kind, MANIFEST_KIND_OCI_MANIFEST);
  ck_assert_int_eq (manifest_parse (man, strlen (man), MEDIA_TYPE_OCI_MANIFEST, &c, NULL), 0);
}
END_TEST

static const struct
{
  const char *json;
  const char *content_type;
  const char *msg;
} bad_manifests[] = {
  { "{\"schemaVersion\":1,\"name\":\"x\"}", NULL, "schema1" },
  { "{}", MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED, "schema1" },
  { "{\"schemaVersion\":3}", NULL, "schemaVersion must be 2" },
  { "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}", NULL, "missing field `schemaVersion`" },
  { "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"manifests\":[]}",
    MEDIA_TYPE_OCI_INDEX, "does not match Content-Type" },
  { "{\"schemaVersion\":2,\"mediaType\":\"text/html\"}", NULL, "unsupported mediaType" },
  { "{\"schemaVersion\":2,\"config\":{},\"layers\":[]}", MEDIA_TYPE_DOCKER_MANIFEST, "has no mediaType" },
  { "{\"schemaVersion\":2}", NULL, "neither a manifest nor an index" },
  { "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"layers\":[]}", NULL,
    "missing field `config`" },
  { "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
    "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":2,\"digest\":\"" DA "\"}}",
    NULL, "missing field `layers`" },
  { "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
    "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":2,\"digest\":\"sha256:xyz\"},"
    "\"layers\":[]}",
    NULL, "manifest: config: invalid digest" },
  { "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
    "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":-1,\"digest\":\"" DA "\"},"
    "\"layers\":[]}",
    NULL, "size must not be negative" },
  { "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
    "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":\"2\",\"digest\":\"" DA "\"},"
    "\"layers\":[]}",
    NULL, "`size` must be an integer" },
  { "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
    "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":99999999999999999999999,"
    "\"digest\":\"" DA "\"},\"layers\":[]}",
    NULL, "" },
  { "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
    "\"config\":{\"mediaType\":\"bogus\",\"size\":2,\"digest\":\"" DA "\"},\"layers\":[]}",
    NULL, "invalid mediaType `bogus`" },
  { "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
    "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":2,\"digest\":\"" DA "\"},"
    "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"size\":1}]}",
    NULL, "layers[0]: missing field `digest`" },
  { "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
    "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":2,\"digest\":\"" DA "\"},"
    "\"layers\":[]}",
    NULL, "Docker manifest config mediaType must be" },
  { "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{"
    "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"size\":2,\"digest\":\"" DA "\","
    "\"platform\":{\"os\":\"linux\"}}]}",
    NULL, "missing field `architecture`" },
  { "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[],"
    "\"layers\":[]}",
    NULL, "must not have config or layers" },
};

START_TEST (test_manifest_bad)
{
  struct image_manifest *m = NULL;
  berth_error_t err = NULL;

  ck_assert_msg (
      manifest_parse (bad_manifests[_i].json, strlen (bad_manifests[_i].json), bad_manifests[_i].content_type, &m, &err)
          < 0,
      "case %d parsed", _i);
  ck_assert_msg (strstr (berth_error_msg (&err), bad_manifests[_i].msg) != NULL, "case %d: `%s` lacks `%s`", _i,
                 berth_error_msg (&err), bad_manifests[_i].msg);
  ck_assert_ptr_null (m);
  berth_error_release (&err);
}
END_TEST

START_TEST (test_check_image)
{
  static const char artifact[]
      = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        "\"config\":{\"mediaType\":\"application/vnd.cncf.helm.config.v1+json\",\"size\":2,\"digest\":\"" DA "\"},"
        "\"layers\":[]}";
  static const char oddlayer[]
      = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":2,\"digest\":\"" DA "\"},"
        "\"layers\":[{\"mediaType\":\"application/vnd.in-toto+json\",\"size\":1,\"digest\":\"" DB "\"}]}";
  cleanup_manifest struct image_manifest *a = NULL;
  cleanup_manifest struct image_manifest *b = NULL;
  berth_error_t err = NULL;

  ck_assert_int_eq (manifest_parse (artifact, strlen (artifact), NULL, &a, NULL), 0);
  ck_assert_int_lt (manifest_check_image (a, &err), 0);
  ck_assert_ptr_nonnull (strstr (berth_error_msg (&err), "not a container image"));
  berth_error_release (&err);
  ck_assert_int_eq (manifest_parse (oddlayer, strlen (oddlayer), NULL, &b, NULL), 0);
  ck_assert_int_lt (manifest_check_image (b, &err), 0);
  ck_assert_ptr_nonnull (strstr (berth_error_msg (&err), "layers[0]: unsupported layer mediaType"));
  berth_error_release (&err);
  ck_assert_int_eq (media_type_layer_compression (MEDIA_TYPE_OCI_LAYER), LAYER_COMPRESSION_NONE);
  ck_assert_int_lt (media_type_layer_compression ("application/x-tar"), 0);
}
END_TEST

static Suite *
manifest_suite (void)
{
  Suite *s = suite_create ("manifest");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_config_parse);
  tcase_add_test (tc, test_config_roundtrip);
  tcase_add_loop_test (tc, test_config_bad, 0, sizeof (bad_configs) / sizeof (bad_configs[0]));
  tcase_add_test (tc, test_chain_ids);
  tcase_add_test (tc, test_manifest_docker);
  tcase_add_test (tc, test_manifest_oci_roundtrip);
  tcase_add_test (tc, test_index_select);
  tcase_add_test (tc, test_kind_by_shape);
  tcase_add_loop_test (tc, test_manifest_bad, 0, sizeof (bad_manifests) / sizeof (bad_manifests[0]));
  tcase_add_test (tc, test_check_image);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (manifest_suite ());
  int failed;

  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
