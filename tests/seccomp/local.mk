# tests/seccomp: the profile converter (Check) and the P4 matrix (root).
if HAVE_CHECK
check_PROGRAMS += tests/seccomp/test-profile
TESTS += tests/seccomp/test-profile
endif
tests_seccomp_test_profile_SOURCES = tests/seccomp/test-profile.c
tests_seccomp_test_profile_CPPFLAGS = $(AM_CPPFLAGS) -DTOP_SRCDIR='"$(abs_top_srcdir)"'
tests_seccomp_test_profile_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS) $(SECCOMP_CFLAGS)
tests_seccomp_test_profile_LDADD = core/libberth-runtime.la $(CHECK_LIBS) $(SECCOMP_LIBS)

check_PROGRAMS += tests/seccomp/seccomp-convert
tests_seccomp_seccomp_convert_SOURCES = tests/seccomp/seccomp-convert.c
tests_seccomp_seccomp_convert_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
tests_seccomp_seccomp_convert_LDADD = core/libberth-core.la

TESTS += tests/seccomp/matrix.sh
EXTRA_DIST += tests/seccomp/matrix.sh tests/seccomp/matrix-helper.c
# precompiled filters: read back == compiled, stale/torn/untrusted files refused
if HAVE_CHECK
check_PROGRAMS += tests/seccomp/test-seccomp-file
TESTS += tests/seccomp/test-seccomp-file
endif
tests_seccomp_test_seccomp_file_SOURCES = tests/seccomp/test-seccomp-file.c
tests_seccomp_test_seccomp_file_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS) $(SECCOMP_CFLAGS)
tests_seccomp_test_seccomp_file_LDADD = core/libberth-runtime.la $(CHECK_LIBS) $(SECCOMP_LIBS)
