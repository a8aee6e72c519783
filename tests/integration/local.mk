# Integration tests: a real berthd on a private data root and socket (root only).
berth_integration_tests = \
	tests/integration/api.sh \
	tests/integration/lifecycle.sh \
	tests/integration/config.sh \
	tests/integration/cli.sh \
	tests/integration/docker-cli.sh \
	tests/integration/images.sh \
	tests/integration/images-docker.sh \
	tests/integration/images-hostile.sh \
	tests/integration/images-crash.sh
TESTS += $(berth_integration_tests)
EXTRA_DIST += $(berth_integration_tests) tests/integration/lib.sh tests/integration/lib-image.sh \
	tests/fixtures/mkimage-busybox.sh
# berth save <-> a private real dockerd (skipped without dockerd)
TESTS += tests/integration/images-dockerd.sh
EXTRA_DIST += tests/integration/images-dockerd.sh
# the API over TCP with mutual TLS: berth and the docker CLI, refusals (root only)
TESTS += tests/integration/tls.sh
EXTRA_DIST += tests/integration/tls.sh
