# core/container: container records, names, create-request checks, the OCI
# spec of a container, its rootfs and its shim.  Linked into berthd.
noinst_LTLIBRARIES += core/libberth-container.la
core_libberth_container_la_SOURCES = \
	core/container/id.c core/container/id.h \
	core/container/name-words.c core/container/name-words.h \
	core/container/container.c core/container/container.h \
	core/container/create-config.c core/container/create-config.h \
	core/container/user.c core/container/user.h \
	core/container/oci-spec.c core/container/oci-spec.h
core_libberth_container_la_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
core_libberth_container_la_LIBADD = core/libberth-runtime.la core/libberth-core.la $(JSONC_LIBS)
core_libberth_container_la_SOURCES += \
	core/container/etc-files.c core/container/etc-files.h \
	core/container/rootfs.c core/container/rootfs.h \
	core/container/shim-launch.c core/container/shim-launch.h \
	core/container/manager.c core/container/manager.h core/container/manager-internal.h \
	core/container/inspect.c core/container/inspect.h
