# core/runtime: the OCI runtime library behind berth-runtime (and later the shim).
noinst_LTLIBRARIES += core/libberth-runtime.la
core_libberth_runtime_la_SOURCES = \
	core/runtime/spec.c core/runtime/spec.h \
	core/runtime/spec-internal.h \
	core/runtime/spec-json.c core/runtime/spec-json.h \
	core/runtime/spec-names.c \
	core/runtime/spec-process.c \
	core/runtime/spec-linux.c \
	core/runtime/spec-resources.c \
	core/runtime/spec-seccomp.c
core_libberth_runtime_la_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(SECCOMP_CFLAGS) $(CAP_CFLAGS)
core_libberth_runtime_la_LIBADD = core/libberth-core.la $(JSONC_LIBS) $(SECCOMP_LIBS) $(CAP_LIBS)
core_libberth_runtime_la_SOURCES += \
	core/runtime/resolve.c core/runtime/resolve.h \
	core/runtime/mount-options.c core/runtime/mount-options.h \
	core/runtime/mounts.c core/runtime/mounts.h \
	core/runtime/mounts-cgroup.c core/runtime/mounts-cgroup.h \
	core/runtime/devices.c core/runtime/devices.h \
	core/runtime/console.c core/runtime/console.h \
	core/runtime/namespaces.c core/runtime/namespaces.h \
	core/runtime/caps.c core/runtime/caps.h \
	core/runtime/seccomp.c core/runtime/seccomp.h \
	core/runtime/seccomp-enosys.c core/runtime/seccomp-enosys.h \
	core/runtime/process.c core/runtime/process.h \
	core/runtime/cgroup.c core/runtime/cgroup.h core/runtime/cgroup-internal.h \
	core/runtime/cgroup-files.c \
	core/runtime/cgroup-v1.c \
	core/runtime/cgroup-v2.c \
	core/runtime/cgroup-v2-devices.c core/runtime/cgroup-v2-devices.h \
	core/runtime/state.c core/runtime/state.h \
	core/runtime/sync.c core/runtime/sync.h \
	core/runtime/signals.c core/runtime/signals.h \
	core/runtime/hooks.c core/runtime/hooks.h \
	core/runtime/cloned-binary.c core/runtime/cloned-binary.h \
	core/runtime/init.c core/runtime/init.h \
	core/runtime/container.c core/runtime/container.h core/runtime/container-internal.h \
	core/runtime/lifecycle.c \
	core/runtime/exec.c \
	core/runtime/forward.c
core_libberth_runtime_la_SOURCES += core/runtime/seccomp-file.c core/runtime/seccomp-file.h core/runtime/seccomp-internal.h
