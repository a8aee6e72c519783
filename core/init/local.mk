# berth-init: the init of `run --init` containers, bind-mounted into them,
# so linked statically (and without sanitizers, which cannot be).
pkglibexec_PROGRAMS += berth-init
berth_init_SOURCES = core/init/berth-init.c
berth_init_CFLAGS = $(WARN_CFLAGS)
berth_init_LDFLAGS = -all-static
