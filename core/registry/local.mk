# core/registry: the distribution client (libcurl), linked into berthd only
# (the CLI never talks to registries itself).
noinst_LTLIBRARIES += core/libberth-registry.la
core_libberth_registry_la_SOURCES = \
	core/registry/transport.c core/registry/transport.h \
	core/registry/progress.h \
	core/registry/pull.c core/registry/pull.h \
	core/registry/push.c core/registry/push.h
core_libberth_registry_la_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(JSONC_CFLAGS) $(CRYPTO_CFLAGS) $(ARCHIVE_CFLAGS)
core_libberth_registry_la_LIBADD = $(CURL_LIBS)
berthd_SOURCES += core/daemon/images-registry.c
berthd_LDADD += core/libberth-registry.la core/libberth-core.la $(CURL_LIBS)
core_libberth_registry_la_SOURCES += core/registry/auth.c core/registry/auth.h \
	core/registry/credentials.c core/registry/credentials.h core/registry/tls.c core/registry/tls.h
core_libberth_registry_la_SOURCES += core/registry/retry.c core/registry/retry.h \
	core/registry/blob-sources.c core/registry/blob-sources.h
