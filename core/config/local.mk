# berth.yaml loading: YAML tree with file:line, schema, defaults.
core_libberth_core_la_SOURCES += \
	core/config/config.c core/config/config.h \
	core/config/schema.c core/config/schema.h \
	core/config/tree.c core/config/tree.h
