# libberth-core: shared by every binary (linked statically; no installed ABI).
noinst_LTLIBRARIES += core/libberth-core.la
core_libberth_core_la_SOURCES = \
	core/lib/error.c core/lib/error.h \
	core/lib/mem.c core/lib/mem.h \
	core/lib/log.c core/lib/log.h \
	core/lib/fs.c core/lib/fs.h \
	core/lib/openat2.c core/lib/openat2.h
core_libberth_core_la_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS) $(JSONC_CFLAGS)
core_libberth_core_la_LIBADD = $(YAML_LIBS) $(JSONC_LIBS) -lpthread
core_libberth_core_la_SOURCES += core/lib/api-version.c core/lib/api-version.h
core_libberth_core_la_SOURCES += core/lib/timestamp.c core/lib/timestamp.h
core_libberth_core_la_SOURCES += core/lib/pseudo-fs.c core/lib/pseudo-fs.h
core_libberth_core_la_SOURCES += core/lib/detach-keys.c core/lib/detach-keys.h
core_libberth_core_la_SOURCES += core/lib/base64.c core/lib/base64.h
core_libberth_core_la_SOURCES += core/lib/cidr.c core/lib/cidr.h
core_libberth_core_la_SOURCES += core/lib/fs-synced.c core/lib/fs-synced.h
