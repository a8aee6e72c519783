# Plugin loader, host services and registry of loaded drivers.
core_libberth_core_la_SOURCES += \
	core/plugin/host.c core/plugin/host.h \
	core/plugin/loader.c \
	core/plugin/registry.c core/plugin/registry.h core/plugin/registry-internal.h
