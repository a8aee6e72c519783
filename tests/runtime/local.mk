# tests/runtime: Check units for the runtime library, and root-only integration scripts.
if HAVE_CHECK
check_PROGRAMS += tests/runtime/test-spec tests/runtime/test-helpers
TESTS += tests/runtime/test-spec tests/runtime/test-helpers
endif
tests_runtime_test_spec_SOURCES = tests/runtime/test-spec.c
tests_runtime_test_spec_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS) $(SECCOMP_CFLAGS)
tests_runtime_test_spec_LDADD = core/libberth-runtime.la $(CHECK_LIBS)
tests_runtime_test_helpers_SOURCES = tests/runtime/test-helpers.c
tests_runtime_test_helpers_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS)
tests_runtime_test_helpers_LDADD = core/libberth-runtime.la $(CHECK_LIBS)

# Integration tests: need root (exit 77 otherwise) and busybox-static.
check_PROGRAMS += tests/runtime/console-recv
tests_runtime_console_recv_SOURCES = tests/runtime/console-recv.c
berth_runtime_scripts = \
	tests/runtime/run.sh \
	tests/runtime/lifecycle.sh \
	tests/runtime/cgroups.sh \
	tests/runtime/cgroup-v2.sh \
	tests/runtime/seccomp.sh \
	tests/runtime/security.sh \
	tests/runtime/console.sh \
	tests/runtime/exec.sh \
	tests/runtime/userns-hooks.sh \
	tests/runtime/podman.sh \
	tests/runtime/sec-exe.sh \
	tests/runtime/sec-fds.sh \
	tests/runtime/sec-ptrace.sh \
	tests/runtime/sec-privs.sh \
	tests/runtime/sec-seccomp-abi.sh \
	tests/runtime/seccomp-enosys.sh \
	tests/runtime/sec-mask.sh \
	tests/runtime/sec-tty.sh \
	tests/runtime/sec-race.sh
TESTS += $(berth_runtime_scripts)
# the sec-*.sh checks (SECURITY.md) build these probes with `cc -static`
EXTRA_DIST += $(berth_runtime_scripts) tests/runtime/lib.sh tests/fixtures/mkrootfs-busybox.sh \
	tests/runtime/sec-lib.sh tests/runtime/rtsec-helper.c tests/runtime/rtsec-abi.c \
	tests/runtime/rtsec-enosys.c
