# tests/runtime: Check units for the runtime library, and root-only integration scripts.
if HAVE_CHECK
check_PROGRAMS += tests/runtime/test-spec
TESTS += tests/runtime/test-spec
endif
tests_runtime_test_spec_SOURCES = tests/runtime/test-spec.c
tests_runtime_test_spec_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS) $(SECCOMP_CFLAGS)
tests_runtime_test_spec_LDADD = core/libberth-runtime.la $(CHECK_LIBS)
