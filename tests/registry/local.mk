# tests/registry: pull/push against Debian's docker-registry on 127.0.0.1.
berth_registry_tests = \
	tests/registry/pull.sh \
	tests/registry/faults.sh \
	tests/registry/push.sh
berth_registry_tests += tests/registry/robust.sh tests/registry/mirror.sh
TESTS += $(berth_registry_tests)
EXTRA_DIST += $(berth_registry_tests) tests/registry/lib.sh tests/registry/upload.py \
	tests/registry/fault-registry.py
berth_registry_tests += tests/registry/auth-tls.sh tests/registry/auth-token.sh
EXTRA_DIST += tests/registry/auth-lib.sh tests/registry/token-server.py
berth_registry_tests += tests/registry/client-cert.sh
