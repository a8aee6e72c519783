# berth-shim: the per-container monitor started by berthd.
pkglibexec_PROGRAMS = berth-shim
berth_shim_SOURCES = \
	core/shim/main.c core/shim/attach.h \
	core/shim/log-copy.c core/shim/log-copy.h
berth_shim_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
berth_shim_LDADD = core/libberth-runtime.la core/libberth-core.la $(JSONC_LIBS)
# exec mode (one docker exec process) and the shim's sockets
berth_shim_SOURCES += \
	core/shim/sockets.c core/shim/sockets.h \
	core/shim/exec-start.c core/shim/exec-start.h
berth_shim_SOURCES += core/shim/idle-memory.c core/shim/idle-memory.h
