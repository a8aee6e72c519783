# Out-of-tree example plugins: shipped as sources, built with their own
# Makefile against the installed headers (see docs/plugins.md).
EXTRA_DIST += \
	examples/log-counter/Makefile \
	examples/log-counter/counter.c
