# core/network: IPAM, endpoints, network namespaces and the manager's hooks
# for the default bridge.  Built into libberth-container (the manager calls
# it); the bridge driver itself is a plugin (plugins/network/bridge.c).
core_libberth_container_la_SOURCES += \
	core/network/ipam.c core/network/ipam.h \
	core/network/subnet-pick.c core/network/subnet-pick.h \
	core/network/netns.c core/network/netns.h \
	core/network/ports.c core/network/ports.h \
	core/network/endpoint.c core/network/endpoint.h \
	core/network/service.c core/network/service.h \
	core/network/manager-network.c core/network/manager-network.h \
	core/network/daemon-networks.c core/network/daemon-networks.h
# --network container:, --dns*, --add-host (issue 7 items 3-4)
core_libberth_container_la_SOURCES += \
	core/network/net-options.c core/network/net-options.h \
	core/network/container-mode.c core/network/container-mode.h
# user-defined networks, connect/disconnect, the embedded DNS (issue 7 items 3, 6)
core_libberth_container_la_SOURCES += \
	core/network/netdef.c core/network/netdef.h \
	core/network/subnet-pool.c core/network/subnet-pool.h \
	core/network/attachments.c core/network/attachments.h \
	core/network/manager-join.c core/network/manager-join.h \
	core/network/dns-message.c core/network/dns-message.h \
	core/network/dns-server.c core/network/dns-server.h
# IPv6 on bridge networks (issue 7 item 1): the v6 pool beside the v4 one
core_libberth_container_la_SOURCES += core/network/ipam6.c core/network/ipam6.h
