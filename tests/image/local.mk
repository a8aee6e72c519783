# tests/image: Check suites for core/image, and the hostile tar fixtures.
if HAVE_CHECK
image_test_cflags = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS) $(ARCHIVE_CFLAGS)
image_test_ldadd = core/libberth-core.la $(CHECK_LIBS)

image_tests = \
	tests/image/test-digest \
	tests/image/test-reference \
	tests/image/test-store \
	tests/image/test-manifest \
	tests/image/test-hostile \
	tests/image/test-layer
check_PROGRAMS += $(image_tests)
TESTS += $(image_tests)

tests_image_test_digest_SOURCES = tests/image/test-digest.c
tests_image_test_digest_CFLAGS = $(image_test_cflags)
tests_image_test_digest_LDADD = $(image_test_ldadd)

tests_image_test_reference_SOURCES = tests/image/test-reference.c
tests_image_test_reference_CFLAGS = $(image_test_cflags)
tests_image_test_reference_LDADD = $(image_test_ldadd)

tests_image_test_store_SOURCES = tests/image/test-store.c
tests_image_test_store_CFLAGS = $(image_test_cflags)
tests_image_test_store_LDADD = $(image_test_ldadd)

tests_image_test_manifest_SOURCES = tests/image/test-manifest.c
tests_image_test_manifest_CFLAGS = $(image_test_cflags)
tests_image_test_manifest_LDADD = $(image_test_ldadd)

# shared by the layer tests and the hostile tar generator
check_LTLIBRARIES += tests/image/libtarbuild.la
tests_image_libtarbuild_la_SOURCES = tests/image/tar-build.c tests/image/tar-build.h \
	tests/fixtures/hostile-tars/hostile-cases.c tests/fixtures/hostile-tars/hostile-cases.h
tests_image_libtarbuild_la_CFLAGS = $(AM_CFLAGS) $(ARCHIVE_CFLAGS)
tests_image_libtarbuild_la_LIBADD = $(ARCHIVE_LIBS)

tests_image_test_hostile_SOURCES = tests/image/test-hostile.c
tests_image_test_hostile_CFLAGS = $(image_test_cflags)
tests_image_test_hostile_LDADD = tests/image/libtarbuild.la $(image_test_ldadd)

tests_image_test_layer_SOURCES = tests/image/test-layer.c
tests_image_test_layer_CFLAGS = $(image_test_cflags)
tests_image_test_layer_LDADD = tests/image/libtarbuild.la $(image_test_ldadd)

check_PROGRAMS += tests/fixtures/hostile-tars/gen-hostile-tars
tests_fixtures_hostile_tars_gen_hostile_tars_SOURCES = tests/fixtures/hostile-tars/gen-hostile-tars.c
tests_fixtures_hostile_tars_gen_hostile_tars_CFLAGS = $(AM_CFLAGS) $(ARCHIVE_CFLAGS)
tests_fixtures_hostile_tars_gen_hostile_tars_LDADD = tests/image/libtarbuild.la
TESTS += tests/image/gen-hostile-tars.sh
EXTRA_DIST += tests/image/gen-hostile-tars.sh
endif
