# berth: the command-line client.
bin_PROGRAMS += berth
berth_SOURCES = \
	core/cli/main.c core/cli/cli.h \
	core/cli/parse.c core/cli/format.c \
	core/cli/client.c core/cli/client.h \
	core/cli/version.c \
	core/cli/info.c \
	core/cli/units.c core/cli/json-print.c core/cli/filters.c \
	core/cli/template.c core/cli/template.h \
	core/cli/image.c core/cli/image-list.c core/cli/image-inspect.c \
	core/cli/image-remove.c core/cli/image-archive.c \
	core/cli/system-df.c \
	core/cli/hijack.c core/cli/hijack.h \
	core/cli/terminal.c core/cli/terminal.h \
	core/cli/signal-pipe.c core/cli/signal-pipe.h \
	core/cli/attach-stream.c core/cli/attach-stream.h \
	core/cli/container.h core/cli/container.c \
	core/cli/container-create.c core/cli/container-run.c \
	core/cli/container-lifecycle.c core/cli/container-list.c \
	core/cli/container-logs.c core/cli/container-missing.c
berth_CPPFLAGS = $(AM_CPPFLAGS) $(berth_buildinfo_cppflags)
berth_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
berth_LDADD = core/libberth-core.la $(JSONC_LIBS)
berth_SOURCES += core/cli/container-layers.c
berth_SOURCES += core/cli/events.c
# berth exec
berth_SOURCES += core/cli/container-exec.c
# pause, unpause, rename, top, port, stats, container prune
berth_SOURCES += core/cli/container-pause.c core/cli/container-rename.c core/cli/container-top.c \
	core/cli/container-port.c core/cli/container-stats.c core/cli/container-prune.c
berth_SOURCES += core/cli/container-create-more.c
berth_SOURCES += core/cli/container-mounts.c core/cli/volume.c
# client.c speaks HTTP itself (docs/dependencies.md): no libcurl here
berth_LDFLAGS = $(AM_LDFLAGS) -Wl,--as-needed
# berth cp: tars written with the daemon's archive-tar.c, extracted with layer-apply
berth_SOURCES += core/cli/container-cp.c core/container/archive-tar.c core/container/archive-tar.h
berth_CFLAGS += $(ARCHIVE_CFLAGS) $(CRYPTO_CFLAGS)
berth_LDADD += $(ARCHIVE_LIBS) $(CRYPTO_LIBS)
# berth pull / push / login (registries)
berth_SOURCES += core/cli/image-pull.c core/cli/image-pull.h core/cli/image-push.c
berth_SOURCES += core/cli/container-ports.c
berth_SOURCES += core/cli/container-net-opts.c
# berth login / logout, credentials for pull/push (config.json, credential helpers)
berth_SOURCES += core/cli/auth-config.c core/cli/auth-config.h core/cli/login.c
berth_SOURCES += core/cli/network.c
# berth build (the context tar honours .dockerignore: core/build/ignore.c in libberth-core)
berth_SOURCES += core/cli/build.c core/cli/build-context.c core/cli/build-context.h
# TLS to tcp:// hosts (--tls, --tlsverify): OpenSSL behind a plain fd, see client-tls.h
berth_SOURCES += core/cli/client-tls.c core/cli/client-tls.h core/lib/tls-stream.c core/lib/tls-stream.h
berth_CFLAGS += $(SSL_CFLAGS)
berth_LDADD += $(SSL_LIBS)
berth_SOURCES += core/cli/archive-output.c core/cli/archive-output.h
berth_SOURCES += core/cli/object-get.c core/cli/object-get.h
