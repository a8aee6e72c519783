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
