# tests/network: the bridge network end to end (root; only the bridges,
# tables and namespaces the tests create).
TESTS += tests/network/bridge.sh tests/network/restart.sh
EXTRA_DIST += tests/network/lib.sh tests/network/bridge.sh tests/network/restart.sh
if HAVE_CHECK
check_PROGRAMS += tests/network/test-network
TESTS += tests/network/test-network
tests_network_test_network_SOURCES = tests/network/test-network.c
tests_network_test_network_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS)
tests_network_test_network_LDADD = core/libberth-container.la $(CHECK_LIBS) $(JSONC_LIBS)
endif
