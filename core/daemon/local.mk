# berthd: the daemon.
sbin_PROGRAMS += berthd
berthd_SOURCES = \
	core/daemon/main.c core/daemon/options.h \
	core/daemon/daemon.c core/daemon/daemon.h \
	core/daemon/pidfile.c core/daemon/pidfile.h \
	core/daemon/root-lock.c core/daemon/root-lock.h \
	core/daemon/listen.c core/daemon/listen.h \
	core/daemon/server.c core/daemon/server.h \
	core/daemon/router.c core/daemon/router.h \
	core/daemon/request.c core/daemon/response.c core/daemon/http.h \
	core/daemon/stream.c core/daemon/stream.h \
	core/daemon/system.c core/daemon/system.h \
	core/daemon/filters.c core/daemon/filters.h \
	core/daemon/images.c core/daemon/images-archive.c core/daemon/images.h \
	core/daemon/host-info.c core/daemon/host-cgroup.c core/daemon/host-info.h \
	core/daemon/engine-id.c core/daemon/engine-id.h \
	core/daemon/containers.c core/daemon/containers-list.c core/daemon/containers-logs.c \
	core/daemon/containers.h core/daemon/attach.c core/daemon/upgrade.c core/daemon/upgrade.h
berthd_CPPFLAGS = $(AM_CPPFLAGS) $(berth_buildinfo_cppflags)
berthd_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(JSONC_CFLAGS)
berthd_LDADD = core/libberth-container.la core/libberth-core.la $(MHD_LIBS) $(JSONC_LIBS)

# Build identification for `version` output (berthd and berth), taken when
# each object is compiled; "unknown" outside a git checkout.
berth_buildinfo_cppflags = \
	-DBERTH_GIT_COMMIT="\"$$(git -C $(top_srcdir) rev-parse --short=7 HEAD 2>/dev/null || echo unknown)\"" \
	-DBERTH_BUILD_TIME="\"$$(date -u -d @$${SOURCE_DATE_EPOCH:-$$(date +%s)} +%Y-%m-%dT%H:%M:%SZ)\""
berthd_SOURCES += core/daemon/events.c core/daemon/events.h
berthd_SOURCES += core/daemon/containers-layers.c
berthd_SOURCES += core/daemon/containers-ops.c core/daemon/containers-stats.c
# docker exec routes
berthd_SOURCES += core/daemon/containers-exec.c
berthd_SOURCES += core/daemon/volumes.c core/daemon/volumes.h
berthd_SOURCES += core/daemon/containers-archive.c
berthd_SOURCES += core/daemon/networks.c core/daemon/networks.h
# TLS on TCP listeners (--tls, --tlsverify): OpenSSL, see tls-server.h
berthd_SOURCES += core/daemon/tls-server.c core/daemon/tls-server.h core/lib/tls-stream.c core/lib/tls-stream.h
berthd_CFLAGS += $(SSL_CFLAGS)
berthd_LDADD += $(SSL_LIBS)
