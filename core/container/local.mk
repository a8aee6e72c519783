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
core_libberth_container_la_SOURCES += core/container/manager-restart.c \
	core/container/security-opt.c core/container/security-opt.h
core_libberth_container_la_SOURCES += \
	core/container/manager-pause.c core/container/manager-rename.c core/container/manager-stats.c \
	core/container/stats.c core/container/stats.h \
	core/container/top.c core/container/top.h \
	core/container/size.c core/container/size.h
# diff, export, commit: a container's filesystem borrowed for reading
core_libberth_container_la_SOURCES += \
	core/container/changes.c core/container/changes-fs.c core/container/changes.h \
	core/container/commit.c core/container/export.c core/container/commit.h
# docker exec: exec instances and their OCI process
core_libberth_container_la_SOURCES += \
	core/container/manager-exec.c core/container/manager-health.c \
	core/container/exec-process.c core/container/exec-process.h
core_libberth_container_la_SOURCES += \
	core/container/mount-spec.c core/container/mount-spec.h \
	core/container/manager-volumes.c core/container/manager-volumes.h
# docker cp: stat, tar out, extract in (GET/HEAD/PUT /containers/{id}/archive)
core_libberth_container_la_SOURCES += \
	core/container/archive.h core/container/archive-internal.h \
	core/container/archive-access.c core/container/archive-path.c core/container/archive-ops.c \
	core/container/archive-tar.c core/container/archive-tar.h
core_libberth_container_la_CFLAGS += $(ARCHIVE_CFLAGS)
core_libberth_container_la_LIBADD += $(ARCHIVE_LIBS)
# seccomp filters compiled once per profile for the runtime (core/runtime/seccomp-file.h)
core_libberth_container_la_SOURCES += core/container/seccomp-cache.c core/container/seccomp-cache.h
core_libberth_container_la_SOURCES += core/container/shim-monitor.c core/container/shim-monitor.h
