# berth: the command-line client.
bin_PROGRAMS += berth
berth_SOURCES = \
	core/cli/main.c core/cli/cli.h \
	core/cli/parse.c core/cli/format.c \
	core/cli/client.c core/cli/client.h \
	core/cli/version.c \
	core/cli/info.c
berth_CPPFLAGS = $(AM_CPPFLAGS) $(berth_buildinfo_cppflags)
berth_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(JSONC_CFLAGS)
berth_LDADD = core/libberth-core.la $(CURL_LIBS) $(JSONC_LIBS)
