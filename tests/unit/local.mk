# Unit tests (Check): config, plugin loader and host services, and the driver
# conformance suites, run against every in-tree plugin by conformance.sh.
EXTRA_DIST += tests/unit/conformance.sh

if HAVE_CHECK
unit_test_cflags = $(AM_CFLAGS) $(CHECK_CFLAGS)
unit_test_ldadd = tests/unit/libtestutil.la core/libberth-core.la $(CHECK_LIBS)

check_LTLIBRARIES += tests/unit/libtestutil.la
tests_unit_libtestutil_la_SOURCES = tests/unit/testutil.c tests/unit/testutil.h
tests_unit_libtestutil_la_CFLAGS = $(unit_test_cflags)

check_PROGRAMS += tests/unit/test-config
TESTS += tests/unit/test-config
tests_unit_test_config_SOURCES = tests/unit/test-config.c
tests_unit_test_config_CFLAGS = $(unit_test_cflags)
tests_unit_test_config_LDADD = $(unit_test_ldadd)

# Purpose-made plugins for test-loader: one defect each (see bad-plugin.c).
test_plugin_ldflags = -module -avoid-version -shared -rpath /nowhere
check_LTLIBRARIES += \
	tests/unit/plugins/test-good.la \
	tests/unit/plugins/bad-abi-major.la \
	tests/unit/plugins/bad-abi-minor.la \
	tests/unit/plugins/bad-struct-size.la \
	tests/unit/plugins/bad-unknown-kind.la \
	tests/unit/plugins/bad-name.la \
	tests/unit/plugins/dup-1.la \
	tests/unit/plugins/dup-2.la \
	tests/unit/plugins/bad-ops-size.la \
	tests/unit/plugins/bad-missing-op.la \
	tests/unit/plugins/bad-validate.la \
	tests/unit/plugins/bad-probe.la \
	tests/unit/plugins/bad-init.la \
	tests/unit/plugins/bad-no-symbol.la \
	tests/unit/plugins/bad-null-descriptor.la \
	tests/unit/plugins/bad-undefined.la
tests_unit_plugins_test_good_la_SOURCES = tests/unit/plugins/bad-plugin.c
tests_unit_plugins_test_good_la_CPPFLAGS = $(AM_CPPFLAGS) -DPLUGIN_NAME='"test-good"'
tests_unit_plugins_test_good_la_CFLAGS = $(berth_plugin_cflags)
tests_unit_plugins_test_good_la_LDFLAGS = $(test_plugin_ldflags)
tests_unit_plugins_bad_abi_major_la_SOURCES = tests/unit/plugins/bad-plugin.c
tests_unit_plugins_bad_abi_major_la_CPPFLAGS = $(AM_CPPFLAGS) -DPLUGIN_NAME='"abi-major"' -DBAD_ABI_MAJOR
tests_unit_plugins_bad_abi_major_la_CFLAGS = $(berth_plugin_cflags)
tests_unit_plugins_bad_abi_major_la_LDFLAGS = $(test_plugin_ldflags)
tests_unit_plugins_bad_abi_minor_la_SOURCES = tests/unit/plugins/bad-plugin.c
tests_unit_plugins_bad_abi_minor_la_CPPFLAGS = $(AM_CPPFLAGS) -DPLUGIN_NAME='"abi-minor"' -DBAD_ABI_MINOR
tests_unit_plugins_bad_abi_minor_la_CFLAGS = $(berth_plugin_cflags)
tests_unit_plugins_bad_abi_minor_la_LDFLAGS = $(test_plugin_ldflags)
tests_unit_plugins_bad_struct_size_la_SOURCES = tests/unit/plugins/bad-plugin.c
tests_unit_plugins_bad_struct_size_la_CPPFLAGS = $(AM_CPPFLAGS) -DPLUGIN_NAME='"struct-size"' -DBAD_STRUCT_SIZE
tests_unit_plugins_bad_struct_size_la_CFLAGS = $(berth_plugin_cflags)
tests_unit_plugins_bad_struct_size_la_LDFLAGS = $(test_plugin_ldflags)
tests_unit_plugins_bad_unknown_kind_la_SOURCES = tests/unit/plugins/bad-plugin.c
tests_unit_plugins_bad_unknown_kind_la_CPPFLAGS = $(AM_CPPFLAGS) -DPLUGIN_NAME='"unknown-kind"' -DBAD_UNKNOWN_KIND
tests_unit_plugins_bad_unknown_kind_la_CFLAGS = $(berth_plugin_cflags)
tests_unit_plugins_bad_unknown_kind_la_LDFLAGS = $(test_plugin_ldflags)
tests_unit_plugins_bad_name_la_SOURCES = tests/unit/plugins/bad-plugin.c
tests_unit_plugins_bad_name_la_CPPFLAGS = $(AM_CPPFLAGS) -DPLUGIN_NAME='"Bad Name!"'
tests_unit_plugins_bad_name_la_CFLAGS = $(berth_plugin_cflags)
tests_unit_plugins_bad_name_la_LDFLAGS = $(test_plugin_ldflags)
tests_unit_plugins_dup_1_la_SOURCES = tests/unit/plugins/bad-plugin.c
tests_unit_plugins_dup_1_la_CPPFLAGS = $(AM_CPPFLAGS) -DPLUGIN_NAME='"dup"'
tests_unit_plugins_dup_1_la_CFLAGS = $(berth_plugin_cflags)
tests_unit_plugins_dup_1_la_LDFLAGS = $(test_plugin_ldflags)
tests_unit_plugins_dup_2_la_SOURCES = tests/unit/plugins/bad-plugin.c
tests_unit_plugins_dup_2_la_CPPFLAGS = $(AM_CPPFLAGS) -DPLUGIN_NAME='"dup"'
tests_unit_plugins_dup_2_la_CFLAGS = $(berth_plugin_cflags)
tests_unit_plugins_dup_2_la_LDFLAGS = $(test_plugin_ldflags)
tests_unit_plugins_bad_ops_size_la_SOURCES = tests/unit/plugins/bad-plugin.c
tests_unit_plugins_bad_ops_size_la_CPPFLAGS = $(AM_CPPFLAGS) -DPLUGIN_NAME='"ops-size"' -DBAD_OPS_SIZE
tests_unit_plugins_bad_ops_size_la_CFLAGS = $(berth_plugin_cflags)
tests_unit_plugins_bad_ops_size_la_LDFLAGS = $(test_plugin_ldflags)
tests_unit_plugins_bad_missing_op_la_SOURCES = tests/unit/plugins/bad-plugin.c
tests_unit_plugins_bad_missing_op_la_CPPFLAGS = $(AM_CPPFLAGS) -DPLUGIN_NAME='"missing-op"' -DBAD_MISSING_OP
tests_unit_plugins_bad_missing_op_la_CFLAGS = $(berth_plugin_cflags)
tests_unit_plugins_bad_missing_op_la_LDFLAGS = $(test_plugin_ldflags)
tests_unit_plugins_bad_validate_la_SOURCES = tests/unit/plugins/bad-plugin.c
tests_unit_plugins_bad_validate_la_CPPFLAGS = $(AM_CPPFLAGS) -DPLUGIN_NAME='"validate"' -DBAD_VALIDATE
tests_unit_plugins_bad_validate_la_CFLAGS = $(berth_plugin_cflags)
tests_unit_plugins_bad_validate_la_LDFLAGS = $(test_plugin_ldflags)
tests_unit_plugins_bad_probe_la_SOURCES = tests/unit/plugins/bad-plugin.c
tests_unit_plugins_bad_probe_la_CPPFLAGS = $(AM_CPPFLAGS) -DPLUGIN_NAME='"probe"' -DBAD_PROBE
tests_unit_plugins_bad_probe_la_CFLAGS = $(berth_plugin_cflags)
tests_unit_plugins_bad_probe_la_LDFLAGS = $(test_plugin_ldflags)
tests_unit_plugins_bad_init_la_SOURCES = tests/unit/plugins/bad-plugin.c
tests_unit_plugins_bad_init_la_CPPFLAGS = $(AM_CPPFLAGS) -DPLUGIN_NAME='"init"' -DBAD_INIT
tests_unit_plugins_bad_init_la_CFLAGS = $(berth_plugin_cflags)
tests_unit_plugins_bad_init_la_LDFLAGS = $(test_plugin_ldflags)
tests_unit_plugins_bad_no_symbol_la_SOURCES = tests/unit/plugins/bad-plugin.c
tests_unit_plugins_bad_no_symbol_la_CPPFLAGS = $(AM_CPPFLAGS) -DPLUGIN_NAME='"no-symbol"' -DBAD_NO_SYMBOL
tests_unit_plugins_bad_no_symbol_la_CFLAGS = $(berth_plugin_cflags)
tests_unit_plugins_bad_no_symbol_la_LDFLAGS = $(test_plugin_ldflags)
tests_unit_plugins_bad_null_descriptor_la_SOURCES = tests/unit/plugins/bad-plugin.c
tests_unit_plugins_bad_null_descriptor_la_CPPFLAGS = $(AM_CPPFLAGS) -DPLUGIN_NAME='"null-descriptor"' -DBAD_NULL_DESCRIPTOR
tests_unit_plugins_bad_null_descriptor_la_CFLAGS = $(berth_plugin_cflags)
tests_unit_plugins_bad_null_descriptor_la_LDFLAGS = $(test_plugin_ldflags)
tests_unit_plugins_bad_undefined_la_SOURCES = tests/unit/plugins/bad-plugin.c
tests_unit_plugins_bad_undefined_la_CPPFLAGS = $(AM_CPPFLAGS) -DPLUGIN_NAME='"undefined"' -DBAD_UNDEFINED
tests_unit_plugins_bad_undefined_la_CFLAGS = $(berth_plugin_cflags)
tests_unit_plugins_bad_undefined_la_LDFLAGS = $(test_plugin_ldflags)

check_PROGRAMS += tests/unit/test-loader
TESTS += tests/unit/test-loader
tests_unit_test_loader_SOURCES = tests/unit/test-loader.c
tests_unit_test_loader_CFLAGS = $(unit_test_cflags)
tests_unit_test_loader_LDADD = $(unit_test_ldadd)

# Conformance suites: one program per driver kind, run by conformance.sh.
check_PROGRAMS += \
	tests/unit/conformance-storage \
	tests/unit/conformance-network \
	tests/unit/conformance-volume \
	tests/unit/conformance-log
TESTS += tests/unit/conformance.sh
conformance_sources = tests/unit/conformance.c tests/unit/conformance.h
tests_unit_conformance_storage_SOURCES = tests/unit/conformance-storage.c $(conformance_sources)
tests_unit_conformance_storage_CFLAGS = $(unit_test_cflags)
tests_unit_conformance_storage_LDADD = $(unit_test_ldadd)
tests_unit_conformance_network_SOURCES = tests/unit/conformance-network.c $(conformance_sources)
tests_unit_conformance_network_CFLAGS = $(unit_test_cflags)
tests_unit_conformance_network_LDADD = $(unit_test_ldadd)
tests_unit_conformance_volume_SOURCES = tests/unit/conformance-volume.c $(conformance_sources)
tests_unit_conformance_volume_CFLAGS = $(unit_test_cflags)
tests_unit_conformance_volume_LDADD = $(unit_test_ldadd)
tests_unit_conformance_log_SOURCES = tests/unit/conformance-log.c $(conformance_sources)
tests_unit_conformance_log_CFLAGS = $(unit_test_cflags)
tests_unit_conformance_log_LDADD = $(unit_test_ldadd)

# Not a test: timed by bench/storage.sh.
check_PROGRAMS += tests/unit/storage-bench
tests_unit_storage_bench_SOURCES = tests/unit/storage-bench.c
tests_unit_storage_bench_LDADD = core/libberth-core.la

check_PROGRAMS += tests/unit/test-json-file
TESTS += tests/unit/test-json-file
tests_unit_test_json_file_SOURCES = tests/unit/test-json-file.c $(conformance_sources)
tests_unit_test_json_file_CFLAGS = $(unit_test_cflags) $(JSONC_CFLAGS)
tests_unit_test_json_file_LDADD = $(unit_test_ldadd) -lpthread
endif
