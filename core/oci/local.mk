# core/oci: berth-runtime, the runc-compatible command line.
sbin_PROGRAMS += berth-runtime
berth_runtime_SOURCES = \
	core/oci/main.c core/oci/oci.h \
	core/oci/cmd-lifecycle.c \
	core/oci/cmd-query.c \
	core/oci/cmd-spec.c \
	core/oci/cmd-resources.c \
	core/oci/cmd-exec.c
berth_runtime_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(CAP_CFLAGS)
berth_runtime_LDADD = core/libberth-runtime.la
