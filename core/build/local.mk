# core/build: Dockerfile syntax, variable substitution and .dockerignore
# rules in libberth-core (the CLI uses the ignore rules); the build engine
# (it drives containers) in berthd.
core_libberth_core_la_SOURCES += \
	core/build/parser.c core/build/parser.h \
	core/build/expand.c core/build/expand.h \
	core/build/ignore.c core/build/ignore.h

if HAVE_CHECK
check_PROGRAMS += tests/build/test-parser
TESTS += tests/build/test-parser
tests_build_test_parser_SOURCES = tests/build/test-parser.c
tests_build_test_parser_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS)
tests_build_test_parser_LDADD = core/libberth-core.la $(CHECK_LIBS) $(JSONC_LIBS)
endif

# the engine and POST /build, in berthd
berthd_SOURCES += \
	core/build/engine.c core/build/engine.h \
	core/build/commit.c core/build/commit.h \
	core/build/copy.c core/build/copy.h \
	core/build/copy-layer.c core/build/copy-layer.h \
	core/build/cache.c core/build/cache.h \
	core/build/context.c core/build/context.h \
	core/daemon/build.c core/daemon/build.h
berthd_CFLAGS += $(ARCHIVE_CFLAGS) $(CRYPTO_CFLAGS)
berthd_LDADD += $(ARCHIVE_LIBS) $(CRYPTO_LIBS)

# POST /build against a real berthd (root only)
TESTS += tests/build/api.sh
EXTRA_DIST += tests/build/api.sh tests/build/corpus

# berth build (CLI) against a real berthd (root only)
TESTS += tests/build/cli.sh
EXTRA_DIST += tests/build/cli.sh

# libFuzzer: ./configure --enable-fuzz CC=clang && make fuzz [FUZZ_TIME=seconds];
# not part of make check.  The parser, substitution and ignore code is
# compiled into the target itself so that it is instrumented.
EXTRA_DIST += tests/build/fuzz-parser.c tests/build/fuzz-seeds
FUZZ_TIME = 60
if ENABLE_FUZZ
noinst_PROGRAMS += tests/build/fuzz-parser
tests_build_fuzz_parser_SOURCES = tests/build/fuzz-parser.c \
	core/build/parser.c core/build/expand.c core/build/ignore.c
tests_build_fuzz_parser_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer
tests_build_fuzz_parser_LDFLAGS = -fsanitize=fuzzer,address,undefined
tests_build_fuzz_parser_LDADD = core/libberth-core.la
fuzz: tests/build/fuzz-parser$(EXEEXT)
	mkdir -p tests/build/fuzz-work
	./tests/build/fuzz-parser$(EXEEXT) -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=1024 \
	  tests/build/fuzz-work $(top_srcdir)/tests/build/fuzz-seeds
else
fuzz:
	@echo "make fuzz: configure with --enable-fuzz CC=clang first" >&2; exit 1
endif
.PHONY: fuzz

# ADD <URL> (libcurl; berthd links it through core/registry)
berthd_SOURCES += core/build/fetch-url.c core/build/fetch-url.h
berthd_CFLAGS += $(CURL_CFLAGS)
TESTS += tests/build/add-url.sh
EXTRA_DIST += tests/build/add-url.sh tests/build/url-server.py
TESTS += tests/build/cache-from.sh tests/build/pull.sh
EXTRA_DIST += tests/build/cache-from.sh tests/build/pull.sh

# build contexts kept per session, digests of context files (issue 8 item 7)
berthd_SOURCES += \
	core/build/context-session.c core/build/context-session.h \
	core/build/file-digests.c core/build/file-digests.h
TESTS += tests/build/context.sh
EXTRA_DIST += tests/build/context.sh
TESTS += tests/build/context-big.sh
EXTRA_DIST += tests/build/context-big.sh
# COPY's layer without a container diff, on overlay
TESTS += tests/build/copy-layer.sh
EXTRA_DIST += tests/build/copy-layer.sh
