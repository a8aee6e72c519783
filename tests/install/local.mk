# make install layout and an out-of-tree plugin loaded by the installed daemon.
TESTS += tests/install/installed-plugin.sh
EXTRA_DIST += tests/install/installed-plugin.sh

# The configured directories, for the test to find what was installed.
check_DATA = tests/install/dirs.sh
CLEANFILES += tests/install/dirs.sh
tests/install/dirs.sh: Makefile
	$(AM_V_GEN)$(MKDIR_P) tests/install && { \
	  echo "bindir='$(bindir)'"; echo "sbindir='$(sbindir)'"; \
	  echo "includedir='$(includedir)'"; echo "libdir='$(libdir)'"; \
	  echo "sysconfdir='$(sysconfdir)'"; echo "plugindir='$(plugindir)'"; } > $@
