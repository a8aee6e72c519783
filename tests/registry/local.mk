# tests/registry: pull/push against Debian's docker-registry on 127.0.0.1.
berth_registry_tests = \
	tests/registry/pull.sh \
	tests/registry/faults.sh \
	tests/registry/push.sh
TESTS += $(berth_registry_tests)
EXTRA_DIST += $(berth_registry_tests) tests/registry/lib.sh tests/registry/upload.py \
	tests/registry/fault-registry.py
