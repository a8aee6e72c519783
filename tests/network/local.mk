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
# --network container:, --dns*/--add-host, hairpin, leak cycles (H16)
TESTS += tests/network/container-mode.sh tests/network/dns-opts.sh tests/network/hairpin.sh tests/network/leaks.sh
EXTRA_DIST += tests/network/container-mode.sh tests/network/dns-opts.sh tests/network/hairpin.sh \
	tests/network/leaks.sh
# user-defined networks and their DNS (root), and the DNS message code
TESTS += tests/network/networks.sh tests/network/dns.sh
EXTRA_DIST += tests/network/networks.sh tests/network/dns.sh
check_PROGRAMS += tests/network/test-dns
TESTS += tests/network/test-dns
tests_network_test_dns_SOURCES = tests/network/test-dns.c
tests_network_test_dns_LDADD = core/libberth-container.la
# names following connect/disconnect, rename and --dns; user networks across a restart (N2)
TESTS += tests/network/names.sh tests/network/usernet-restart.sh
EXTRA_DIST += tests/network/names.sh tests/network/usernet-restart.sh
# IPv6 on the default bridge and user networks (issue 7 item 1)
TESTS += tests/network/ipv6.sh
EXTRA_DIST += tests/network/ipv6.sh
if HAVE_CHECK
check_PROGRAMS += tests/network/test-ipam6
TESTS += tests/network/test-ipam6
tests_network_test_ipam6_SOURCES = tests/network/test-ipam6.c
tests_network_test_ipam6_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_network_test_ipam6_LDADD = core/libberth-container.la $(CHECK_LIBS)
endif
