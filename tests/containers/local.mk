# Container tests: Check unit tests of core/container.
if HAVE_CHECK
check_PROGRAMS += tests/containers/test-container
TESTS += tests/containers/test-container
tests_containers_test_container_SOURCES = tests/containers/test-container.c
tests_containers_test_container_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS)
tests_containers_test_container_LDADD = core/libberth-container.la $(CHECK_LIBS) $(JSONC_LIBS)
endif

# berth-shim against the runtime library and the json-file plugin (root only).
TESTS += tests/containers/shim.sh tests/containers/api.sh tests/containers/cli.sh
EXTRA_DIST += tests/containers/shim.sh tests/containers/api.sh tests/containers/cli.sh

# berthd on a pure cgroup v2 layout (a private mount namespace).
TESTS += tests/containers/cgroup-v2.sh
EXTRA_DIST += tests/containers/cgroup-v2.sh
TESTS += tests/containers/ops.sh
EXTRA_DIST += tests/containers/ops.sh
# docker exec through berth and the docker CLI, live restore of an exec (root only)
TESTS += tests/containers/exec.sh
EXTRA_DIST += tests/containers/exec.sh
# events, restart policies, limit/security/log flags (real berthd, root)
TESTS += tests/containers/events.sh tests/containers/restart.sh tests/containers/run-flags.sh
EXTRA_DIST += tests/containers/events.sh tests/containers/restart.sh tests/containers/run-flags.sh
# volumes, mounts and --init (root only)
TESTS += tests/containers/volumes.sh tests/containers/init.sh
EXTRA_DIST += tests/containers/volumes.sh tests/containers/init.sh
TESTS += tests/containers/cp.sh
EXTRA_DIST += tests/containers/cp.sh
# diff, export, commit on vfs and overlay (root only)
TESTS += tests/containers/layers.sh
EXTRA_DIST += tests/containers/layers.sh
TESTS += tests/containers/logs.sh
EXTRA_DIST += tests/containers/logs.sh
# starts that overlap: parallel run -d/--rm, start racing stop/rm/start/attach (root only)
TESTS += tests/containers/parallel.sh
EXTRA_DIST += tests/containers/parallel.sh
# records written with fewer syncs: etc files rewritten, --rm removed at restore (root only)
TESTS += tests/containers/crash-records.sh
EXTRA_DIST += tests/containers/crash-records.sh
# HEALTHCHECK run by the daemon (root only)
TESTS += tests/containers/health.sh
EXTRA_DIST += tests/containers/health.sh
TESTS += tests/containers/health-restart.sh
EXTRA_DIST += tests/containers/health-restart.sh
