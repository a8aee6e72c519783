# Integration tests: a real berthd on a private data root and socket (root only).
berth_integration_tests = \
	tests/integration/api.sh \
	tests/integration/lifecycle.sh \
	tests/integration/config.sh \
	tests/integration/cli.sh \
	tests/integration/docker-cli.sh
TESTS += $(berth_integration_tests)
EXTRA_DIST += $(berth_integration_tests) tests/integration/lib.sh
